// Training progress: a one-line bar on terminals (step, loss, it/s, ETA), plain periodic lines otherwise.

export class Progress {
  private readonly tty: boolean;
  private readonly t0 = performance.now();
  private lastPrint = 0;
  private emaLoss: number | undefined;
  /** Times of the recent steps: the rate is measured over them, so it follows load changes. */
  private readonly recent: number[] = [];

  /** total: the run's last step (a fitted schedule may change it). */
  constructor(
    public total: number,
    private readonly startStep: number,
    private readonly every = 50,
    private readonly out: NodeJS.WriteStream = process.stderr,
  ) {
    this.tty = Boolean(out.isTTY) && !process.env.CI;
  }

  update(step: number, loss: number, extra = ''): void {
    if (Number.isFinite(loss)) this.emaLoss = this.emaLoss === undefined ? loss : 0.95 * this.emaLoss + 0.05 * loss;
    const now = performance.now();
    this.recent.push(now);
    if (this.recent.length > 51) this.recent.shift();
    const done = step + 1 - this.startStep;
    const rate =
      this.recent.length > 1
        ? ((this.recent.length - 1) * 1000) / Math.max(now - this.recent[0]!, 1e-9)
        : done / Math.max((now - this.t0) / 1000, 1e-9);
    const eta = (this.total - step - 1) / Math.max(rate, 1e-9);
    const line = `step ${step + 1}/${this.total}  loss ${this.emaLoss?.toFixed(4) ?? 'nan'}  ${rate.toFixed(2)} it/s  ETA ${fmt(eta)}${extra ? '  ' + extra : ''}`;
    if (this.tty) {
      if (now - this.lastPrint < 200 && step + 1 < this.total) return;
      this.lastPrint = now;
      const width = 24,
        filled = Math.round((width * (step + 1)) / this.total);
      this.out.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${line}\x1b[K`);
      if (step + 1 === this.total) this.out.write('\n');
    } else if ((step + 1) % this.every === 0 || step + 1 === this.total) {
      this.out.write(line + '\n');
    }
  }

  /** A message on its own line (validation results, guard events). */
  note(msg: string): void {
    this.out.write(this.tty ? `\r\x1b[K${msg}\n` : msg + '\n');
  }
}

function fmt(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const h = Math.floor(s / 3600),
    m = Math.floor((s % 3600) / 60),
    sec = Math.floor(s % 60);
  return h ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(sec).padStart(2, '0')}s`;
}
