// Exporting a run's checkpoint as a weights file: the exported model equals the checkpoint's, its
// metadata names the architecture and the step, and runs it cannot export are refused by name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readWeightsMetadata } from '../../src/io/weights.js';
import { resolveDeblurConfig, trainDeblur } from '../../src/train/deblur.js';
import { buildDeblurrer } from '../../src/models/index.js';
import { loadModelFromCheckpoint } from '../../src/train/checkpoint.js';
import { exportCheckpoint } from '../../src/train/export.js';
import { loadDeblurrer } from '../../src/infer/load.js';
import { RunDir } from '../../src/train/run.js';
import { writePairs } from './fixtures.js';
import { maxWeightDiff } from '../helpers/weights.js';

const root = mkdtempSync(join(tmpdir(), 'b2b-export-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

test('a deblurrer run exported at its best and latest checkpoints', async () => {
  const pairs = join(root, 'pairs'),
    run = join(root, 'run');
  await writePairs(pairs, 4, 64);
  await trainDeblur(
    resolveDeblurConfig({ pairs, val: pairs, steps: 3, batch: 2, crop: 32, valEvery: 1, ckptEvery: 1, valImages: 2 }),
    run,
    { quiet: true },
  );
  for (const which of ['best', 'latest'] as const) {
    const out = join(root, `${which}.safetensors`);
    const r = exportCheckpoint(run, which, out);
    const meta = readWeightsMetadata(out);
    assert.equal(meta.arch, 'nafnet-small');
    assert.equal(meta.kind, 'deblurrer');
    assert.equal(meta.steps, String(r.step));
    const a = loadDeblurrer(out),
      b = buildDeblurrer('nafnet-small');
    loadModelFromCheckpoint(which === 'best' ? RunDir.open(run).best : RunDir.open(run).latest, 'model', b);
    assert.equal(maxWeightDiff(a, b), 0);
    a.dispose();
    b.dispose();
  }
  assert.equal(exportCheckpoint(run, 'latest', join(root, 'l.safetensors')).step, 3);
  // float16: half the bytes, loads into the float32 model within fp16 rounding.
  const half = join(root, 'half.safetensors');
  exportCheckpoint(run, 'latest', half, { half: true });
  assert.equal(readWeightsMetadata(half).stored, 'float16');
  assert.ok(statSync(half).size < 0.55 * statSync(join(root, 'l.safetensors')).size);
  const a = loadDeblurrer(half),
    b = loadDeblurrer(join(root, 'l.safetensors'));
  const sb = b.stateDict();
  for (const [k, t] of a.stateDict()) {
    assert.equal(t.dtype, 'float32', k);
    const ref = sb.get(k)!;
    assert.ok(t.sub(ref).abs().max().item() <= ref.abs().max().item() * 1e-3 + 1e-7, k);
  }
  a.dispose();
  b.dispose();
  // The final weights of any run, as they are.
  const fin = join(root, 'final.safetensors');
  assert.equal(exportCheckpoint(run, 'final', fin).step, 3);
  assert.equal(readWeightsMetadata(fin).kind, 'deblurrer');
  const c = loadDeblurrer(fin),
    d = loadDeblurrer(run);
  assert.equal(maxWeightDiff(c, d), 0);
  c.dispose();
  d.dispose();
});

test('a run kind without an export is refused by name', () => {
  const dir = join(root, 'cg');
  mkdirSync(dir);
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ kind: 'cyclegan', arch: 'nafnet-small' }));
  assert.throws(
    () => exportCheckpoint(dir, 'best', join(root, 'x.safetensors')),
    /a cyclegan run; export handles translator, deblur, kernel runs/,
  );
  assert.throws(() => exportCheckpoint(join(root, 'nothing'), 'best', join(root, 'x.safetensors')), /not a run folder/);
});
