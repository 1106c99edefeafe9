// b2b web in Chromium: the page served from a loopback static server deblurs an uploaded photo with
// onnxruntime-web and gives the same image as b2b deblur (PSNR ≥ 45 dB between them, tiles included),
// with a clean console; and the command's refusals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../helpers/fixtures.js';
import { NO_CHROMIUM, openPage } from '../helpers/chromium.js';
import { fewPhotos } from '../helpers/photos.js';
import { readImage, writeImage } from '../../src/data/image.js';
import { psnrPerImage } from '../../src/eval/psnr.js';

const b2b = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, 'dist/src/cli/b2b.js'), ...args], { encoding: 'utf8' });
/** `b2b web serve DIR --port 0` as a user runs it: its URL from the first line it prints, and a stop (SIGTERM) that gives its exit code. */
async function serveCli(dir: string): Promise<{ url: string; stop: () => Promise<number | null> }> {
  const child = spawn(process.execPath, [join(ROOT, 'dist/src/cli/b2b.js'), 'web', 'serve', dir, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '',
    err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const url = await new Promise<string>((ok, fail) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
      if (m) ok(m[1]!);
    });
    child.on('exit', (code) => fail(new Error(`b2b web serve exited with ${code}: ${err}`)));
  });
  const exited = new Promise<number | null>((ok) => child.on('exit', (code) => ok(code)));
  return {
    url,
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

test('b2b web: the page deblurs a photo in the browser as b2b deblur does', { skip: NO_CHROMIUM, timeout: 300_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'b2b-web-'));
  try {
    // a 300×220 photo: two tiles of 256 across, as on the command line
    const photos = fewPhotos(join(dir, 'photos'), 1);
    const photo = join(photos, readdirSync(photos)[0]!);
    const img = join(dir, 'street.png');
    const full = (await readImage(photo)).tensor;
    await writeImage(img, full.slice(1, 0, 220).slice(2, 0, 300).contiguous());
    const model = join(dir, 'phone.onnx');
    const dk = join(ROOT, 'weights/dk-gopro-like-nafnet-small'),
      g = join(ROOT, 'weights/g-phone-like-small');
    assert.equal(b2b('export', 'onnx', '--deblurrer', dk, '--translator', g, '--out', model, '--quiet').status, 0);
    const cli = join(dir, 'cli.png');
    const r = b2b('deblur', img, '--deblurrer', dk, '--translator', g, '--out', cli, '--tile', '256', '--overlap', '32');
    assert.equal(r.status, 0, r.stderr);
    const site = join(dir, 'site');
    const w = b2b('web', '--out', site, '--model', `phone-like=${model}`, '--tile', '256', '--overlap', '32');
    assert.equal(w.status, 0, w.stderr);

    const server = await serveCli(site);
    const { browser, page, problems } = await openPage();
    try {
      await page.goto(server.url);
      await page.waitForSelector('body[data-state="ready"]');
      assert.equal(await page.evaluate(() => crossOriginIsolated), true, 'b2b web serve isolates the page (WebAssembly threads)');
      assert.equal(await page.locator('#model option').count(), 1);
      await page.setInputFiles('#file', img);
      await page.waitForSelector('body[data-state="loaded"]');
      await page.click('#run');
      await page.waitForSelector('body[data-state="done"], body[data-state="failed"]', { timeout: 240_000 });
      assert.match((await page.textContent('#status')) ?? '', /^done in .* \(2 tiles\)/, (await page.textContent('#status')) ?? '');
      assert.equal(await page.evaluate(() => (document.getElementById('progress') as HTMLProgressElement).value), 1);
      assert.equal(await page.getAttribute('#download', 'download'), 'street-deblurred.png');
      const b64 = await page.evaluate(async () => {
        const blob = await (await fetch((document.getElementById('download') as HTMLAnchorElement).href)).blob();
        const bytes = new Uint8Array(await blob.arrayBuffer());
        let s = '';
        for (const b of bytes) s += String.fromCharCode(b);
        return btoa(s);
      });
      const web = join(dir, 'web.png');
      writeFileSync(web, Buffer.from(b64, 'base64'));
      const a = (await readImage(web)).tensor,
        b = (await readImage(cli)).tensor,
        x = (await readImage(img)).tensor;
      const same = psnrPerImage(a, b)[0]!;
      assert.ok(same >= 45, `PSNR between the page's and b2b deblur's outputs: ${same.toFixed(2)} dB`);
      assert.ok(psnrPerImage(a, x)[0]! < 60, 'the page changed the image');
      assert.deepEqual(problems, []);
    } finally {
      await browser.close();
      assert.equal(await server.stop(), 0, 'b2b web serve stops cleanly on SIGTERM');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('b2b web refuses missing models, a foreign non-empty folder and bad tiles; serve refuses a foreign folder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'b2b-web-'));
  try {
    assert.match(b2b('web', '--out', join(dir, 's')).stderr, /give at least one --model/);
    assert.match(b2b('web', '--out', join(dir, 's'), '--model', join(dir, 'none.onnx')).stderr, /none\.onnx: no such model file/);
    const mine = join(dir, 'mine');
    mkdirSync(mine);
    writeFileSync(join(mine, 'notes.txt'), 'keep');
    writeFileSync(join(dir, 'bad.onnx'), 'not a model');
    assert.match(b2b('web', '--out', mine, '--model', join(dir, 'bad.onnx')).stderr, /not empty and was not written by b2b web/);
    assert.match(b2b('web', '--out', join(dir, 's'), '--model', join(dir, 'bad.onnx')).stderr, /bad\.onnx: not an ONNX model/);
    assert.match(
      b2b('web', '--out', join(dir, 's'), '--model', join(dir, 'bad.onnx'), '--tile', '64', '--overlap', '64').stderr,
      /web: --overlap must be an integer in \[0, tile\) = \[0, 64\), got '64'/,
    );
    assert.match(b2b('web', 'serve', mine).stderr, /web serve: .*mine is not a folder written by b2b web/);
    assert.match(b2b('web', 'serve').stderr, /web serve: give one folder written by b2b web/);
    assert.equal(readFileSync(join(mine, 'notes.txt'), 'utf8'), 'keep');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
