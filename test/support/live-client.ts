// A raw LiveView protocol client over a real WebSocket, for integration and security tests (the
// benchmark's clients share its page and cookie helpers, from testing/). It does what a browser
// does for one page (GET it, keep the session cookie, read
// the root container's tokens and the CSRF meta tag, open `/live/websocket`) and then speaks
// Phoenix channel V2 frames directly (as `phoenix`'s `socket.js` and `serializer.js` build them),
// with no client library in between, so tests see exactly what goes over the wire.
//
// Incoming frames land in a mailbox; `waitFor` takes the first unread frame matching a predicate
// (waiting for it if needed, with a timeout that fails the test), and `push` takes its reply by
// ref. A frame is read at most once, so "arrives before or after" races never lose a frame.

import WebSocket from 'ws';
import { joinPayload } from '../../testing/channel-socket.ts';
import { mergeCookies } from '../../testing/cookie-jar.ts';
import { readPageTokens, type PageTokens } from '../../testing/page-tokens.ts';
import { encodeChunkFrame } from '../../runtime/uploads/chunk-frame.ts';

// What a client reads from a page, the join it sends and its cookie jar are liveward/testing's own.
export { joinPayload, mergeCookies, readPageTokens, type PageTokens };
export { unescapeHtml } from '../../testing/html-query.ts';

export type Payload = Record<string, unknown>;

/** A V2 frame as written on the wire: `[join_ref, ref, topic, event, payload]`. */
export type WireFrame = [joinRef: string | null, ref: string | null, topic: string, event: string, payload: Payload];

/** A frame received from the server. */
export interface ServerFrame {
  joinRef: string | null;
  ref: string | null;
  topic: string;
  event: string;
  payload: Payload;
  /** Arrival order on this socket, from 0. */
  seq: number;
  /** The text exactly as received. */
  raw: string;
}

/** A `phx_reply`, unpacked. */
export interface Reply {
  status: 'ok' | 'error';
  response: Payload;
  frame: ServerFrame;
}

export interface CloseInfo {
  code: number;
  reason: string;
}

export interface LivePage extends PageTokens {
  html: string;
}

export interface SocketOptions {
  /** `_csrf_token` query parameter; omitted when null or absent. */
  csrfToken?: string | null;
  /** `Cookie` header; omitted when null or absent. */
  cookie?: string | null;
  /** `Origin` header; defaults to the server's own origin, omitted when null. */
  origin?: string | null;
  /** `vsn` query parameter; defaults to `"2.0.0"`, omitted when null. */
  vsn?: string | null;
  /** How long to wait for the upgrade. */
  timeoutMs?: number;
}

/** The server answered the upgrade with an HTTP status instead of `101`. */
export class UpgradeRefusedError extends Error {
  readonly status: number;
  constructor(status: number) {
    super(`WebSocket upgrade refused with HTTP ${status}`);
    this.name = 'UpgradeRefusedError';
    this.status = status;
  }
}

/** How long `waitFor`, replies and the upgrade may take before the test fails (a deadline, not a timing assertion). */
const DEFAULT_WAIT_MS = 5_000;
const SOCKET_PATH = '/live/websocket';

// --------------------------------------------------------------------------------- the page

/**
 * GETs a live page like a browser and reads what the client needs to join it. Pass `cookie` to
 * stay in an existing cookie session (several pages, one user).
 *
 * @example
 *   const page = await fetchLivePage(s.baseUrl, '/counter');
 *   page.topic; // "lv:phx-…"
 */
export async function fetchLivePage(baseUrl: string, path: string, options: { cookie?: string } = {}): Promise<LivePage> {
  const url = new URL(path, baseUrl).href;
  const response = await fetch(url, {
    redirect: 'manual',
    headers: options.cookie ? { cookie: options.cookie } : {},
  });
  const html = await response.text();
  if (response.status !== 200) throw new Error(`GET ${path} answered ${response.status}, not a live page`);
  const cookie = mergeCookies(options.cookie ?? '', response.headers.getSetCookie());
  return { ...readPageTokens(path, url, html, cookie), html };
}

/** GETs `path` with `cookie` as a browser would, without following a redirect; the body is read. */
export async function getWithCookie(baseUrl: string, path: string, cookie: string): Promise<Response> {
  const response = await fetch(new URL(path, baseUrl), { redirect: 'manual', headers: { cookie } });
  await response.text();
  return response;
}

