// One process of the data-parallel benchmark (bench/ddp/bench.ts): training steps of the deblurrer
// (NAFNet small, global batch 8 × 128²) or the translator (MIMO-UNet small + PatchGAN, global batch
// 4 × 128²) on random data, in the group the environment describes or alone. Prints one JSON line:
// the seconds of the timed steps (after warm-up).
import { Generator, manualSeed, noGrad, rand, scope, type Tensor } from '../../src/tensor/index.js';
import { MIMOUNet, NAFNet, PatchGAN } from '../../src/models/index.js';
import { Adam, AdamW } from '../../src/optim/index.js';
import type { Module } from '../../src/nn/index.js';
import { psnrLoss } from '../../src/losses/restoration.js';
import { contentLoss } from '../../src/losses/perceptual.js';
import { translatorConfig } from '../../src/train/translator-config.js';
import { translatorStep } from '../../src/train/translator-step.js';
import { DataParallel, groupFromEnv } from '../../src/train/data-parallel.js';
import { gradsFinite } from '../../src/train/finite.js';

const kind = process.argv[2] as 'deblur' | 'translator';
const warm = 3,
  timed = Number(process.argv[3] ?? 10);
const spec = groupFromEnv();
const dp = spec ? DataParallel.init(spec) : undefined;
const world = dp?.world ?? 1;
manualSeed(0);
const gen = new Generator(dp?.rank ?? 0);
const image = (n: number): Tensor => rand([n, 3, 128, 128], { generator: gen });

let step: () => void;
let models: Module[];
if (kind === 'deblur') {
  const m = new NAFNet('small');
  const opt = new AdamW(m.parameters(), { lr: 1e-3 });
  models = [m];
  step = () =>
    scope(() => {
      const y = image(8 / world);
      opt.zeroGrad();
      psnrLoss(m.forward(y.mul(0.8)), y).backward();
      dp?.averageGradients([m]);
      if (gradsFinite([m])) opt.update();
    });
} else {
  const g = new MIMOUNet('small'),
    d = new PatchGAN('small');
  const gOpt = new Adam(g.parameters(), { lr: 2e-4, betas: [0.5, 0.999] }),
    dOpt = new Adam(d.parameters(), { lr: 2e-4, betas: [0.5, 0.999] });
  const c = translatorConfig('measured', 'small', { blur: 'b', known: 'k' }) as Parameters<typeof translatorStep>[0];
  using content = contentLoss('lowpass-hfcap');
  const ts = translatorStep({ ...c, discWarmup: 0, curriculum: false, dp }, g, d, dOpt, content);
  models = [g, d];
  let i = 0;
  step = () =>
    scope(() => {
      const b = { blurry: image(4 / world), files: [], epoch: 0, index: 0 };
      const k = { blurry: image(4 / world), files: [], epoch: 0, index: 0 };
      gOpt.zeroGrad();
      const r = ts({ source: b, target: k }, i++);
      r.loss.backward();
      dp?.averageGradients([g]);
      if (gradsFinite([g])) gOpt.update();
    });
}
dp?.broadcast(models);
for (let i = 0; i < warm; i++) step();
dp?.barrier();
const t0 = performance.now();
for (let i = 0; i < timed; i++) step();
dp?.barrier();
const seconds = (performance.now() - t0) / 1000;
if (!dp || dp.isMain) console.log(JSON.stringify({ kind, world, steps: timed, seconds }));
noGrad(() => undefined);
dp?.destroy();
