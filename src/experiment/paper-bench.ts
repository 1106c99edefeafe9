// The paper's experiment end to end (Table 2 shape): simulate the known camera's pairs and each unknown
// camera's B, S and test pairs; train (or take the shipped) D_K and KernelWizard; build K; train each
// camera's translator and baselines; evaluate every method on the camera's test pairs; write
// results.json, results.md and report.html. Every stage is resumable (stages.ts).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CameraConfig } from '../data/camera/config.js';
import { resolveDeblurConfig, trainDeblur } from '../train/deblur.js';
import { resolveKernelConfig, trainKernel } from '../train/kernel.js';
import { makeKnownWithKernel, makeKnownWithSimulator } from '../train/make-known.js';
import { resolveTranslatorConfig, translatorConfig, type TranslatorConfig } from '../train/translator-config.js';
import { trainTranslator } from '../train/translator.js';
import { resolveCycleGANConfig, trainCycleGAN } from '../train/cyclegan.js';
import { CONVENTIONS } from '../eval/pipeline.js';
import { evaluateCamera, restoredDir } from './evaluate-camera.js';
import { Stages, finished, simulate, simulated } from './stages.js';
import { buildReport } from './report-build.js';
import { ratioAblation } from './ratio-ablation.js';
import { resultsMarkdown, type Method, type Results } from './results.js';
import { shippedDeblurrer } from './shipped.js';
import { domainCheck, domainClassifierRun } from './domain-check.js';
import { archOf, weightsFile } from '../infer/load.js';
import type { Device } from '../tensor/index.js';

export interface BenchOptions {
  out: string;
  photos: string;
  known: CameraConfig;
  cameras: CameraConfig[];
  /** Unknown cameras given as folders already in the benchmark layout (b2b data domain writes one). */
  domains?: BenchDomain[];
  seed: number;
  perPhoto: number;
  /** Minutes of training per model (a cap: runs end at their step count or at the budget). */
  budget: { translator: number; baseline: number; deblurrer: number; kernel: number };
  steps: { translator: number; baseline: number; cyclegan: number; deblurrer: number; kernel: number; classifier: number };
  retrain: Set<'dk' | 'kw' | 'translators' | 'baselines'>;
  kRoute: 'kernel' | 'simulator';
  /** Simulator route: S averaged over this many pixels square before the known blur (1: as it is). */
  kDownscale?: number;
  /** Folder of shipped weights (dk-<known>-nafnet-small32, kw-<known>-small, g-<camera>-small, …). */
  shipped: string;
  translator: Partial<TranslatorConfig>;
  methods: Method[];
  /** B:S ratios for the ablation of the paper's Table 3 (empty: none): one more translator per ratio. */
  bsRatios: number[];
  /** Batch size of every training (default: each trainer's own); for small data. */
  batch?: number;
  say: (line: string) => void;
  /** Where every stage computes ('cpu' default). */
  device?: Device;
}

/** A prepared unknown camera: B/, B-gt/, S/ and test/{blur,sharp}/ under `dir`, named `name` in the table. */
export interface BenchDomain {
  name: string;
  dir: string;
}

/** Throws naming the folder and what it lacks when `dir` is not in the benchmark layout. */
export function checkDomain(d: BenchDomain): void {
  const missing = ['B', 'B-gt', 'S', join('test', 'blur'), join('test', 'sharp')].filter((f) => !existsSync(join(d.dir, f)));
  if (missing.length > 0) {
    throw new Error(
      `${d.dir}: not an unknown-camera folder (missing ${missing.join(', ')}; 'b2b simulate' or 'b2b data domain' writes B/, B-gt/, S/ and test/)`,
    );
  }
}

/**
 * The bench's translators: the measured recipe at the small size (docs/experiments.md §3), keeping G at
 * its best validation PSNR of D_K(G(y)) on 48 crops of the camera's training-scene pairs (never the
 * test pairs; 8 crops chose steps by noise: docs/experiments.md §7d), with the content loss's low-pass
 * at σ 1 (as good or better than σ 2 on every camera's training-scene pairs: §7f) and the denoising
 * term at weight 1 (better on every camera's training-scene pairs: §7j). `--translator-config`
 * overrides them (e.g. {"final": "last"}).
 */
export const BENCH_TRANSLATOR = { final: 'best', valImages: 48, lowpassSigma: 1, denoise: 4 } as const;

