// The README's picture of the viewer: node scripts/viewer-screenshot.mjs PAGE OUT.png
// Opens a report or viewer page in Debian's Chromium, selects the image with the best gain, zooms 2×
// and saves the viewer section as a PNG.
import { chromium } from 'playwright-core';
import { resolve } from 'node:path';

const [page, out] = process.argv.slice(2);
if (!page || !out) {
  console.error('usage: node scripts/viewer-screenshot.mjs PAGE.html OUT.png');
  process.exit(2);
}
const browser = await chromium.launch({ executablePath: process.env.B2B_CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  const p = await browser.newPage({ viewport: { width: 1320, height: 1000 } });
  await p.goto(`file://${resolve(page)}`);
  await p.locator('#best').click();
  await p.locator('button[data-zoom="2"]').click();
  await p.waitForFunction(() => [...document.querySelectorAll('#panels img')].every((i) => i.complete));
  await p.locator('#viewer').screenshot({ path: out });
  console.log(out);
} finally {
  await browser.close();
}
