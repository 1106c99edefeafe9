// b2b bench: the paper's experiment end to end on a simulated benchmark.
import { basename, join } from 'node:path';
import { loadCamera } from '../../data/camera/config.js';
import { EMBEDDED_PHOTOS, REPO_DATA } from '../../data/photos.js';
import { runBench, type BenchOptions } from '../../experiment/paper-bench.js';
import { METHODS, resultsMarkdown, type Method } from '../../experiment/results.js';
import { readConfigFile } from '../train-run.js';
import type { TranslatorConfig } from '../../train/translator-config.js';
import { checkDevice, DEVICE_HELP, parse, stringFlags, UsageError } from '../usage.js';
import { outputMode, printResult, TaskProgress } from '../progress.js';

const HELP = `usage: b2b bench --out DIR [options]
The paper's experiment on cameras simulated from real photos: known pairs and D_K, KernelWizard, K,
then for each unknown camera its translator and the baselines, evaluated on the camera's test pairs.
Writes DIR/results.json, DIR/results.md (Table 2 shape) and DIR/report.html. Resumable: run it again
to continue an interrupted bench; finished stages are skipped.
  --cameras LIST   unknown cameras: presets or camera JSON files (default rsblur-like,phone-like,street-like)
  --domains LIST   more unknown cameras as folders with B/, B-gt/, S/ and test/ (e.g. from 'b2b data
                   domain' on averaged video), each NAME=DIR or DIR (named after the folder);
                   --cameras '' leaves the simulated ones out
  --known C        the known camera (default gopro-like)
  --photos DIR     scene photos (default: the embedded CC0 set)
  --budget MIN     training minutes per translator and per baseline (default 60)
  --retrain LIST   dk, kw, translators, baselines or all: train these even where shipped weights exist
                   (shipped: weights/dk-<known>-nafnet-small32, kw-<known>-small, g-<camera>-small, …)
  --methods LIST   among dk, synthetic, cyclegan, lowpass, blur2blur, upper (default: all)
  --k-route R      simulator (the known camera's motion on S; default) or kernel (KernelWizard, the
                   paper's route; here the small KernelWizard's K is nearly S: docs/experiments.md §2)
  --k-downscale F  simulator route: average S over F×F blocks first (b2b make-known --downscale;
                   default 1)
  --translator-config FILE   overrides for every translator (keys of the run's config.json); the bench
                   uses the measured recipe at the small size and keeps G at its best validation
  --bs-ratios LIST the B:S ratio ablation (paper Table 3), e.g. 0.5,1,1.43: one more translator per
                   ratio, trained on that many B images per S image
  --steps N        translator steps (default 3000)   --per-photo N  crops per photo (default 12)
  --quick          one camera, 4 crops per photo, 3-minute budgets: a check that everything runs
  --seed N         (default 0)
  --device D       ${DEVICE_HELP}
  --quiet          no stage lines   --json   stages and the result (results.json's content) as JSON lines`;

export async function benchCommand(argv: string[]): Promise<void> {
  const { values } = parse(
    argv,
    {
      ...stringFlags(
        'out',
        'cameras',
        'known',
        'photos',
        'budget',
        'retrain',
        'methods',
        'k-route',
        'k-downscale',
        'translator-config',
        'domains',
        'steps',
        'bs-ratios',
        'per-photo',
        'seed',
        'device',
      ),
      quick: { type: 'boolean' },
      quiet: { type: 'boolean' },
      json: { type: 'boolean' },
    },
    HELP,
  );
  const progress = new TaskProgress('bench', outputMode(values), 'stages');
  if (!values.out) throw new UsageError(`bench: give --out DIR\n\n${HELP}`);
  const num = (v: string | undefined, d: number, what: string): number => {
    if (v === undefined) return d;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new UsageError(`bench: ${what} must be a positive number, got '${v}'`);
    return n;
  };
  const quick = Boolean(values.quick);
  let cameras = (values.cameras ?? 'rsblur-like,phone-like,street-like').split(',').filter(Boolean).map(loadCamera);
  if (quick) cameras = cameras.slice(0, 1);
  const domains = (values.domains ?? '')
    .split(',')
    .filter(Boolean)
    .map((d) => {
      const eq = d.indexOf('=');
      return eq > 0 ? { name: d.slice(0, eq), dir: d.slice(eq + 1) } : { name: basename(d), dir: d };
    });
  const retrainList = (values.retrain ?? '').split(',').filter(Boolean);
  const all = ['dk', 'kw', 'translators', 'baselines'] as const;
  for (const x of retrainList)
    if (x !== 'all' && !(all as readonly string[]).includes(x))
      throw new UsageError(`bench: --retrain takes ${all.join(', ')} or all, got '${x}'`);
  const methods = (values.methods ?? METHODS.join(',')).split(',').filter(Boolean) as Method[];
  for (const m of methods)
    if (!(METHODS as readonly string[]).includes(m)) throw new UsageError(`bench: --methods takes ${METHODS.join(', ')}, got '${m}'`);
  const kRoute = values['k-route'] ?? 'simulator';
  if (kRoute !== 'kernel' && kRoute !== 'simulator') throw new UsageError(`bench: --k-route is kernel or simulator, got '${kRoute}'`);
  const kDownscale = num(values['k-downscale'], 1, '--k-downscale');
  if (!Number.isInteger(kDownscale))
    throw new UsageError(`bench: --k-downscale must be a positive integer, got '${values['k-downscale']}'`);
  if (kDownscale > 1 && kRoute !== 'simulator') throw new UsageError('bench: --k-downscale is for the simulator route');
  const budget = num(values.budget, quick ? 3 : 60, '--budget');
  const o: BenchOptions = {
    out: values.out,
    photos: values.photos ?? EMBEDDED_PHOTOS,
    known: loadCamera(values.known ?? 'gopro-like'),
    cameras,
    domains,
    seed: num(values.seed, 0, '--seed') | 0,
    perPhoto: num(values['per-photo'], quick ? 4 : 12, '--per-photo'),
    budget: { translator: budget, baseline: budget, deblurrer: quick ? 3 : 240, kernel: quick ? 3 : 120 },
    steps: {
      translator: num(values.steps, quick ? 200 : 3000, '--steps'),
      baseline: quick ? 100 : 2000,
      cyclegan: quick ? 100 : 1500,
      deblurrer: quick ? 200 : 10000,
      kernel: quick ? 50 : 5000,
      classifier: quick ? 300 : 1500,
    },
    retrain: new Set(retrainList.includes('all') ? all : (retrainList as (typeof all)[number][])),
    kRoute,
    kDownscale,
    shipped: join(REPO_DATA, '..', 'weights'),
    translator: values['translator-config'] ? (readConfigFile(values['translator-config']) as Partial<TranslatorConfig>) : {},
    methods,
    bsRatios: (values['bs-ratios'] ?? '')
      .split(',')
      .filter(Boolean)
      .map((v) => num(v, 1, '--bs-ratios')),
    say: (l) => progress.note(`bench: ${l}`),
    device: checkDevice(values.device, 'bench'),
  };
  const t0 = performance.now();
  const r = await runBench(o);
  const minutes = (performance.now() - t0) / 60000;
  printResult(
    progress.mode,
    { results: r, minutes: +minutes.toFixed(2), report: join(values.out, 'report.html') },
    `${resultsMarkdown(r)}\nbench finished in ${minutes.toFixed(1)} min; report: ${join(values.out, 'report.html')}`,
  );
}
