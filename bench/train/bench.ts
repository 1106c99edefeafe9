// Training benchmark: one optimisation step of the deblurrer (NAFNet, PSNR loss, AdamW), of
// KernelWizard (Charbonnier, Adam) and of the Blur2Blur translator (D update with gradient penalty, then
// G at three scales with the adversarial and content losses), small and paper presets, through blur2blur and through the same step
// in PyTorch (bench/train/reference.py), interleaved. Prints images/s and the ratio PyTorch time /
// blur2blur time (≥ 1: no slower); the last line is one JSON object.
//   npm run bench:train [-- --rounds 4 --only kernel-wizard-small]
//   npm run bench:train -- --device cuda    on a GPU (a CUDA build; B2B_PYTHON names a CUDA PyTorch's python)
import { parseArgs } from 'node:util';
import { startReference } from '../common/reference-process.js';
import { F, coreCount, cudaAvailable, manualSeed, rand, scope, setNumThreads, type Device, type Tensor } from '../../src/tensor/index.js';
import { KernelWizard, MIMOUNet, NAFNet, PatchGAN } from '../../src/models/index.js';
import { NAFNET_PRESETS, nafnetFlops } from '../../src/models/nafnet.js';
import { readFileSync } from 'node:fs';
import { contentLoss, type ContentLossKind } from '../../src/losses/perceptual.js';
import { translatorStep } from '../../src/train/translator-step.js';
import type { UnpairedBatch } from '../../src/train/adversarial.js';
import type { GanLoss } from '../../src/losses/gan.js';
import { Adam, AdamW } from '../../src/optim/index.js';
import { charbonnierLoss, psnrLoss } from '../../src/losses/restoration.js';

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '4' },
    threads: { type: 'string', default: String(coreCount()) },
    only: { type: 'string' },
    device: { type: 'string', default: 'cpu' },
  },
});
const rounds = Number(args.rounds),
  threads = Number(args.threads),
  device = args.device as Device;
setNumThreads(threads);
const onGpu = device !== 'cpu';
if (onGpu && !cudaAvailable()) {
  console.error(`bench:train: --device ${device}: this build of the addon has no CUDA device (README: GPUs and several machines)`);
  process.exit(2);
}
/** A step on a GPU is queued, not done: reading one value of its result waits for it (both sides time to the end). */
const settle = (t: Tensor): void => {
  if (onGpu) scope(() => t.reshape([-1]).slice(0, 0, 1).toNumbers());
};

interface Case {
  kind: 'deblur' | 'kernel' | 'translator';
  arch: string;
  batch: number;
  crop: number;
  gan?: GanLoss;
  content?: ContentLossKind;
}
const CASES: Case[] = [
  { kind: 'deblur', arch: 'nafnet-small', batch: 8, crop: 128 },
  { kind: 'deblur', arch: 'nafnet-small32', batch: 8, crop: 128 },
  { kind: 'deblur', arch: 'nafnet-gopro-width32', batch: 4, crop: 256 },
  { kind: 'kernel', arch: 'kernel-wizard-small', batch: 2, crop: 256 },
  { kind: 'kernel', arch: 'kernel-wizard', batch: 2, crop: 256 },
  // small: MIMO-UNet-small + PatchGAN ndf 32, log-loss GAN, low-pass content loss (the default here);
  // paper: MIMO-UNet + PatchGAN ndf 64, hinge, VGG19 features (batch 2 rather than 16 on a CPU).
  { kind: 'translator', arch: 'translator-small', batch: 4, crop: 128, gan: 'vanilla', content: 'lowpass' },
  { kind: 'translator', arch: 'translator-paper', batch: 2, crop: 256, gan: 'hinge', content: 'vgg19-random' },
];

// The ceiling is measured before the reference process starts (its start-up would share the cores).
let peak: { sgemm: number; nominal: number } | undefined;
const py = (): ReturnType<typeof startReference> => (pyProc ??= startReference('train', threads, device));
let pyProc: ReturnType<typeof startReference> | undefined;
async function pyRun(c: Case, steps: number): Promise<number[]> {
  return (await py().run<{ ms: number[] }>({ ...c, steps })).ms;
}

