// liveward/testing's entry: a running server seen from tests, the counterpart of
// Phoenix.LiveViewTest. Every page is loaded as a browser loads it (a real HTTP GET through the
// app's pipeline, cookies kept) and every view joined over a real WebSocket, with the frames the
// official client sends, so what passes here passes in the browser.

import type { LiveServer, Session } from '../server/index.ts';
import { ChannelSocket } from './channel-socket.ts';
import { mergeCookies } from './cookie-jar.ts';
import { livePageTokens, queryAll } from './html-query.ts';
import { LiveViewTest, type ViewHost } from './live-view-test.ts';

/** Options of `LiveTest.live`. */
export interface LiveOptions {
  /**
   * Values to put in the cookie session before the page loads, as a login would (e.g. the app's
   * user token and `live_socket_id`). The session is signed and encrypted with the server's own
   * secret, exactly like a real one.
   */
  readonly session?: Session;
  /** A `Cookie` header to start from (e.g. `LiveTest.request`'s after a login form post). */
  readonly cookie?: string;
}

/** The answer to a plain HTTP request made with `LiveTest.request`. */
export interface HttpResult {
  readonly status: number;
  /** The `Location` header of a redirect, as a path. */
  readonly location: string | null;
  readonly body: string;
  /** The cookie jar after the response (pass it on as `LiveOptions.cookie`). */
  readonly cookie: string;
}

/** Options of `LiveTest.start`. */
export interface LiveTestOptions {
  /** How long to wait for any reply before failing. Default 5000 ms. */
  readonly timeoutMs?: number;
}

/** Redirects followed before `live` gives up (a redirect loop is an app bug worth a clear error). */
const MAX_REDIRECTS = 10;

/**
 * A server under test.
 *
 * @example
 *   const t = await LiveTest.start(createLiveServer({ router, secretKeyBase }));
 *   const view = await t.live('/counter');
 *   await view.click('button[phx-click="increment"]');
 *   expect(view.text('#count')).toBe('1');
 *   await t.close();
 */
export class LiveTest implements ViewHost {
  /** `http://127.0.0.1:<port>` */
  readonly baseUrl: string;
  readonly #server: LiveServer;
  readonly #ownsServer: boolean;
  readonly #timeoutMs: number;
  readonly #views = new Set<LiveViewTest>();

  private constructor(server: LiveServer, baseUrl: string, ownsServer: boolean, timeoutMs: number) {
    this.#server = server;
    this.baseUrl = baseUrl;
    this.#ownsServer = ownsServer;
    this.#timeoutMs = timeoutMs;
  }

  /** Starts `server` on a free local port (unless it already listens) and returns its test handle. */
  static async start(server: LiveServer, options: LiveTestOptions = {}): Promise<LiveTest> {
    const address = server.httpServer.address();
    if (server.httpServer.listening && typeof address === 'object' && address) {
      return new LiveTest(server, `http://127.0.0.1:${address.port}`, false, options.timeoutMs ?? 5_000);
    }
    const { port } = await server.listen(0, '127.0.0.1');
    return new LiveTest(server, `http://127.0.0.1:${port}`, true, options.timeoutMs ?? 5_000);
  }

  /**
   * Loads `path` and mounts its live view: GET (following redirects, as a browser would, with
   * the cookies it gets), then the join over a WebSocket (following a redirect the mount asks
   * for). Throws when the final page is not a live view or the join is refused otherwise.
   *
   * @example
   *   const view = await t.live('/posts', { session: { user_token: token } });
   *   expect(view.redirects).toEqual([]); // not sent to /login
   */
  async live(path: string, options: LiveOptions = {}): Promise<LiveViewTest> {
    let cookie = options.cookie ?? '';
    if (options.session) cookie = mergeCookies(cookie, [await this.#server.sessions.write({ ...options.session })]);
    return this.load(path, cookie, []);
  }

  /**
   * A plain HTTP request through the app's pipeline (a login form, a JSON endpoint). For a
   * form post, `form` is sent url-encoded with the session's CSRF token added.
   */
  async request(method: string, path: string, options: { cookie?: string; form?: Record<string, string> } = {}): Promise<HttpResult> {
    let cookie = options.cookie ?? '';
    let body: string | undefined;
    if (options.form) {
      // The CSRF token comes from the GET of the same path in the same session, as a browser's
      // form has it (from the page's meta tag or the form's hidden field).
      const page = await this.request('GET', path, { cookie });
      cookie = page.cookie;
      const csrf =
        queryAll(page.body, 'meta[name="csrf-token"]')[0]?.attributes.get('content') ??
        queryAll(page.body, 'input[name="_csrf_token"]')[0]?.attributes.get('value');
      body = new URLSearchParams({ ...(csrf !== undefined ? { _csrf_token: csrf } : {}), ...options.form }).toString();
    }
    const response = await fetch(new URL(path, this.baseUrl), {
      method,
      redirect: 'manual',
      headers: {
        ...(cookie ? { cookie } : {}),
        ...(body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded', origin: this.baseUrl } : {}),
      },
      body,
    });
    const location = response.headers.get('location');
    return {
      status: response.status,
      location: location === null ? null : pathOf(new URL(location, this.baseUrl)),
      body: await response.text(),
      cookie: mergeCookies(cookie, response.headers.getSetCookie()),
    };
  }

  /** Closes every view's socket, then the server if `start` started it. */
  async close(): Promise<void> {
    await Promise.all([...this.#views].map((view) => view.close()));
    this.#views.clear();
    if (this.#ownsServer) await this.#server.close();
  }

  /** @internal follows redirects to a live page and joins it. */
  async load(path: string, cookie: string, redirects: string[]): Promise<LiveViewTest> {
    let current = path;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const page = await this.request('GET', current, { cookie });
      cookie = page.cookie;
      if (page.status >= 300 && page.status < 400 && page.location) {
        redirects.push(page.location);
        current = page.location;
        continue;
      }
      if (page.status !== 200) throw new Error(`GET ${current} answered ${page.status}:\n${page.body.slice(0, 500)}`);
      const tokens = livePageTokens(page.body);
      if (!tokens) throw new Error(`GET ${current} is not a live page (no root container or csrf-token)`);
      const socket = await ChannelSocket.open(this.baseUrl, cookie, tokens.csrfToken, this.#timeoutMs);
      const view = new LiveViewTest(
        socket,
        this,
        {
          ...tokens,
          url: new URL(current, this.baseUrl).href,
          topic: `lv:${tokens.id}`,
          cookie,
        },
        redirects,
      );
      const reply = await view.join();
      if (reply.status === 'ok') {
        this.#views.add(view);
        return view;
      }
      await view.close();
      const target = (reply.response.redirect ?? reply.response.live_redirect) as { to?: string } | undefined;
      if (typeof target?.to !== 'string') throw new Error(`join of ${current} refused: ${JSON.stringify(reply.response)}`);
      redirects.push(target.to);
      current = target.to;
    }
    throw new Error(`GET ${path}: more than ${MAX_REDIRECTS} redirects (${redirects.join(' → ')})`);
  }
}

function pathOf(url: URL): string {
  return url.pathname + url.search;
}
