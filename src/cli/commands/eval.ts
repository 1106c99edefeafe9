// b2b eval: PSNR/SSIM of a deblurring pipeline, D_K(G(y)) or D(y), on test pairs.
import { writeFileSync } from 'node:fs';
import { readLayout, allPairs, pairFolders } from '../../data/datasets/layouts.js';
import { evaluatePairs, pipeline, type EvalSummary } from '../../eval/pipeline.js';
import { loadDeblurrer, loadTranslator, tlcOption } from '../../train/load.js';
import { deblur } from '../../train/deblur.js';
import { gaussianBlur } from '../../losses/perceptual.js';
import type { Tensor } from '../../tensor/index.js';
import { parse, UsageError } from '../usage.js';

const HELP = `usage: b2b eval --pairs TEST_DIR --deblurrer RUN|FILE [--translator RUN|FILE] [options]
       b2b eval --pred DIR --gt DIR [options]
  scores D(G(y)) (or D(y) without --translator) against the ground truth of every test pair; or
  images already restored (--pred) against their ground truth (--gt), matched by name
  --arch ID       the deblurrer's architecture when its file does not record it (.pth)
  --tlc CROP      NAFNet's test-time local converter: channel attention pooled over 1.5×CROP-pixel
                  windows (CROP: the deblurrer's training crop) instead of the whole image
  --prefilter S   a reference instead of a translator: D(Gaussian blur of y, σ S px), which shows
                  how much of the gap is noise a plain low-pass removes
  --csv FILE      per-image scores       --json FILE   the summary and per-image scores
PSNR and SSIM on RGB in [0, 1], no border crop; SSIM 11×11 Gaussian window σ 1.5, per channel.`;

function writeOutputs(o: { csv?: string; json?: string }, s: EvalSummary, what: Record<string, unknown>): void {
  if (o.csv) {
    writeFileSync(o.csv, 'image,psnr,ssim,input_psnr,input_ssim\n' + s.perImage.map((r) => `${r.image},${r.psnr},${r.ssim},${r.input_psnr},${r.input_ssim}`).join('\n') + '\n');
  }
  if (o.json) writeFileSync(o.json, JSON.stringify({ ...what, ...s }, null, 1) + '\n');
}

export async function evalCommand(argv: string[]): Promise<void> {
  const { values } = parse(argv, {
    pairs: { type: 'string' }, pred: { type: 'string' }, gt: { type: 'string' }, deblurrer: { type: 'string' }, translator: { type: 'string' }, arch: { type: 'string' }, tlc: { type: 'string' },
    csv: { type: 'string' }, json: { type: 'string' }, prefilter: { type: 'string' },
  }, HELP);
  if (values.help) {
    console.log(HELP);
    return;
  }
  if (values.pred || values.gt) {
    if (!values.pred || !values.gt) throw new UsageError(`eval: give both --pred and --gt\n\n${HELP}`);
    const s = await evaluatePairs(pairFolders(values.pred, values.gt, ''), (x) => x);
    console.log(`${values.pred} against ${values.gt}: ${s.images} images\n| | PSNR (dB) | SSIM |\n|---|---|---|\n| prediction | ${s.psnr.toFixed(2)} | ${s.ssim.toFixed(4)} |`);
    console.log(s.conventions);
    writeOutputs(values, s, { pred: values.pred, gt: values.gt });
    return;
  }
  if (!values.pairs || !values.deblurrer) throw new UsageError(`eval: give --pairs and --deblurrer (or --pred and --gt)\n\n${HELP}`);
  const sigma = values.prefilter === undefined ? null : Number(values.prefilter);
  if (sigma !== null && !(sigma > 0 && sigma <= 10)) throw new UsageError(`eval: --prefilter is a σ in pixels in (0, 10], got '${values.prefilter}'`);
  if (sigma !== null && values.translator && values.translator !== 'none') throw new UsageError('eval: --prefilter replaces the translator; give one or the other');
  const pairs = allPairs(readLayout(values.pairs));
  const d = loadDeblurrer(values.deblurrer, values.arch, tlcOption(values.tlc));
  const g = values.translator && values.translator !== 'none' ? loadTranslator(values.translator) : null;
  try {
    const t0 = performance.now();
    const restore = sigma === null ? pipeline((x) => deblur(d, x), g) : (y: Tensor) => deblur(d, gaussianBlur(y, sigma));
    const s = await evaluatePairs(pairs, restore, (i) => {
      if (process.stderr.isTTY) process.stderr.write(`\r${i + 1}/${pairs.length}`);
    });
    if (process.stderr.isTTY) process.stderr.write('\n');
    const what = g ? `D(G(y)) with ${values.translator}` : sigma !== null ? `D(Gaussian σ ${sigma} of y)` : 'D(y)';
    console.log(`${what}, deblurrer ${values.deblurrer}: ${s.images} images of ${values.pairs} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    console.log(`| | PSNR (dB) | SSIM |\n|---|---|---|\n| input | ${s.input_psnr.toFixed(2)} | ${s.input_ssim.toFixed(4)} |\n| output | ${s.psnr.toFixed(2)} | ${s.ssim.toFixed(4)} |`);
    console.log(s.conventions);
    writeOutputs(values, s, { pairs: values.pairs, deblurrer: values.deblurrer, translator: values.translator ?? null, prefilter: sigma });
  } finally {
    d.dispose();
    g?.dispose();
  }
}
