// The clock in the official client: the server re-renders the view on its own, every second, and
// the page shows it without any user input.

import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { launchBrowser } from '../support/browser.ts';
import { startServer, type RunningServer } from '../support/demo-server.ts';
import { DocumentWatch, UI_TIMEOUT_MS, waitForConnected } from '../support/live-page.ts';

describe('/clock in a browser', () => {
  let s: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    [s, browser] = await Promise.all([startServer(), launchBrowser()]);
  });

  afterAll(async () => {
    await browser?.close();
    await s?.stop();
  });

  beforeEach(async () => {
    context = await browser.newContext();
    page = await context.newPage();
    page.setDefaultTimeout(UI_TIMEOUT_MS);
    await page.goto(`${s.baseUrl}/clock`);
    await waitForConnected(page);
  });

  afterEach(async () => {
    await context?.close();
  });

  it('shows a new server time in #now without any input', async () => {
    const watch = await DocumentWatch.start(page);
    const first = await page.locator('#now').getAttribute('datetime');
    expect(first).toMatch(/^\d{4}-\d{2}-\d{2}T/);

    await page.waitForFunction(
      (before) => {
        const now = document.querySelector('#now');
        return now !== null && now.getAttribute('datetime') !== before && now.textContent !== '';
      },
      first,
      { timeout: UI_TIMEOUT_MS },
    );

    const second = await page.locator('#now').getAttribute('datetime');
    expect(Date.parse(second!)).toBeGreaterThan(Date.parse(first!));
    expect(await page.locator('#now').textContent()).toBe(second!.slice(11, 19));
    expect(await watch.isSameDocument()).toBe(true);
  });
});
