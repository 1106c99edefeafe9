// b2b simulate: a simulated benchmark folder for one camera.
import { EMBEDDED_PHOTOS } from '../../data/photos.js';
import { CAMERA_PRESETS, loadCamera } from '../../data/camera/config.js';
import { generateBenchmark } from '../../data/benchmark.js';
import { parse, stringFlags, UsageError } from '../usage.js';
import { outputMode, printResult, TaskProgress } from '../progress.js';

const HELP = `usage: b2b simulate --camera PRESET|config.json --out DIR [options]
  --camera        ${Object.keys(CAMERA_PRESETS).join(', ')}, or a camera config JSON file
  --photos DIR    sharp scene photos (default: the embedded CC0 set, data/photos)
  --out DIR       output folder
  --seed N        random seed (default 0): the same seed gives the same images
  --role R        unknown (B, B-gt, S, test; default) or known (pairs, test)
  --size N        crop size in pixels (default 256)
  --per-photo N   crops per training photo (default 8; test photos get half)
  --test-fraction F  share of photos held out as test scenes (default 0.25)
  --quiet         no progress      --json   progress and the result as JSON lines`;

export async function simulate(argv: string[]): Promise<void> {
  const { values } = parse(
    argv,
    {
      ...stringFlags('camera', 'photos', 'out', 'seed', 'role', 'size', 'per-photo', 'test-fraction'),
      quiet: { type: 'boolean' },
      json: { type: 'boolean' },
    },
    HELP,
  );
  const progress = new TaskProgress('simulate', outputMode(values), 'photos');
  if (!values.camera || !values.out) throw new UsageError(`simulate: give --camera and --out\n\n${HELP}`);
  if (values.role && values.role !== 'unknown' && values.role !== 'known')
    throw new UsageError(`simulate: --role must be unknown or known`);
  const int = (v: string | undefined, name: string, d: number): number => {
    if (v === undefined) return d;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new UsageError(`simulate: --${name} must be a non-negative integer, got '${v}'`);
    return n;
  };
  const t0 = performance.now();
  const m = await generateBenchmark({
    camera: loadCamera(values.camera),
    photosDir: values.photos ?? EMBEDDED_PHOTOS,
    out: values.out,
    seed: int(values.seed, 'seed', 0),
    role: (values.role ?? 'unknown') as 'unknown' | 'known',
    size: int(values.size, 'size', 256),
    perPhoto: int(values['per-photo'], 'per-photo', 8),
    testFraction: values['test-fraction'] ? Number(values['test-fraction']) : 0.25,
    onProgress: (done, total) => progress.update(done, total),
  });
  const counts = Object.entries(m.counts)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const seconds = (performance.now() - t0) / 1000;
  printResult(
    progress.mode,
    { out: values.out, counts: m.counts, size: m.size, seconds: +seconds.toFixed(1) },
    `wrote ${values.out}: ${counts} samples of ${m.size}×${m.size} (${seconds.toFixed(1)} s); contact sheet: ${values.out}/contact-sheet.png`,
  );
}
