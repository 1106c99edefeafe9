// b2b eval: PSNR/SSIM of a deblurring pipeline, D_K(G(y)) or D(y), on test pairs.
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import { writeImage } from '../../data/image.js';
import { matchKey, type PairedSample } from '../../data/datasets/layouts.js';
import { withFormat } from '../../infer/outputs.js';
import { readLayout, allPairs, pairFolders } from '../../data/datasets/layouts.js';
import { evaluatePairs, pipeline, type EvalSummary, type ImageScore } from '../../eval/pipeline.js';
import { loadDeblurrer, loadTranslator, tlcOption } from '../../infer/load.js';
import { deblur } from '../../models/index.js';
import { F, type Tensor } from '../../tensor/index.js';
import { csvField } from '../csv.js';
import { evalDomain, prefilterSigma } from './eval-domain.js';
import { checkDevice, DEVICE_HELP, parse, stringFlags, UsageError } from '../usage.js';
import { outputMode, TaskProgress } from '../progress.js';

const HELP = `usage: b2b eval --pairs TEST_DIR --deblurrer RUN|FILE [--translator RUN|FILE] [options]
       b2b eval --pred DIR --gt DIR [options]
       b2b eval --domain-classifier RUN --images DIR [--translator G | --prefilter S] [--known K_DIR] [--json FILE]
  scores D(G(y)) (or D(y) without --translator) against the ground truth of every test pair; or
  images already restored (--pred) against their ground truth (--gt), matched by name; or, without
  ground truth, the share of a camera's images a blur-domain classifier (b2b train domain-classifier)
  calls known-blur, as shot and after the translator (with --known: K's own share, for reference)
  --arch ID       the deblurrer's architecture when its file does not record it (.pth)
  --tlc CROP      NAFNet's test-time local converter: channel attention pooled over 1.5×CROP-pixel
                  windows (CROP: the deblurrer's training crop) instead of the whole image
  --prefilter S   a reference instead of a translator: D(Gaussian blur of y, σ S px), which shows
                  how much of the gap is noise a plain low-pass removes
  --csv FILE      per-image scores       --json FILE   the summary and per-image scores
  --save DIR      keep the restorations: DIR/restored/, the inputs and ground truth beside them, and
                  DIR/view.json, so that 'b2b view DIR' shows them (DIR: new or empty)
  --device D      ${DEVICE_HELP}
  --quiet         no progress
PSNR and SSIM on RGB in [0, 1], no border crop, PSNR capped at 100 dB (identical images); SSIM 11×11
Gaussian window σ 1.5, per channel. Every image counts in every mean.`;

/** A restoration's name in an evaluation folder: the scene first where pairs come from several folders. */
const savedName = (p: PairedSample, scenes: boolean): string =>
  withFormat(`${scenes && p.scene ? `${p.scene}_` : ''}${basename(p.blurry)}`, 'png');
const oneFolder = (files: string[]): boolean => new Set(files.map((f) => dirname(resolve(f)))).size === 1;

/**
 * An evaluation folder for --save: claimed (new or empty) before any work; returns the writer of each
 * restoration. Inputs and ground truth from several folders are copied beside it under the same names.
 */
function evaluationFolder(dir: string, pairs: readonly PairedSample[]): (p: PairedSample, t: Tensor) => Promise<void> {
  if (existsSync(dir) && (!statSync(dir).isDirectory() || readdirSync(dir).length > 0))
    throw new UsageError(`eval: --save ${dir} exists and is not an empty folder; eval writes only into a new one`);
  const scenes = !oneFolder(pairs.map((p) => p.blurry)) || !oneFolder(pairs.map((p) => p.sharp));
  mkdirSync(join(dir, 'restored'), { recursive: true });
  return async (p, t) => {
    const name = savedName(p, scenes);
    await writeImage(join(dir, 'restored', name), t);
    if (scenes)
      for (const [sub, f] of [
        ['input', p.blurry],
        ['gt', p.sharp],
      ] as const) {
        mkdirSync(join(dir, sub), { recursive: true });
        copyFileSync(f, join(dir, sub, name.replace(/\.png$/, extname(f))));
      }
  };
}

/** view.json: the columns, with the restorations' scores as measured here (before 8-bit saving). */
function writeViewJson(dir: string, pairs: readonly PairedSample[], title: string, perImage: readonly ImageScore[]): void {
  const scenes = !oneFolder(pairs.map((p) => p.blurry)) || !oneFolder(pairs.map((p) => p.sharp));
  const scores = Object.fromEntries(perImage.map((s, i) => [matchKey(savedName(pairs[i]!, scenes)), { psnr: s.psnr, ssim: s.ssim }]));
  const rel = (f: string): string => (scenes ? f : relative(resolve(dir), dirname(resolve(f))));
  const columns = [
    { dir: scenes ? 'input' : rel(pairs[0]!.blurry), role: 'input', label: 'input' },
    { dir: 'restored', role: 'method', label: 'restored', scores },
    { dir: scenes ? 'gt' : rel(pairs[0]!.sharp), role: 'gt', label: 'ground truth' },
  ];
  writeFileSync(join(dir, 'view.json'), JSON.stringify({ title, columns }, null, 1) + '\n');
}

