// A browser page running the official LiveView client, seen from a test: when its root view is
// connected, whether it is still the same document (no full page load), what went over its
// WebSockets, and which classes its root container went through.

import type { Page } from 'playwright-core';

/** Generous, but well under a test's budget: waits end on an event, never on a sleep. */
export const UI_TIMEOUT_MS = 10_000;

/** Waits until the root view's container (`[data-phx-main]`) has joined: class `phx-connected`. */
export async function waitForConnected(page: Page): Promise<void> {
  await page.waitForSelector('[data-phx-main].phx-connected', { timeout: UI_TIMEOUT_MS });
}

/**
 * Watches a page for full loads from now on. It puts a marker on `window` (which a page load
 * wipes) and counts `load` events and document requests, so a test can prove an interaction
 * was handled live, over the socket.
 */
export class DocumentWatch {
  /** URLs of the document (top-level HTML) requests made since the watch started. */
  readonly documentRequests: string[] = [];
  /** `load` events since the watch started. */
  loads = 0;
  readonly #page: Page;
  readonly #marker: string;

  private constructor(page: Page, marker: string) {
    this.#page = page;
    this.#marker = marker;
    page.on('load', () => this.loads++);
    page.on('request', (request) => {
      if (request.resourceType() === 'document') this.documentRequests.push(request.url());
    });
  }

  static async start(page: Page): Promise<DocumentWatch> {
    const marker = `marker-${Math.random().toString(36).slice(2)}`;
    await page.evaluate((value) => void ((window as unknown as { __marker?: string }).__marker = value), marker);
    return new DocumentWatch(page, marker);
  }

  /** True while the page is the document the watch started on. */
  async isSameDocument(): Promise<boolean> {
    const marker = await this.#page.evaluate(() => (window as unknown as { __marker?: string }).__marker);
    return marker === this.#marker && this.loads === 0 && this.documentRequests.length === 0;
  }
}

/** A Phoenix wire frame `[join_ref, ref, topic, event, payload]`, with the direction it went. */
export interface RecordedFrame {
  direction: 'sent' | 'received';
  /** Which of the page's sockets (0 for the first) carried it. */
  socket: number;
  joinRef: string | null;
  ref: string | null;
  topic: string;
  event: string;
  payload: unknown;
}

/**
 * Records every text frame on the page's WebSockets (the LiveView socket and any reconnect).
 * Start it before the page opens its socket. Set `LIVEWARD_E2E_FRAMES=1` to print them.
 */
export function recordFrames(page: Page): RecordedFrame[] {
  const frames: RecordedFrame[] = [];
  let sockets = 0;
  page.on('websocket', (ws) => {
    const socket = sockets++;
    const record = (direction: RecordedFrame['direction'], data: string | Buffer): void => {
      if (typeof data !== 'string') return;
      if (process.env.LIVEWARD_E2E_FRAMES) console.log(socket, direction, data);
      let decoded: unknown;
      try {
        decoded = JSON.parse(data);
      } catch {
        return;
      }
      if (!Array.isArray(decoded) || decoded.length !== 5) return;
      const [joinRef, ref, topic, event, payload] = decoded as [string | null, string | null, string, string, unknown];
      frames.push({ direction, socket, joinRef, ref, topic, event, payload });
    };
    ws.on('framesent', ({ payload }) => record('sent', payload));
    ws.on('framereceived', ({ payload }) => record('received', payload));
  });
  return frames;
}

/** Joins of LiveView topics the server answered `ok`, in order. */
export function acceptedJoins(frames: RecordedFrame[]): RecordedFrame[] {
  return frames.filter(
    (join) =>
      join.direction === 'sent' &&
      join.event === 'phx_join' &&
      join.topic.startsWith('lv:') &&
      frames.some(
        (reply) =>
          reply.direction === 'received' &&
          reply.socket === join.socket &&
          reply.event === 'phx_reply' &&
          reply.topic === join.topic &&
          reply.ref === join.ref &&
          (reply.payload as { status?: unknown }).status === 'ok',
      ),
  );
}

/**
 * Records, in the page, every distinct class list the root container goes through from now on
 * (a live navigation may swap the container; it is followed by its `data-phx-main`).
 */
export async function recordContainerClasses(page: Page): Promise<() => Promise<string[][]>> {
  await page.evaluate(() => {
    const history: string[][] = [];
    const note = (): void => {
      const main = document.querySelector('[data-phx-main]');
      const classes = main ? [...main.classList].sort() : [];
      const last = history[history.length - 1];
      if (!last || last.join(' ') !== classes.join(' ')) history.push(classes);
    };
    note();
    new MutationObserver(note).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['class'] });
    (window as unknown as { __containerClasses: string[][] }).__containerClasses = history;
  });
  return () => page.evaluate(() => (window as unknown as { __containerClasses: string[][] }).__containerClasses);
}

/** Records, in the page, the close code of every close of the client's Phoenix socket from now on. */
export async function recordCloseCodes(page: Page): Promise<() => Promise<number[]>> {
  await page.evaluate(() => {
    const codes: number[] = [];
    type PhoenixSocket = { onClose(callback: (event: CloseEvent) => void): void };
    const { liveSocket } = window as unknown as { liveSocket: { getSocket(): PhoenixSocket } };
    liveSocket.getSocket().onClose((event) => void codes.push(event.code));
    (window as unknown as { __closeCodes: number[] }).__closeCodes = codes;
  });
  return () => page.evaluate(() => (window as unknown as { __closeCodes: number[] }).__closeCodes);
}

/**
 * Records every Content-Security-Policy violation the browser reports in `page`'s context from
 * now on, across navigations and reloads (`securitypolicyviolation` events, and console errors
 * about the policy): call it before the first `goto`.
 */
export async function recordCspViolations(page: Page): Promise<() => string[]> {
  const violations: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  await page.exposeFunction('__reportCspViolation', (text: string) => void violations.push(text));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      const report = (window as unknown as { __reportCspViolation(text: string): void }).__reportCspViolation;
      report(`${event.violatedDirective} blocked ${event.blockedURI || 'inline'} at ${event.sourceFile}:${event.lineNumber}`);
    });
  });
  return () => [...violations];
}
