// How close the noise bank's patches are to the true noise: B of the training scenes against the same
// renders without noise (runs/ceil/<camera>-nonoise, docs/experiments.md §7g), on the patches each
// setting keeps. node docs/pilot-runs/t19/noise-check.mjs <camera>  (from the repository root)
import { readImage } from '../../../dist/src/data/image.js';
import { noisePatches } from '../../../dist/src/data/datasets/noise-bank.js';
import { fromArray } from '../../../dist/src/tensor/index.js';
import { readdirSync } from 'node:fs';
const cam = process.argv[2] ?? 'rsblur-like';
const a = `runs/bench-newdk/data/${cam}/B`, b = `runs/ceil/${cam}-nonoise/B`;
const files = readdirSync(a).filter((f, i) => i % 4 === 0);
const X = [], Y = [];
for (const f of files) { X.push((await readImage(`${a}/${f}`)).tensor); Y.push((await readImage(`${b}/${f}`)).tensor); }
for (const patch of [8, 16, 32]) for (const keep of [0.05, 0.15, 0.3]) {
  let ext = 0, tru = 0, err = 0, cnt = 0;
  for (let k = 0; k < X.length; k++) {
    const r = noisePatches(X[k], { patch, keep });
    if (r.cells.length === 0) continue;
    const gh = Math.floor(256 / patch), gw = gh;
    const t = X[k].sub(Y[k]).reshape([3, gh, patch, gw, patch]).permute([1, 3, 0, 2, 4]).reshape([gh * gw, 3, patch, patch])
      .indexSelect(0, fromArray(Int32Array.from(r.cells), [r.cells.length]));
    const tc = t.sub(t.mean([2, 3], { keepdim: true }));
    ext += r.noise.square().sum().item(); tru += tc.square().sum().item(); err += r.noise.sub(tc).square().sum().item(); cnt += r.noise.numel;
  }
  console.log(cam, 'patch', patch, 'keep', keep, 'extracted rms', Math.sqrt(ext / cnt).toFixed(4), 'true rms there', Math.sqrt(tru / cnt).toFixed(4), 'error rms', Math.sqrt(err / cnt).toFixed(4));
}
