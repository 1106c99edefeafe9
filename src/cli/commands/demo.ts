// b2b demo: the main job of `npm start`.
import { join } from 'node:path';
import { EMBEDDED_PHOTOS, REPO_DATA } from '../../data/photos.js';
import { loadCamera } from '../../data/camera/config.js';
import { runDemo } from '../../experiment/demo.js';
import { runBench } from '../../experiment/paper-bench.js';
import { METHODS, resultsMarkdown } from '../../experiment/results.js';
import { checkDevice, DEVICE_HELP, parse, stringFlags, UsageError } from '../usage.js';
import { outputMode, printResult, TaskProgress } from '../progress.js';

const HELP = `usage: b2b demo [--out DIR] [--camera C] [--full]
Simulates an unknown camera (default rsblur-like) on the test scenes of the embedded CC0 photos, which
the shipped weights never saw; deblurs its images with the shipped D_K alone and with D_K∘G (the
shipped translator); prints the PSNR/SSIM table and writes DIR/report.html (default DIR: demo-out).
  --full         retrain everything from scratch on the embedded photos (b2b bench --retrain all)
  --per-photo N  crops per photo (default 8; test scenes get half)
  --device D     ${DEVICE_HELP}
  --quiet        no stage lines   --json   stages and the result as JSON lines`;

export async function demoCommand(argv: string[]): Promise<void> {
  const { values } = parse(
    argv,
    {
      ...stringFlags('out', 'camera', 'per-photo', 'device'),
      full: { type: 'boolean' },
      quiet: { type: 'boolean' },
      json: { type: 'boolean' },
    },
    HELP,
  );
  const out = values.out ?? 'demo-out',
    camera = values.camera ?? 'rsblur-like';
  const perPhoto = values['per-photo'] === undefined ? 8 : Number(values['per-photo']);
  if (!Number.isInteger(perPhoto) || perPhoto < 2) throw new UsageError(`demo: --per-photo must be an integer ≥ 2`);
  const shipped = join(REPO_DATA, '..', 'weights');
  const progress = new TaskProgress('demo', outputMode(values), 'stages');
  const say = (l: string): void => progress.note(`demo: ${l}`);
  const device = checkDevice(values.device, 'demo');
  const t0 = performance.now();
  const r = values.full
    ? await runBench({
        out,
        photos: EMBEDDED_PHOTOS,
        known: loadCamera('gopro-like'),
        cameras: [loadCamera(camera)],
        seed: 0,
        perPhoto: 12,
        budget: { translator: 60, baseline: 60, deblurrer: 240, kernel: 120 },
        steps: { translator: 3000, baseline: 2000, cyclegan: 1500, deblurrer: 10000, kernel: 5000, classifier: 1500 },
        retrain: new Set(['dk', 'kw', 'translators', 'baselines']),
        kRoute: 'simulator',
        shipped,
        translator: {},
        methods: [...METHODS],
        bsRatios: [],
        say,
        device,
      })
    : await runDemo({ out, photos: EMBEDDED_PHOTOS, shipped, camera, known: 'gopro-like', perPhoto, seed: 0, say, device });
  const minutes = (performance.now() - t0) / 60000;
  printResult(
    progress.mode,
    { results: r, minutes: +minutes.toFixed(2), report: join(out, 'report.html') },
    `${resultsMarkdown(r)}\ndemo finished in ${minutes.toFixed(1)} min; open ${join(out, 'report.html')}`,
  );
}
