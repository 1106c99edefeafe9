// The viewer as HTML: its controls, panels and score table, the manifest as JSON, and the script
// (client.ts) inline, so the page needs nothing but the images it refers to.
import { escapeXml } from '../svg-plot.js';
import { viewerMain } from './client.js';
import type { ViewManifest } from './manifest.js';

export const VIEWER_STYLE = `
#viewer [hidden] { display: none !important; }
#viewer .controls { display: flex; flex-wrap: wrap; gap: 6px 14px; align-items: center; margin: 8px 0; }
#viewer .controls .group { display: flex; gap: 4px; align-items: center; }
#viewer button { font: inherit; padding: 2px 8px; cursor: pointer; }
#panels { display: flex; flex-wrap: wrap; gap: 8px; }
#panels .panel { margin: 0; }
#panels figcaption { font-size: 12px; color: #444; max-width: var(--panel); overflow-wrap: anywhere; }
.vp { position: relative; width: var(--panel); height: var(--panel); overflow: hidden; background: #202020; cursor: grab;
  touch-action: none; user-select: none; }
.vp:active { cursor: grabbing; }
.vp img { position: absolute; left: 0; top: 0; transform-origin: 0 0; max-width: none; }
.vp .clip { position: absolute; inset: 0; }
.vp .handle { position: absolute; top: 0; bottom: 0; width: 3px; margin-left: -1px; background: #fff; box-shadow: 0 0 3px #000;
  cursor: ew-resize; }
.vp .handle::after { content: ''; position: absolute; top: 50%; left: -8px; width: 16px; height: 28px; margin-top: -14px;
  background: #fff; border-radius: 4px; box-shadow: 0 0 3px #000; }
.vp .tag { position: absolute; top: 4px; padding: 1px 5px; font-size: 12px; background: rgba(0,0,0,.6); color: #fff; pointer-events: none; }
.vp .tag.left { left: 4px; } .vp .tag.right { right: 4px; }
#scores-wrap { max-height: 420px; overflow: auto; margin-top: 10px; border: 1px solid #ddd; }
#scores { border-collapse: collapse; font-size: 13px; }
#scores th, #scores td { border: 1px solid #ddd; padding: 2px 8px; text-align: right; white-space: nowrap; }
#scores td:first-child, #scores th:first-child { text-align: left; }
#scores thead th { position: sticky; background: #f4f4f4; }
#scores thead tr:first-child th { top: 0; } #scores thead tr:nth-child(2) th { top: 22px; }
#scores th.sortable { cursor: pointer; } #scores th.asc::after { content: ' ▲'; } #scores th.desc::after { content: ' ▼'; }
#scores tbody tr { cursor: pointer; } #scores tbody tr:hover { background: #f0f6ff; }
#scores tr.current { background: #dbe9ff; } #scores td.best { font-weight: 700; }
#scores tfoot td { font-weight: 600; background: #f8f8f8; }`;

/** The viewer's controls, panels and table (filled in by the script). */
export function viewerSection(m: ViewManifest): string {
  return `<section id="viewer" style="--panel: 360px">
<div class="controls">
  <label class="group" hidden>set <select id="set"></select></label>
  <span class="group">image <button id="prev" title="previous (←)">◀</button><button id="next" title="next (→)">▶</button></span>
  <span class="group"><button id="best" title="the image where 'after' gains most over 'before'">best gain</button><button id="worst" title="the image where 'after' gains least (or loses most)">worst gain</button></span>
  <label class="group">before <select id="before"></select></label>
  <label class="group">after <select id="after"></select></label>
  <label class="group"><input type="checkbox" id="errors"> error map (e)</label>
  <span class="group">zoom <button data-zoom="fit">fit</button><button data-zoom="1">1:1</button><button data-zoom="2">2×</button><button data-zoom="4">4×</button><button data-zoom="8">8×</button> <span id="zoom"></span></span>
</div>
<div id="current"></div>
<div id="panels"></div>
<p><small>Wheel to zoom, drag to pan: every panel follows. Click a column head to sort, a row to view it. ${escapeXml(m.conventions)}</small></p>
<div id="scores-wrap"><table id="scores"></table></div>
</section>`;
}

/** The manifest as JSON (safe inside a script element) and the script that runs the viewer. */
export function viewerScript(m: ViewManifest): string {
  const json = JSON.stringify(m)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
  return `<script type="application/json" id="view-data">${json}</script>
<script>
"use strict";
(${viewerMain.toString()})(JSON.parse(document.getElementById('view-data').textContent));
</script>`;
}

/** A page holding only the viewer (b2b view). */
export function renderViewerPage(m: ViewManifest): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeXml(m.title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body { font: 14px/1.45 system-ui, sans-serif; margin: 16px; color: #222; } h1 { font-size: 20px; margin: 0 0 8px; }${VIEWER_STYLE}</style></head>
<body>
<h1>${escapeXml(m.title)}</h1>
${viewerSection(m)}
${viewerScript(m)}
</body></html>
`;
}
