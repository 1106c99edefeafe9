// Models benchmark: every architecture and preset through blur2blur and through the PyTorch reference
// (bench/models/reference.py on Debian's python3-torch), interleaved in one process pair.
//   npm run bench:models [-- --rounds 3 --batch 2 --threads N --only nafnet]   (--rounds: the minimum)
// Per model: parameters, forward ms for one 256×256 image, forward+backward ms for a batch at
// 256×256, and the ratios PyTorch/blur2blur (≥ 1: no slower). The last line is one JSON object.
import { parseArgs } from 'node:util';
import { startReference } from '../common/reference-process.js';
import { coreCount, noGrad, rand, scope, setNumThreads, type Tensor } from '../../src/tensor/index.js';
import { ARCH_IDS, KernelWizard, MIMOUNet, NAFNet, PatchGAN, VGGFeatures, buildArch, type ArchId } from '../../src/models/index.js';
import type { Module } from '../../src/nn/index.js';

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    batch: { type: 'string', default: '2' },
    threads: { type: 'string', default: String(coreCount()) },
    only: { type: 'string' },
  },
});
const rounds = Number(args.rounds),
  batch = Number(args.batch),
  threads = Number(args.threads);
setNumThreads(threads);
const SKIP: readonly ArchId[] = ['nafnet-gopro-width64', 'mimo-unet-plus', 'kernel-wizard-vae']; // same code as their smaller siblings, 3–5× the time
const archs = ARCH_IDS.filter((a) => !SKIP.includes(a) && (!args.only || a.includes(args.only)));

const py = startReference('models', threads);
async function pyRun(arch: ArchId, mode: 'fwd' | 'train', steps: number, b: number): Promise<number[]> {
  return (await py.run<{ ms: number[] }>({ arch, mode, steps, batch: b })).ms;
}

function outputs(m: Module, x: Tensor): Tensor[] {
  if (m instanceof KernelWizard) return [m.adaptKernel(x, m.extractKernel(x, x).mean)];
  if (m instanceof VGGFeatures) return m.extract(x, ['pool5']);
  if (m instanceof MIMOUNet) return m.forward(x);
  return [(m as NAFNet | PatchGAN).forward(x)];
}

function jsRun(m: Module, mode: 'fwd' | 'train', steps: number, b: number): number[] {
  m.train(mode === 'train');
  const ms: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    scope(() => {
      const x = rand([b, 3, 256, 256]);
      if (mode === 'fwd') {
        noGrad(() => outputs(m, x));
        return;
      }
      if (m instanceof VGGFeatures) x.requiresGrad = true; // frozen features: the gradient goes to the image
      const loss = outputs(m, x)
        .map((o) => o.square().mean())
        .reduce((p, q) => p.add(q));
      m.zeroGrad();
      loss.backward();
    });
    ms.push(performance.now() - t0);
  }
  m.zeroGrad();
  return ms;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;

async function main(): Promise<void> {
  console.log(
    `models benchmark: ${threads} threads, ${rounds} interleaved rounds, 256×256 inputs (forward: batch 1; train: batch ${batch})`,
  );
  console.log('arch                   params        fwd ms (b2b / torch / ratio)     fwd+bwd ms (b2b / torch / ratio)');
  const result: Record<string, { params: number; fwd_ratio: number; train_ratio: number; fwd_ms: number; train_ms: number }> = {};
  for (const arch of archs) {
    const m = buildArch(arch);
    const row = { params: m.parameterCount(), fwd_ratio: 0, train_ratio: 0, fwd_ms: 0, train_ms: 0 };
    for (const [mode, b] of [
      ['fwd', 1],
      ['train', batch],
    ] as const) {
      jsRun(m, mode, 1, b); // warm-up on both sides
      await pyRun(arch, mode, 1, b);
      // At least `rounds` interleaved rounds, more for fast models (up to 2 s per side or 15 rounds):
      // the shared machine's noise comes in bursts, and the median of more samples rides over them.
      const js: number[] = [],
        pt: number[] = [];
      for (let r = 0; r < 15 && (r < rounds || js.reduce((a, v) => a + v, 0) < 2000); r++) {
        js.push(...jsRun(m, mode, 1, b));
        pt.push(...(await pyRun(arch, mode, 1, b)));
      }
      const mj = median(js),
        mp = median(pt);
      if (mode === 'fwd') Object.assign(row, { fwd_ms: +mj.toFixed(1), fwd_ratio: +(mp / mj).toFixed(3), fwd_torch_ms: +mp.toFixed(1) });
      else Object.assign(row, { train_ms: +mj.toFixed(1), train_ratio: +(mp / mj).toFixed(3), train_torch_ms: +mp.toFixed(1) });
    }
    m.dispose();
    result[arch] = row;
    const r = row as typeof row & { fwd_torch_ms: number; train_torch_ms: number };
    console.log(
      `${arch.padEnd(22)} ${row.params.toLocaleString('en-US').padStart(11)}   ` +
        `${r.fwd_ms.toFixed(0).padStart(6)} / ${r.fwd_torch_ms.toFixed(0).padStart(6)} / ${row.fwd_ratio.toFixed(2)}          ` +
        `${r.train_ms.toFixed(0).padStart(6)} / ${r.train_torch_ms.toFixed(0).padStart(6)} / ${row.train_ratio.toFixed(2)}`,
    );
  }
  py.quit();
  const ratios = Object.values(result).flatMap((r) => [r.fwd_ratio, r.train_ratio]);
  console.log(JSON.stringify({ min_ratio: Math.min(...ratios), models: result }));
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  py.kill();
  process.exit(1);
});
