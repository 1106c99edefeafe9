// Training curves for the report, read from run folders' metrics.jsonl.
import { RunDir } from '../train/run.js';
import { linePlot, type Series } from './svg-plot.js';

/** Series of numeric fields logged per step (top-level, or inside `validation` with `validation.` prefixed). */
export function seriesOf(metrics: Record<string, unknown>[], keys: readonly string[]): Series[] {
  return keys
    .map((key) => {
      const [outer, inner] = key.startsWith('validation.') ? ['validation', key.slice(11)] : [null, key];
      const points: [number, number][] = [];
      for (const m of metrics) {
        const src = outer ? (m[outer] as Record<string, unknown> | undefined) : m;
        const v = src?.[inner];
        if (typeof m.step === 'number' && typeof v === 'number') points.push([m.step, v]);
      }
      return { name: key.replace(/^validation\./, 'val '), points };
    })
    .filter((s) => s.points.length > 0);
}

/** The plots of a translator run: losses, D's accuracy, and validation PSNRs. */
export function translatorPlots(run: string): string[] {
  const m = RunDir.open(run).metrics();
  return [
    linePlot(seriesOf(m, ['d_loss', 'g_adv', 'rec']), { title: 'translator losses', xLabel: 'step' }),
    linePlot(seriesOf(m, ['d_acc_real', 'd_acc_fake', 'd_acc']), { title: 'discriminator accuracy (real K / G(B))', xLabel: 'step' }),
    linePlot(seriesOf(m, ['validation.psnr', 'validation.dk_alone_psnr', 'validation.input_psnr']), {
      title: 'validation PSNR (dB): D_K(G(y)), D_K(y), y',
      xLabel: 'step',
    }),
  ];
}

/** The plots of a deblurrer run: training loss and validation PSNR. */
export function deblurPlots(run: string, title: string): string[] {
  const m = RunDir.open(run).metrics();
  return [
    linePlot(seriesOf(m, ['loss']), { title: `${title}: training loss`, xLabel: 'step' }),
    linePlot(seriesOf(m, ['validation.psnr', 'validation.input_psnr']), { title: `${title}: validation PSNR (dB)`, xLabel: 'step' }),
  ];
}
