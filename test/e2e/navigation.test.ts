// Live navigation in the official client: a `data-phx-link="redirect"` link swaps the root view
// over the socket, within the same document.

import type { Page } from 'playwright-core';
import { beforeEach, describe, expect, it } from 'vitest';
import { useBrowserLab } from '../support/browser-lab.ts';
import { DocumentWatch, acceptedJoins, recordFrames, waitForConnected, type RecordedFrame } from '../support/live-page.ts';

describe('live navigation in a browser', () => {
  const lab = useBrowserLab();
  let page: Page;
  let frames: RecordedFrame[];

  beforeEach(async () => {
    page = await lab.visitor();
    frames = recordFrames(page);
    await page.goto(`${lab.baseUrl}/counter`);
    await waitForConnected(page);
  });

  it('goes from /counter to /clock through #to-clock without loading a document', async () => {
    const watch = await DocumentWatch.start(page);

    await page.click('#to-clock');

    await page.waitForURL(`${lab.baseUrl}/clock`);
    await page.waitForSelector('#now');
    await waitForConnected(page);
    expect(await page.locator('#count').count()).toBe(0);
    // The client puts a new <title> in the animation frame after it patched the DOM.
    await page.waitForFunction(() => document.title === 'Clock');
    expect(await page.title()).toBe('Clock');
    expect(watch.documentRequests).toEqual([]);
    expect(await watch.isSameDocument()).toBe(true);
    const joins = acceptedJoins(frames);
    expect(joins).toHaveLength(2);
    expect(joins[1]!.socket).toBe(joins[0]!.socket);
    expect((joins[1]!.payload as { redirect?: unknown }).redirect).toBe(`${lab.baseUrl}/clock`);
  });

  it('comes back to /counter through #to-counter, with a freshly mounted counter', async () => {
    const watch = await DocumentWatch.start(page);
    await page.click('#increment');
    await page.waitForFunction(() => document.querySelector('#count')?.textContent === '1');

    await page.click('#to-clock');
    await page.waitForSelector('#now');
    await page.click('#to-counter');

    await page.waitForURL(`${lab.baseUrl}/counter`);
    await page.waitForFunction(() => document.querySelector('#count')?.textContent === '0');
    await waitForConnected(page);
    expect(await watch.isSameDocument()).toBe(true);
  });

  it('patches the URL with #step-10 over the socket: handleParams runs, the count is kept', async () => {
    const watch = await DocumentWatch.start(page);
    await page.click('#increment');
    await page.waitForFunction(() => document.querySelector('#count')?.textContent === '1');

    await page.click('#step-10');

    await page.waitForURL(`${lab.baseUrl}/counter?step=10`);
    await page.waitForFunction(() => document.querySelector('#step')?.textContent === '10');
    await page.click('#increment');
    await page.waitForFunction(() => document.querySelector('#count')?.textContent === '11');
    expect(watch.documentRequests).toEqual([]);
    expect(await watch.isSameDocument()).toBe(true);
    expect(acceptedJoins(frames)).toHaveLength(1); // a patch is not a new mount
  });
});
