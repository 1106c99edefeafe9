// Training benchmark: one optimisation step of the deblurrer (NAFNet, PSNR loss, AdamW) and of
// KernelWizard (Charbonnier, Adam), small and paper presets, through blur2blur and through the same step
// in PyTorch (bench/train/reference.py), interleaved. Prints images/s and the ratio PyTorch time /
// blur2blur time (≥ 1: no slower); the last line is one JSON object.
//   npm run bench:train [-- --rounds 4 --only kernel-wizard-small]
import { parseArgs } from 'node:util';
import { startReference } from '../common/reference-process.js';
import { coreCount, manualSeed, rand, scope, setNumThreads } from '../../src/tensor/index.js';
import { KernelWizard, NAFNet } from '../../src/models/index.js';
import { Adam, AdamW } from '../../src/optim/index.js';
import { charbonnierLoss, psnrLoss } from '../../src/losses/restoration.js';

const { values: args } = parseArgs({ options: { rounds: { type: 'string', default: '4' }, threads: { type: 'string', default: String(coreCount()) }, only: { type: 'string' } } });
const rounds = Number(args.rounds), threads = Number(args.threads);
setNumThreads(threads);

interface Case { kind: 'deblur' | 'kernel'; arch: string; batch: number; crop: number }
const CASES: Case[] = [
  { kind: 'deblur', arch: 'nafnet-small', batch: 8, crop: 128 },
  { kind: 'deblur', arch: 'nafnet-gopro-width32', batch: 4, crop: 256 },
  { kind: 'kernel', arch: 'kernel-wizard-small', batch: 2, crop: 256 },
  { kind: 'kernel', arch: 'kernel-wizard', batch: 2, crop: 256 },
];

const py = startReference('train', threads);
async function pyRun(c: Case, steps: number): Promise<number[]> {
  return (await py.run<{ ms: number[] }>({ ...c, steps })).ms;
}

function makeStep(c: Case): { run: () => void; dispose: () => void } {
  manualSeed(0);
  if (c.kind === 'deblur') {
    const m = new NAFNet(c.arch === 'nafnet-small' ? 'small' : 'gopro-width32');
    const opt = new AdamW(m.parameters(), { lr: 1e-3, betas: [0.9, 0.9], weightDecay: 1e-3 });
    return {
      run: () => scope(() => {
        const x = rand([c.batch, 3, c.crop, c.crop]), y = rand([c.batch, 3, c.crop, c.crop]);
        opt.zeroGrad();
        psnrLoss(m.forward(x), y).backward();
        opt.update();
      }),
      dispose: () => { m.dispose(); opt.dispose(); },
    };
  }
  const kw = new KernelWizard(c.arch === 'kernel-wizard' ? 'paper' : 'small');
  const opt = new Adam(kw.parameters(), { lr: 1e-4, betas: [0.9, 0.99] });
  return {
    run: () => scope(() => {
      const x = rand([c.batch, 3, c.crop, c.crop]), y = rand([c.batch, 3, c.crop, c.crop]);
      opt.zeroGrad();
      charbonnierLoss(kw.adaptKernel(x, kw.extractKernel(x, y).mean), y).backward();
      opt.update();
    }),
    dispose: () => { kw.dispose(); opt.dispose(); },
  };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;

async function main(): Promise<void> {
  console.log(`training benchmark: ${threads} threads, ${rounds} interleaved rounds`);
  const result: Record<string, { images_per_s: number; torch_images_per_s: number; ratio: number }> = {};
  for (const c of CASES.filter((x) => !args.only || x.arch.includes(args.only))) {
    const s = makeStep(c);
    s.run();
    await pyRun(c, 1);
    const js: number[] = [], pt: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const t0 = performance.now();
      s.run();
      js.push(performance.now() - t0);
      pt.push(...(await pyRun(c, 1)));
    }
    s.dispose();
    const mj = median(js), mp = median(pt);
    const key = `${c.kind}:${c.arch}`;
    result[key] = { images_per_s: +(c.batch / (mj / 1000)).toFixed(2), torch_images_per_s: +(c.batch / (mp / 1000)).toFixed(2), ratio: +(mp / mj).toFixed(3) };
    console.log(`${key.padEnd(28)} batch ${c.batch}×${c.crop}²  blur2blur ${result[key].images_per_s} img/s (${mj.toFixed(0)} ms/step) | PyTorch ${result[key].torch_images_per_s} img/s (${mp.toFixed(0)} ms) | ratio ${result[key].ratio}`);
  }
  py.quit();
  console.log(JSON.stringify({ min_ratio: Math.min(...Object.values(result).map((r) => r.ratio)), steps: result }));
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  py.kill();
  process.exit(1);
});
