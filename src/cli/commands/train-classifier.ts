// b2b train domain-classifier: the blur-domain classifier that checks a translator without ground truth.
import {
  DOMAIN_CLASSIFIER_DEFAULTS,
  DOMAIN_CLASSIFIER_OPTIONS,
  resolveDomainClassifierConfig,
  trainDomainClassifier,
  type DomainClassifierConfig,
} from '../../train/domain-classifier.js';
import { finishedLine, trainerOptions, type TrainingCommand } from '../train-run.js';

export const DOMAIN_CLASSIFIER_COMMAND: TrainingCommand<DomainClassifierConfig> = {
  name: 'train domain-classifier',
  kind: 'domain-classifier',
  usage: `usage: b2b train domain-classifier --blur B_DIR --known K_DIR --out RUN [options]
A small CNN that tells the camera's blur (B) from the known blur (K), trained on random crops with whole
scenes of both held out. 'b2b eval --domain-classifier RUN --images DIR --translator G' then says how
many of the camera's images it calls known-blur as shot and after G (Blur2Blur's supplement, Table 6).`,
  table: DOMAIN_CLASSIFIER_OPTIONS,
  defaults: DOMAIN_CLASSIFIER_DEFAULTS,
  notes: 'The weights kept are those of the best validation accuracy (the mean of B called B and K called K on held-out scenes).',
  build: (given, _extra, source) => resolveDomainClassifierConfig(given, source),
  resolve: (saved, source) => resolveDomainClassifierConfig(saved as Partial<DomainClassifierConfig>, source),
  async run(c, out, o) {
    const r = await trainDomainClassifier(c, out, trainerOptions(o));
    const v = r.lastValidation;
    return finishedLine(
      r,
      v
        ? `; validation accuracy ${(100 * v.accuracy!).toFixed(1)} % (B called B ${(100 * v.b_called_b!).toFixed(1)} %, K called K ${(100 * v.k_called_k!).toFixed(1)} %)${r.best !== undefined ? `, best ${(100 * r.best).toFixed(1)} % kept` : ''}`
        : '',
    );
  },
};
