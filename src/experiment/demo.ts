// The demo: an unknown camera simulated on the test scenes of the embedded photos (scenes the shipped
// weights never saw), deblurred by the shipped D_K alone and by D_K∘G with the shipped translator;
// the PSNR/SSIM table and report.html. `full` reruns the whole experiment from scratch instead.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCamera } from '../data/camera/config.js';
import { CONVENTIONS } from '../eval/pipeline.js';
import { evaluateCamera, restoredDir } from './evaluate-camera.js';
import { Stages, simulate, simulated } from './stages.js';
import { buildReport } from './report-build.js';
import { resultsMarkdown, type Results } from './results.js';
import { shippedDeblurrer } from './shipped.js';
import type { Device } from '../tensor/index.js';

export interface DemoOptions {
  out: string;
  photos: string;
  /** The shipped weights folder. */
  shipped: string;
  camera: string;
  known: string;
  /** Crops per photo (test scenes get half). */
  perPhoto: number;
  seed: number;
  say: (line: string) => void;
  /** Where the models run ('cpu' default). */
  device?: Device;
}

export async function runDemo(o: DemoOptions): Promise<Results> {
  const cam = loadCamera(o.camera);
  const dk = join(o.shipped, shippedDeblurrer(o.known)),
    g = join(o.shipped, `g-${cam.name}-small`);
  for (const w of [dk, g])
    if (!existsSync(join(w, 'model.safetensors')))
      throw new Error(`${w}: shipped weights missing (model.safetensors); b2b demo --full trains everything instead`);
  const st = new Stages(o.say);
  const dir = join(o.out, 'data', cam.name);
  mkdirSync(o.out, { recursive: true });
  await st.run(
    `simulate ${cam.name}`,
    () => simulated(dir, cam, o.seed),
    () => simulate(dir, cam, { photos: o.photos, seed: o.seed, perPhoto: o.perPhoto, role: 'unknown' }),
  );
  const r: Results = {
    conventions: CONVENTIONS,
    known: o.known,
    stages: st.log,
    runs: { dk, kw: null },
    cameras: {
      [cam.name]: await evaluateCamera(
        join(dir, 'test'),
        { dk, blur2blur: g },
        ['dk', 'blur2blur'],
        st,
        o.device,
        restoredDir(o.out, cam.name),
      ),
    },
  };
  writeFileSync(join(o.out, 'results.json'), JSON.stringify(r, null, 1) + '\n');
  writeFileSync(join(o.out, 'results.md'), resultsMarkdown(r));
  await buildReport(o.out, r, o);
  return r;
}