/** Shipped weights are used as they are, whatever their training log says. */
const isShipped = (o: BenchOptions, run: string): boolean => run.startsWith(o.shipped);

const shippedRun = (o: BenchOptions, name: string): string | null =>
  existsSync(join(o.shipped, name, 'model.safetensors')) ? join(o.shipped, name) : null;

export async function runBench(o: BenchOptions): Promise<Results> {
  // Given folders are checked before any stage runs, so a wrong path fails at once.
  const domains = o.domains ?? [];
  domains.forEach(checkDomain);
  const st = new Stages(o.say);
  const data = join(o.out, 'data'),
    runs = join(o.out, 'runs');
  mkdirSync(runs, { recursive: true });
  const knownDir = join(data, 'known');
  await st.run(
    `simulate known ${o.known.name}`,
    () => simulated(knownDir, o.known, o.seed),
    () => simulate(knownDir, o.known, { photos: o.photos, seed: o.seed, perPhoto: o.perPhoto, role: 'known' }),
  );

  const dk = (!o.retrain.has('dk') && shippedRun(o, shippedDeblurrer(o.known.name))) || join(runs, 'dk');
  await st.run(
    'train D_K',
    () => isShipped(o, dk) || finished(dk),
    async (resume) => {
      await trainDeblur(
        resolveDeblurConfig({
          pairs: join(knownDir, 'pairs'),
          val: join(knownDir, 'test'),
          steps: o.steps.deblurrer,
          ...(o.batch ? { batch: o.batch } : {}),
        }),
        dk,
        { resume, maxSeconds: o.budget.deblurrer * 60, device: o.device },
      );
    },
    dk,
  );
  const needKernel = o.kRoute === 'kernel';
  const kw = (!o.retrain.has('kw') && shippedRun(o, `kw-${o.known.name}-small`)) || join(runs, 'kw');
  if (needKernel) {
    await st.run(
      'train KernelWizard',
      () => isShipped(o, kw) || finished(kw),
      async (resume) => {
        await trainKernel(resolveKernelConfig({ pairs: join(knownDir, 'pairs'), val: join(knownDir, 'test'), steps: o.steps.kernel }), kw, {
          resume,
          maxSeconds: o.budget.kernel * 60,
          device: o.device,
        });
      },
      kw,
    );
  }

  const results: Results = {
    conventions: CONVENTIONS,
    known: o.known.name,
    cameras: {},
    stages: st.log,
    runs: { dk, kw: needKernel ? kw : null },
  };
  const targets = [...o.cameras.map((camera) => ({ name: camera.name, camera })), ...domains.map((d) => ({ name: d.name, folder: d.dir }))];
  for (const cam of targets) {
    const r = join(runs, cam.name);
    let dir: string;
    if ('camera' in cam) {
      dir = join(data, cam.name);
      await st.run(
        `simulate ${cam.name}`,
        () => simulated(dir, cam.camera, o.seed),
        () => simulate(dir, cam.camera, { photos: o.photos, seed: o.seed, perPhoto: o.perPhoto, role: 'unknown' }),
      );
    } else {
      dir = cam.folder;
    }
    // K is written beside the simulated data, never into a folder the user gave.
    const kDown = o.kRoute === 'simulator' ? (o.kDownscale ?? 1) : 1;
    const K = join(data, cam.name, o.kRoute === 'kernel' ? 'K' : kDown > 1 ? `K-sim-down${kDown}` : 'K-sim');
    await st.run(
      `K for ${cam.name} (${o.kRoute} route)`,
      () => existsSync(join(K, 'manifest.json')),
      async () => {
        if (o.kRoute === 'kernel')
          await makeKnownWithKernel({
            kernel: kw,
            pairs: join(knownDir, 'pairs'),
            sharp: join(dir, 'S'),
            out: K,
            seed: o.seed,
            device: o.device,
          });
        else
          await makeKnownWithSimulator({
            camera: o.known,
            sharp: join(dir, 'S'),
            out: K,
            seed: o.seed,
            downscale: kDown,
            device: o.device,
          });
      },
    );
    // The low-pass reference is D_K behind a fixed Gaussian: its "run" is D_K's.
    const runsOf: Partial<Record<Method, string>> = { dk, ...(o.methods.includes('lowpass') ? { lowpass: dk } : {}) };
    if (o.methods.includes('blur2blur')) {
      const g = (!o.retrain.has('translators') && shippedRun(o, `g-${cam.name}-small`)) || join(r, 'translator');
      await st.run(
        `translator ${cam.name}`,
        () => isShipped(o, g) || finished(g),
        (resume) => trainBenchTranslator(o, join(dir, 'B'), K, dir, dk, g, resume),
        g,
      );
      runsOf.blur2blur = g;
    }
    const baseline = async (m: Method, run: string, train: (resume: boolean) => Promise<void>): Promise<void> => {
      if (!o.methods.includes(m)) return;
      const shipped = !o.retrain.has('baselines') && shippedRun(o, `${m}-${cam.name}-small`);
      const at = shipped || run;
      await st.run(`${m} ${cam.name}`, () => Boolean(shipped) || finished(at), train, at);
      runsOf[m] = at;
    };
    // The baselines start from D_K, in its architecture.
    const base = { val: dir, init: dk, arch: archOf(weightsFile(dk)), seed: o.seed, ...(o.batch ? { batch: o.batch } : {}) };
    await baseline('synthetic', join(r, 'synthetic'), async (resume) => {
      await trainDeblur(
        resolveDeblurConfig({ ...base, pairs: join(dir, 'S'), motionBlur: [3, 21], lr: 5e-4, steps: o.steps.baseline }),
        join(r, 'synthetic'),
        { resume, maxSeconds: o.budget.baseline * 60, device: o.device },
      );
    });
    await baseline('cyclegan', join(r, 'cyclegan'), async (resume) => {
      await trainCycleGAN(
        resolveCycleGANConfig({ ...base, blur: join(dir, 'B'), sharp: join(dir, 'S'), steps: o.steps.cyclegan }),
        join(r, 'cyclegan'),
        { resume, maxSeconds: o.budget.baseline * 60, device: o.device },
      );
    });
    await baseline('upper', join(r, 'upper'), async (resume) => {
      await trainDeblur(resolveDeblurConfig({ ...base, val: null, pairs: dir, lr: 5e-4, steps: o.steps.baseline }), join(r, 'upper'), {
        resume,
        maxSeconds: o.budget.baseline * 60,
        device: o.device,
      });
    });
    results.cameras[cam.name] = await evaluateCamera(join(dir, 'test'), runsOf, o.methods, st, o.device, restoredDir(o.out, cam.name));
    if (runsOf.blur2blur) {
      results.cameras[cam.name]!.domain = await domainCheck({
        blur: join(dir, 'B'),
        known: K,
        test: join(dir, 'test', 'blur'),
        knownTest: join(knownDir, 'test', 'blur'),
        translator: runsOf.blur2blur,
        run: domainClassifierRun(runs, cam.name),
        seed: o.seed,
        steps: o.steps.classifier,
        ...(o.batch ? { batch: o.batch } : {}),
        st,
        camera: cam.name,
        device: o.device,
      });
    }
    if (o.bsRatios.length > 0) {
      results.cameras[cam.name]!.ratios = await ratioAblation({
        dir,
        runs: r,
        K,
        dk,
        ratios: o.bsRatios,
        st,
        device: o.device,
        train: (blur, out, resume) => trainBenchTranslator(o, blur, K, dir, dk, out, resume),
      });
    }
  }
  writeFileSync(join(o.out, 'results.json'), JSON.stringify(results, null, 1) + '\n');
  writeFileSync(join(o.out, 'results.md'), resultsMarkdown(results));
  await buildReport(o.out, results, o);
  return results;
}

/** Trains (or resumes) one of the bench's translators: the measured recipe at the small size, BENCH_TRANSLATOR, the user's overrides. */
async function trainBenchTranslator(
  o: BenchOptions,
  blur: string,
  K: string,
  dir: string,
  dk: string,
  out: string,
  resume: boolean,
): Promise<void> {
  const c = resolveTranslatorConfig(
    translatorConfig('measured', 'small', {
      blur,
      known: K,
      valPairs: dir,
      deblurrer: dk,
      steps: o.steps.translator,
      seed: o.seed,
      ...(o.batch ? { batch: o.batch } : {}),
      ...BENCH_TRANSLATOR,
      ...o.translator,
    }),
  );
  await trainTranslator(c, out, { resume, maxSeconds: o.budget.translator * 60, device: o.device, quiet: false });
}
