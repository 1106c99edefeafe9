// report.html for an experiment: the results table, the viewer over every test image of every camera
// and method (blurry input, each method's restoration, ground truth), the training curves, and the
// configs behind them.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Device } from '../tensor/index.js';
import { readLayout, allPairs } from '../data/datasets/layouts.js';
import { renderReport, type ReportTable, type Section } from '../report/html.js';
import { buildManifest, type SetSource } from '../report/viewer/build.js';
import { deblurPlots, translatorPlots } from '../report/curves.js';
import { runConfig } from './stages.js';
import { METHODS, METHOD_LABELS, domainSentence, effectSentence, effectSummary, type Results } from './results.js';
import { ensureRestorations, readScores, restoredDir } from './evaluate-camera.js';

/** Short names for the viewer's columns. */
const SHORT: Record<(typeof METHODS)[number], string> = {
  dk: 'D_K alone',
  synthetic: 'synthetic blur',
  cyclegan: 'CycleGAN',
  lowpass: 'low-pass + D_K',
  blur2blur: 'Blur2Blur + D_K',
  upper: 'upper bound',
};

/**
 * The viewer's sets for an experiment in `out`, one per camera: its test set's blurry folder, each
 * method's restorations (written first where missing), the sharp folder.
 */
export async function viewerSetsOf(out: string, r: Results, device: Device, say: (l: string) => void): Promise<SetSource[]> {
  const sets: SetSource[] = [];
  for (const [name, cam] of Object.entries(r.cameras)) {
    const pairs = allPairs(readLayout(cam.test));
    const restored = restoredDir(out, name);
    const methods = await ensureRestorations(cam, r.runs.dk, restored, device, say);
    sets.push({
      name,
      columns: [
        { dir: dirname(pairs[0]!.blurry), role: 'input', label: 'blurry input', id: 'input' },
        ...methods.map((m) => ({
          dir: join(restored, m),
          role: 'method' as const,
          label: SHORT[m],
          id: m,
          scores: readScores(join(restored, m)),
        })),
        { dir: dirname(pairs[0]!.sharp), role: 'gt', label: 'ground truth', id: 'gt' },
      ],
    });
  }
  return sets;
}

export async function buildReport(out: string, r: Results, o: { say: (l: string) => void; device?: Device }): Promise<string> {
  const cams = Object.keys(r.cameras);
  const table: ReportTable = {
    caption: `PSNR (dB) / SSIM on each unknown camera's test pairs; known camera ${r.known}`,
    columns: cams,
    rows: [
      { label: 'blurry input', cells: cams.map((c) => r.cameras[c]!.input) },
      ...METHODS.filter((m) => cams.some((c) => r.cameras[c]!.scores[m])).map((m) => ({
        label: METHOD_LABELS[m],
        cells: cams.map((c) => r.cameras[c]!.scores[m] ?? null),
      })),
    ],
    compare: METHODS.filter((m) => m !== 'upper').map((m) => METHOD_LABELS[m]),
  };
  const sections: Section[] = [];
  for (const c of cams) {
    const cr = r.cameras[c]!;
    const plots = [...(cr.runs.blur2blur ? translatorPlots(cr.runs.blur2blur) : [])];
    if (plots.length) sections.push({ title: `Translator training: ${c}`, plots });
  }
  sections.push({ title: `Known-domain deblurrer D_K (${r.known})`, plots: deblurPlots(r.runs.dk, 'D_K') });
  const configs = [
    { name: 'D_K', json: runConfig(r.runs.dk) },
    ...(r.runs.kw ? [{ name: 'KernelWizard', json: runConfig(r.runs.kw) }] : []),
    ...cams.flatMap((c) =>
      Object.entries(r.cameras[c]!.runs)
        .filter(([m]) => m !== 'dk' && m !== 'lowpass')
        .map(([m, run]) => ({ name: `${c}: ${m}`, json: runConfig(run!) })),
    ),
  ];
  const file = join(out, 'report.html');
  const viewer = await buildManifest('test images', await viewerSetsOf(out, r, o.device ?? 'cpu', o.say), {
    page: file,
    assets: join(out, 'error-maps'),
  });
  const effect = [effectSentence(effectSummary(r)), domainSentence(r)].filter(Boolean).join(' ');
  const html = renderReport({
    title: 'blur2blur: Blur2Blur on unknown cameras',
    summary: `Each unknown camera's blurry images are translated into the known ${r.known} blur by its translator G, then deblurred by D_K.${effect ? ` ${effect}` : ''} ${r.conventions}.`,
    tables: [table],
    sections,
    commands: r.stages.map((s) => `${s.stage}: ${s.status}${s.seconds ? `, ${(s.seconds / 60).toFixed(1)} min` : ''}`),
    configs,
    generated: new Date().toISOString(),
    viewer,
    viewerTitle: 'Every test image: blurry input, each method, ground truth',
  });
  writeFileSync(file, html);
  o.say(`report: ${file}`);
  return file;
}
