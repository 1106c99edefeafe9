// Line plots as inline SVG (training curves in the report): no scripts, no external files.

export interface Series {
  name: string;
  points: [number, number][];
  /** Draw in the colour of the series at this index (default: its own index), e.g. a fit beside its data. */
  colourOf?: number;
  dashed?: boolean;
}

export interface PlotOptions {
  title: string;
  xLabel?: string;
  yLabel?: string;
  width?: number;
  height?: number;
}

const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b'];

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Round, readable tick values covering [lo, hi]. */
export function ticks(lo: number, hi: number, n = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / (n + 1),
    mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(+v.toPrecision(12));
  return out;
}

/** A tick label as people write it: 1500, 12k, 2.5M, 0.004 (never exponent notation). */
export function tickLabel(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e6) return `${+(v / 1e6).toPrecision(3)}M`;
  if (a >= 1e4) return `${+(v / 1e3).toPrecision(3)}k`;
  // JavaScript writes numbers from 1e-6 up without an exponent.
  if (a === 0 || a >= 1e-6) return String(+v.toPrecision(4));
  return v.toFixed(Math.min(20, 3 - Math.floor(Math.log10(a)))).replace(/0+$/, '');
}

/** Width in pixels of `s` at 11-pixel sans-serif (an estimate: the SVG is laid out without measuring). */
const textWidth = (s: string): number => s.length * 6.3;

/** An SVG line plot of one or more series (points need not be sorted; non-finite ones are dropped). */
export function linePlot(series: readonly Series[], o: PlotOptions): string {
  const W = o.width ?? 420,
    R = 14,
    T = 28;
  const pts = series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  if (pts.length === 0)
    return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${o.height ?? 220}" role="img"><text x="10" y="20">${escapeXml(o.title)}: no data</text></svg>`;
  let [x0, x1] = [Math.min(...pts.map((p) => p[0])), Math.max(...pts.map((p) => p[0]))];
  let [y0, y1] = [Math.min(...pts.map((p) => p[1])), Math.max(...pts.map((p) => p[1]))];
  if (x1 === x0) x1 = x0 + 1;
  if (y1 === y0) {
    y0 -= 0.5;
    y1 += 0.5;
  }
  const pad = (y1 - y0) * 0.05;
  y0 -= pad;
  y1 += pad;
  const yTicks = ticks(y0, y1),
    xTicks = ticks(x0, x1);
  // The left margin fits the longest y label (and the axis title); the legend sits under the plot, in
  // rows, so it never covers a curve.
  const L = Math.ceil(Math.max(...yTicks.map((t) => textWidth(tickLabel(t))))) + 10 + (o.yLabel ? 16 : 0);
  const legend: { x: number; row: number }[] = [];
  let lx = L,
    row = 0;
  for (const s of series) {
    const w = 26 + textWidth(s.name) + 14;
    if (lx + w > W - R && lx > L) [lx, row] = [L, row + 1];
    legend.push({ x: lx, row });
    lx += w;
  }
  const plotH = o.height ?? 220,
    axisB = 34,
    legendH = series.length ? (row + 1) * 16 + 4 : 0,
    H = T + plotH + axisB + legendH,
    B = axisB + legendH;
  const sx = (x: number): number => L + ((x - x0) / (x1 - x0)) * (W - L - R);
  const sy = (y: number): number => H - B - ((y - y0) / (y1 - y0)) * (H - T - B);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeXml(o.title)}" font-family="sans-serif" font-size="11">`,
    `<text x="${W / 2}" y="16" text-anchor="middle" font-size="13">${escapeXml(o.title)}</text>`,
    `<rect x="${L}" y="${T}" width="${W - L - R}" height="${H - T - B}" fill="none" stroke="#999"/>`,
  ];
  for (const t of yTicks)
    parts.push(
      `<line x1="${L}" x2="${W - R}" y1="${sy(t).toFixed(1)}" y2="${sy(t).toFixed(1)}" stroke="#eee"/><text x="${L - 4}" y="${(sy(t) + 4).toFixed(1)}" text-anchor="end">${tickLabel(t)}</text>`,
    );
  for (const t of xTicks) parts.push(`<text x="${sx(t).toFixed(1)}" y="${H - B + 14}" text-anchor="middle">${tickLabel(t)}</text>`);
  if (o.xLabel) parts.push(`<text x="${(L + W - R) / 2}" y="${H - B + 29}" text-anchor="middle">${escapeXml(o.xLabel)}</text>`);
  if (o.yLabel)
    parts.push(
      `<text x="12" y="${(T + H - B) / 2}" text-anchor="middle" transform="rotate(-90 12 ${(T + H - B) / 2})">${escapeXml(o.yLabel)}</text>`,
    );
  series.forEach((s, i) => {
    const p = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)).sort((a, b) => a[0] - b[0]);
    const c = COLOURS[(s.colourOf ?? i) % COLOURS.length]!;
    if (p.length > 0)
      parts.push(
        `<polyline fill="none" stroke="${c}" stroke-width="1.5"${s.dashed ? ' stroke-dasharray="5 3"' : ''} points="${p.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ')}"/>`,
      );
    if (p.length === 1) parts.push(`<circle cx="${sx(p[0]![0]).toFixed(1)}" cy="${sy(p[0]![1]).toFixed(1)}" r="2.5" fill="${c}"/>`);
    const { x, row: r } = legend[i]!,
      ly = H - legendH + 12 + 16 * r;
    parts.push(
      `<line x1="${x}" x2="${x + 20}" y1="${ly - 4}" y2="${ly - 4}" stroke="${c}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 3"' : ''}/>` +
        `<text x="${x + 26}" y="${ly}">${escapeXml(s.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('');
}
