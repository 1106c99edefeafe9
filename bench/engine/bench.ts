// Engine benchmark: the same training steps through blur2blur and through PyTorch (Debian's
// python3-torch, the same libtorch), interleaved in one process pair so machine noise hits both.
//   npm run bench:engine [-- --rounds 8 --steps 4 --long 1000 --threads N]
// Prints ms/step and GFLOP/s per side, the ratio (PyTorch time / blur2blur time: ≥ 1 means no
// slower), and RSS at step 50 and at the end of a long run. The last line is one JSON object.
import { parseArgs } from 'node:util';
import { startReference } from '../common/reference-process.js';
import { Generator, allocatorStats, coreCount, noGrad, randn, scope, setNumThreads, type Tensor } from '../../src/tensor/index.js';
import type { Module } from '../../src/nn/index.js';
import { Adam } from '../../src/optim/index.js';
import { ConvPair, NafStack, stepFlops } from './models.js';

type Case = 'conv' | 'nafblock' | 'tiny';
const PEAK_GFLOPS = 157; // 2 cores × 2.45 GHz × 32 FLOP/cycle (AVX2 FMA), docs: DESIGN.md §2

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '8' },
    steps: { type: 'string', default: '4' },
    long: { type: 'string', default: '1000' },
    threads: { type: 'string', default: String(coreCount()) },
  },
});
const rounds = Number(args.rounds),
  steps = Number(args.steps),
  longSteps = Number(args.long),
  threads = Number(args.threads);
setNumThreads(threads);

// ---- PyTorch side --------------------------------------------------------------------------------
const py = startReference('engine', threads);
async function pyRun(kind: Case, n: number): Promise<{ ms: number[]; rss_mb: number }> {
  return py.run({ case: kind, steps: n });
}

// ---- blur2blur side ------------------------------------------------------------------------------
interface Workload {
  model: Module & { forward(x: Tensor): Tensor };
  opt: Adam;
  x: Tensor;
  y: Tensor;
}
const workloads = new Map<Case, Workload>();
function workload(kind: Case): Workload {
  let w = workloads.get(kind);
  if (!w) {
    const g = new Generator(0);
    const model = kind === 'conv' ? new ConvPair() : new NafStack();
    w = {
      model,
      opt: new Adam(model.parameters(), { lr: 1e-4 }),
      x: randn([4, 32, 128, 128], { generator: g }).keep(),
      y: randn([4, 32, 128, 128], { generator: g }).keep(),
    };
    workloads.set(kind, w);
    jsRun(kind, 1); // warm-up
  }
  return w;
}
// Per-operation overhead: 1000 small elementwise ops on a 16-element tensor (as reference.py's Tiny).
let tinyX: Tensor | undefined;
function tinyRun(n: number): number[] {
  tinyX ??= randn([16], { generator: new Generator(0) }).keep();
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    noGrad(() =>
      scope(() => {
        let y = tinyX!;
        for (let k = 0; k < 500; k++) y = y.mul(1.0001).add(0.0001);
        return y.numel;
      }),
    );
    ms.push(performance.now() - t0);
  }
  return ms;
}

function jsRun(kind: Case, n: number): number[] {
  if (kind === 'tiny') return tinyRun(n);
  const w = workload(kind);
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    scope(() => {
      const loss = w.model.forward(w.x).sub(w.y).abs().mean();
      w.opt.zeroGrad();
      loss.backward();
      w.opt.update();
    });
    ms.push(performance.now() - t0);
  }
  return ms;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const rssMb = (): number => process.memoryUsage().rss / 2 ** 20;
const f1 = (x: number): string => x.toFixed(1);

async function main(): Promise<void> {
  console.log(`engine benchmark: ${threads} threads, ${rounds} interleaved rounds × ${steps} steps, batch [4, 32, 128, 128]`);
  const ratios: Record<Case, number> = { conv: 0, nafblock: 0, tiny: 0 };
  for (const kind of ['conv', 'nafblock', 'tiny'] as const) {
    await pyRun(kind, 1); // warm-up on both sides
    jsRun(kind, 1);
    const js: number[] = [],
      pt: number[] = [];
    for (let r = 0; r < rounds; r++) {
      js.push(...jsRun(kind, steps));
      pt.push(...(await pyRun(kind, steps)).ms);
    }
    const mj = median(js),
      mp = median(pt);
    ratios[kind] = mp / mj;
    if (kind === 'tiny') {
      console.log(
        `op overhead (1000 ops on 16 floats) blur2blur ${mj.toFixed(2)} µs/op | PyTorch ${mp.toFixed(2)} µs/op | ratio ${(mp / mj).toFixed(3)}`,
      );
      continue;
    }
    const gflop = stepFlops(kind) / 1e9;
    console.log(
      `${kind.padEnd(9)} blur2blur ${f1(mj)} ms/step ${f1(gflop / (mj / 1000))} GFLOP/s | PyTorch ${f1(mp)} ms/step ` +
        `${f1(gflop / (mp / 1000))} GFLOP/s | ratio ${(mp / mj).toFixed(3)} | ${((100 * gflop) / (mj / 1000) / PEAK_GFLOPS).toFixed(0)} % of fp32 peak`,
    );
  }

  // Long run for memory growth (NAFNet-style stack: the most allocations per step).
  const firstMark = Math.min(50, Math.max(1, Math.floor(longSteps / 2)));
  let rss50 = 0;
  const t0 = performance.now();
  for (let i = 1; i <= longSteps; i++) {
    jsRun('nafblock', 1);
    if (i === firstMark) rss50 = rssMb();
  }
  const rssEnd = rssMb();
  const longMs = (performance.now() - t0) / longSteps;
  const a = allocatorStats();
  console.log(
    `long run (nafblock, ${longSteps} steps, ${f1(longMs)} ms/step): RSS ${f1(rss50)} MB at step ${firstMark}, ${f1(rssEnd)} MB at step ${longSteps}; ` +
      `allocator in use ${f1(a.inUseBytes / 2 ** 20)} MB, cached ${f1(a.cachedBytes / 2 ** 20)} MB, hit rate ${((100 * a.hits) / (a.hits + a.misses)).toFixed(1)} %`,
  );
  py.quit();
  console.log(
    JSON.stringify({
      conv_ratio: +ratios.conv.toFixed(3),
      nafblock_ratio: +ratios.nafblock.toFixed(3),
      op_overhead_ratio: +ratios.tiny.toFixed(3),
      rss_growth_mb: +(rssEnd - rss50).toFixed(1),
      rss_step50_mb: +rss50.toFixed(1),
      long_steps: longSteps,
      threads,
    }),
  );
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  py.kill();
  process.exit(1);
});
