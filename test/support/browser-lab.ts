// The set-up every end-to-end file shares: one demo server (`useDemoServer`) and one chromium for
// the file, and a fresh browser context (no cookies) for each visitor, closed after each test.

import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { launchBrowser } from './browser.ts';
import { UI_TIMEOUT_MS } from './live-page.ts';
import { useDemoServer, type DemoServerLab } from './use-demo-server.ts';

export interface BrowserLab extends DemoServerLab {
  /** A browser context of its own: one user's cookies, for several tabs of that user. */
  newContext(): Promise<BrowserContext>;
  /** A page in a fresh browser context: a new visitor with no cookies. */
  visitor(): Promise<Page>;
}

/** Registers the hooks in the calling `describe` (or file); use the lab inside tests and hooks. */
export function useBrowserLab(): BrowserLab {
  const demo = useDemoServer();
  let browser: Browser | undefined;
  let contexts: BrowserContext[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
  });

  afterEach(async () => {
    await Promise.all(contexts.map((context) => context.close()));
    contexts = [];
  });

  afterAll(async () => {
    await browser?.close();
  });

  const newContext = async (): Promise<BrowserContext> => {
    if (!browser) throw new Error('the browser lab is used before its beforeAll ran');
    const context = await browser.newContext();
    context.setDefaultTimeout(UI_TIMEOUT_MS);
    contexts.push(context);
    return context;
  };

  return Object.assign(demo, {
    newContext,
    async visitor() {
      return (await newContext()).newPage();
    },
  });
}
