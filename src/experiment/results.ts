// The experiment's results: per camera and method, PSNR/SSIM on the camera's test pairs; as JSON and as
// a Markdown table shaped like the paper's Table 2 (rows: methods, columns: unknown cameras).
import type { StageLog } from './stages.js';
import type { DomainCheck } from './domain-check.js';

/** The fixed low-pass reference's σ (px): set in advance (docs/experiments.md §3a), never tuned. */
export const LOWPASS_SIGMA = 0.6;

/** The rows of Table 2, in its order, with the fixed low-pass reference before Blur2Blur. */
export const METHODS = ['dk', 'synthetic', 'cyclegan', 'lowpass', 'blur2blur', 'upper'] as const;
export type Method = (typeof METHODS)[number];

export const METHOD_LABELS: Record<Method, string> = {
  dk: 'D_K alone (known-domain deblurrer)',
  synthetic: 'synthetic blur (S + random linear motion)',
  cyclegan: 'CycleGAN (B ↔ S)',
  lowpass: `reference: D_K after a Gaussian σ ${LOWPASS_SIGMA} px in G's place (no training)`,
  blur2blur: 'Blur2Blur + D_K',
  upper: "upper bound: trained on the camera's own pairs (simulation only)",
};

export interface CameraResult {
  test: string;
  input: { psnr: number; ssim: number };
  scores: Partial<Record<Method, { psnr: number; ssim: number; images: number }>>;
  runs: Partial<Record<Method, string>>;
  /** The B:S ratio ablation (paper Table 3): D_K∘G with G trained on a subset of B. */
  ratios?: RatioResult[];
  /** The blur-domain classifier's verdicts (experiment/domain-check.ts), where Blur2Blur ran. */
  domain?: DomainCheck;
}

export interface RatioResult {
  ratio: number;
  /** Images of B used (S is whole). */
  bImages: number;
  sImages: number;
  psnr: number;
  ssim: number;
  run: string;
}

export interface Results {
  conventions: string;
  known: string;
  cameras: Record<string, CameraResult>;
  stages: StageLog[];
  runs: { dk: string; kw: string | null };
}

const cell = (s: { psnr: number; ssim: number } | undefined): string => (s ? `${s.psnr.toFixed(2)} / ${s.ssim.toFixed(3)}` : '–');

/** What Blur2Blur adds on one camera: the gain over D_K alone, and the room the upper bound shows. */
export interface CameraEffect {
  camera: string;
  /** Blur2Blur + D_K − D_K alone, PSNR dB. */
  gain: number;
  /** Upper bound − D_K alone, PSNR dB (NaN without an upper bound). */
  room: number;
  /** gain / room (NaN when the room is not positive). */
  closed: number;
  /** Blur2Blur + D_K − D_K alone, SSIM. */
  ssimGain: number;
  /** Blur2Blur + D_K − the better of the synthetic-blur and CycleGAN baselines, PSNR dB (NaN without either). */
  overBaselines: number;
  /** Blur2Blur + D_K − the fixed low-pass reference, PSNR dB (NaN without it). */
  overLowpass: number;
}

export interface EffectSummary {
  cameras: CameraEffect[];
  meanGain: number;
  meanRoom: number;
  /** The mean of the cameras' shares of their room closed (NaN if any camera has no positive room). */
  meanClosed: number;
  /** Mean gain over mean room: the share of the pooled gap closed. */
  pooledClosed: number;
}

