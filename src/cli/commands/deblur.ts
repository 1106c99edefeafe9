// b2b deblur: D_K(G(y)) on an image, a folder or a video.
import { loadDeblurrer, loadTranslator, tlcOption } from '../../infer/load.js';
import { inputKind, restorePath } from '../../infer/restore.js';
import { outputMode, printResult, TaskProgress } from '../progress.js';
import { checkDevice, DEVICE_HELP, parse, stringFlags, UsageError } from '../usage.js';
import { tileFlags } from '../options.js';

const HELP = `usage: b2b deblur INPUT --translator RUN|FILE|none --deblurrer RUN|FILE --out OUT [options]
  INPUT           an image, a folder of images, or a video (frames streamed through ffmpeg; frame
                  rate and audio kept)
  --translator    G (a translator run or weights); 'none' for the known-domain deblurrer alone
  --deblurrer     D_K (a deblurrer run or weights: NAFNet or MIMO-UNet; .pth needs --arch)
  --out OUT       a file for an image or a video, a folder for a folder
  --format EXT    output image format (png, jpg, webp, tif; default: the input's)
  --tile N        tile side for large frames (default 512)   --overlap N   tile overlap (default 64)
  --arch ID       the deblurrer's architecture when its file does not record it
  --tlc CROP      NAFNet's test-time local converter: channel attention pooled over 1.5×CROP-pixel
                  windows (CROP: the deblurrer's training crop) instead of the whole image
  --device D      ${DEVICE_HELP}
  --quiet         no progress       --json   progress, skipped files and the result as JSON lines`;

export async function deblurCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parse(
    argv,
    {
      ...stringFlags('translator', 'deblurrer', 'out', 'format', 'tile', 'overlap', 'arch', 'tlc', 'device'),
      quiet: { type: 'boolean' },
      json: { type: 'boolean' },
    },
    HELP,
  );
  const device = checkDevice(values.device, 'deblur');
  const input = positionals[0];
  if (!input || !values.out || !values.deblurrer || !values.translator)
    throw new UsageError(`deblur: give INPUT, --translator (or none), --deblurrer and --out\n\n${HELP}`);
  const { tile, overlap } = tileFlags(values, 'deblur');
  using d = loadDeblurrer(values.deblurrer, values.arch, tlcOption(values.tlc), device);
  using g = values.translator === 'none' ? null : loadTranslator(values.translator, undefined, device);
  const progress = new TaskProgress('deblur', outputMode(values), inputKind(input) === 'video' ? 'frames' : 'images');
  const r = await restorePath({ deblurrer: d, translator: g, tiles: { tile, overlap } }, input, values.out, {
    format: values.format,
    onProgress: (done, total) => progress.update(done, total),
  });
  progress.end();
  for (const s of r.skipped) progress.note(`skipped ${s.file}: ${s.reason}`);
  for (const n of r.notes) progress.note(`note: ${n}`);
  const what = g ? 'D_K(G(y))' : 'D_K(y)';
  printResult(
    progress.mode,
    { written: r.written, skipped: r.skipped, notes: r.notes, seconds: +r.seconds.toFixed(2) },
    `${what}: wrote ${r.written.length === 1 ? r.written[0] : `${r.written.length} images to ${values.out}`} in ${r.seconds.toFixed(1)} s` +
      (r.skipped.length ? ` (${r.skipped.length} unreadable skipped)` : ''),
  );
}
