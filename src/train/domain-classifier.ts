// Training the blur-domain classifier: the camera's blurry images B (label 0) against the known-blur
// set K (label 1), logistic loss on random crops, half of each batch from each side. Whole scenes of
// both sets are held out, so that the validation accuracy says whether it learned the blur rather than
// the scenes (B and K are shot on different scenes); held-out images are judged whole, on their tiles, as
// `b2b eval --domain-classifier` judges them. The kept weights are those of the best validation.
import { basename, extname } from 'node:path';
import { cat, manualSeed, scope, tensor } from '../tensor/index.js';
import { imagesVerdict } from '../eval/domain.js';
import { buildBlurClassifier, parseArch } from '../models/index.js';
import { Adam } from '../optim/index.js';
import { loadWeights } from '../io/weights.js';
import { readImageFolder } from '../data/datasets/layouts.js';
import { BatchLoader } from '../data/datasets/loader.js';
import { Rng } from '../data/rng.js';
import { existsSync } from 'node:fs';
import { weightsFile } from '../infer/load.js';
import { RunDir } from './run.js';
import { inEvalMode } from './preview.js';
import { spreadImages } from './domain-validation.js';
import { loadModelFromCheckpoint } from './checkpoint.js';
import { loopOptions, trainLoop, type TrainOptions, type TrainResult } from './trainer.js';
import { BASE_OPTIONS, checkConfig, type OptionTable, type TrainConfigBase } from './options.js';
import { UnpairedLoader, releaseUnpaired, shardUnpaired, type UnpairedBatch } from './adversarial.js';

/** What the blur-domain classifier trains on and how (b2b train domain-classifier's options). */
export interface DomainClassifierConfig extends TrainConfigBase {
  /** The camera's blurry images B (a folder). */
  blur: string;
  /** The known-blur set K (a folder). */
  known: string;
  /** Share of each set's scenes held out for validation. */
  valShare: number;
  /** Quarter turns among the augmentations (besides flips). */
  rot90: boolean;
}

/** The classifier's defaults: 1500 steps of 16 crops of 96², Adam at 1e-3 with a cosine decay. */
export const DOMAIN_CLASSIFIER_DEFAULTS: DomainClassifierConfig = {
  arch: 'blur-classifier-small',
  blur: '',
  known: '',
  crop: 96,
  batch: 16,
  steps: 1500,
  lr: 1e-3,
  betas: [0.9, 0.999],
  seed: 0,
  valEvery: 250,
  ckptEvery: 250,
  valImages: 48,
  valShare: 0.15,
  rot90: true,
  init: null,
};

export const DOMAIN_CLASSIFIER_OPTIONS: OptionTable<DomainClassifierConfig> = {
  ...BASE_OPTIONS,
  arch: { ...BASE_OPTIONS.arch, help: 'blur-classifier-small' },
  batch: { ...BASE_OPTIONS.batch, min: 2, help: 'crops per step, half from B and half from K' },
  valImages: { ...BASE_OPTIONS.valImages, help: 'validation images of each set (from its held-out scenes)' },
  blur: { type: 'string', flag: 'blur', arg: 'DIR', help: "the camera's blurry images B" },
  known: { type: 'string', flag: 'known', arg: 'DIR', help: 'the known-blur set K' },
  valShare: { type: 'number', above: 0, below: 1, flag: 'val-share', arg: 'X', help: "share of each set's scenes held out for validation" },
  rot90: {
    type: 'boolean',
    flag: 'rot90',
    arg: 'on|off',
    help: "quarter turns among the augmentations (off: a camera's blur direction stays a cue)",
  },
};

/** A checked classifier config (errors name `source`). */
export function resolveDomainClassifierConfig(
  partial: Partial<DomainClassifierConfig>,
  source = 'domain classifier config',
): DomainClassifierConfig {
  const c = checkConfig<DomainClassifierConfig>({ ...DOMAIN_CLASSIFIER_DEFAULTS, ...partial }, DOMAIN_CLASSIFIER_OPTIONS, source);
  const arch = parseArch(c.arch);
  if (!arch.startsWith('blur-classifier')) throw new Error(`${source}: arch must be a blur-classifier id, got '${c.arch}'`);
  if (!c.blur || !c.known) throw new Error(`${source}: give the camera's blurry images (blur) and the known-blur set (known)`);
  if (c.batch % 2) throw new Error(`${source}: batch must be even (half B, half K), got ${c.batch}`);
  return { ...c, arch };
}

/**
 * A file's scene: its name without the extension and trailing numbers (a crop index `_NN`, a video's
 * window and tile `--0007-2`), so that crops and frames of one scene stay on one side.
 */
export const sceneOf = (file: string): string => basename(file, extname(file)).replace(/([-_]+\d+)+$/, '');

/**
 * Files split by scene: `share` of the scenes (at least one), chosen by seed, held out. A folder whose
 * names give fewer than two scenes (a video's frames, say) is cut into eight runs of consecutive names
 * instead, held out the same way, so neighbouring frames stay on one side.
 */
