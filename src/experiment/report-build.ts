// report.html for an experiment: the results table, per camera side-by-side crops of test images
// (blurry | G(y) | D_K(y) | D_K(G(y)) | ground truth) and training curves, and the configs behind them.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { noGrad, scope, type Device, type Tensor } from '../tensor/index.js';
import { encodePng, readImage } from '../data/image.js';
import { readLayout, allPairs } from '../data/datasets/layouts.js';
import { loadDeblurrer, loadTranslator } from '../infer/load.js';
import { restoreImage, translateImage } from '../infer/restore.js';
import { renderReport, type CropSet, type ReportTable, type Section } from '../report/html.js';
import { deblurPlots, translatorPlots } from '../report/curves.js';
import { runConfig } from './stages.js';
import { METHODS, METHOD_LABELS, effectSentence, effectSummary, type Results } from './results.js';

/** A centre crop of side `size` of [3, H, W]. */
function centre(t: Tensor, size: number): Tensor {
  const [, h, w] = t.shape as [number, number, number];
  const s = Math.min(size, h, w),
    y = (h - s) >> 1,
    x = (w - s) >> 1;
  return noGrad(() =>
    scope(() =>
      t
        .slice(1, y, y + s)
        .slice(2, x, x + s)
        .contiguous(),
    ),
  );
}

async function cameraCrops(test: string, dkRun: string, gRun: string | undefined, n: number, device: Device): Promise<CropSet[]> {
  const pairs = allPairs(readLayout(test));
  const picks = Array.from({ length: Math.min(n, pairs.length) }, (_, i) => pairs[Math.floor((i * pairs.length) / n)]!);
  const d = loadDeblurrer(dkRun, undefined, undefined, device),
    g = gRun ? loadTranslator(gRun, undefined, device) : null;
  const sets: CropSet[] = [];
  try {
    for (const p of picks) {
      const y = (await readImage(p.blurry)).tensor,
        x = (await readImage(p.sharp)).tensor;
      const panels: [string, Tensor][] = [['blurry input y', y]];
      if (g) panels.push(['G(y): translated blur', translateImage(g, y)]);
      panels.push(['D_K(y)', restoreImage({ deblurrer: d, translator: null }, y)]);
      if (g) panels.push(['D_K(G(y)): Blur2Blur', restoreImage({ deblurrer: d, translator: g }, y)]);
      panels.push(['ground truth', x]);
      const set: CropSet = { caption: p.blurry.split('/').pop()!, panels: [] };
      for (const [label, t] of panels) {
        const c = centre(t, 160);
        set.panels.push({ label, png: await encodePng(c) });
        c.dispose();
      }
      for (const [, t] of panels) t.dispose();
      sets.push(set);
    }
  } finally {
    d.dispose();
    g?.dispose();
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
    sections.push({
      title: `Unknown camera: ${c}`,
      crops: await cameraCrops(cr.test, r.runs.dk, cr.runs.blur2blur, 3, o.device ?? 'cpu'),
      plots,
    });
  }
  sections.push({ title: `Known-domain deblurrer D_K (${r.known})`, crops: [], plots: deblurPlots(r.runs.dk, 'D_K') });
  const configs = [
    { name: 'D_K', json: runConfig(r.runs.dk) },
    ...(r.runs.kw ? [{ name: 'KernelWizard', json: runConfig(r.runs.kw) }] : []),
    ...cams.flatMap((c) =>
      Object.entries(r.cameras[c]!.runs)
        .filter(([m]) => m !== 'dk')
        .map(([m, run]) => ({ name: `${c}: ${m}`, json: runConfig(run!) })),
    ),
  ];
  const effect = effectSentence(effectSummary(r));
  const html = renderReport({
    title: 'blur2blur: Blur2Blur on unknown cameras',
    summary: `Each unknown camera's blurry images are translated into the known ${r.known} blur by its translator G, then deblurred by D_K.${effect ? ` ${effect}` : ''} ${r.conventions}.`,
    tables: [table],
    sections,
    commands: r.stages.map((s) => `${s.stage}: ${s.status}${s.seconds ? `, ${(s.seconds / 60).toFixed(1)} min` : ''}`),
    configs,
    generated: new Date().toISOString(),
  });
  const file = join(out, 'report.html');
  writeFileSync(file, html);
  o.say(`report: ${file}`);
  return file;
}
