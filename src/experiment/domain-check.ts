// The bench's check of each translator without ground truth (Blur2Blur's supplement, its Table 6): a
// blur-domain classifier trained on the camera's B against its K (whole scenes held out for its
// validation), then the share of the camera's test images it calls known-blur as shot (y), after the
// translator (G(y)), and for reference the known camera's own test blur.
import { join } from 'node:path';
import { listImages } from '../data/image.js';
import { domainVerdict, type DomainVerdict } from '../eval/domain.js';
import { loadBlurClassifier, loadTranslator } from '../infer/load.js';
import { resolveDomainClassifierConfig, trainDomainClassifier } from '../train/domain-classifier.js';
import { RunDir } from '../train/run.js';
import type { Device } from '../tensor/index.js';
import { finished, type Stages } from './stages.js';

/** A camera's domain check, as results.json keeps it. */
export interface DomainCheck {
  /** The classifier's run folder. */
  classifier: string;
  /** Its validation accuracy on held-out scenes of B and K (mean of the two sides' hit rates). */
  accuracy: number | null;
  /** The camera's test blur, as shot. */
  input: DomainVerdict;
  /** The same images after the translator G. */
  translated: DomainVerdict;
  /** The known camera's test blur (what "known-blur" looks like to the classifier). */
  known: DomainVerdict;
}

/** The kept weights' validation accuracy, from the run's log (null if it logged none). */
function keptAccuracy(run: string): number | null {
  const final = RunDir.open(run)
    .metrics()
    .filter((m) => m.event === 'final-weights');
  const a = final[final.length - 1]?.accuracy;
  return typeof a === 'number' ? a : null;
}

export interface DomainCheckOptions {
  /** The camera's training blur B and known-blur set K (folders). */
  blur: string;
  known: string;
  /** The camera's test blur and the known camera's test blur (folders). */
  test: string;
  knownTest: string;
  /** The translator's run. */
  translator: string;
  /** Where the classifier is trained (resumable). */
  run: string;
  seed: number;
  /** The classifier's training steps and batch (its defaults where not given). */
  steps?: number;
  batch?: number;
  st: Stages;
  camera: string;
  device?: Device;
}

/** Trains (or resumes, or reuses) the camera's blur-domain classifier and judges y, G(y) and the known blur. */
export async function domainCheck(o: DomainCheckOptions): Promise<DomainCheck> {
  await o.st.run(
    `domain classifier ${o.camera}`,
    () => finished(o.run),
    async (resume) => {
      await trainDomainClassifier(
        resolveDomainClassifierConfig({
          blur: o.blur,
          known: o.known,
          seed: o.seed,
          ...(o.steps ? { steps: o.steps } : {}),
          ...(o.batch ? { batch: Math.max(2, o.batch - (o.batch % 2)) } : {}), // even: half B, half K
        }),
        o.run,
        {
          resume,
          device: o.device,
        },
      );
    },
    o.run,
  );
  const { model, crop } = loadBlurClassifier(o.run, o.device);
  using _m = model;
  using g = loadTranslator(o.translator, undefined, o.device);
  const test = listImages(o.test),
    known = listImages(o.knownTest);
  return {
    classifier: o.run,
    accuracy: keptAccuracy(o.run),
    input: await domainVerdict(model, crop, test),
    translated: await domainVerdict(model, crop, test, (x) => g.forwardAnySize(x)[2]),
    known: await domainVerdict(model, crop, known),
  };
}

/** Where the bench keeps a camera's classifier. */
export const domainClassifierRun = (runs: string, camera: string): string => join(runs, camera, 'domain-classifier');
