// b2b pilots: compare short deblurrer runs of several sizes by validation PSNR against FLOPs spent.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pilotPlot, pilotTable, readRates, summarisePilots } from '../../experiment/pilots.js';
import { parse, UsageError } from '../usage.js';

const HELP = `usage: b2b pilots RUN... --out DIR [--hours 15] [--rates FILE]
  reads NAFNet deblurrer runs (b2b train deblur), plots validation PSNR against the training FLOPs each
  spent, fits PSNR = a + b·log10(FLOPs) to the second half of each curve and extrapolates it to a
  budget of --hours on one thread; writes DIR/pilots.svg and DIR/pilots.md
  --rates FILE    GFLOP/s per architecture from 'npm run bench:train' output (its JSON line); default:
                  each run's own steps per second (slower when the machine was shared)`;

export function pilotsCommand(argv: string[]): void {
  const { values, positionals } = parse(argv, { out: { type: 'string' }, hours: { type: 'string' }, rates: { type: 'string' } }, HELP);
  if (positionals.length === 0 || !values.out) throw new UsageError(`pilots: give one or more RUN folders and --out DIR\n\n${HELP}`);
  const hours = values.hours === undefined ? 15 : Number(values.hours);
  if (!(hours > 0)) throw new UsageError(`pilots: --hours must be a positive number, got '${values.hours}'`);
  const s = summarisePilots(positionals, hours, values.rates ? readRates(values.rates) : {});
  mkdirSync(values.out, { recursive: true });
  const table = pilotTable(s, hours);
  writeFileSync(join(values.out, 'pilots.svg'), pilotPlot(s, hours) + '\n');
  writeFileSync(join(values.out, 'pilots.md'), table + '\n');
  console.log(table);
}