// ------------------------------------------------------------------------------- the socket

/**
 * Opens `/live/websocket` as the page's bootstrap would. Rejects with `UpgradeRefusedError` when
 * the server answers the upgrade with an HTTP status.
 */
export function connectSocket(baseUrl: string, options: SocketOptions = {}): Promise<LiveClient> {
  const base = new URL(baseUrl);
  const query = new URLSearchParams();
  if (options.csrfToken != null) query.set('_csrf_token', options.csrfToken);
  const vsn = options.vsn === undefined ? '2.0.0' : options.vsn;
  if (vsn !== null) query.set('vsn', vsn);
  const headers: Record<string, string> = {};
  if (options.cookie != null) headers.cookie = options.cookie;
  const origin = options.origin === undefined ? base.origin : options.origin;
  if (origin !== null) headers.origin = origin;
  const wsUrl = `${base.protocol === 'https:' ? 'wss' : 'ws'}://${base.host}${SOCKET_PATH}?${query}`;

  return new Promise((resolve, reject) => {
    const socket = new WebSocket(wsUrl, { headers, handshakeTimeout: options.timeoutMs ?? DEFAULT_WAIT_MS });
    const client = new LiveClient(socket);
    socket.once('unexpected-response', (_request, response) => {
      response.resume();
      reject(new UpgradeRefusedError(response.statusCode ?? 0));
      socket.terminate();
    });
    socket.once('open', () => resolve(client));
    socket.once('error', reject); // after `open`, a rejection is a no-op
  });
}

/**
 * GETs a live page and opens a socket for it with its cookie and CSRF token.
 *
 * @example
 *   const { page, client } = await openLivePage(s.baseUrl, '/counter');
 *   const view = client.channel(page.topic);
 *   await view.join(joinPayload(page));
 */
export async function openLivePage(baseUrl: string, path: string): Promise<{ page: LivePage; client: LiveClient }> {
  const page = await fetchLivePage(baseUrl, path);
  const client = await connectSocket(baseUrl, { cookie: page.cookie, csrfToken: page.csrfToken });
  return { page, client };
}

/** A page opened and its view joined: what most tests start from. */
export interface JoinedPage {
  page: LivePage;
  client: LiveClient;
  channel: LiveChannel;
  /** The successful join reply (`response.rendered`, `response.liveview_version`). */
  reply: Reply;
}

/**
 * GETs a live page, opens its socket and joins its view; throws when the join is refused.
 *
 * @example
 *   const { channel } = await joinLivePage(s.baseUrl, '/counter');
 *   const reply = await channel.event('increment');
 */
export async function joinLivePage(baseUrl: string, path: string): Promise<JoinedPage> {
  const { page, client } = await openLivePage(baseUrl, path);
  const channel = client.channel(page.topic);
  const reply = await channel.join(joinPayload(page));
  if (reply.status !== 'ok') {
    await client.close();
    throw new Error(`join of ${path} refused: ${JSON.stringify(reply.response)}`);
  }
  return { page, client, channel, reply };
}

interface Waiter {
  matches(frame: ServerFrame): boolean;
  resolve(frame: ServerFrame): void;
  reject(error: Error): void;
}

/**
 * One WebSocket speaking V2 frames. Made by `connectSocket`; every frame received goes to a
 * mailbox read with `waitFor` (replies to `request`/`push` are taken from it by ref).
 */
export class LiveClient {
  readonly socket: WebSocket;
  /** Resolves when the socket has closed, with the close code the client saw. */
  readonly closed: Promise<CloseInfo>;
  #nextRef = 0;
  #seq = 0;
  #unread: ServerFrame[] = [];
  #waiters = new Set<Waiter>();
  #closeInfo: CloseInfo | null = null;
  /** Texts received that were not valid V2 frames (should stay empty). */
  readonly protocolViolations: string[] = [];

