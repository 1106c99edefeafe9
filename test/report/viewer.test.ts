// The viewer: per-image scores and error maps built from folders (closed-form checks), and the page in
// headless Chromium: sorting, best/worst by gain, the before/after slider, synchronised zoom and pan,
// nearest-neighbour only when zoomed in, the error-map switch, the keyboard, and a clean console.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { NO_CHROMIUM, openPage } from '../helpers/chromium.js';
import { Generator, noGrad, rand, randn, scope, tensor } from '../../src/tensor/index.js';
import { psnrPerImage } from '../../src/eval/psnr.js';
import { readImage } from '../../src/data/image.js';
import { buildManifest, errorMap, pageUrl } from '../../src/report/viewer/build.js';
import { renderViewerPage } from '../../src/report/viewer/page.js';
import { renderReport } from '../../src/report/html.js';
import type { ViewManifest } from '../../src/report/viewer/manifest.js';
import { ROOT } from '../helpers/fixtures.js';
import { writeMade } from '../helpers/images.js';

const root = mkdtempSync(join(tmpdir(), 'b2b-viewer-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

const NAMES = ['a', 'b', 'c', 'd', 'e'];
const H = 48,
  W = 64;

/** gt random; input = gt + noise σ 0.10; method "weak" σ 0.06; method "strong" σ 0.02·(i+1) (image i). */
async function fixture(): Promise<{ dirs: Record<'input' | 'weak' | 'strong' | 'gt', string> }> {
  const dirs = { input: join(root, 'input'), weak: join(root, 'weak'), strong: join(root, 'strong'), gt: join(root, 'gt') };
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
  for (const [i, n] of NAMES.entries()) {
    const g = new Generator(10 + i);
    const gt = noGrad(() => scope(() => rand([3, H, W], { generator: g }).mul(0.6).add(0.2)));
    const noisy = (sigma: number) => () => gt.add(randn([3, H, W], { generator: g }).mul(sigma));
    await writeMade(join(dirs.gt, `${n}.png`), () => gt.clone());
    await writeMade(join(dirs.input, `${n}.png`), noisy(0.1));
    await writeMade(join(dirs.weak, `${n}.png`), noisy(0.06));
    if (n !== 'e') await writeMade(join(dirs.strong, `${n}.png`), noisy(0.02 * (i + 1)));
    gt.dispose();
  }
  return { dirs };
}

async function manifestFor(dirs: Record<string, string>, page: string): Promise<ViewManifest> {
  return buildManifest(
    'viewer test',
    [
      {
        name: 'cam',
        columns: [
          { dir: dirs.input!, role: 'input', label: 'blurry input', id: 'input' },
          { dir: dirs.weak!, role: 'method', label: 'weak' },
          { dir: dirs.strong!, role: 'method', label: 'strong' },
          { dir: dirs.gt!, role: 'gt', label: 'ground truth', id: 'gt' },
        ],
      },
    ],
    { page, assets: join(root, 'view', 'error-maps') },
  );
}

/** Every panel image's transform and rendering. */
const transforms = (p: Page) =>
  p
    .locator('#panels img')
    .evaluateAll((imgs) =>
      imgs
        .filter((i) => (i as HTMLElement).style.visibility !== 'hidden')
        .map((i) => [(i as HTMLElement).style.transform, (i as HTMLElement).style.imageRendering]),
    );
const current = (p: Page) => p.locator('#current').textContent();

describe('viewer', () => {
  test('an error map is |a − b| averaged over RGB, times the gain, in black → red → yellow → white', () => {
    noGrad(() =>
      scope(() => {
        const a = tensor([0.5, 0.5, 0.5]).view([3, 1, 1]);
        const at = (d: number, gain: number) => [...errorMap(a.add(d), a, gain).flatten().toFloat32Array()];
        assert.deepEqual(at(0, 4), [0, 0, 0]);
        // 0.05 × 4 × 3 = 0.6: red only.
        assert.deepEqual(
          at(0.05, 4).map((v) => +v.toFixed(5)),
          [0.6, 0, 0],
        );
        // 0.125 × 4 × 3 = 1.5: full red, half green.
        assert.deepEqual(
          at(-0.125, 4).map((v) => +v.toFixed(5)),
          [1, 0.5, 0],
        );
        assert.deepEqual(at(0.4, 4), [1, 1, 1]);
      }),
    );
  });

  test('page URLs are relative to the page and percent-encoded', () => {
    assert.equal(pageUrl('/a/b/index.html', '/a/c d/x#1.png'), '../c%20d/x%231.png');
    assert.equal(pageUrl('/a/index.html', '/a/x.png'), 'x.png');
  });

  test(
    'scores, error maps and the page in Chromium: sort, best/worst gain, slider, synchronised zoom and pan, error maps',
    { skip: NO_CHROMIUM },
    async () => {
      const { dirs } = await fixture();
      const page = join(root, 'view', 'index.html');
      mkdirSync(join(root, 'view'), { recursive: true });
      const m = await manifestFor(dirs, page);
      const set = m.sets[0]!;
      assert.equal(set.images.length, 5);
      assert.ok(set.referenced);
      // Scores are those of the files as written (8-bit), image by image.
      for (const im of set.images) {
        const gt = (await readImage(join(dirs.gt, `${im.name}.png`))).tensor,
          x = (await readImage(join(dirs.weak, `${im.name}.png`))).tensor;
        assert.ok(Math.abs(im.scores.weak!.psnr! - noGrad(() => psnrPerImage(x, gt)[0]!)) < 1e-9);
        gt.dispose();
        x.dispose();
        assert.equal(im.files.input, `../input/${im.name}.png`);
        assert.ok(existsSync(join(root, 'view', im.errors.strong ?? im.errors.weak!)));
        assert.equal(im.errors.gt, undefined, 'no error map of the ground truth against itself');
      }
      const e = set.images.find((i) => i.name === 'e')!;
      assert.equal(e.files.strong, undefined, 'a method without the image leaves it out');
      assert.equal(e.scores.strong, undefined);
      // strong's noise grows with the image index: its gain over the input is largest on 'a'.
      const gain = (n: string) => {
        const im = set.images.find((i) => i.name === n)!;
        return im.scores.strong ? im.scores.strong.psnr! - im.scores.input!.psnr! : NaN;
      };
      assert.ok(gain('a') > gain('b') && gain('b') > gain('c') && gain('c') > gain('d'));

      writeFileSync(page, renderViewerPage(m));
      const { browser, page: p, problems } = await openPage({ width: 1400, height: 1000 });
      try {
        await p.goto(`file://${page}`);
        assert.equal(await p.locator('#scores tbody tr').count(), 5);
        // 1 compare panel + 4 columns; the set picker is hidden with one set.
        assert.equal(await p.locator('#panels .vp').count(), 5);
        assert.equal(await p.locator('#set').isVisible(), false);
        assert.equal(await p.locator('#after').inputValue(), 'strong', "'after' defaults to the last method");

        // Sorting by gain: descending first, then ascending; unscored ('e': strong missing) stays last.
        await p.locator('#gain-head').click();
        const names = () => p.locator('#scores tbody tr td:first-child').allTextContents();
        assert.deepEqual(await names(), ['a', 'b', 'c', 'd', 'e']);
        await p.locator('#gain-head').click();
        assert.deepEqual(await names(), ['d', 'c', 'b', 'a', 'e']);
        // Sorting by a score column.
        await p.locator('#scores th', { hasText: 'PSNR' }).nth(1).click();
        const weak = set.images.map((i) => [i.name, i.scores.weak!.psnr!] as const).sort((a, b) => b[1] - a[1]);
        assert.deepEqual(
          await names(),
          weak.map(([n]) => n),
        );

        // Best and worst by gain.
        await p.locator('#best').click();
        assert.match((await current(p))!, /^a \(64×48\)/);
        await p.locator('#worst').click();
        assert.match((await current(p))!, /^d \(64×48\)/);
        // A row click selects; the keyboard steps through the table's order.
        await p.locator('#scores tbody tr', { hasText: 'c' }).first().click();
        assert.match((await current(p))!, /^c /);
        await p.keyboard.press('ArrowRight');
        assert.doesNotMatch((await current(p))!, /^c /);

        // The slider: dragging the handle moves the split and the clip of the 'after' image.
        const vp = p.locator('#compare .vp');
        const box = (await vp.boundingBox())!;
        const handle = (await p.locator('#compare .handle').boundingBox())!;
        await p.mouse.move(handle.x + handle.width / 2, box.y + box.height / 2);
        await p.mouse.down();
        await p.mouse.move(box.x + box.width * 0.25, box.y + box.height / 2, { steps: 4 });
        await p.mouse.up();
        const clip = await p.locator('#compare .clip').evaluate((c) => (c as HTMLElement).style.clipPath);
        const inset = Number(/inset\(0px 0px 0px ([\d.]+)px\)/.exec(clip)?.[1]);
        assert.ok(Math.abs(inset - box.width * 0.25) < 2, `clip ${clip} at a quarter of ${box.width}`);

        // Zoom 4×: every panel shows the same pixels at scale 4, nearest-neighbour.
        await p.locator('button[data-zoom="4"]').click();
        let t = await transforms(p);
        assert.ok(t.length >= 5);
        assert.ok(
          t.every(([tr, r]) => tr === t[0]![0] && /scale\(4\)/.test(tr!) && r === 'pixelated'),
          JSON.stringify(t),
        );
        const widths = await p.locator('#panels img').evaluateAll((imgs) => imgs.map((i) => i.getBoundingClientRect().width));
        assert.ok(
          widths.every((w) => Math.abs(w - 4 * W) < 0.5),
          `drawn ${widths} px wide: 4 screen pixels per image pixel`,
        );
        // Panning one column pans all of them, by exactly the drag.
        const col = (await p.locator('#panels .vp').nth(2).boundingBox())!;
        const before = /translate\((-?[\d.]+)px, (-?[\d.]+)px\)/.exec(t[0]![0]!)!.slice(1).map(Number);
        await p.mouse.move(col.x + 100, col.y + 100);
        await p.mouse.down();
        await p.mouse.move(col.x + 150, col.y + 130, { steps: 5 });
        await p.mouse.up();
        t = await transforms(p);
        assert.ok(
          t.every(([tr]) => tr === t[0]![0]),
          'every panel follows the pan',
        );
        const after = /translate\((-?[\d.]+)px, (-?[\d.]+)px\)/.exec(t[0]![0]!)!.slice(1).map(Number);
        assert.ok(Math.abs(after[0]! - before[0]! - 50) < 0.01 && Math.abs(after[1]! - before[1]! - 30) < 0.01, `${before} → ${after}`);
        // Zoomed out below 1:1 the images are smoothed, not nearest-neighbour.
        for (let i = 0; i < 6; i++) await p.mouse.wheel(0, 400);
        await p.locator('#panels .vp').nth(2).hover();
        for (let i = 0; i < 12; i++) await p.mouse.wheel(0, 400);
        t = await transforms(p);
        assert.ok(
          t.every(([tr, r]) => tr === t[0]![0] && r === 'auto'),
          JSON.stringify(t[0]),
        );

        // The error-map switch: every scored panel shows its error map, the ground truth stays.
        await p.locator('button[data-zoom="fit"]').click();
        await p.locator('#errors').check();
        const srcs = await p.locator('#panels img').evaluateAll((imgs) => imgs.map((i) => i.getAttribute('src') ?? ''));
        const gtSrc = srcs[srcs.length - 1]!;
        assert.match(gtSrc, /^\.\.\/gt\//);
        assert.ok(
          srcs
            .slice(0, -1)
            .filter(Boolean)
            .every((s) => s.startsWith('error-maps/')),
          srcs.join(' '),
        );
        await p.waitForFunction(() => [...document.querySelectorAll('#panels img')].every((i) => (i as HTMLImageElement).complete));
        const shots = join(ROOT, 'docs', 'images');
        mkdirSync(shots, { recursive: true });
        await p.locator('#errors').uncheck();
        await p.screenshot({ path: join(shots, 'viewer-test.png'), fullPage: true });
        assert.deepEqual(problems, []);

        // Inside a report (its own styles around it) the viewer draws the same.
        const report = join(root, 'view', 'report.html');
        writeFileSync(
          report,
          renderReport({ title: 'r', summary: '', tables: [], sections: [], commands: [], configs: [], generated: 'now', viewer: m }),
        );
        await p.goto(`file://${report}`);
        await p.locator('button[data-zoom="4"]').click();
        const inReport = await p.locator('#panels img').evaluateAll((imgs) => imgs.map((i) => i.getBoundingClientRect().width));
        assert.ok(
          inReport.every((w) => Math.abs(w - 4 * W) < 0.5),
          `in a report: ${inReport}`,
        );
        assert.deepEqual(problems, []);
      } finally {
        await browser.close();
      }
    },
  );
});
