// The load generator's client: what a browser tab running the official client does, kept lean so
// that one process can drive thousands of them. It GETs the page (session cookie, CSRF meta tag,
// root container tokens), opens `/live/websocket?_csrf_token=…&vsn=2.0.0`, joins the view with a
// `phx_join` as the official client builds it, heartbeats every 30 s, and sends `increment` clicks
// as V2 frames. It mirrors `test/support/live-client.ts` without the mailbox a test needs.

import { type Agent, request } from 'node:http';
import WebSocket from 'ws';
import { mergeCookies } from '../testing/cookie-jar.ts';
import { csrfInputOf } from '../testing/html-query.ts';
import { readPageTokens, type PageTokens } from '../testing/page-tokens.ts';
import { wallNow } from './wall-clock.ts';

export interface HttpAnswer {
  status: number;
  setCookies: string[];
  body: string;
}

let retriedGets = 0;

/** GETs retried because the server closed an idle keep-alive connection as it was reused. */
export function takeRetriedGets(): number {
  const n = retriedGets;
  retriedGets = 0;
  return n;
}

/**
 * One HTTP request over a keep-alive agent (so ramps reuse connections, as a browser does). A GET
 * that dies with `ECONNRESET` on a reused connection is retried once, as browsers do: the server
 * may close an idle keep-alive connection just as the client sends on it.
 */
