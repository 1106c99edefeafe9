// The progress of a long task on the command line, one display for all of them: a one-line bar with
// count, rate and ETA on a terminal; a plain line every few seconds in logs; nothing with --quiet; and
// with --json one JSON object per line (progress, notes, the result), for scripts.

export type OutputMode = 'tty' | 'lines' | 'quiet' | 'json';

/** The mode for a command's --quiet and --json flags and its stderr. */
export function outputMode(v: { quiet?: boolean; json?: boolean }, stream: NodeJS.WriteStream = process.stderr): OutputMode {
  if (v.json) return 'json';
  if (v.quiet) return 'quiet';
  return stream.isTTY && !process.env.CI ? 'tty' : 'lines';
}

const fmt = (s: number): string =>
  s < 60
    ? `${Math.round(s)}s`
    : s < 3600
      ? `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`
      : `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;

export class TaskProgress {
  private readonly t0 = performance.now();
  private last = -Infinity;
  private drawn = false;

  /** task: what is counted ('images', 'photos', …) and its verb, as it reads in a line ('deblur: 3/10 images'). */
  constructor(
    readonly label: string,
    readonly mode: OutputMode,
    private readonly unit = 'items',
    private readonly everySeconds = 10,
    private readonly out: NodeJS.WriteStream = process.stderr,
  ) {}

  /** `done` of `total` (0: unknown) items finished. */
  update(done: number, total: number): void {
    const now = performance.now();
    const elapsed = (now - this.t0) / 1000;
    const rate = done / Math.max(elapsed, 1e-9);
    const eta = total > done && rate > 0 ? (total - done) / rate : 0;
    const finished = total > 0 && done >= total;
    if (this.mode === 'quiet') return;
    if (this.mode === 'json') {
      if (finished || now - this.last >= this.everySeconds * 1000) {
        this.last = now;
        this.out.write(
          JSON.stringify({ event: 'progress', task: this.label, done, total, rate: +rate.toFixed(3), eta_s: Math.round(eta) }) + '\n',
        );
      }
      return;
    }
    const line = `${this.label}: ${done}${total ? `/${total}` : ''} ${this.unit}  ${rate.toFixed(2)}/s${total ? `  ETA ${fmt(eta)}` : ''}`;
    if (this.mode === 'tty') {
      if (!finished && now - this.last < 200) return;
      this.last = now;
      const bar = total ? `[${'#'.repeat(Math.round((24 * done) / total)).padEnd(24, '.')}] ` : '';
      this.out.write(`\r${bar}${line}\x1b[K`);
      this.drawn = true;
      if (finished) this.end();
    } else if (finished || now - this.last >= this.everySeconds * 1000) {
      this.last = now;
      this.out.write(line + '\n');
    }
  }

  /** A message on its own line (a skipped file, a stage), or a JSON note. */
  note(message: string): void {
    if (this.mode === 'quiet') return;
    if (this.mode === 'json') this.out.write(JSON.stringify({ event: 'note', task: this.label, message }) + '\n');
    else this.out.write(this.drawn ? `\r\x1b[K${message}\n` : `${message}\n`);
  }

  /** Ends the bar's line (terminal mode). */
  end(): void {
    if (this.drawn) this.out.write('\n');
    this.drawn = false;
  }
}

/** Prints a command's result: one JSON object with --json, else the human-readable text. */
export function printResult(mode: OutputMode, json: Record<string, unknown>, text: string): void {
  if (mode === 'json') console.log(JSON.stringify({ event: 'result', ...json }));
  else console.log(text);
}
