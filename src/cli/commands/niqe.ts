// b2b niqe fit | score: the no-reference NIQE score and its pristine model.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { csvField } from '../csv.js';
import { ImageReadError, listImages, readImage } from '../../data/image.js';
import { DEFAULT_NIQE_MODEL, fitNiqe, niqe, readNiqeModel, writeNiqeModel } from '../../eval/niqe.js';
import { parse, UsageError } from '../usage.js';

const HELP = `usage:
  b2b niqe score DIR|IMAGE [--model FILE] [--csv FILE] [--json]   NIQE of images without ground truth (lower: more natural)
  b2b niqe fit --images DIR --out FILE                    fit a pristine model on sharp images
The default model (${DEFAULT_NIQE_MODEL}) was fitted by this project on the embedded CC0 photos,
not the original NIQE parameters (which are fitted on other photos): compare scores with each other.
Images must be at least 96×96; 96×96 blocks, the second scale at half size.`;

export async function niqeCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parse(
    argv,
    { model: { type: 'string' }, images: { type: 'string' }, out: { type: 'string' }, csv: { type: 'string' }, json: { type: 'boolean' } },
    HELP,
  );
  const [sub, target] = positionals;
  if (!sub) throw new UsageError(`niqe: give a subcommand\n\n${HELP}`);
  if (sub === 'fit') {
    if (!values.images || !values.out) throw new UsageError(`niqe fit: give --images and --out\n\n${HELP}`);
    const imgs = [];
    for (const f of listImages(values.images)) imgs.push((await readImage(f)).tensor);
    const m = fitNiqe(imgs, values.images);
    for (const t of imgs) t.dispose();
    writeNiqeModel(values.out, m);
    console.log(`fitted on ${m.blocks} sharp blocks of ${m.images} images: ${values.out}`);
    return;
  }
  if (sub !== 'score' || !target) throw new UsageError(`niqe: fit or score\n\n${HELP}`);
  const model = readNiqeModel(values.model ?? DEFAULT_NIQE_MODEL);
  const files = /\.[a-z]+$/i.test(target) ? [target] : listImages(target);
  const rows: [string, number][] = [];
  const skipped: string[] = [];
  // As deblur does: an unreadable or too small image is skipped and listed, the others are scored.
  for (const f of files) {
    let t;
    try {
      t = (await readImage(f)).tensor;
    } catch (e) {
      if (!(e instanceof ImageReadError)) throw e;
      skipped.push(e.message);
      continue;
    }
    try {
      rows.push([f, niqe(t, model)]);
    } catch (e) {
      skipped.push(`${f}: ${(e as Error).message}`);
    } finally {
      t.dispose();
    }
  }
  for (const s of skipped) console.error(`skipped ${s}`);
  if (rows.length === 0) throw new Error(`${target}: no image could be scored (${skipped.length} skipped)`);
  const mean = rows.reduce((a, [, v]) => a + v, 0) / rows.length;
  if (values.json) {
    console.log(
      JSON.stringify({ model: values.model ?? DEFAULT_NIQE_MODEL, mean, images: rows.map(([image, niqe]) => ({ image, niqe })), skipped }),
    );
  } else
    console.log(
      `NIQE (lower: more natural; pristine model: ${values.model ?? DEFAULT_NIQE_MODEL}): mean ${mean.toFixed(3)} over ${rows.length} images${skipped.length ? ` (${skipped.length} skipped)` : ''}`,
    );
  if (values.csv) writeFileSync(values.csv, 'image,niqe\n' + rows.map(([f, v]) => `${csvField(f)},${v}`).join('\n') + '\n');
}