export function holdOutScenes(files: readonly string[], share: number, seed: number, what: string): { train: string[]; val: string[] } {
  if (files.length < 2) throw new Error(`${what}: need at least two images to hold some out for validation`);
  let sceneOfFile = (f: string): string => sceneOf(f);
  if (new Set(files.map(sceneOf)).size < 2) {
    const sorted = [...files].sort();
    const run = Math.ceil(sorted.length / Math.min(8, sorted.length));
    const block = new Map(sorted.map((f, i) => [f, `run${Math.floor(i / run)}`]));
    sceneOfFile = (f) => block.get(f)!;
  }
  const scenes = [...new Set(files.map(sceneOfFile))].sort();
  const held = new Set(new Rng(seed ^ 0x5ce7).shuffle([...scenes]).slice(0, Math.max(1, Math.round(scenes.length * share))));
  return { train: files.filter((f) => !held.has(sceneOfFile(f))), val: files.filter((f) => held.has(sceneOfFile(f))) };
}

/** Trains the blur-domain classifier (B against K) into the run folder `out`; resumable. */
export async function trainDomainClassifier(c: DomainClassifierConfig, out: string, o: TrainOptions = {}): Promise<TrainResult> {
  const resumed = o.resume ? RunDir.open(out) : undefined;
  manualSeed(c.seed);
  const device = o.device ?? 'cpu';
  using clf = buildBlurClassifier(parseArch(c.arch));
  if (c.init) scope(() => clf.loadStateDict(loadWeights(weightsFile(c.init!)), {}, c.init!));
  if (device !== 'cpu') clf.to(device);
  using opt = new Adam(clf.parameters(), { lr: c.lr, betas: c.betas });
  const b = holdOutScenes(readImageFolder(c.blur).files, c.valShare, c.seed, c.blur),
    k = holdOutScenes(readImageFolder(c.known).files, c.valShare, c.seed + 1, c.known);
  // Quarter turns swap horizontal and vertical blur: on by default (the presets draw any direction, and
  // on rsblur-like's held-out scenes they helped: docs/experiments.md §7a), off where direction matters.
  const loaderOpts = { batchSize: c.batch / 2, crop: c.crop, augment: { hflip: true, vflip: true, rot90: c.rot90 }, cache: true };
  using data = new UnpairedLoader(
    new BatchLoader(b.train, { ...loaderOpts, seed: c.seed }),
    new BatchLoader(k.train, { ...loaderOpts, seed: c.seed + 1 }),
  );
  using heldB = await spreadImages(b.val, c.valImages, device);
  using heldK = await spreadImages(k.val, c.valImages, device);
  const run = RunDir.start(out, { kind: 'domain-classifier', ...c }, o, resumed); // once the data has loaded
  const labels = tensor([...Array<number>(c.batch / 2).fill(0), ...Array<number>(c.batch / 2).fill(1)], { device });
  using _labels = { [Symbol.dispose]: () => labels.dispose() };
  // Held-out images judged on their tiles as in use (eval/domain.ts).
  const validate = async (): Promise<Record<string, number>> =>
    inEvalMode([clf], () => {
      const bAsB = 1 - imagesVerdict(clf, c.crop, heldB.images).knownShare,
        kAsK = imagesVerdict(clf, c.crop, heldK.images).knownShare;
      return { accuracy: (bAsB + kAsK) / 2, b_called_b: bAsB, k_called_k: kAsK };
    });
  const r = await trainLoop<UnpairedBatch>({
    run,
    parts: [{ name: 'model', model: clf, optimizer: opt }],
    data,
    steps: c.steps,
    baseLr: c.lr,
    schedule: { kind: 'cosine', total: c.steps, min: c.lr * 0.01 },
    step: (batch) => {
      const x = cat([batch.source.blurry.to(device), batch.target.blurry.to(device)], 0);
      const z = clf.forward(x);
      // Logistic loss: softplus(z) − y·z, averaged.
      const loss = z.softplus().sub(z.mul(labels)).mean();
      return { loss, logs: { train_accuracy: z.gt(0).float().eq(labels).float().mean().item() } };
    },
    release: releaseUnpaired,
    shard: shardUnpaired,
    validate,
    primary: 'accuracy',
    ...loopOptions(o, c),
  });
  const meta: Record<string, string> = { arch: c.arch, kind: 'domain-classifier', crop: String(c.crop) };
  if (!r.interrupted && existsSync(run.best)) {
    const at = loadModelFromCheckpoint(run.best, 'model', clf);
    meta.selected = `best validation accuracy (${r.best?.toFixed(3)}) at step ${at} of ${r.steps}`;
    run.log({ event: 'final-weights', selected: 'best', step: at, accuracy: r.best });
  }
  run.saveFinal(clf.stateDict(), meta, r);
  return { ...r, run: out, weights: run.finalWeights };
}
