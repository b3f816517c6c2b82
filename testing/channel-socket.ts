// The WebSocket side of liveward/testing: `/live/websocket` opened as the official client opens
// it (cookie, `_csrf_token`, `vsn=2.0.0`, same Origin), speaking Phoenix channel V2 frames
// `[join_ref, ref, topic, event, payload]`. Replies are matched by ref; every other frame goes
// to the listener of its topic.

import WebSocket from 'ws';

export type Payload = Record<string, unknown>;

/** A `phx_reply`, unpacked. */
export interface ChannelReply {
  readonly status: 'ok' | 'error';
  readonly response: Payload;
}

/** A frame the server pushed (not a reply): `diff`, `live_patch`, `redirect`, `phx_close`, … */
export interface PushedFrame {
  readonly topic: string;
  readonly event: string;
  readonly payload: Payload;
}

const SOCKET_PATH = '/live/websocket';

/**
 * The `phx_join` payload the official client sends for a page. `{ redirect }` in `overrides` makes
 * it a live navigation join (it replaces `url`); any other field overrides the client's.
 */
export function joinPayload(
  page: { readonly url: string; readonly csrfToken: string; readonly session: string; readonly static: string | null },
  overrides: Payload = {},
): Payload {
  const payload: Payload = {
    url: page.url,
    params: { _csrf_token: page.csrfToken, _mounts: 0, _mount_attempts: 0 },
    session: page.session,
    static: page.static,
    sticky: false,
  };
  if ('redirect' in overrides) delete payload.url;
  return { ...payload, ...overrides };
}

export class ChannelSocket {
  readonly #socket: WebSocket;
  readonly #pending = new Map<string, { resolve(reply: ChannelReply): void; reject(error: Error): void }>();
  readonly #listeners = new Map<string, (frame: PushedFrame) => void>();
  readonly #timeoutMs: number;
  #ref = 0;
  #closed: Error | null = null;

  private constructor(socket: WebSocket, timeoutMs: number) {
    this.#socket = socket;
    this.#timeoutMs = timeoutMs;
    socket.on('message', (data) => {
      // A frame this client cannot read fails the test that waits, not the whole test process.
      try {
        this.#receive(String(data));
      } catch (error) {
        this.#fail(new Error(`could not read the server's frame ${String(data).slice(0, 200)}: ${(error as Error).message}`));
      }
    });
    socket.on('close', (code, reason) => this.#fail(new Error(`socket closed (${code} ${String(reason)})`)));
    socket.on('error', (error) => this.#fail(error));
  }

  static open(baseUrl: string, cookie: string, csrfToken: string, timeoutMs: number): Promise<ChannelSocket> {
    const base = new URL(baseUrl);
    const query = new URLSearchParams({ _csrf_token: csrfToken, vsn: '2.0.0' });
    const url = `${base.protocol === 'https:' ? 'wss' : 'ws'}://${base.host}${SOCKET_PATH}?${query}`;
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { headers: { cookie, origin: base.origin }, handshakeTimeout: timeoutMs });
      socket.once('unexpected-response', (_request, response) => {
        response.resume();
        reject(new Error(`the server refused the WebSocket upgrade with ${response.statusCode}`));
        socket.terminate();
      });
      socket.once('open', () => resolve(new ChannelSocket(socket, timeoutMs)));
      socket.once('error', reject);
    });
  }

  nextRef(): string {
    return String(++this.#ref);
  }

  /** Sends a frame and resolves with its reply. */
  request(joinRef: string | null, topic: string, event: string, payload: Payload, ref = this.nextRef()): Promise<ChannelReply> {
    if (this.#closed) return Promise.reject(this.#closed);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(ref);
        reject(new Error(`no reply to ${event} on ${topic} within ${this.#timeoutMs} ms`));
      }, this.#timeoutMs);
      this.#pending.set(ref, {
        resolve: (reply) => {
          clearTimeout(timer);
          resolve(reply);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.#socket.send(JSON.stringify([joinRef, ref, topic, event, payload]));
    });
  }

  /** Where the pushes of `topic` go (one listener per topic). */
  listen(topic: string, listener: (frame: PushedFrame) => void): void {
    this.#listeners.set(topic, listener);
  }

  close(): Promise<void> {
    if (this.#socket.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.#socket.once('close', () => resolve());
      this.#socket.close(1000);
    });
  }

  #receive(raw: string): void {
    const [, ref, topic, event, payload] = JSON.parse(raw) as [string | null, string | null, string, string, Payload];
    if (event === 'phx_reply' && ref !== null && this.#pending.has(ref)) {
      const waiter = this.#pending.get(ref)!;
      this.#pending.delete(ref);
      waiter.resolve({ status: payload.status as 'ok' | 'error', response: (payload.response ?? {}) as Payload });
      return;
    }
    this.#listeners.get(topic)?.({ topic, event, payload });
  }

  #fail(error: Error): void {
    this.#closed ??= error;
    for (const waiter of this.#pending.values()) waiter.reject(error);
    this.#pending.clear();
  }
}