function translatorCase(c: Case): { run: () => void; dispose: () => void } {
  const small = c.arch === 'translator-small';
  const g = new MIMOUNet(small ? 'small' : 'mimo-unet'),
    d = new PatchGAN(small ? 'small' : 'paper');
  if (onGpu) for (const m of [g, d]) m.to(device);
  const gOpt = new Adam(g.parameters(), { lr: 2e-4, betas: [0.5, 0.999] }),
    dOpt = new Adam(d.parameters(), { lr: 2e-4, betas: [0.5, 0.999] });
  const content = contentLoss(c.content!, { device });
  const step = translatorStep(
    {
      gan: c.gan!,
      lambdaGp: 1e-4,
      gpScales: 'full',
      lambdaRec: 0.8,
      discInput: 'rgb',
      discWarmup: 0,
      curriculum: false,
      curriculumFraction: 1,
      curriculumSteps: 0,
      seed: 0,
      device,
    },
    g,
    d,
    dOpt,
    content,
  );
  let i = 0;
  return {
    run: () =>
      scope(() => {
        const y = rand([c.batch, 3, c.crop, c.crop], { device }),
          k = rand([c.batch, 3, c.crop, c.crop], { device });
        gOpt.zeroGrad();
        const batch = {
          source: { blurry: y, files: [], epoch: 0, index: 0 },
          target: { blurry: k, files: [], epoch: 0, index: 0 },
        } satisfies UnpairedBatch;
        step(batch, i++).loss.backward();
        gOpt.update();
        settle(g.parameters()[0]!);
      }),
    dispose: () => {
      for (const m of [g, d, gOpt, dOpt, content]) m.dispose();
    },
  };
}

function makeStep(c: Case): { run: () => void; dispose: () => void } {
  manualSeed(0);
  if (c.kind === 'translator') return translatorCase(c);
  if (c.kind === 'deblur') {
    const m = new NAFNet(NAFNET_PRESET[c.arch]!);
    if (onGpu) m.to(device);
    const opt = new AdamW(m.parameters(), { lr: 1e-3, betas: [0.9, 0.9], weightDecay: 1e-3 });
    return {
      run: () =>
        scope(() => {
          const x = rand([c.batch, 3, c.crop, c.crop], { device }),
            y = rand([c.batch, 3, c.crop, c.crop], { device });
          opt.zeroGrad();
          psnrLoss(m.forward(x), y).backward();
          opt.update();
          settle(m.parameters()[0]!);
        }),
      dispose: () => {
        m.dispose();
        opt.dispose();
      },
    };
  }
  const kw = new KernelWizard(c.arch === 'kernel-wizard' ? 'paper' : 'small');
  if (onGpu) kw.to(device);
  const opt = new Adam(kw.parameters(), { lr: 1e-4, betas: [0.9, 0.99] });
  return {
    run: () =>
      scope(() => {
        const x = rand([c.batch, 3, c.crop, c.crop], { device }),
          y = rand([c.batch, 3, c.crop, c.crop], { device });
        opt.zeroGrad();
        charbonnierLoss(kw.adaptKernel(x, kw.extractKernel(x, y).mean), y).backward();
        opt.update();
        settle(kw.parameters()[0]!);
      }),
    dispose: () => {
      kw.dispose();
      opt.dispose();
    },
  };
}

const NAFNET_PRESET: Record<string, keyof typeof NAFNET_PRESETS> = {
  'nafnet-small': 'small',
  'nafnet-small32': 'small32',
  'nafnet-gopro-width32': 'gopro-width32',
};

/** FLOPs of one training step (forward + backward ≈ 3× forward, convolutions only), where counted. */
function stepFlops(c: Case): number | undefined {
  const preset = NAFNET_PRESET[c.arch];
  return c.kind === 'deblur' && preset ? 3 * c.batch * nafnetFlops(NAFNET_PRESETS[preset], c.crop, c.crop) : undefined;
}

/**
 * The fp32 ceiling of the cores used: a large matrix product (OpenBLAS SGEMM, 32768×1024 by 1024², split by rows
 * over the bench's threads), the best rate dense fp32 work reaches here. The nominal figure (clock × 32 FLOP/cycle:
 * two 8-lane FMA units per core) is printed beside it; boost clocks put SGEMM above it on some machines.
 */
