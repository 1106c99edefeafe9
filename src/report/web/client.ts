// The deblurring page's script, run in the browser. It is written into the page as the source of
// `webMain` (page.ts) and must not refer to anything outside its own body: onnxruntime-web, the model
// list and the tiling functions of b2b deblur (src/infer/tiles.ts, passed in as they are) come as
// arguments, so the page cuts and blends tiles exactly as the command line does.
import type * as Ort from 'onnxruntime-web';

export interface WebModel {
  name: string;
  /** Path of the .onnx file, relative to the page. */
  file: string;
  /** What it computes (the file's metadata). */
  computes: string;
  bytes: number;
}

export interface WebConfig {
  models: WebModel[];
  tile: number;
  overlap: number;
}

type Starts = (size: number, tile: number, overlap: number) => number[];
type Ramp = (len: number, overlap: number, atStart: boolean, atEnd: boolean) => number[];

export function webMain(ort: typeof Ort, cfg: WebConfig, tileStarts: Starts, ramp: Ramp): void {
  const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
  const modelSel = $<HTMLSelectElement>('model'),
    fileIn = $<HTMLInputElement>('file'),
    drop = $('drop'),
    runBtn = $<HTMLButtonElement>('run'),
    bar = $<HTMLProgressElement>('progress'),
    status = $('status'),
    before = $<HTMLCanvasElement>('before'),
    after = $<HTMLCanvasElement>('after'),
    split = $<HTMLInputElement>('split'),
    download = $<HTMLAnchorElement>('download');
  ort.env.wasm.wasmPaths = new URL('./ort/', location.href).href;
  // Threads need a cross-origin-isolated page (COOP/COEP headers); a plain static server gives one thread.
  ort.env.wasm.numThreads = self.crossOriginIsolated ? Math.min(4, navigator.hardwareConcurrency || 1) : 1;

  for (const m of cfg.models) {
    const o = document.createElement('option');
    o.value = m.file;
    o.textContent = `${m.name} (${(m.bytes / 2 ** 20).toFixed(1)} MiB)`;
    o.title = m.computes;
    modelSel.append(o);
  }
  let image: ImageData | null = null,
    stem = 'image';
  let session: Ort.InferenceSession | null = null,
    sessionFile = '';
  const say = (s: string, state = 'busy'): void => {
    status.textContent = s;
    document.body.dataset.state = state;
  };

  async function load(f: File): Promise<void> {
    stem = f.name.replace(/\.[^.]+$/, '') || 'image';
    const bmp = await createImageBitmap(f, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
    before.width = after.width = bmp.width;
    before.height = after.height = bmp.height;
    const ctx = before.getContext('2d', { willReadFrequently: true })!;
    ctx.drawImage(bmp, 0, 0);
    image = ctx.getImageData(0, 0, bmp.width, bmp.height);
    after.getContext('2d')!.putImageData(image, 0, 0);
    download.hidden = true;
    runBtn.disabled = false;
    say(`${f.name}: ${bmp.width}×${bmp.height}`, 'loaded');
  }

  async function run(): Promise<void> {
    if (!image) return;
    runBtn.disabled = true;
    try {
      if (sessionFile !== modelSel.value) {
        say('loading the model …');
        await session?.release();
        session = await ort.InferenceSession.create(modelSel.value, { executionProviders: ['wasm'] });
        sessionFile = modelSel.value;
      }
      const { width: w, height: h, data } = image;
      const big = h > cfg.tile || w > cfg.tile;
      const tile = big ? cfg.tile : Math.max(h, w),
        overlap = Math.min(cfg.overlap, tile >> 1);
      const ys = big ? tileStarts(h, tile, overlap) : [0],
        xs = big ? tileStarts(w, tile, overlap) : [0];
      const acc = new Float32Array(3 * h * w),
        weight = new Float32Array(h * w);
      const t0 = performance.now();
      let done = 0;
      for (const [iy, y0] of ys.entries())
        for (const [ix, x0] of xs.entries()) {
          const th = Math.min(tile, h - y0),
            tw = Math.min(tile, w - x0);
          const x = new Float32Array(3 * th * tw);
          for (let c = 0; c < 3; c++)
            for (let y = 0; y < th; y++)
              for (let xx = 0; xx < tw; xx++) x[(c * th + y) * tw + xx] = data[4 * ((y0 + y) * w + x0 + xx) + c]! / 255;
          const out = (await session!.run({ input: new ort.Tensor('float32', x, [1, 3, th, tw]) })).output!.data as Float32Array;
          const wy = big ? ramp(th, overlap, iy === 0, iy === ys.length - 1) : null,
            wx = big ? ramp(tw, overlap, ix === 0, ix === xs.length - 1) : null;
          for (let y = 0; y < th; y++)
            for (let xx = 0; xx < tw; xx++) {
              const wt = wy && wx ? wy[y]! * wx[xx]! : 1,
                p = (y0 + y) * w + x0 + xx;
              weight[p]! += wt;
              for (let c = 0; c < 3; c++) acc[c * h * w + p]! += wt * out[(c * th + y) * tw + xx]!;
            }
          done++;
          bar.value = done / (ys.length * xs.length);
          say(`tile ${done} of ${ys.length * xs.length} …`);
          await new Promise((r) => setTimeout(r, 0)); // let the page draw the progress
        }
      const res = new ImageData(w, h);
      for (let p = 0; p < h * w; p++) {
        for (let c = 0; c < 3; c++) res.data[4 * p + c] = Math.round(Math.min(1, Math.max(0, acc[c * h * w + p]! / weight[p]!)) * 255);
        res.data[4 * p + 3] = 255;
      }
      after.getContext('2d')!.putImageData(res, 0, 0);
      const blob = await new Promise<Blob>((r) => after.toBlob((b) => r(b!), 'image/png'));
      URL.revokeObjectURL(download.href);
      download.href = URL.createObjectURL(blob);
      download.download = `${stem}-deblurred.png`;
      download.hidden = false;
      say(
        `done in ${((performance.now() - t0) / 1000).toFixed(1)} s (${ys.length * xs.length} tile${ys.length * xs.length > 1 ? 's' : ''})`,
        'done',
      );
    } catch (e) {
      say(`failed: ${(e as Error).message}`, 'failed');
    } finally {
      runBtn.disabled = false;
    }
  }

  const setSplit = (): void => {
    before.style.clipPath = `inset(0 ${100 - Number(split.value)}% 0 0)`;
    $('handle').style.left = `${split.value}%`;
  };
  split.addEventListener('input', setSplit);
  setSplit();
  fileIn.addEventListener('change', () => {
    if (fileIn.files?.[0]) void load(fileIn.files[0]);
  });
  drop.addEventListener('dragover', (e) => e.preventDefault());
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    const f = e.dataTransfer?.files[0];
    if (f) void load(f);
  });
  runBtn.addEventListener('click', () => void run());
  say(cfg.models.length ? 'drop a photo or choose one' : 'no models', 'ready');
}
