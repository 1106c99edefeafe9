// Data benchmark: simulated samples per second at 256×256 for each camera preset (rendering only,
// batches of 8 crops from the embedded photos), image decode throughput, and the cost of one rendered
// training batch (b2b train deblur --render: 8 gopro-like pairs of 128², as the training step draws
// them) against one NAFNet-small training step on the same thread count.
//   npm run bench:data [-- --batches 3]
// The last line is one JSON object.
import { parseArgs } from 'node:util';
import { Generator, noGrad, scope, stack, type Tensor } from '../../src/tensor/index.js';
import { listImages, readImage } from '../../src/data/image.js';
import { EMBEDDED_PHOTOS } from '../../src/data/photos.js';
import { CAMERA_PRESETS, maxPathPx, type CameraConfig } from '../../src/data/camera/config.js';
import { render } from '../../src/data/camera/render.js';
import { Rng } from '../../src/data/rng.js';
import { RenderedPairs, loadPhotoPool } from '../../src/data/rendered-pairs.js';
import { NAFNet } from '../../src/models/index.js';
import { AdamW } from '../../src/optim/index.js';
import { psnrLoss } from '../../src/losses/restoration.js';
import { getNumThreads, rand } from '../../src/tensor/index.js';

const { values: args } = parseArgs({ options: { batches: { type: 'string', default: '3' } } });
const batches = Number(args.batches);

async function main(): Promise<void> {
  const files = listImages(EMBEDDED_PHOTOS);
  // Decode throughput.
  let pixels = 0;
  const t0 = performance.now();
  const photos: Tensor[] = [];
  for (const f of files) {
    const { tensor, info } = await readImage(f);
    pixels += info.width * info.height;
    photos.push(tensor);
  }
  const decodeS = (performance.now() - t0) / 1000;
  console.log(`decode: ${files.length} photos, ${(files.length / decodeS).toFixed(1)} images/s, ${(pixels / 1e6 / decodeS).toFixed(1)} MP/s`);
  const result: Record<string, number> = { decode_images_per_s: +(files.length / decodeS).toFixed(2) };
  for (const [name, preset] of Object.entries(CAMERA_PRESETS)) {
    const cam = preset as CameraConfig;
    const rng = new Rng(0), generator = new Generator(0);
    const margin = Math.ceil(maxPathPx(cam) / 2) + 4, need = 256 + 2 * margin;
    let n = 0, ms = 0;
    for (let b = 0; b < batches + 1; b++) {
      const batch = noGrad(() => scope(() => stack(Array.from({ length: 8 }, (_, i) => {
        const p = photos[(b * 8 + i) % photos.length]!;
        const y = rng.int(0, p.shape[1]! - need + 1), x = rng.int(0, p.shape[2]! - need + 1);
        return p.slice(1, y, y + need).slice(2, x, x + need);
      }))));
      const t = performance.now();
      const r = await render(cam, batch, { rng, generator, margin });
      if (b > 0) { // the first batch warms up
        ms += performance.now() - t;
        n += 8;
      }
      for (const x of [batch, r.blurry, r.sharp, r.sharpCamera]) x.dispose();
    }
    const perS = n / (ms / 1000);
    result[`${name}_samples_per_s`] = +perS.toFixed(2);
    console.log(`${name.padEnd(12)} ${perS.toFixed(2)} samples/s (${cam.subframes} sub-frames${cam.rollingShutterMs ? ', rolling shutter' : ''}${cam.jpeg ? ', JPEG' : ''})`);
  }
  for (const p of photos) p.dispose();

  // A rendered training batch against a training step.
  const pairs = new RenderedPairs(await loadPhotoPool([EMBEDDED_PHOTOS]), { camera: CAMERA_PRESETS['gopro-like'], batchSize: 8, crop: 128, valCrop: 128, seed: 0 });
  const renderMs: number[] = [];
  for (let s = 0; s < batches * 3 + 1; s++) {
    const t = performance.now();
    const b = await pairs.batchAt(s);
    if (s > 0) renderMs.push(performance.now() - t);
    b.blurry.dispose();
    b.sharp.dispose();
  }
  pairs.dispose();
  const model = new NAFNet('small'), opt = new AdamW(model.parameters(), { lr: 1e-3, betas: [0.9, 0.9], weightDecay: 1e-3 });
  const stepMs: number[] = [];
  for (let s = 0; s < batches + 1; s++) {
    const t = performance.now();
    scope(() => {
      opt.zeroGrad();
      psnrLoss(model.forward(rand([8, 3, 128, 128])), rand([8, 3, 128, 128])).backward();
      opt.update();
    });
    if (s > 0) stepMs.push(performance.now() - t);
  }
  model.dispose();
  opt.dispose();
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  const [r, st] = [median(renderMs), median(stepMs)];
  result.rendered_batch_ms = +r.toFixed(1);
  result.nafnet_small_step_ms = +st.toFixed(1);
  console.log(`rendered training batch (8 gopro-like pairs of 128²): ${r.toFixed(0)} ms; NAFNet-small step ${st.toFixed(0)} ms on ${getNumThreads()} threads: rendering in the training process would add ${(100 * r / st).toFixed(0)} % (--prefetch moves it to a worker process)`);
  console.log(JSON.stringify(result));
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
