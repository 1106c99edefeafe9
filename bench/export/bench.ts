// Export benchmark: D_K∘G on one 512×512 image through libtorch (b2b deblur's path), through
// onnxruntime-node (the exported graph) and through onnxruntime-web's WebAssembly backend in Chromium
// (what b2b web runs), interleaved in one run, with the ratios to libtorch (≥ 1: slower than libtorch).
//   npm run bench:export [-- --rounds 5 --threads N --size 512 --deblurrer D --translator G]
// WebAssembly runs twice: one thread (a plain static server) and N threads (a cross-origin-isolated
// page, COOP/COEP headers). The last line is one JSON object.
import { parseArgs } from 'node:util';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ort from 'onnxruntime-node';
import { chromium } from 'playwright-core';
import { coreCount, noGrad, rand, scope, setNumThreads } from '../../src/tensor/index.js';
import { loadDeblurrer, loadTranslator } from '../../src/infer/load.js';
import { exportPipeline, pipelineFunction } from '../../src/export/pipeline.js';
import { ORT_FILES } from '../../src/report/web/page.js';
import { serveStatic } from '../../src/report/web/serve.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    threads: { type: 'string', default: String(coreCount()) },
    size: { type: 'string', default: '512' },
    deblurrer: { type: 'string', default: join(ROOT, 'weights/dk-gopro-like-nafnet-small32') },
    translator: { type: 'string', default: join(ROOT, 'weights/g-rsblur-like-small') },
    chromium: { type: 'string', default: process.env.B2B_CHROMIUM ?? '/usr/bin/chromium' },
  },
});
const rounds = Number(args.rounds),
  threads = Number(args.threads),
  size = Number(args.size);
setNumThreads(threads);

const dk = loadDeblurrer(args.deblurrer),
  g = loadTranslator(args.translator);
const models = { deblurrer: dk, translator: g };
let t0 = performance.now();
const bytes = exportPipeline(models);
const exportMs = performance.now() - t0;
const fn = pipelineFunction(models);
const shape = [1, 3, size, size];
const input = scope(() => rand(shape).toArray() as Float32Array);

const stats = (ms: number[]): { min: number; median: number } => {
  const s = [...ms].sort((a, b) => a - b);
  return { min: s[0]!, median: s[s.length >> 1]! };
};

async function timeLibtorch(): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i <= rounds; i++) {
    const t = performance.now();
    scope(() => noGrad(() => fn(rand(shape)).toArray()));
    if (i > 0) ms.push(performance.now() - t); // the first run warms up
  }
  return ms;
}

const session = await ort.InferenceSession.create(bytes, {
  intraOpNumThreads: threads,
  interOpNumThreads: 1,
  graphOptimizationLevel: 'all',
});
async function timeOrtNode(): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i <= rounds; i++) {
    const t = performance.now();
    await session.run({ input: new ort.Tensor('float32', input, shape) });
    if (i > 0) ms.push(performance.now() - t);
  }
  return ms;
}

// The browser side: the model and onnxruntime-web's files on a loopback server, timed in the page.
const site = mkdtempSync(join(tmpdir(), 'b2b-bench-export-'));
mkdirSync(join(site, 'ort'));
const ortDist = dirname(fileURLToPath(import.meta.resolve('onnxruntime-web')));
for (const f of ORT_FILES) copyFileSync(join(ortDist, f), join(site, 'ort', f));
writeFileSync(join(site, 'model.onnx'), bytes);
writeFileSync(
  join(site, 'index.html'),
  `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><script type="module">
import * as ort from './ort/ort.wasm.min.mjs';
ort.env.wasm.wasmPaths = new URL('./ort/', location.href).href;
window.timeWasm = async (threads, rounds, size) => {
  ort.env.wasm.numThreads = threads;
  const s = await ort.InferenceSession.create('model.onnx', { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  const x = new ort.Tensor('float32', new Float32Array(3 * size * size).map(() => Math.random()), [1, 3, size, size]);
  const ms = [];
  for (let i = 0; i <= rounds; i++) { const t = performance.now(); await s.run({ input: x }); if (i > 0) ms.push(performance.now() - t); }
  await s.release();
  return { ms, isolated: self.crossOriginIsolated };
};
window.ready = true;
</script>`,
);
// b2b web serve's server; the page asked with ?isolated (and what it loads) gets the isolation headers.
const server = await serveStatic(site, { isolated: (req) => (req.headers.referer ?? req.url ?? '').includes('isolated') });
const base = server.url;
const browser = await chromium.launch({ executablePath: args.chromium, args: ['--no-sandbox'] });
async function timeWasm(n: number): Promise<number[]> {
  const page = await browser.newPage();
  await page.goto(n > 1 ? `${base}?isolated` : base);
  await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
  const r = await page.evaluate(
    ([a, b, c]) =>
      (window as unknown as { timeWasm: (t: number, r: number, s: number) => Promise<{ ms: number[]; isolated: boolean }> }).timeWasm(
        a!,
        b!,
        c!,
      ),
    [n, rounds, size],
  );
  await page.close();
  if (n > 1 && !r.isolated) throw new Error('the page is not cross-origin isolated: WebAssembly threads are off');
  return r.ms;
}

const rows: [string, number[]][] = [];
rows.push(['libtorch (b2b deblur)', await timeLibtorch()]);
rows.push(['onnxruntime-node (CPU)', await timeOrtNode()]);
rows.push(['onnxruntime-web WASM, 1 thread', await timeWasm(1)]);
if (threads > 1) rows.push([`onnxruntime-web WASM, ${threads} threads`, await timeWasm(threads)]);
await browser.close();
await server.close();
rmSync(site, { recursive: true, force: true });

const ref = stats(rows[0]![1]).median;
console.log(
  `D_K∘G (${args.deblurrer.split('/').pop()} after ${args.translator.split('/').pop()}) on one ${size}×${size} image, ${threads} thread${threads > 1 ? 's' : ''}, ${rounds} rounds after a warm-up; export took ${(exportMs / 1000).toFixed(1)} s, ${(bytes.length / 2 ** 20).toFixed(1)} MiB`,
);
console.log('| backend | ms per image (min / median) | median ÷ libtorch |\n|---|---|---|');
for (const [name, ms] of rows) {
  const s = stats(ms);
  console.log(`| ${name} | ${s.min.toFixed(0)} / ${s.median.toFixed(0)} | ${(s.median / ref).toFixed(2)} |`);
}
console.log(
  JSON.stringify({ size, threads, rounds, exportMs, bytes: bytes.length, rows: Object.fromEntries(rows.map(([k, v]) => [k, stats(v)])) }),
);
dk.dispose();
g.dispose();
