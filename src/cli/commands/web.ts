// b2b web: a static deblurring page (onnxruntime-web in the browser) for models written by b2b export onnx.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkOnnx } from '../../export/check.js';
import { ORT_FILES, renderWebPage } from '../../report/web/page.js';
import type { WebModel } from '../../report/web/client.js';
import { parse, stringFlags, UsageError } from '../usage.js';

const HELP = `usage: b2b web --out DIR --model [NAME=]FILE.onnx [--model …] [--title T] [--tile N] [--overlap N]
  writes DIR/index.html, DIR/ort/ (onnxruntime-web, WebAssembly) and DIR/models/ (copies of the models):
  a page where a person drops a photo, picks a model and gets the deblurred image (before/after slider,
  download). Serve DIR with any static server (e.g. python3 -m http.server -d DIR); browsers do not run
  WebAssembly modules from file:// pages.
  --model [NAME=]FILE   a model from b2b export onnx (repeatable; NAME: its label, default the file's name)
  --title T             the page's title
  --tile N, --overlap N tiles for large photos (default 512 and 64, as b2b deblur)`;

/** A marker so that a later run may write into the folder again; a folder without it is not ours. */
const MARKER = '.b2b-web';

function ortDist(): string {
  return dirname(fileURLToPath(import.meta.resolve('onnxruntime-web')));
}

function positiveInt(v: string | undefined, flag: string, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 16) throw new UsageError(`web: ${flag} must be an integer ≥ 16, got '${v}'`);
  return n;
}

export async function webCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parse(
    argv,
    { ...stringFlags('out', 'title', 'tile', 'overlap'), model: { type: 'string', multiple: true }, quiet: { type: 'boolean' } },
    HELP,
  );
  if (positionals.length) throw new UsageError(`web: unexpected '${positionals.join(' ')}'\n\n${HELP}`);
  if (!values.out) throw new UsageError(`web: give --out DIR\n\n${HELP}`);
  const specs = values.model ?? [];
  if (!specs.length) throw new UsageError(`web: give at least one --model FILE.onnx (made by b2b export onnx)\n\n${HELP}`);
  const tile = positiveInt(values.tile, '--tile', 512),
    overlap = positiveInt(values.overlap, '--overlap', 64);
  if (overlap >= tile) throw new UsageError(`web: --overlap (${overlap}) must be smaller than --tile (${tile})`);

  const out = values.out;
  if (existsSync(out)) {
    if (!statSync(out).isDirectory()) throw new UsageError(`web: ${out} exists and is not a folder`);
    if (readdirSync(out).length && !existsSync(join(out, MARKER)))
      throw new UsageError(`web: ${out} is not empty and was not written by b2b web: choose another --out`);
  }
  const models: WebModel[] = [];
  const seen = new Set<string>();
  const checked = specs.map((spec) => {
    const eq = existsSync(spec) ? -1 : spec.indexOf('='); // NAME=FILE, unless the whole spec is a file
    const file = eq > 0 ? spec.slice(eq + 1) : spec;
    const name = eq > 0 ? spec.slice(0, eq) : basename(file, '.onnx');
    if (!existsSync(file)) throw new UsageError(`web: ${file}: no such model file`);
    const bytes = readFileSync(file);
    const s = checkOnnx(bytes, file);
    const ins = s.inputs[0];
    if (s.inputs.length !== 1 || ins?.name !== 'input' || ins.dims.length !== 4 || ins.dims[1] !== 3)
      throw new Error(`${file}: the page needs one input 'input' [batch, 3, height, width] (as b2b export onnx writes)`);
    const target = `${basename(file, '.onnx')}.onnx`;
    if (seen.has(target)) throw new UsageError(`web: two models named ${target}: rename one`);
    seen.add(target);
    return { name, file, target, bytes: bytes.length, computes: s.metadata.computes ?? '' };
  });

  mkdirSync(join(out, 'ort'), { recursive: true });
  mkdirSync(join(out, 'models'), { recursive: true });
  writeFileSync(join(out, MARKER), 'written by b2b web; a later b2b web may rewrite this folder\n');
  for (const f of ORT_FILES) copyFileSync(join(ortDist(), f), join(out, 'ort', f));
  for (const m of checked) {
    copyFileSync(m.file, join(out, 'models', m.target));
    models.push({ name: m.name, file: `models/${m.target}`, computes: m.computes, bytes: m.bytes });
  }
  const title = values.title ?? 'Deblur a photo';
  writeFileSync(join(out, 'index.html'), renderWebPage({ models, tile, overlap }, title));
  if (!values.quiet)
    console.log(
      `${join(out, 'index.html')}: ${models.length} model${models.length > 1 ? 's' : ''} (${models.map((m) => m.name).join(', ')}); serve the folder, e.g. python3 -m http.server -d ${out}`,
    );
}
