// The report opens offline in headless Chromium (Debian's, driven by playwright-core): the table and
// every image are there, the plots render, zoom works, and the console stays clean.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NO_CHROMIUM, openPage } from '../helpers/chromium.js';
import { Generator, rand, scope } from '../../src/tensor/index.js';
import { encodePng } from '../../src/data/image.js';
import { renderReport } from '../../src/report/html.js';
import { linePlot, tickLabel, ticks } from '../../src/report/svg-plot.js';

const root = mkdtempSync(join(tmpdir(), 'b2b-report-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

describe('report', () => {
  test('ticks are round and cover the range', () => {
    assert.deepEqual(ticks(0, 1), [0, 0.2, 0.4, 0.6, 0.8, 1]);
    assert.deepEqual(ticks(22.3, 24.9), [22.5, 23, 23.5, 24, 24.5]);
  });

  test('tick labels as people write them: no exponent notation', () => {
    assert.deepEqual([1000, 2500, 12000, 250000, 2.5e6, 0.5, 0.00005, 0, -3000].map(tickLabel), [
      '1000',
      '2500',
      '12k',
      '250k',
      '2.5M',
      '0.5',
      '0.00005',
      '0',
      '-3000',
    ]);
  });

  test('the legend sits under the plot, not on the curves, and the y labels fit the margin', () => {
    const svg = linePlot(
      [
        {
          name: 'a long series name',
          points: [
            [0, 0.0125],
            [3000, 0.0375],
          ],
        },
        {
          name: 'another',
          points: [
            [0, 0.02],
            [3000, 0.03],
          ],
        },
      ],
      { title: 't', xLabel: 'training step', yLabel: 'loss' },
    );
    assert.doesNotMatch(svg, /e\+/);
    const rect = /<rect x="(\d+)" y="(\d+)" width="[\d.]+" height="([\d.]+)"/.exec(svg)!;
    const bottom = Number(rect[2]) + Number(rect[3]);
    const legendY = [...svg.matchAll(/<text x="[\d.]+" y="([\d.]+)">(a long series name|another)<\/text>/g)].map((m) => Number(m[1]));
    assert.equal(legendY.length, 2);
    assert.ok(
      legendY.every((y) => y > bottom + 20),
      `legend at ${legendY}, plot bottom ${bottom}`,
    );
    const yLabels = [...svg.matchAll(/text-anchor="end">([^<]+)<\/text>/g)].map((m) => m[1]!);
    const left = Number(rect[1]);
    assert.ok(yLabels.length > 2 && yLabels.every((l) => l.length * 6.3 + 4 <= left - 16), `${yLabels} within ${left}`);
  });

  test('renders in Chromium with its table, images and plots, no console errors', { skip: NO_CHROMIUM }, async () => {
    const g = new Generator(1);
    const pngs = await Promise.all(
      [0, 1, 2].map(async () => {
        const t = rand([3, 48, 48], { generator: g });
        const b = await encodePng(t);
        t.dispose();
        return b;
      }),
    );
    scope(() => undefined);
    const html = renderReport({
      title: 'test report',
      summary: 'a <summary> & more',
      tables: [
        {
          caption: 'PSNR',
          columns: ['cam-a', 'cam-b'],
          rows: [
            {
              label: 'D_K alone',
              cells: [
                { psnr: 24.1, ssim: 0.61 },
                { psnr: 25, ssim: 0.7 },
              ],
            },
            { label: 'Blur2Blur + D_K', cells: [{ psnr: 25.3, ssim: 0.66 }, null] },
          ],
        },
      ],
      sections: [
        {
          title: 'cam-a',
          crops: [{ caption: 'x.png', panels: pngs.map((png, i) => ({ label: `panel ${i}`, png })) }],
          plots: [
            linePlot(
              [
                {
                  name: 'psnr',
                  points: [
                    [0, 22],
                    [100, 23.5],
                    [200, 24],
                  ],
                },
              ],
              { title: 'val', xLabel: 'step' },
            ),
          ],
        },
      ],
      commands: ['b2b bench --out x'],
      configs: [{ name: 'G', json: { lr: 2e-4 } }],
      generated: 'now',
    });
    const file = join(root, 'report.html');
    writeFileSync(file, html);
    assert.ok(!/<script|(src|href)="https?:|url\(/.test(html), 'self-contained: no scripts, no external resources');
    const { browser, page, problems } = await openPage();
    try {
      await page.goto(`file://${file}`);
      assert.equal(await page.locator('table.results tbody tr').count(), 2);
      assert.deepEqual(
        (await page.locator('td.best').allTextContents()).sort(),
        ['0.660', '0.700', '25.00', '25.30'],
        'the best PSNR and SSIM of each column are marked',
      );
      const sizes = await page.locator('figure img').evaluateAll((imgs) => imgs.map((i) => (i as HTMLImageElement).naturalWidth));
      assert.deepEqual(sizes, [48, 48, 48]);
      assert.equal(await page.locator('svg polyline').count(), 1);
      await page.locator('figure img').first().click();
      const transform = await page
        .locator('figure img')
        .first()
        .evaluate((i) => getComputedStyle(i).transform);
      assert.notEqual(transform, 'none', 'a clicked image zooms');
      await page.screenshot({ path: join(root, 'report.png'), fullPage: true });
      assert.deepEqual(problems, []);
    } finally {
      await browser.close();
    }
  });
});
