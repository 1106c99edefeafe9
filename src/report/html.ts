// The report: one HTML file with the results tables, plots as inline SVG and, for a run's test images,
// the viewer (viewer/page.ts: every image of every method, referred to relative to the page, so the
// folder opens from file:// or any static server). Without a viewer it is self-contained: crops inline
// as PNG data URIs, no scripts, so it can be mailed as it is.
import { escapeXml } from './svg-plot.js';
import { VIEWER_STYLE, viewerScript, viewerSection } from './viewer/page.js';
import type { ViewManifest } from './viewer/manifest.js';

export interface Score {
  psnr: number;
  ssim: number;
}

export interface ReportTable {
  caption: string;
  columns: string[];
  rows: { label: string; note?: string; cells: (Score | null)[] }[];
  /** Row labels whose scores are compared for the best in each column (default: all rows). */
  compare?: string[];
}

export interface Panel {
  label: string;
  png: Buffer;
}

export interface CropSet {
  caption: string;
  panels: Panel[];
}

export interface Section {
  title: string;
  text?: string;
  crops?: CropSet[];
  /** Inline SVG plots. */
  plots: string[];
}

export interface ReportData {
  title: string;
  summary: string;
  tables: ReportTable[];
  sections: Section[];
  commands: string[];
  configs: { name: string; json: unknown }[];
  generated: string;
  /** Every test image of every method, in the viewer (after the tables). */
  viewer?: ViewManifest;
  /** The viewer section's heading. */
  viewerTitle?: string;
}

const esc = escapeXml;

function table(t: ReportTable): string {
  const compared = new Set(t.compare ?? t.rows.map((r) => r.label));
  const bestOf = (k: 'psnr' | 'ssim'): number[] =>
    t.columns.map((_, j) => Math.max(...t.rows.filter((r) => compared.has(r.label)).map((r) => r.cells[j]?.[k] ?? -Infinity)));
  const best = { psnr: bestOf('psnr'), ssim: bestOf('ssim') };
  const cell = (label: string, v: number, k: 'psnr' | 'ssim', j: number): string =>
    `<td class="${compared.has(label) && v === best[k][j] ? 'best' : ''}">${v.toFixed(k === 'psnr' ? 2 : 3)}</td>`;
  const head =
    `<tr><th>method</th>${t.columns.map((c) => `<th colspan="2">${esc(c)}</th>`).join('')}</tr>` +
    `<tr><th></th>${t.columns.map(() => '<th>PSNR</th><th>SSIM</th>').join('')}</tr>`;
  const body = t.rows
    .map(
      (r) =>
        `<tr><td>${esc(r.label)}${r.note ? `<br><small>${esc(r.note)}</small>` : ''}</td>${r.cells
          .map((c, j) => (c ? cell(r.label, c.psnr, 'psnr', j) + cell(r.label, c.ssim, 'ssim', j) : '<td>–</td><td>–</td>'))
          .join('')}</tr>`,
    )
    .join('\n');
  return `<table class="results"><caption>${esc(t.caption)}</caption><thead>${head}</thead><tbody>${body}</tbody></table>`;
}

function crops(c: CropSet): string {
  const panels = c.panels
    .map(
      (p) =>
        `<figure><img tabindex="0" alt="${esc(p.label)}" src="data:image/png;base64,${p.png.toString('base64')}"><figcaption>${esc(p.label)}</figcaption></figure>`,
    )
    .join('');
  return `<div class="crops"><div class="caption">${esc(c.caption)}</div><div class="row">${panels}</div></div>`;
}

const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 1280px; padding: 0 16px; color: #222; }
h1 { font-size: 22px; } h2 { font-size: 18px; margin-top: 32px; border-bottom: 1px solid #ddd; }
table.results { border-collapse: collapse; margin: 12px 0; }
table.results th, table.results td { border: 1px solid #ccc; padding: 4px 8px; text-align: right; }
table.results td:first-child, table.results th:first-child { text-align: left; }
table.results caption { caption-side: top; text-align: left; font-weight: 600; padding-bottom: 6px; }
table.results td.best { font-weight: 700; background: #e8f4e8; }
.crops { margin: 12px 0; } .crops .caption { font-weight: 600; margin-bottom: 4px; }
.crops .row { display: flex; gap: 6px; flex-wrap: wrap; }
.crops figure { margin: 0; text-align: center; }
.crops figure img { width: 200px; height: auto; image-rendering: pixelated; cursor: zoom-in; transition: transform .15s; position: relative; }
.crops figure img:focus { transform: scale(2.6); transform-origin: top left; z-index: 10; outline: 2px solid #1f77b4; cursor: zoom-out; }
.crops figcaption { font-size: 12px; color: #555; }
.plots { display: flex; flex-wrap: wrap; gap: 12px; }
pre { background: #f6f6f6; padding: 8px; overflow-x: auto; font-size: 12px; }
small { color: #666; }`;

export function renderReport(d: ReportData): string {
  const sections = d.sections
    .map(
      (s) =>
        `<section><h2>${esc(s.title)}</h2>${s.text ? `<p>${esc(s.text)}</p>` : ''}` +
        `${(s.crops ?? []).map(crops).join('\n')}<div class="plots">${s.plots.join('\n')}</div></section>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(d.title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>${STYLE}${d.viewer ? VIEWER_STYLE : ''}</style></head>
<body>
<h1>${esc(d.title)}</h1>
<p>${esc(d.summary)}</p>
${d.tables.map(table).join('\n')}
<p><small>${d.sections.some((s) => s.crops?.length) ? 'Click an image to zoom (click elsewhere to release). ' : ''}Generated ${esc(d.generated)}.</small></p>
${d.viewer ? `<h2>${esc(d.viewerTitle ?? 'Every image')}</h2>\n${viewerSection(d.viewer)}` : ''}
${sections}
<section><h2>Commands</h2><pre>${esc(d.commands.join('\n'))}</pre></section>
<section><h2>Configurations</h2>${d.configs.map((c) => `<details><summary>${esc(c.name)}</summary><pre>${esc(JSON.stringify(c.json, null, 2))}</pre></details>`).join('\n')}</section>
${d.viewer ? viewerScript(d.viewer) : ''}
</body></html>
`;
}