  constructor(socket: WebSocket) {
    this.socket = socket;
    this.closed = new Promise((resolve) => {
      socket.on('close', (code, reason) => {
        this.#closeInfo = { code, reason: reason.toString() };
        for (const waiter of this.#waiters) waiter.reject(new Error(`socket closed with ${code} while waiting`));
        this.#waiters.clear();
        resolve(this.#closeInfo);
      });
    });
    socket.on('error', () => {}); // reported through `close` (and `connectSocket` before open)
    socket.on('message', (data, isBinary) => this.#receive(isBinary ? '(binary frame)' : data.toString()));
  }

  /** A fresh ref: a per-socket counter as a string, like the official client's `makeRef()`. */
  makeRef(): string {
    return String(++this.#nextRef);
  }

  /** Sends text (or bytes) as is: for malformed-input tests. */
  sendRaw(data: string | Buffer): void {
    this.socket.send(data);
  }

  send(frame: WireFrame): void {
    this.sendRaw(JSON.stringify(frame));
  }

  /** Sends a frame with a fresh ref and resolves with the `phx_reply` carrying that ref. */
  request(joinRef: string | null, topic: string, event: string, payload: Payload = {}, timeoutMs = DEFAULT_WAIT_MS): Promise<Reply> {
    const ref = this.makeRef();
    const reply = this.waitFor((f) => f.event === 'phx_reply' && f.ref === ref, { timeoutMs, what: `reply to ${event} ref ${ref}` });
    this.send([joinRef, ref, topic, event, payload]);
    return reply.then(toReply);
  }

  /** `[null, ref, "phoenix", "heartbeat", {}]`. */
  heartbeat(): Promise<Reply> {
    return this.request(null, 'phoenix', 'heartbeat');
  }

  /** A handle on one topic, tracking its current join_ref. */
  channel(topic: string): LiveChannel {
    return new LiveChannel(this, topic);
  }

  /**
   * The first unread frame matching `predicate`, now or when it arrives. Rejects (failing the
   * test) after `timeoutMs`, or when the socket closes first.
   */
  waitFor(
    predicate: (frame: ServerFrame) => boolean,
    { timeoutMs = DEFAULT_WAIT_MS, what = 'a matching frame' }: { timeoutMs?: number; what?: string } = {},
  ): Promise<ServerFrame> {
    const index = this.#unread.findIndex(predicate);
    if (index >= 0) return Promise.resolve(this.#unread.splice(index, 1)[0]!);
    if (this.#closeInfo) return Promise.reject(new Error(`socket closed with ${this.#closeInfo.code}; no ${what}`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        const unread = this.#unread.map((f) => f.raw.slice(0, 200)).join('\n  ');
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; unread frames:\n  ${unread || '(none)'}`));
      }, timeoutMs);
      const waiter: Waiter = {
        matches: predicate,
        resolve: (frame) => {
          clearTimeout(timer);
          resolve(frame);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(new Error(`${error.message} for ${what}`));
        },
      };
      this.#waiters.add(waiter);
    });
  }

  /** Frames received and not taken by `waitFor` or a reply (and removes them). */
  takeUnread(): ServerFrame[] {
    return this.#unread.splice(0);
  }

  /** Closes the socket (1000 unless told otherwise) and waits for the close. Idempotent. */
  async close(code = 1000): Promise<CloseInfo> {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.close(code);
    else if (this.socket.readyState === WebSocket.CONNECTING) this.socket.terminate();
    const timer = setTimeout(() => this.socket.terminate(), DEFAULT_WAIT_MS);
    try {
      return await this.closed;
    } finally {
      clearTimeout(timer);
    }
  }

  #receive(raw: string): void {
    let frame: ServerFrame;
    try {
      frame = parseServerFrame(raw, this.#seq++);
    } catch (error) {
      // The server broke the protocol: fail whoever is waiting, loudly.
      this.protocolViolations.push(raw);
      for (const waiter of this.#waiters) waiter.reject(error as Error);
      this.#waiters.clear();
      return;
    }
    for (const waiter of this.#waiters) {
      if (waiter.matches(frame)) {
        this.#waiters.delete(waiter);
        waiter.resolve(frame);
        return;
      }
    }
    this.#unread.push(frame);
  }
}

/** One topic on a `LiveClient`: join, push, leave with the right join_ref. */
export class LiveChannel {
  readonly client: LiveClient;
  readonly topic: string;
  /** join_ref of the latest join (null before the first). */
  joinRef: string | null = null;

  constructor(client: LiveClient, topic: string) {
    this.client = client;
    this.topic = topic;
  }

  /** Sends `phx_join` with `join_ref == ref` (a new join_ref each time) and waits for its reply. */
  join(payload: Payload, timeoutMs = DEFAULT_WAIT_MS): Promise<Reply> {
    const ref = this.client.makeRef();
    this.joinRef = ref;
    const reply = this.client.waitFor((f) => f.event === 'phx_reply' && f.ref === ref, {
      timeoutMs,
      what: `join reply on ${this.topic} ref ${ref}`,
    });
    this.client.send([ref, ref, this.topic, 'phx_join', payload]);
    return reply.then(toReply);
  }

  /** Sends `event` on this topic with the current join_ref and waits for the reply. */
  push(event: string, payload: Payload = {}, timeoutMs = DEFAULT_WAIT_MS): Promise<Reply> {
    return this.client.request(this.joinRef, this.topic, event, payload, timeoutMs);
  }

  /** A `phx-click` style event: `{"type":"click","event":name,"value":value}`. */
  event(name: string, value: Payload = {}): Promise<Reply> {
    return this.push('event', { type: 'click', event: name, value });
  }

  leave(): Promise<Reply> {
    return this.push('phx_leave');
  }

  /**
   * Sends `payload` as a binary push (the official client's `binaryEncode`: kind, four lengths,
   * join_ref, ref, topic, event, bytes) with the current join_ref, and waits for the reply.
   */
  pushBinary(event: string, payload: Uint8Array, timeoutMs = DEFAULT_WAIT_MS): Promise<Reply> {
    const ref = this.client.makeRef();
    const reply = this.client.waitFor((f) => f.event === 'phx_reply' && f.ref === ref, {
      timeoutMs,
      what: `reply to binary ${event} ref ${ref}`,
    });
    this.client.sendRaw(encodeChunkFrame(this.joinRef ?? '', ref, this.topic, event, payload));
    return reply.then(toReply);
  }

  /** The next unread server push on this topic (`ref` null) with `event`, for the current join. */
  waitForPush(event: string, timeoutMs = DEFAULT_WAIT_MS): Promise<ServerFrame> {
    const joinRef = this.joinRef;
    return this.client.waitFor((f) => f.topic === this.topic && f.event === event && f.ref === null && f.joinRef === joinRef, {
      timeoutMs,
      what: `${event} push on ${this.topic} for join_ref ${joinRef}`,
    });
  }
}

// ---------------------------------------------------------------------------------- parsing

function toReply(frame: ServerFrame): Reply {
  const { status, response } = frame.payload as { status?: unknown; response?: unknown };
  if ((status !== 'ok' && status !== 'error') || typeof response !== 'object' || response === null) {
    throw new Error(`malformed phx_reply: ${frame.raw}`);
  }
  return { status, response: response as Payload, frame };
}

/** Parses a server frame; a frame that is not a valid V2 frame throws (the server broke the protocol). */
function parseServerFrame(raw: string, seq = 0): ServerFrame {
  const parsed: unknown = JSON.parse(raw);
  if (!Array.isArray(parsed) || parsed.length !== 5) throw new Error(`server sent a non-V2 frame: ${raw}`);
  const [joinRef, ref, topic, event, payload] = parsed as unknown[];
  const isRef = (v: unknown): v is string | null => v === null || typeof v === 'string';
  if (
    !isRef(joinRef) ||
    !isRef(ref) ||
    typeof topic !== 'string' ||
    typeof event !== 'string' ||
    typeof payload !== 'object' ||
    payload === null ||
    Array.isArray(payload)
  ) {
    throw new Error(`server sent a malformed frame: ${raw}`);
  }
  return { joinRef, ref, topic, event, payload: payload as Payload, seq, raw };
}

/**
 * Remembers the clients a test file opens, so `afterAll` can close every one of them.
 *
 * @example
 *   const clients = new ClientTracker();
 *   const { channel } = clients.track(await joinLivePage(s.baseUrl, '/counter'));
 *   afterAll(() => clients.closeAll());
 */
export class ClientTracker {
  readonly #clients = new Set<LiveClient>();

  track<T extends LiveClient | { client: LiveClient }>(opened: T): T {
    this.#clients.add(opened instanceof LiveClient ? opened : opened.client);
    return opened;
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.#clients].map((client) => client.close()));
    this.#clients.clear();
  }
}
