// Training curves for the report, read from run folders' metrics.jsonl.
import { RunDir } from '../train/run.js';
import { linePlot, type Series } from './svg-plot.js';

/**
 * Series of numeric fields logged per step (top-level, or inside `validation` with `validation.` prefixed),
 * each given as [field, the name the legend shows].
 */
export function seriesOf(metrics: Record<string, unknown>[], keys: readonly (readonly [string, string])[]): Series[] {
  return keys
    .map(([key, name]) => {
      const [outer, inner] = key.startsWith('validation.') ? ['validation', key.slice(11)] : [null, key];
      const points: [number, number][] = [];
      for (const m of metrics) {
        const src = outer ? (m[outer] as Record<string, unknown> | undefined) : m;
        const v = src?.[inner];
        if (typeof m.step === 'number' && typeof v === 'number') points.push([m.step, v]);
      }
      return { name, points };
    })
    .filter((s) => s.points.length > 0);
}

/** The plots of a translator run: losses, D's accuracy, and validation PSNRs. */
export function translatorPlots(run: string): string[] {
  const m = RunDir.open(run).metrics();
  return [
    linePlot(
      seriesOf(m, [
        ['d_loss', 'discriminator'],
        ['g_adv', 'generator (adversarial)'],
        ['rec', 'generator (perceptual)'],
      ]),
      { title: 'translator losses', xLabel: 'training step', yLabel: 'loss' },
    ),
    linePlot(
      seriesOf(m, [
        ['d_acc_real', 'on known blur K'],
        ['d_acc_fake', 'on translated G(B)'],
        ['d_acc', 'overall'],
      ]),
      { title: 'discriminator accuracy', xLabel: 'training step', yLabel: 'accuracy' },
    ),
    linePlot(
      seriesOf(m, [
        ['validation.psnr', 'Blur2Blur: D_K(G(y))'],
        ['validation.dk_alone_psnr', 'D_K alone: D_K(y)'],
        ['validation.input_psnr', 'blurry input y'],
      ]),
      { title: 'validation PSNR', xLabel: 'training step', yLabel: 'PSNR (dB)' },
    ),
  ];
}

/** The plots of a deblurrer run: training loss and validation PSNR. */
export function deblurPlots(run: string, title: string): string[] {
  const m = RunDir.open(run).metrics();
  return [
    linePlot(seriesOf(m, [['loss', 'training loss']]), { title: `${title}: training loss`, xLabel: 'training step', yLabel: 'loss' }),
    linePlot(
      seriesOf(m, [
        ['validation.psnr', 'deblurred'],
        ['validation.input_psnr', 'blurry input'],
      ]),
      { title: `${title}: validation PSNR`, xLabel: 'training step', yLabel: 'PSNR (dB)' },
    ),
  ];
}