async function httpRequest(
  agent: Agent,
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<HttpAnswer> {
  try {
    return await requestOnce(agent, url, options);
  } catch (err) {
    if ((options.method ?? 'GET') !== 'GET' || (err as NodeJS.ErrnoException).code !== 'ECONNRESET') throw err;
    retriedGets++;
    return requestOnce(agent, url, options);
  }
}

function requestOnce(
  agent: Agent,
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, method: options.method ?? 'GET', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const setCookie = res.headers['set-cookie'] ?? [];
        resolve({ status: res.statusCode ?? 0, setCookies: setCookie, body: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

export async function fetchPage(agent: Agent, baseUrl: string, path: string, cookie = ''): Promise<PageTokens> {
  const url = new URL(path, baseUrl).href;
  const answer = await httpRequest(agent, url, { headers: cookie ? { cookie } : {} });
  if (answer.status !== 200) throw new Error(`GET ${path} answered ${answer.status}`);
  return readPageTokens(path, url, answer.body, mergeCookies(cookie, answer.setCookies));
}

/** Logs in through the HTTP form (GET /login for the CSRF token, POST it); returns the cookie. */
export async function logIn(agent: Agent, baseUrl: string, email: string, password: string): Promise<string> {
  const form = await httpRequest(agent, new URL('/login', baseUrl).href);
  const csrfToken = csrfInputOf(form.body);
  if (form.status !== 200 || !csrfToken) throw new Error(`GET /login answered ${form.status} without a CSRF token`);
  const cookie = mergeCookies('', form.setCookies);
  const answer = await httpRequest(agent, new URL('/login', baseUrl).href, {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf_token: csrfToken, email, password }).toString(),
  });
  if (answer.status !== 302) throw new Error(`POST /login for ${email} answered ${answer.status}`);
  return mergeCookies(cookie, answer.setCookies);
}

// ---------------------------------------------------------------------------------- the client

/** Where a client reports what it saw; one per load generator. */
export interface ClientObserver {
  /** An `increment` reply arrived `ms` after the frame was sent. */
  eventReplied(ms: number, ok: boolean): void;
  heartbeatReplied(ms: number): void;
  /** The socket closed; `expected` when the load generator closed it or was told to expect it. */
  closed(client: BenchClient, code: number, expected: boolean): void;
  /** The first `diff` push since `armDiff()` arrived. */
  diffSeen(client: BenchClient): void;
}

const INCREMENT_PAYLOAD = '{"type":"click","event":"increment","value":{}}';

export class BenchClient {
  readonly ws: WebSocket;
  readonly observer: ClientObserver;
  topic = '';
  joinRef: string | null = null;
  /** Set when the load generator closes the socket itself (or expects the server to). */
  closeExpected = false;
  closedAt: number | null = null;
  /** When the server's close frame arrived (before the closing handshake completes). */
  closeFrameAt: number | null = null;
  closeCode: number | null = null;
  /** When the first `diff` push since `armDiff()` arrived (wall-clock ms). */
  diffAt: number | null = null;
  heartbeatsSent = 0;
  heartbeatsAcked = 0;
  /** A heartbeat was due while the previous one was still unanswered. */
  heartbeatsMissed = 0;
  readonly closed: Promise<void>;
  #ref = 0;
  #diffArmed = false;
  #looping = false;
  /** Events left to send before the loop stops by itself (`sendEvents`); 0: no bound. */
  #budget = 0;
  #stopped: (() => void) | null = null;
  #eventRef = '';
  #eventSentAt = 0n;
  #eventPrefix = '';
  #eventSuffix = '';
  #heartbeatRef: string | null = null;
  #heartbeatSentAt = 0n;
  #heartbeatTimer: NodeJS.Timeout | null = null;
  readonly #waiting = new Map<string, (frame: unknown[]) => void>();

  private constructor(ws: WebSocket, observer: ClientObserver) {
    this.ws = ws;
    this.observer = observer;
    this.closed = new Promise((resolve) => {
      ws.once('close', (code) => {
        this.closedAt = wallNow();
        this.closeCode = code;
        if (this.#heartbeatTimer) clearInterval(this.#heartbeatTimer);
        this.#looping = false;
        this.#stopped?.();
        for (const waiter of this.#waiting.values())
          waiter([null, null, '', 'phx_reply', { status: 'error', response: { reason: `closed ${code}` } }]);
        this.#waiting.clear();
        observer.closed(this, code, this.closeExpected);
        resolve();
      });
    });
    ws.on('error', () => {}); // reported through `close`
    ws.on('message', (data: Buffer) => this.#receive(data.toString()));
  }

  /** Opens a socket (`/live/websocket` with the page's CSRF token and cookie, `vsn=2.0.0`). */
  static connect(
    baseUrl: string,
    observer: ClientObserver,
    options: { cookie?: string; csrfToken?: string; timeoutMs?: number } = {},
  ): Promise<BenchClient> {
    const base = new URL(baseUrl);
    const query = new URLSearchParams();
    if (options.csrfToken) query.set('_csrf_token', options.csrfToken);
    query.set('vsn', '2.0.0');
    const headers: Record<string, string> = { origin: base.origin };
    if (options.cookie) headers.cookie = options.cookie;
    const ws = new WebSocket(`ws://${base.host}/live/websocket?${query}`, {
      headers,
      perMessageDeflate: false,
      // The instrument, not the server: validating UTF-8 here would only slow the load generator.
      skipUTF8Validation: true,
      handshakeTimeout: options.timeoutMs ?? 30_000,
    });
    const client = new BenchClient(ws, observer);
    return new Promise((resolve, reject) => {
      ws.once('unexpected-response', (_req, res) => {
        res.resume();
        client.closeExpected = true;
        reject(new Error(`upgrade refused with HTTP ${res.statusCode}`));
        ws.terminate();
      });
      ws.once('open', () => {
        // ws has no public event for the close frame itself; its receiver's `conclude` is it.
        const receiver = (ws as unknown as { _receiver?: { on(event: 'conclude', fn: () => void): void } })._receiver;
        receiver?.on('conclude', () => (client.closeFrameAt = wallNow()));
        resolve(client);
      });
      ws.once('error', (err) => {
        client.closeExpected = true;
        reject(err);
      });
    });
  }

  /** Joins `topic` with the payload the official client sends; rejects when refused or silent. */
  async join(topic: string, payload: Record<string, unknown>, timeoutMs = 30_000): Promise<void> {
    const ref = this.#nextRef();
    this.topic = topic;
    this.joinRef = ref;
    let timer: NodeJS.Timeout | undefined;
    const silent = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no join reply within ${timeoutMs} ms`)), timeoutMs);
    });
    const reply = Promise.race([this.#await(ref), silent]).finally(() => clearTimeout(timer));
    this.ws.send(JSON.stringify([ref, ref, topic, 'phx_join', payload]));
    const [, , , , body] = await reply;
    const status = (body as { status?: string }).status;
    if (status !== 'ok') throw new Error(`join refused: ${JSON.stringify(body).slice(0, 200)}`);
    this.#eventPrefix = `[${JSON.stringify(ref)},"`;
  }

  /** Heartbeats every `intervalMs` from now on, as phoenix.js does from the socket's open. */
  startHeartbeat(intervalMs: number): void {
    this.#heartbeatTimer = setInterval(() => {
      if (this.ws.readyState !== WebSocket.OPEN) return;
      if (this.#heartbeatRef !== null) this.heartbeatsMissed++;
      const ref = this.#nextRef();
      this.#heartbeatRef = ref;
      this.#heartbeatSentAt = process.hrtime.bigint();
      this.heartbeatsSent++;
      this.ws.send(`[null,"${ref}","phoenix","heartbeat",{}]`);
    }, intervalMs);
  }

  /**
   * Sends `increment` clicks (or the event `payload`, a JSON object as the client sends it) back to
   * back: the next one as soon as the previous is answered.
   */
  startEvents(payload: string = INCREMENT_PAYLOAD): void {
    if (this.#looping || this.ws.readyState !== WebSocket.OPEN) return;
    this.#looping = true;
    this.#eventSuffix = this.#suffixFor(payload);
    this.#sendEvent();
  }

  /** Sends `count` `increment` clicks back to back; settles once the last one is answered. */
  sendEvents(count: number): Promise<void> {
    if (count <= 0 || this.#looping || this.ws.readyState !== WebSocket.OPEN) return Promise.resolve();
    this.#budget = count;
    this.#eventSuffix = this.#suffixFor(INCREMENT_PAYLOAD);
    const done = new Promise<void>((resolve) => {
      this.#stopped = () => {
        this.#stopped = null;
        resolve();
      };
    });
    this.#looping = true;
    this.#sendEvent();
    return done;
  }

  /** Stops after the event in flight is answered. */
  stopEvents(): Promise<void> {
    if (!this.#looping) return Promise.resolve();
    return new Promise((resolve) => {
      this.#stopped = () => {
        this.#stopped = null;
        resolve();
      };
      this.#looping = false;
    });
  }

  /** Records the arrival time of the next `diff` push. */
  armDiff(): void {
    this.diffAt = null;
    this.#diffArmed = true;
  }

  /** Closes with 1000 (the tab went away) and waits for the close. */
  async close(): Promise<void> {
    this.closeExpected = true;
    if (this.ws.readyState === WebSocket.OPEN) this.ws.close(1000);
    else if (this.ws.readyState === WebSocket.CONNECTING) this.ws.terminate();
    const timer = setTimeout(() => this.ws.terminate(), 5_000);
    await this.closed;
    clearTimeout(timer);
  }

  #sendEvent(): void {
    const ref = this.#nextRef();
    this.#eventRef = ref;
    this.#eventSentAt = process.hrtime.bigint();
    this.ws.send(this.#eventPrefix + ref + this.#eventSuffix);
  }

  /** What follows the ref in an event frame of this client's topic carrying `payload`. */
  #suffixFor(payload: string): string {
    return `",${JSON.stringify(this.topic)},"event",${payload}]`;
  }

  #nextRef(): string {
    return String(++this.#ref);
  }

  #await(ref: string): Promise<unknown[]> {
    return new Promise((resolve) => this.#waiting.set(ref, resolve));
  }

  #receive(text: string): void {
    const frame = JSON.parse(text) as unknown[];
    const ref = frame[1] as string | null;
    const event = frame[3] as string;
    if (event === 'phx_reply' && ref !== null) {
      if (ref === this.#eventRef) {
        const ms = Number(process.hrtime.bigint() - this.#eventSentAt) / 1e6;
        this.#eventRef = '';
        this.observer.eventReplied(ms, (frame[4] as { status?: string }).status === 'ok');
        if (this.#budget > 0 && --this.#budget === 0) this.#looping = false;
        if (this.#looping) this.#sendEvent();
        else this.#stopped?.();
        return;
      }
      if (ref === this.#heartbeatRef) {
        this.#heartbeatRef = null;
        this.heartbeatsAcked++;
        this.observer.heartbeatReplied(Number(process.hrtime.bigint() - this.#heartbeatSentAt) / 1e6);
        return;
      }
      const waiter = this.#waiting.get(ref);
      if (waiter) {
        this.#waiting.delete(ref);
        waiter(frame);
      }
      return;
    }
    if (event === 'diff' && ref === null && this.#diffArmed) {
      this.#diffArmed = false;
      this.diffAt = wallNow();
      this.observer.diffSeen(this);
    }
  }
}
