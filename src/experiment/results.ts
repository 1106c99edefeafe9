// The experiment's results: per camera and method, PSNR/SSIM on the camera's test pairs; as JSON and as
// a Markdown table shaped like the paper's Table 2 (rows: methods, columns: unknown cameras).
import type { StageLog } from './stages.js';

/** The rows of Table 2, in its order. */
export const METHODS = ['dk', 'synthetic', 'cyclegan', 'blur2blur', 'upper'] as const;
export type Method = (typeof METHODS)[number];

export const METHOD_LABELS: Record<Method, string> = {
  dk: 'D_K alone (known-domain deblurrer)',
  synthetic: 'synthetic blur (S + random linear motion)',
  cyclegan: 'CycleGAN (B ↔ S)',
  blur2blur: 'Blur2Blur + D_K',
  upper: 'upper bound: trained on the camera\'s own pairs (simulation only)',
};

export interface CameraResult {
  test: string;
  input: { psnr: number; ssim: number };
  scores: Partial<Record<Method, { psnr: number; ssim: number; images: number }>>;
  runs: Partial<Record<Method, string>>;
  /** The B:S ratio ablation (paper Table 3): D_K∘G with G trained on a subset of B. */
  ratios?: RatioResult[];
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

export function resultsMarkdown(r: Results): string {
  const cams = Object.keys(r.cameras);
  const lines = [
    `Known camera: ${r.known}. PSNR (dB) / SSIM on each unknown camera's test pairs (${cams.map((c) => `${c}: ${r.cameras[c]!.scores.dk?.images ?? '?'} images`).join(', ')}).`,
    '',
    `| method | ${cams.join(' | ')} |`,
    `|---|${cams.map(() => '---').join('|')}|`,
    `| blurry input | ${cams.map((c) => cell(r.cameras[c]!.input)).join(' | ')} |`,
    ...METHODS.filter((m) => cams.some((c) => r.cameras[c]!.scores[m])).map((m) => `| ${METHOD_LABELS[m]} | ${cams.map((c) => cell(r.cameras[c]!.scores[m])).join(' | ')} |`),
  ];
  const gain = cams.map((c) => {
    const s = r.cameras[c]!.scores;
    return s.blur2blur && s.dk ? (s.blur2blur.psnr - s.dk.psnr) : NaN;
  });
  if (gain.some(Number.isFinite)) lines.push('', `Blur2Blur + D_K − D_K alone (dB): ${cams.map((c, i) => `${c} ${gain[i]! >= 0 ? '+' : ''}${gain[i]!.toFixed(2)}`).join(', ')}`);
  for (const c of cams) {
    const rs = r.cameras[c]!.ratios;
    if (!rs?.length) continue;
    lines.push('', `B:S ratio ablation, ${c} (Blur2Blur + D_K; S has ${rs[0]!.sImages} images):`, '', '| B:S | B images | PSNR / SSIM |', '|---|---|---|',
      ...rs.map((x) => `| ${x.ratio} | ${x.bImages} | ${cell(x)} |`));
  }
  lines.push('', r.conventions, '', 'Stage wall times (min): ' + r.stages.filter((s) => s.status !== 'skipped').map((s) => `${s.stage} ${(s.seconds / 60).toFixed(1)}`).join('; '), '');
  return lines.join('\n');
}
