// b2b data photos: fetch real photographs from Debian packages.
import { fetchPhotos } from '../../data/photos.js';
import { parse, UsageError } from '../usage.js';

const HELP = `usage: b2b data photos --out DIR [--all]
  Downloads the Debian packages listed in data/photo-sources.tsv (apt-get download; no root needed) and
  copies their photographs into DIR with manifest.json (package, path, licence, SHA-256).
  Default: the CC0 photos (the embedded set); --all: every listed photo, under its own licence.`;

export function data(argv: string[]): void {
  const { values, positionals } = parse(argv, { out: { type: 'string' }, all: { type: 'boolean' } }, HELP);
  if (values.help || positionals[0] === undefined) {
    console.log(HELP);
    return;
  }
  if (positionals[0] !== 'photos') throw new UsageError(`unknown data subcommand '${positionals[0]}'\n\n${HELP}`);
  if (!values.out) throw new UsageError(`data photos: give --out DIR\n\n${HELP}`);
  fetchPhotos({ out: values.out, select: values.all ? 'all' : 'cc0', log: (l) => console.log(l) });
}
