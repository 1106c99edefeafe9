// b2b eval: PSNR/SSIM of a deblurring pipeline, D_K(G(y)) or D(y), on test pairs.
import { writeFileSync } from 'node:fs';
import { readLayout, allPairs, pairFolders } from '../../data/datasets/layouts.js';
import { evaluatePairs, pipeline, type EvalSummary } from '../../eval/pipeline.js';
import { loadDeblurrer, loadTranslator } from '../../train/load.js';
import { deblur } from '../../train/deblur.js';
import { parse, UsageError } from '../usage.js';

const HELP = `usage: b2b eval --pairs TEST_DIR --deblurrer RUN|FILE [--translator RUN|FILE] [options]
       b2b eval --pred DIR --gt DIR [options]
  scores D(G(y)) (or D(y) without --translator) against the ground truth of every test pair; or
  images already restored (--pred) against their ground truth (--gt), matched by name
  --arch ID       the deblurrer's architecture when its file does not record it (.pth)
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
    pairs: { type: 'string' }, pred: { type: 'string' }, gt: { type: 'string' }, deblurrer: { type: 'string' }, translator: { type: 'string' }, arch: { type: 'string' },
    csv: { type: 'string' }, json: { type: 'string' },
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
  const pairs = allPairs(readLayout(values.pairs));
  const d = loadDeblurrer(values.deblurrer, values.arch);
  const g = values.translator && values.translator !== 'none' ? loadTranslator(values.translator) : null;
  try {
    const t0 = performance.now();
    const s = await evaluatePairs(pairs, pipeline((x) => deblur(d, x), g), (i) => {
      if (process.stderr.isTTY) process.stderr.write(`\r${i + 1}/${pairs.length}`);
    });
    if (process.stderr.isTTY) process.stderr.write('\n');
    const what = g ? `D(G(y)) with ${values.translator}` : 'D(y)';
    console.log(`${what}, deblurrer ${values.deblurrer}: ${s.images} images of ${values.pairs} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    console.log(`| | PSNR (dB) | SSIM |\n|---|---|---|\n| input | ${s.input_psnr.toFixed(2)} | ${s.input_ssim.toFixed(4)} |\n| output | ${s.psnr.toFixed(2)} | ${s.ssim.toFixed(4)} |`);
    console.log(s.conventions);
    writeOutputs(values, s, { pairs: values.pairs, deblurrer: values.deblurrer, translator: values.translator ?? null });
  } finally {
    d.dispose();
    g?.dispose();
  }
}