/** Per-image CSV and summary JSON; without an input (--pred/--gt) the input columns are left out, not filled with the prediction's. */
function writeOutputs(o: { csv?: string; json?: string }, s: EvalSummary, what: Record<string, unknown>, hasInput = true): void {
  const drop = ({ input_psnr: _p, input_ssim: _s, ...rest }: ImageScore | EvalSummary): object => rest;
  if (o.csv) {
    const rows = s.perImage.map((r) =>
      [r.image, r.psnr, r.ssim, ...(hasInput ? [r.input_psnr, r.input_ssim] : [])].map(csvField).join(','),
    );
    writeFileSync(o.csv, `image,psnr,ssim${hasInput ? ',input_psnr,input_ssim' : ''}\n${rows.join('\n')}\n`);
  }
  if (o.json) {
    const summary = hasInput ? s : { ...drop(s), perImage: s.perImage.map(drop) };
    writeFileSync(o.json, JSON.stringify({ ...what, ...summary }, null, 1) + '\n');
  }
}

export async function evalCommand(argv: string[]): Promise<void> {
  const { values } = parse(
    argv,
    {
      ...stringFlags('pairs', 'pred', 'gt', 'deblurrer', 'translator', 'arch', 'tlc', 'csv', 'json', 'prefilter', 'device', 'save'),
      ...stringFlags('domain-classifier', 'images', 'known'),
      quiet: { type: 'boolean' },
    },
    HELP,
  );
  const device = checkDevice(values.device, 'eval');
  if (values['domain-classifier']) return evalDomain(values, device, HELP);
  if (values.pred || values.gt) {
    if (!values.pred || !values.gt) throw new UsageError(`eval: give both --pred and --gt\n\n${HELP}`);
    const s = await evaluatePairs(pairFolders(values.pred, values.gt, ''), (x) => x);
    console.log(
      `${values.pred} against ${values.gt}: ${s.images} images\n| | PSNR (dB) | SSIM |\n|---|---|---|\n| prediction | ${s.psnr.toFixed(2)} | ${s.ssim.toFixed(4)} |`,
    );
    console.log(s.conventions);
    writeOutputs(values, s, { pred: values.pred, gt: values.gt }, false);
    return;
  }
  if (!values.pairs || !values.deblurrer) throw new UsageError(`eval: give --pairs and --deblurrer (or --pred and --gt)\n\n${HELP}`);
  const sigma = prefilterSigma(values.prefilter);
  if (sigma !== null && values.translator && values.translator !== 'none')
    throw new UsageError('eval: --prefilter replaces the translator; give one or the other');
  const pairs = allPairs(readLayout(values.pairs));
  const save = values.save ? evaluationFolder(values.save, pairs) : undefined;
  using d = loadDeblurrer(values.deblurrer, values.arch, tlcOption(values.tlc), device);
  using g = values.translator && values.translator !== 'none' ? loadTranslator(values.translator, undefined, device) : null;
  const t0 = performance.now();
  const restore = pipeline(
    sigma === null ? (x) => deblur(d, x) : (y: Tensor) => deblur(d, F.gaussianBlur(y, sigma)),
    sigma === null ? g : null,
    device,
  );
  const progress = new TaskProgress('eval', outputMode({ quiet: values.quiet }), 'images');
  const s = await evaluatePairs(pairs, restore, (i) => progress.update(i + 1, pairs.length), save);
  const what = g ? `D(G(y)) with ${values.translator}` : sigma !== null ? `D(Gaussian σ ${sigma} of y)` : 'D(y)';
  console.log(
    `${what}, deblurrer ${values.deblurrer}: ${s.images} images of ${values.pairs} (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
  );
  console.log(
    `| | PSNR (dB) | SSIM |\n|---|---|---|\n| input | ${s.input_psnr.toFixed(2)} | ${s.input_ssim.toFixed(4)} |\n| output | ${s.psnr.toFixed(2)} | ${s.ssim.toFixed(4)} |`,
  );
  console.log(s.conventions);
  writeOutputs(values, s, { pairs: values.pairs, deblurrer: values.deblurrer, translator: values.translator ?? null, prefilter: sigma });
  if (values.save) {
    writeViewJson(values.save, pairs, `${what}, deblurrer ${basename(values.deblurrer)}`, s.perImage);
    console.log(`restorations: ${join(values.save, 'restored')}; b2b view ${values.save} shows them`);
  }
}
