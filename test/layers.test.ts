// The layers of src/ (README, "What is here"): a folder may import its own layer and the layers below,
// never one above. The import graph is read from the sources, so a new climbing import fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');

/** Rank of each top-level folder of src/: native shim → tensor → nn/optim/io/data → models → losses → eval/infer → train → report/experiment → cli. */
const RANK: Record<string, number> = {
  tensor: 0,
  nn: 1,
  optim: 1,
  io: 1,
  data: 1,
  models: 2,
  losses: 3,
  eval: 4,
  infer: 4,
  export: 4,
  train: 5,
  report: 6,
  experiment: 6,
  cli: 7,
};

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** [importing file, its folder, imported folder] for every relative import between top-level folders. */
function edges(): [string, string, string][] {
  const out: [string, string, string][] = [];
  for (const file of sources(SRC)) {
    const from = relative(SRC, file).split('/')[0]!;
    if (from.endsWith('.ts')) continue; // src/index.ts: the package entry re-exports every layer
    for (const m of readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)) {
      const to = relative(SRC, resolve(dirname(file), m[1]!)).split('/')[0]!;
      if (to !== from) out.push([relative(SRC, file), from, to]);
    }
  }
  return out;
}

test('every src/ folder has a layer', () => {
  const folders = readdirSync(SRC).filter((n) => statSync(join(SRC, n)).isDirectory());
  assert.deepEqual(
    folders.filter((f) => RANK[f] === undefined),
    [],
    'a new folder needs its place in RANK (and in the README)',
  );
});

test('no import climbs a layer', () => {
  const all = edges();
  assert.ok(all.length > 50, `the import graph was read (${all.length} edges)`);
  const climbing = all.filter(([, from, to]) => RANK[to]! > RANK[from]!).map(([file, , to]) => `${file} imports from src/${to}`);
  assert.deepEqual(climbing, []);
});

test('inference, evaluation and the models stand below training', () => {
  const below = new Set(['infer', 'eval', 'models']),
    above = new Set(['train', 'experiment', 'report', 'cli']);
  const bad = edges()
    .filter(([, from, to]) => below.has(from) && above.has(to))
    .map(([file, , to]) => `${file} imports from src/${to}`);
  assert.deepEqual(bad, []);
});
