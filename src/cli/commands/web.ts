// b2b web: a static deblurring page (onnxruntime-web in the browser) for models written by b2b export onnx.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkOnnx } from '../../export/check.js';
import { ORT_FILES, renderWebPage } from '../../report/web/page.js';
import type { WebModel } from '../../report/web/client.js';
import { parse, stringFlags, UsageError } from '../usage.js';
import { tileFlags } from '../options.js';
import { serveStatic } from '../../report/web/serve.js';

const HELP = `usage: b2b web --out DIR --model [NAME=]FILE.onnx [--model …] [--title T] [--tile N] [--overlap N]
       b2b web serve DIR [--port N] [--host H]
  writes DIR/index.html, DIR/ort/ (onnxruntime-web, WebAssembly) and DIR/models/ (copies of the models):
  a page where a person drops a photo, picks a model and gets the deblurred image (before/after slider,
  download). Browsers do not run WebAssembly modules from file:// pages: 'b2b web serve DIR' serves the
  folder (default http://127.0.0.1:8000/, until Ctrl-C) with the cross-origin isolation headers that let
  the page use several threads; any static server works too, on one thread.
  --model [NAME=]FILE   a model from b2b export onnx (repeatable; NAME: its label, default the file's name)
  --title T             the page's title
  --tile N, --overlap N tiles for large photos (as b2b deblur: tile ≥ 64, default 512; overlap in [0, tile), default 64)
  --port N, --host H    where serve listens (default 8000 on 127.0.0.1, this machine only; 0: any free port)`;

/** A marker so that a later run may write into the folder again; a folder without it is not ours. */
const MARKER = '.b2b-web';

function ortDist(): string {
  return dirname(fileURLToPath(import.meta.resolve('onnxruntime-web')));
}

/** b2b web serve DIR: serves a folder b2b web wrote until the process is stopped. */
async function serveCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parse(argv, stringFlags('port', 'host'), HELP);
  if (positionals.length !== 1) throw new UsageError(`web serve: give one folder written by b2b web\n\n${HELP}`);
  const dir = positionals[0]!;
  if (!existsSync(join(dir, 'index.html')) || !existsSync(join(dir, MARKER)))
    throw new UsageError(`web serve: ${dir} is not a folder written by b2b web (no index.html and ${MARKER})`);
  const port = values.port === undefined ? 8000 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`web serve: --port must be an integer in [0, 65535], got '${values.port}'`);
  const host = values.host ?? '127.0.0.1';
  const server = await serveStatic(dir, { port, host }).catch((e: Error) => {
    throw new Error(`web serve: cannot listen on ${host}:${port}: ${e.message}`);
  });
  console.log(`serving ${dir} at ${server.url} (cross-origin isolated: the page uses several threads); Ctrl-C stops`);
  await new Promise<void>((done) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void server.close().then(done);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

export async function webCommand(argv: string[]): Promise<void> {
  if (argv[0] === 'serve') return serveCommand(argv.slice(1));
  const { values, positionals } = parse(
    argv,
    { ...stringFlags('out', 'title', 'tile', 'overlap'), model: { type: 'string', multiple: true }, quiet: { type: 'boolean' } },
    HELP,
  );
  if (positionals.length) throw new UsageError(`web: unexpected '${positionals.join(' ')}'\n\n${HELP}`);
  if (!values.out) throw new UsageError(`web: give --out DIR\n\n${HELP}`);
  const specs = values.model ?? [];
  if (!specs.length) throw new UsageError(`web: give at least one --model FILE.onnx (made by b2b export onnx)\n\n${HELP}`);
  const { tile, overlap } = tileFlags(values, 'web');

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
      `${join(out, 'index.html')}: ${models.length} model${models.length > 1 ? 's' : ''} (${models.map((m) => m.name).join(', ')}); serve it with b2b web serve ${out}`,
    );
}