function peakGflops(): { sgemm: number; nominal: number } {
  if (onGpu) return gpuPeak();
  const m = /cpu MHz\s*:\s*([\d.]+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'));
  const nominal = (threads * (m ? Number(m[1]) : 2450) * 32) / 1000;
  return scope(() => {
    // Through pointwiseConv: OpenBLAS runs single-threaded here, and its row blocks spread the product
    // over the bench's threads (a plain matmul would measure one core).
    const a = rand([32768, 1024]),
      b = rand([1024, 1024]);
    F.pointwiseConv(a, b).dispose();
    let best = Infinity;
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      F.pointwiseConv(a, b).dispose();
      best = Math.min(best, performance.now() - t0);
    }
    return { sgemm: (2 * 32768 * 1024 * 1024) / 1e9 / (best / 1000), nominal };
  });
}

/** On a GPU: the rate of a 8192² fp32 matrix product there (libtorch's default: no TF32 for matmul). */
function gpuPeak(): { sgemm: number; nominal: number } {
  return scope(() => {
    const n = 8192;
    const a = rand([n, n], { device }),
      b = rand([n, n], { device });
    settle(a.matmul(b));
    let best = Infinity;
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      settle(a.matmul(b));
      best = Math.min(best, performance.now() - t0);
    }
    const rate = (2 * n ** 3) / 1e9 / (best / 1000);
    return { sgemm: rate, nominal: rate };
  });
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;

async function main(): Promise<void> {
  peak = peakGflops();
  console.log(
    onGpu
      ? `training benchmark on ${device}: ${rounds} interleaved rounds; fp32 ceiling: an 8192² matmul at ${peak.sgemm.toFixed(0)} GFLOP/s`
      : `training benchmark: ${threads} threads, ${rounds} interleaved rounds; fp32 ceiling: SGEMM ${peak.sgemm.toFixed(0)} GFLOP/s (nominal ${peak.nominal.toFixed(0)})`,
  );
  const result: Record<
    string,
    { images_per_s: number; torch_images_per_s: number; ratio: number; gflops?: number; peak_fraction?: number }
  > = {};
  for (const c of CASES.filter((x) => !args.only || x.arch.includes(args.only))) {
    const s = makeStep(c);
    s.run();
    await pyRun(c, 1);
    const js: number[] = [],
      pt: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const t0 = performance.now();
      s.run();
      js.push(performance.now() - t0);
      pt.push(...(await pyRun(c, 1)));
    }
    s.dispose();
    const mj = median(js),
      mp = median(pt);
    const key = `${c.kind}:${c.arch}`;
    const flops = stepFlops(c);
    const gflops = flops === undefined ? undefined : flops / 1e9 / (mj / 1000);
    result[key] = {
      images_per_s: +(c.batch / (mj / 1000)).toFixed(2),
      torch_images_per_s: +(c.batch / (mp / 1000)).toFixed(2),
      ratio: +(mp / mj).toFixed(3),
      ...(gflops === undefined ? {} : { gflops: +gflops.toFixed(1), peak_fraction: +(gflops / peak!.sgemm).toFixed(3) }),
    };
    const rate =
      gflops === undefined
        ? ''
        : ` | ${(flops! / 1e9).toFixed(1)} GFLOP/step, ${gflops.toFixed(1)} GFLOP/s = ${((100 * gflops) / peak!.sgemm).toFixed(0)} % of ${onGpu ? 'the matmul' : 'SGEMM'}`;
    console.log(
      `${key.padEnd(28)} batch ${c.batch}×${c.crop}²  blur2blur ${result[key].images_per_s} img/s (${mj.toFixed(0)} ms/step) | PyTorch ${result[key].torch_images_per_s} img/s (${mp.toFixed(0)} ms) | ratio ${result[key].ratio}${rate}`,
    );
  }
  py().quit();
  console.log(JSON.stringify({ device, min_ratio: Math.min(...Object.values(result).map((r) => r.ratio)), steps: result }));
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  pyProc?.kill();
  process.exit(1);
});
