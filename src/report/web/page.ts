// The deblurring page (b2b web): a photo in, the camera's deblurrer run by onnxruntime-web (WASM) in the
// browser, the result behind a before/after slider with a download link. No server code: the page,
// onnxruntime-web's files and the models lie in one folder for any static server.
import { ramp, tileStarts } from '../../infer/tiles.js';
import { escapeXml } from '../svg-plot.js';
import { webMain, type WebConfig } from './client.js';

/** onnxruntime-web's files the page needs (ESM build, WASM backend), from its package's dist/. */
export const ORT_FILES = ['ort.wasm.min.mjs', 'ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.wasm'] as const;

export function renderWebPage(cfg: WebConfig, title: string): string {
  const json = JSON.stringify(cfg).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeXml(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 16px; color: #222; }
h1 { font-size: 20px; margin: 0 0 8px; }
#drop { border: 2px dashed #999; border-radius: 6px; padding: 14px; margin: 8px 0; }
.row { display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: center; margin: 6px 0; }
#stage { position: relative; display: inline-block; width: min(100%, 640px); background: #202020; }
#stage canvas { display: block; width: 100%; height: auto; }
#before { position: absolute; left: 0; top: 0; }
#handle { position: absolute; top: 0; bottom: 0; width: 2px; margin-left: -1px; background: #fff; box-shadow: 0 0 3px #000; pointer-events: none; }
.split { white-space: nowrap; }
#stage .tag { position: absolute; top: 4px; padding: 1px 5px; font-size: 12px; background: rgba(0,0,0,.6); color: #fff; }
#split { width: 320px; vertical-align: middle; }
progress { width: 200px; }
</style></head>
<body data-state="loading">
<h1>${escapeXml(title)}</h1>
<div id="drop">Drop a photo here, or <input type="file" id="file" accept="image/*"></div>
<div class="row">
  <label>model <select id="model"></select></label>
  <button id="run" disabled>deblur</button>
  <progress id="progress" max="1" value="0"></progress> <span id="status">loading …</span>
  <a id="download" hidden>download the result (PNG)</a>
</div>
<div class="row"><label class="split">before ◀ <input type="range" id="split" min="0" max="100" value="50"> ▶ after</label></div>
<div id="stage"><canvas id="after"></canvas><canvas id="before"></canvas><div id="handle"></div>
<span class="tag" style="left:4px">before</span><span class="tag" style="right:4px">after</span></div>
<p><small>Runs on this computer in the browser (onnxruntime-web, WebAssembly); the photo is not sent anywhere. Large photos
are restored in ${cfg.tile}-pixel tiles overlapping by ${cfg.overlap} pixels, blended as <code>b2b deblur</code> blends them.</small></p>
<script type="module">
import * as ort from './ort/ort.wasm.min.mjs';
const tileStarts = ${tileStarts.toString()};
const ramp = ${ramp.toString()};
(${webMain.toString()})(ort, ${json}, tileStarts, ramp);
</script>
</body></html>
`;
}
