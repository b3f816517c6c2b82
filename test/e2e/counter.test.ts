// The counter in the official client: clicks are events over the socket, and a connection the
// server drops is re-established by the client, which mounts the view again in the same page.

import type { Page } from 'playwright-core';
import { beforeEach, describe, expect, it } from 'vitest';
import { useBrowserLab } from '../support/browser-lab.ts';
import {
  DocumentWatch,
  UI_TIMEOUT_MS,
  acceptedJoins,
  recordCloseCodes,
  recordContainerClasses,
  recordCspViolations,
  recordFrames,
  waitForConnected,
  type RecordedFrame,
} from '../support/live-page.ts';

describe('/counter in a browser', () => {
  const lab = useBrowserLab();
  let page: Page;
  let frames: RecordedFrame[];
  let cspViolations: () => string[];

  beforeEach(async () => {
    page = await lab.visitor();
    frames = recordFrames(page);
    cspViolations = await recordCspViolations(page);
    await page.goto(`${lab.baseUrl}/counter`);
    await waitForConnected(page);
  });

  it('counts three clicks on #increment without reloading the page', async () => {
    const watch = await DocumentWatch.start(page);

    for (let i = 0; i < 3; i++) await page.click('#increment');

    await page.waitForFunction(() => document.querySelector('#count')?.textContent === '3');
    expect(await watch.isSameDocument()).toBe(true);
  });

  // The server sends a strict Content-Security-Policy with every page: the official client must
  // work under it (its bundles, its socket, its DOM patches), and anything injected must not.
  it('runs under the Content-Security-Policy: clicks, a form, a patch and a live navigation report no violation', async () => {
    await page.click('#increment');
    await page.fill('#set-form input[name=n]', '41');
    await page.click('#set-form button');
    await page.waitForFunction(() => document.querySelector('#count')?.textContent === '41');
    await page.click('#step-10');
    await page.waitForFunction(() => document.querySelector('#step')?.textContent === '10');
    await page.click('#to-clock');
    await page.waitForURL(`${lab.baseUrl}/clock`);
    await waitForConnected(page);

    expect(cspViolations()).toEqual([]);
    // The control: an injected inline script is refused, and the refusal is seen.
    await page.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'window.__injected = true';
      document.body.append(script);
    });
    await expect.poll(() => cspViolations().length, { timeout: UI_TIMEOUT_MS }).toBeGreaterThan(0);
    expect(await page.evaluate(() => (window as unknown as { __injected?: boolean }).__injected)).toBeUndefined();
  });

  it('reconnects and mounts the view again after the server drops the connection with 1001', async () => {
    await page.click('#increment');
    await page.waitForFunction(() => document.querySelector('#count')?.textContent === '1');
    const watch = await DocumentWatch.start(page);
    const containerClasses = await recordContainerClasses(page);
    const closeCodes = await recordCloseCodes(page);
    expect(acceptedJoins(frames)).toHaveLength(1);

    expect(lab.server.registry.disconnectAll()).toBe(1);

    // A fresh mount starts from `mount`: the count is back to 0 once the second join is accepted.
    await expect.poll(() => acceptedJoins(frames).length, { timeout: UI_TIMEOUT_MS }).toBe(2);
    await page.waitForFunction(() => document.querySelector('#count')?.textContent === '0');
    await waitForConnected(page);
    const [first, second] = acceptedJoins(frames);
    expect(second!.socket).toBe(first!.socket + 1);
    expect(second!.topic).toBe(first!.topic);
    const history = await containerClasses();
    const lost = history.findIndex((classes) => !classes.includes('phx-connected'));
    expect(lost).toBeGreaterThan(0);
    expect(history.slice(lost).some((classes) => classes.includes('phx-connected'))).toBe(true);
    expect(await closeCodes()).toEqual([1001]);
    expect(await watch.isSameDocument()).toBe(true);
    // The old connection is torn down when its closing handshake ends, on the server's own time.
    await expect.poll(() => lab.server.counts(), { timeout: UI_TIMEOUT_MS }).toMatchObject({ connections: 1, views: 1 });
  });
});
