// b2b data: fetch real photographs and videos from Debian packages; average video frames into
// GoPro-style blurry/sharp pairs.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fetchPhotos, fetchVideos } from '../../data/photos.js';
import { blurPairsFromVideo } from '../../data/frame-average.js';
import { writeImage } from '../../data/image.js';
import { buildVideoDomain } from '../../data/video-domain.js';
import { parse, stringFlags, UsageError } from '../usage.js';

const HELP = `usage:
  b2b data photos --out DIR [--all]   photographs listed in data/photo-sources.tsv (default: the CC0 ones;
                                      --all: every one, under its own licence), with manifest.json
  b2b data videos --out DIR           the video clips listed in data/video-sources.tsv
  b2b data average VIDEO --out DIR [--window 7] [--stride 7] [--interpolate 1] [--gamma 2.2|srgb] [--max N]
                                      GoPro-style pairs: each window of consecutive frames averaged in linear
                                      light (after inserting interpolate−1 blended frames between neighbours)
                                      → DIR/blur/, its middle frame → DIR/sharp/
  b2b data domain PAIRS... --out DIR [--tile 256] [--scale 1] [--tiles 4] [--test-fraction 0.25] [--gap 2] [--seed 0]
                                      an unknown camera from averaged video (one PAIRS folder per video,
                                      from 'data average'): its last windows → DIR/test/{blur,sharp}, the
                                      earlier ones alternate → DIR/B (+ B-gt) and DIR/S (unpaired), as tiles
                                      of frames resized by --scale
Packages are fetched with apt-get download (no root needed; run 'apt-get update' once on a new machine).`;

export async function data(argv: string[]): Promise<void> {
  const { values, positionals } = parse(
    argv,
    {
      ...stringFlags('out', 'window', 'stride', 'interpolate', 'gamma', 'max', 'tile', 'scale', 'tiles', 'test-fraction', 'gap', 'seed'),
      all: { type: 'boolean' },
    },
    HELP,
  );
  const sub = positionals[0];
  if (sub === undefined) throw new UsageError(`data: give a subcommand\n\n${HELP}`);
  if (!values.out) throw new UsageError(`data ${sub}: give --out DIR\n\n${HELP}`);
  const log = (l: string): void => console.log(l);
  if (sub === 'photos') {
    fetchPhotos({ out: values.out, select: values.all ? 'all' : 'cc0', log });
  } else if (sub === 'videos') {
    fetchVideos({ out: values.out, log });
  } else if (sub === 'domain') {
    const sources = positionals.slice(1);
    if (sources.length === 0) throw new UsageError(`data domain: give one or more PAIRS folders\n\n${HELP}`);
    const num = (v: string | undefined, d: number, name: string): number => {
      const n = v === undefined ? d : Number(v);
      if (!Number.isFinite(n)) throw new UsageError(`data domain: --${name} must be a number, got '${v}'`);
      return n;
    };
    const s = await buildVideoDomain({
      sources,
      out: values.out,
      log,
      tile: num(values.tile, 256, 'tile'),
      scale: num(values.scale, 1, 'scale'),
      tilesPerWindow: num(values.tiles, 4, 'tiles'),
      testFraction: num(values['test-fraction'], 0.25, 'test-fraction'),
      gap: num(values.gap, 2, 'gap'),
      seed: num(values.seed, 0, 'seed'),
    });
    console.log(`wrote ${s.counts.B} B (+ B-gt), ${s.counts.S} S and ${s.counts.test} test tiles to ${values.out}`);
  } else if (sub === 'average') {
    const video = positionals[1];
    if (!video) throw new UsageError(`data average: give a VIDEO\n\n${HELP}`);
    const int = (v: string | undefined, d: number, name: string): number => {
      const n = v === undefined ? d : Number(v);
      if (!Number.isInteger(n) || n < 1) throw new UsageError(`data average: --${name} must be a positive integer, got '${v}'`);
      return n;
    };
    const window = int(values.window, 7, 'window'),
      stride = int(values.stride, window, 'stride');
    const interpolate = int(values.interpolate, 1, 'interpolate'),
      max = int(values.max, Number.MAX_SAFE_INTEGER, 'max');
    const gamma = values.gamma === undefined ? 2.2 : values.gamma === 'srgb' ? 'srgb' : Number(values.gamma);
    if (gamma !== 'srgb' && !(gamma >= 1 && gamma <= 4)) throw new UsageError(`data average: --gamma must be srgb or a number in [1, 4]`);
    for (const d of ['blur', 'sharp']) mkdirSync(join(values.out, d), { recursive: true });
    let n = 0;
    for await (const p of blurPairsFromVideo(video, { window, stride, interpolate, gamma })) {
      const name = `${String(p.index).padStart(6, '0')}.png`;
      await writeImage(join(values.out, 'blur', name), p.blurry);
      await writeImage(join(values.out, 'sharp', name), p.sharp);
      p.blurry.dispose();
      p.sharp.dispose();
      if (++n >= max) break;
    }
    console.log(`wrote ${n} pairs to ${values.out}/{blur,sharp} (window ${window}, stride ${stride}, interpolate ${interpolate})`);
  } else {
    throw new UsageError(`unknown data subcommand '${sub}'\n\n${HELP}`);
  }
}
