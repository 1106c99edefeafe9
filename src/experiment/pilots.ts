// Choosing the deblurrer's size by measurement: short pilot runs of several NAFNet sizes and crops,
// their validation PSNR against the training FLOPs spent, and each curve extrapolated to a fixed
// CPU budget. The fit is PSNR = a + b·log10(FLOPs) over the second half of a pilot's validations
// (short runs are still in their log-linear phase; it ignores saturation, so it is an upper estimate).
import { readFileSync } from 'node:fs';
import { NAFNET_PRESETS, nafnetFlops, type NAFNetPreset } from '../models/nafnet.js';
import { RunDir } from '../train/run.js';
import { linePlot, type Series } from '../report/svg-plot.js';

const PRESET_OF: Record<string, NAFNetPreset> = {
  'nafnet-small': 'small',
  'nafnet-small24': 'small24',
  'nafnet-small32': 'small32',
  'nafnet-gopro-width32': 'gopro-width32',
  'nafnet-gopro-width64': 'gopro-width64',
};

export interface PilotCurve {
  run: string;
  arch: string;
  crop: number;
  batch: number;
  /** FLOPs of one training step (3 × forward, convolutions). */
  flopsPerStep: number;
  /** Wall seconds per step measured from the run's log (validations included). */
  secondsPerStep: number;
  /** [training FLOPs, validation PSNR] at every validation. */
  points: [number, number][];
  fit: { a: number; b: number } | undefined;
}

export function readPilot(run: string): PilotCurve {
  const dir = RunDir.open(run);
  const c = dir.config<{ arch: string; crop: number; batch: number }>();
  const preset = PRESET_OF[c.arch];
  if (!preset) throw new Error(`${run}: pilots compare NAFNet runs, this is a ${c.arch} run`);
  const flopsPerStep = 3 * c.batch * nafnetFlops(NAFNET_PRESETS[preset], c.crop, c.crop);
  const m = dir.metrics();
  const points: [number, number][] = [];
  const times: [number, number][] = [];
  for (const e of m) {
    if (typeof e.step !== 'number') continue;
    const v = (e.validation as { psnr?: number } | undefined)?.psnr;
    if (typeof v === 'number') points.push([e.step * flopsPerStep, v]);
    if (typeof e.time === 'string' && typeof e.loss === 'number') times.push([e.step, Date.parse(e.time)]);
  }
  if (points.length === 0) throw new Error(`${run}: no validation in metrics.jsonl yet`);
  const first = times[0],
    last = times[times.length - 1];
  const secondsPerStep = first && last && last[0] > first[0] ? (last[1] - first[1]) / 1000 / (last[0] - first[0]) : NaN;
  return {
    run,
    arch: c.arch,
    crop: c.crop,
    batch: c.batch,
    flopsPerStep,
    secondsPerStep,
    points,
    fit: fitLogLinear(points.slice(Math.floor(points.length / 2))),
  };
}

/** Least squares y = a + b·log10(x); undefined with fewer than two points. */
export function fitLogLinear(points: readonly [number, number][]): { a: number; b: number } | undefined {
  if (points.length < 2) return undefined;
  const xs = points.map(([x]) => Math.log10(x)),
    ys = points.map(([, y]) => y);
  const mx = xs.reduce((s, v) => s + v, 0) / xs.length,
    my = ys.reduce((s, v) => s + v, 0) / ys.length;
  const sxx = xs.reduce((s, v) => s + (v - mx) ** 2, 0);
  if (sxx === 0) return undefined;
  const b = xs.reduce((s, v, i) => s + (v - mx) * (ys[i]! - my), 0) / sxx;
  return { a: my - b * mx, b };
}

export interface PilotSummary {
  curve: PilotCurve;
  /** Training FLOP rate used for the budget (GFLOP/s): given, or the run's own. */
  gflops: number;
  budgetFlops: number;
  last: number;
  /** Extrapolated validation PSNR at the budget. */
  atBudget: number | undefined;
}

/** Every pilot at a budget of `hours` on one thread, at its measured (or given) FLOP rate. */
export function summarisePilots(runs: readonly string[], hours: number, rates: Record<string, number> = {}): PilotSummary[] {
  return runs.map((run) => {
    const curve = readPilot(run);
    const gflops = rates[curve.arch] ?? curve.flopsPerStep / 1e9 / curve.secondsPerStep;
    const budgetFlops = hours * 3600 * gflops * 1e9;
    const last = curve.points[curve.points.length - 1]![1];
    return { curve, gflops, budgetFlops, last, atBudget: curve.fit ? curve.fit.a + curve.fit.b * Math.log10(budgetFlops) : undefined };
  });
}

/** GFLOP/s per architecture from `npm run bench:train`'s last line ({"steps": {"deblur:ARCH": {"gflops": …}}}). */
export function readRates(file: string): Record<string, number> {
  const text = readFileSync(file, 'utf8').trim().split('\n').pop() ?? '';
  let j: { steps?: Record<string, { gflops?: number }> };
  try {
    j = JSON.parse(text) as typeof j;
  } catch {
    throw new Error(`${file}: expected bench:train's JSON line as the last line`);
  }
  return Object.fromEntries(
    Object.entries(j.steps ?? {})
      .filter(([k, v]) => k.startsWith('deblur:') && typeof v.gflops === 'number')
      .map(([k, v]) => [k.slice(7), v.gflops!]),
  );
}

const label = (c: PilotCurve): string => `${c.arch.replace('nafnet-', '')} crop ${c.crop} ×${c.batch}`;

/** The plot: validation PSNR against log10 of training FLOPs, with each fit drawn to its budget. */
export function pilotPlot(s: readonly PilotSummary[], hours: number): string {
  const series: Series[] = s.flatMap(({ curve, budgetFlops }, k) => {
    const measured: Series = {
      name: label(curve),
      points: curve.points.map(([x, y]) => [Math.log10(x), y] as [number, number]),
      colourOf: k,
    };
    if (!curve.fit) return [measured];
    const x0 = Math.log10(curve.points[Math.floor(curve.points.length / 2)]![0]),
      x1 = Math.log10(budgetFlops);
    const line = [x0, x1].map((x) => [x, curve.fit!.a + curve.fit!.b * x] as [number, number]);
    return [measured, { name: `${label(curve)}: fit to ${hours} h (dashed)`, points: line, colourOf: k, dashed: true }];
  });
  return linePlot(series, {
    title: `validation PSNR (dB) against training FLOPs (log10); fits to ${hours} CPU-hours`,
    xLabel: 'log10 FLOPs',
    width: 640,
    height: 360,
  });
}

export function pilotTable(s: readonly PilotSummary[], hours: number): string {
  const rows = s.map(
    ({ curve: c, gflops, budgetFlops, last, atBudget }) =>
      `| ${c.arch} | ${c.crop} | ${c.batch} | ${(c.flopsPerStep / 1e9).toFixed(1)} | ${gflops.toFixed(1)} | ${c.points.length ? (c.points[c.points.length - 1]![0] / c.flopsPerStep).toFixed(0) : 0} | ${(c.points[c.points.length - 1]![0] / 1e15).toFixed(2)} | ${last.toFixed(3)} | ${(budgetFlops / 1e15).toFixed(1)} | ${atBudget === undefined ? '–' : atBudget.toFixed(2)} |`,
  );
  return [
    `| arch | crop | batch | GFLOP/step | GFLOP/s | steps | PFLOP spent | last val PSNR | PFLOP in ${hours} h | val PSNR at ${hours} h (fit) |`,
    '|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}
