// Where deblurring writes, checked before any work: an output never resolves to an input (real paths,
// after symlinks, also when --format changes the extension or --out names the input folder), and no two
// inputs share an output. Nothing a user owns is written over.
import { existsSync, realpathSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';

/** The real path of a file that may not exist yet: its nearest existing folder's real path, then the rest. */
export function realTarget(p: string): string {
  const abs = resolve(p);
  if (existsSync(abs)) return realpathSync(abs);
  const parent = dirname(abs);
  return parent === abs ? abs : join(realTarget(parent), basename(abs));
}

/** `file` with the extension of `format` (png, .jpg, …), or as it is without a format. */
export function withFormat(file: string, format: string | undefined): string {
  if (!format) return file;
  const ext = extname(file);
  return `${ext ? file.slice(0, -ext.length) : file}.${format.replace(/^\./, '')}`;
}

/** One input file and the file its result goes to. */
export interface PlannedOutput {
  input: string;
  target: string;
}

/** An input is a file or a folder; `files` are the input files it holds (itself for a file). */
export function planOutputs(
  input: string,
  files: readonly string[],
  out: string,
  o: { folder: boolean; format?: string },
): PlannedOutput[] {
  const plan = o.folder
    ? files.map((f) => ({ input: f, target: join(out, withFormat(basename(f), o.format)) }))
    : [{ input, target: withFormat(out, o.format) }];
  const realInputs = new Map(files.map((f) => [realTarget(f), f]));
  if (o.folder && realTarget(out) === realTarget(input)) {
    throw new Error(`--out ${out} is the input folder ${input}: deblur never writes into what it reads; choose another --out`);
  }
  const byTarget = new Map<string, string>();
  for (const p of plan) {
    const real = realTarget(p.target);
    const over = realInputs.get(real);
    if (over !== undefined)
      throw new Error(
        `${p.target} is the input ${over}: deblur never writes over its input; choose another --out${o.format ? ' or --format' : ''}`,
      );
    const first = byTarget.get(real);
    if (first !== undefined)
      throw new Error(`${first} and ${p.input} would both be written to ${p.target}; rename one, or choose another --format`);
    byTarget.set(real, p.input);
  }
  return plan;
}
