// Headless Chromium (Debian's, through playwright-core) for the page tests: a page whose console
// errors and warnings, page errors and failed requests are collected in `problems`.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.B2B_CHROMIUM ?? '/usr/bin/chromium';
/** A test's skip reason when there is no Chromium. */
export const NO_CHROMIUM: string | false = !existsSync(CHROMIUM) && `no ${CHROMIUM}`;

export async function openPage(viewport?: {
  width: number;
  height: number;
}): Promise<{ browser: Browser; page: Page; problems: string[] }> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  const page = await browser.newPage(viewport ? { viewport } : {});
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
  return { browser, page, problems };
}
