// The set-up every end-to-end file shares: one demo server and one chromium for the file, and a
// fresh browser context (no cookies) for each visitor, closed after each test.

import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { App } from '../../apps/app.ts';
import type { LiveServer } from '../../runtime/index.ts';
import { launchBrowser } from './browser.ts';
import { startServer, type RunningServer } from './demo-server.ts';
import { UI_TIMEOUT_MS } from './live-page.ts';

export interface BrowserLab {
  readonly baseUrl: string;
  readonly server: LiveServer;
  readonly app: App;
  /** A browser context of its own: one user's cookies, for several tabs of that user. */
  newContext(): Promise<BrowserContext>;
  /** A page in a fresh browser context: a new visitor with no cookies. */
  visitor(): Promise<Page>;
}

/** Registers the hooks in the calling `describe` (or file); use the lab inside tests and hooks. */
export function useBrowserLab(): BrowserLab {
  let running: RunningServer | undefined;
  let browser: Browser | undefined;
  let contexts: BrowserContext[] = [];

  beforeAll(async () => {
    [running, browser] = await Promise.all([startServer(), launchBrowser()]);
  });

  afterEach(async () => {
    await Promise.all(contexts.map((context) => context.close()));
    contexts = [];
  });

  afterAll(async () => {
    await browser?.close();
    await running?.stop();
  });

  const started = (): RunningServer => {
    if (!running) throw new Error('the browser lab is used before its beforeAll ran');
    return running;
  };

  const newContext = async (): Promise<BrowserContext> => {
    if (!browser) throw new Error('the browser lab is used before its beforeAll ran');
    const context = await browser.newContext();
    context.setDefaultTimeout(UI_TIMEOUT_MS);
    contexts.push(context);
    return context;
  };

  return {
    get baseUrl() {
      return started().baseUrl;
    },
    get server() {
      return started().server;
    },
    get app() {
      return started().app;
    },
    newContext,
    async visitor() {
      return (await newContext()).newPage();
    },
  };
}