const mean = (xs: number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

/**
 * The paper's effect in numbers (its Table 2 reports gain and gap): per camera that has both D_K alone
 * and Blur2Blur + D_K scored, the gain, the room up to the upper bound and the share of it closed.
 */
export function effectSummary(r: Results): EffectSummary {
  const cameras: CameraEffect[] = [];
  for (const [camera, c] of Object.entries(r.cameras)) {
    const { dk, blur2blur, upper, synthetic, cyclegan, lowpass } = c.scores;
    if (!dk || !blur2blur) continue;
    const gain = blur2blur.psnr - dk.psnr,
      room = upper ? upper.psnr - dk.psnr : NaN;
    const baselines = [synthetic, cyclegan].flatMap((b) => (b ? [b.psnr] : []));
    const overBaselines = baselines.length ? blur2blur.psnr - Math.max(...baselines) : NaN;
    const overLowpass = lowpass ? blur2blur.psnr - lowpass.psnr : NaN;
    cameras.push({
      camera,
      gain,
      room,
      closed: room > 0 ? gain / room : NaN,
      ssimGain: blur2blur.ssim - dk.ssim,
      overBaselines,
      overLowpass,
    });
  }
  const meanGain = mean(cameras.map((c) => c.gain)),
    meanRoom = mean(cameras.map((c) => c.room));
  return {
    cameras,
    meanGain,
    meanRoom,
    meanClosed: mean(cameras.map((c) => c.closed)),
    pooledClosed: meanRoom > 0 ? meanGain / meanRoom : NaN,
  };
}

const signed = (x: number, digits = 2): string => `${x >= 0 ? '+' : ''}${x.toFixed(digits)}`;
const pct = (x: number): string => (Number.isFinite(x) ? `${Math.round(100 * x)} %` : '–');
/** A signed dB figure, or '–' where it is undefined (NaN). */
const dB = (x: number): string => (Number.isFinite(x) ? signed(x) : '–');

/** The effect in one sentence (the report's summary), or '' when no camera has Blur2Blur scored. */
export function effectSentence(e: EffectSummary): string {
  if (e.cameras.length === 0) return '';
  const perCamera = e.cameras.map(
    (c) => `${c.camera} ${signed(c.gain)} dB${Number.isFinite(c.closed) ? ` (${pct(c.closed)} of the room to the upper bound)` : ''}`,
  );
  return `Blur2Blur + D_K against D_K alone: ${perCamera.join(', ')}; mean ${signed(e.meanGain)} dB${Number.isFinite(e.meanClosed) ? `, ${pct(e.meanClosed)} of the room on average` : ''}.`;
}

function effectLines(e: EffectSummary): string[] {
  if (e.cameras.length === 0) return [];
  const lines = [
    '',
    '| Blur2Blur + D_K against D_K alone | ' + e.cameras.map((c) => c.camera).join(' | ') + ' | mean |',
    `|---|${e.cameras.map(() => '---').join('|')}|---|`,
    `| gain (PSNR dB / SSIM) | ${e.cameras.map((c) => `${signed(c.gain)} / ${signed(c.ssimGain, 3)}`).join(' | ')} | ${signed(e.meanGain)} |`,
  ];
  if (e.cameras.some((c) => Number.isFinite(c.room))) {
    lines.push(
      `| room: upper bound − D_K alone (dB) | ${e.cameras.map((c) => dB(c.room)).join(' | ')} | ${dB(e.meanRoom)} |`,
      `| share of the room closed | ${e.cameras.map((c) => pct(c.closed)).join(' | ')} | ${pct(e.meanClosed)} (of the mean room: ${pct(e.pooledClosed)}) |`,
    );
  }
  if (e.cameras.some((c) => Number.isFinite(c.overBaselines))) {
    const margins = e.cameras.map((c) => c.overBaselines);
    // The mean is NaN, so '–', unless every camera has a margin.
    lines.push(`| margin over the better of synthetic blur and CycleGAN (dB) | ${margins.map(dB).join(' | ')} | ${dB(mean(margins))} |`);
  }
  if (e.cameras.some((c) => Number.isFinite(c.overLowpass))) {
    const margins = e.cameras.map((c) => c.overLowpass);
    lines.push(`| margin over the fixed low-pass reference (dB) | ${margins.map(dB).join(' | ')} | ${dB(mean(margins))} |`);
  }
  return lines;
}

/** The domain check in one sentence (the report's summary), or '' when no camera has one. */
export function domainSentence(r: Results): string {
  const cams = Object.entries(r.cameras).filter(([, c]) => c.domain);
  if (cams.length === 0) return '';
  const parts = cams.map(
    ([name, c]) =>
      `${name} ${pct(c.domain!.input.knownShare)} → ${pct(c.domain!.translated.knownShare)} (known blur ${pct(c.domain!.known.knownShare)})`,
  );
  return `Share of test images each camera's blur-domain classifier calls known-blur, as shot → after G: ${parts.join(', ')}.`;
}

/** The domain-check table: how often each camera's classifier calls y, G(y) and the known blur known-blur. */
function domainLines(r: Results): string[] {
  const cams = Object.keys(r.cameras).filter((c) => r.cameras[c]!.domain);
  if (cams.length === 0) return [];
  const d = (c: string): DomainCheck => r.cameras[c]!.domain!;
  const row = (label: string, f: (x: DomainCheck) => string): string => `| ${label} | ${cams.map((c) => f(d(c))).join(' | ')} |`;
  return [
    '',
    `| called known-blur by the camera's blur-domain classifier (B against K) | ${cams.join(' | ')} |`,
    `|---|${cams.map(() => '---').join('|')}|`,
    row("classifier's accuracy on held-out scenes of B and K", (x) => pct(x.accuracy ?? NaN)),
    row('y, the test blur as shot', (x) => pct(x.input.knownShare)),
    row('G(y), after the translator', (x) => pct(x.translated.knownShare)),
    row(`the known camera's test blur (${r.known})`, (x) => pct(x.known.knownShare)),
  ];
}

export function resultsMarkdown(r: Results): string {
  const cams = Object.keys(r.cameras);
  const lines = [
    `Known camera: ${r.known}. PSNR (dB) / SSIM on each unknown camera's test pairs (${cams.map((c) => `${c}: ${r.cameras[c]!.scores.dk?.images ?? '?'} images`).join(', ')}).`,
    '',
    `| method | ${cams.join(' | ')} |`,
    `|---|${cams.map(() => '---').join('|')}|`,
    `| blurry input | ${cams.map((c) => cell(r.cameras[c]!.input)).join(' | ')} |`,
    ...METHODS.filter((m) => cams.some((c) => r.cameras[c]!.scores[m])).map(
      (m) => `| ${METHOD_LABELS[m]} | ${cams.map((c) => cell(r.cameras[c]!.scores[m])).join(' | ')} |`,
    ),
  ];
  lines.push(...effectLines(effectSummary(r)), ...domainLines(r));
  for (const c of cams) {
    const rs = r.cameras[c]!.ratios;
    if (!rs?.length) continue;
    lines.push(
      '',
      `B:S ratio ablation, ${c} (Blur2Blur + D_K; S has ${rs[0]!.sImages} images):`,
      '',
      '| B:S | B images | PSNR / SSIM |',
      '|---|---|---|',
      ...rs.map((x) => `| ${x.ratio} | ${x.bImages} | ${cell(x)} |`),
    );
  }
  lines.push(
    '',
    r.conventions,
    '',
    'Stage wall times (min): ' +
      r.stages
        .filter((s) => s.status !== 'skipped')
        .map((s) => `${s.stage} ${(s.seconds / 60).toFixed(1)}`)
        .join('; '),
    '',
  );
  return lines.join('\n');
}
