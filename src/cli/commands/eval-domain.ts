// b2b eval --domain-classifier: a translator checked without ground truth. The share of the camera's
// images a blur-domain classifier (b2b train domain-classifier) calls known-blur, as shot and after G.
import { writeFileSync } from 'node:fs';
import { listImages } from '../../data/image.js';
import { domainVerdict, type DomainVerdict } from '../../eval/domain.js';
import { loadBlurClassifier, loadTranslator } from '../../infer/load.js';
import { F, type Device } from '../../tensor/index.js';
import { outputMode, TaskProgress } from '../progress.js';
import { UsageError } from '../usage.js';

export interface DomainCheckFlags {
  'domain-classifier'?: string;
  images?: string;
  translator?: string;
  known?: string;
  prefilter?: string;
  json?: string;
  quiet?: boolean;
}

/** --prefilter's σ (px), checked; null when not given. */
export function prefilterSigma(v: string | undefined): number | null {
  if (v === undefined) return null;
  const sigma = Number(v);
  if (!(sigma > 0 && sigma <= 10)) throw new UsageError(`eval: --prefilter is a σ in pixels in (0, 10], got '${v}'`);
  return sigma;
}

const pct = (v: DomainVerdict): string => `${(100 * v.knownShare).toFixed(1)} %`;

export async function evalDomain(values: DomainCheckFlags, device: Device, help: string): Promise<void> {
  if (!values.images) throw new UsageError(`eval: --domain-classifier needs --images DIR (the camera's blurry images)\n\n${help}`);
  const { model, crop } = loadBlurClassifier(values['domain-classifier']!, device);
  using _m = model;
  using g = values.translator && values.translator !== 'none' ? loadTranslator(values.translator, undefined, device) : null;
  const sigma = prefilterSigma(values.prefilter);
  const files = listImages(values.images);
  const known = values.known ? listImages(values.known) : [];
  const progress = new TaskProgress('domain check', outputMode({ quiet: values.quiet }), 'images');
  const total = files.length * (1 + (g ? 1 : 0) + (sigma !== null ? 1 : 0)) + known.length;
  let before = 0;
  const tick = (d: number): void => progress.update(before + d, total);
  const rows: [string, DomainVerdict][] = [];
  rows.push(['y, as shot', await domainVerdict(model, crop, files, undefined, tick)]);
  before += files.length;
  if (g) {
    rows.push(['G(y), translated', await domainVerdict(model, crop, files, (x) => g.forwardAnySize(x)[2], tick)]);
    before += files.length;
  }
  if (sigma !== null) {
    rows.push([`Gaussian σ ${sigma} of y (reference)`, await domainVerdict(model, crop, files, (x) => F.gaussianBlur(x, sigma), tick)]);
    before += files.length;
  }
  if (known.length) rows.push(['K, the known blur (reference)', await domainVerdict(model, crop, known, undefined, tick)]);
  progress.end();
  console.log(`blur-domain classifier ${values['domain-classifier']} on ${values.images} (${files.length} images)`);
  console.log('| images | called known-blur | mean P(known) |\n|---|---|---|');
  for (const [label, v] of rows) console.log(`| ${label} | ${pct(v)} | ${v.meanProbability.toFixed(3)} |`);
  console.log(`An image is called known-blur when the mean logit of its tiles (${crop}² crops) is positive.`);
  if (values.json)
    writeFileSync(
      values.json,
      JSON.stringify(
        {
          classifier: values['domain-classifier'],
          images: values.images,
          translator: values.translator ?? null,
          rows: Object.fromEntries(rows),
        },
        null,
        1,
      ) + '\n',
    );
}
