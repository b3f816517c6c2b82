// The clock in the official client: the server re-renders the view on its own, every second, and
// the page shows it without any user input.

import type { Page } from 'playwright-core';
import { beforeEach, describe, expect, it } from 'vitest';
import { useBrowserLab } from '../support/browser-lab.ts';
import { DocumentWatch, UI_TIMEOUT_MS, waitForConnected } from '../support/live-page.ts';

describe('/clock in a browser', () => {
  const lab = useBrowserLab();
  let page: Page;

  beforeEach(async () => {
    page = await lab.visitor();
    await page.goto(`${lab.baseUrl}/clock`);
    await waitForConnected(page);
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
