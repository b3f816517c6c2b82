// Routes: live routes (each in a liveSession) and plain HTTP handlers. The live-route table is
// consulted twice per page: for the dead render, and again at join time, where the URL must still
// route to the view and liveSession signed in the token (Phoenix's `authorize_session`).

import type { LiveView } from './live-view.ts';
import { LiveSession, type LiveSessionOptions } from './live-session.ts';
import type { Handler, Plug } from './http/conn.ts';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

interface Pattern {
  readonly path: string;
  readonly segments: readonly string[];
}

export interface LiveRoute extends Pattern {
  readonly kind: 'live';
  readonly view: LiveView;
  readonly liveSession: LiveSession;
}

export interface HttpRoute extends Pattern {
  readonly kind: 'http';
  readonly method: Method;
  readonly handler: Handler;
  readonly pipeline: readonly Plug[];
}

export interface RouteMatch<R> {
  route: R;
  params: Record<string, string>;
}

/** Routes declared inside `router.liveSession(name, options, (s) => …)`. */
export interface LiveScope {
  live(path: string, view: LiveView): void;
}

const DEFAULT_LIVE_SESSION = 'default';

export class Router {
  readonly #live: LiveRoute[] = [];
  readonly #http: HttpRoute[] = [];
  readonly #sessions = new Map<string, LiveSession>();

  /**
   * Declares a liveSession and its routes.
   *
   * @example
   *   router.liveSession('authenticated', { onMount: [requireConfirmedUser] }, (s) => {
   *     s.live('/posts', PostIndex);
   *     s.live('/posts/:id', PostShow);
   *   });
   */
  liveSession(name: string, options: LiveSessionOptions, define: (scope: LiveScope) => void): this {
    if (this.#sessions.has(name)) throw new TypeError(`liveSession "${name}" is declared twice`);
    const session = new LiveSession(name, options);
    this.#sessions.set(name, session);
    define({ live: (path, view) => this.#addLive(path, view, session) });
    return this;
  }

  /** A live route outside any liveSession: it belongs to the implicit `default` one. */
  live(path: string, view: LiveView): this {
    let session = this.#sessions.get(DEFAULT_LIVE_SESSION);
    if (!session) this.#sessions.set(DEFAULT_LIVE_SESSION, (session = new LiveSession(DEFAULT_LIVE_SESSION)));
    this.#addLive(path, view, session);
    return this;
  }

  get(path: string, handler: Handler, pipeline: Plug[] = []): this {
    return this.#addHttp('GET', path, handler, pipeline);
  }

  post(path: string, handler: Handler, pipeline: Plug[] = []): this {
    return this.#addHttp('POST', path, handler, pipeline);
  }

  matchLive(pathname: string): RouteMatch<LiveRoute> | null {
    return matchFirst(this.#live, pathname);
  }

  /** The live route of a URL, with the params a view sees: the query string plus path params. */
  matchLiveUrl(url: URL): RouteMatch<LiveRoute> | null {
    const match = this.matchLive(url.pathname);
    return match && { route: match.route, params: { ...paramsFromQuery(url), ...match.params } };
  }

  /**
   * The params of a patch to `url`, if it stays on `route`; `null` when it would leave the view
   * or its liveSession, which a patch may never do.
   */
  matchPatch(route: LiveRoute, url: URL): Record<string, string> | null {
    const match = this.matchLiveUrl(url);
    return match && match.route === route ? match.params : null;
  }

  matchHttp(method: string, pathname: string): RouteMatch<HttpRoute> | null {
    return matchFirst(
      this.#http.filter((r) => r.method === method),
      pathname,
    );
  }

  /** True when some route serves `pathname` with another method (for 405 answers). */
  hasPath(pathname: string): boolean {
    return matchFirst(this.#http, pathname) !== null || this.matchLive(pathname) !== null;
  }

  #addLive(path: string, view: LiveView, liveSession: LiveSession): void {
    // The view token names the view; a join checks the route still serves that name, so one name
    // must mean one view.
    const clash = this.#live.find((r) => r.view.name === view.name && r.view !== view);
    if (clash) throw new TypeError(`two different views are named "${view.name}" (${clash.path} and ${path})`);
    this.#live.push({ kind: 'live', path, segments: split(path), view, liveSession });
  }

  #addHttp(method: Method, path: string, handler: Handler, pipeline: Plug[]): this {
    this.#http.push({ kind: 'http', method, path, segments: split(path), handler, pipeline });
    return this;
  }
}

/**
 * Query-string parameters (first value of each name). Collected in a prototype-less object and
 * tested with `hasOwn`: with `in` on `{}`, a parameter named `constructor` or `toString` was taken
 * for one already seen and dropped, and `__proto__` went to the prototype setter.
 */
function paramsFromQuery(url: URL): Record<string, string> {
  const params: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [key, value] of url.searchParams) if (!Object.hasOwn(params, key)) params[key] = value;
  return params;
}

function split(path: string): string[] {
  if (!path.startsWith('/')) throw new TypeError(`route path must start with "/": ${path}`);
  return path.split('/').filter(Boolean);
}

function matchFirst<R extends Pattern>(routes: readonly R[], pathname: string): RouteMatch<R> | null {
  const parts = pathname.split('/').filter(Boolean);
  outer: for (const route of routes) {
    if (route.segments.length !== parts.length) continue;
    const params: Record<string, string> = {};
    for (let i = 0; i < parts.length; i++) {
      const segment = route.segments[i]!;
      let part: string;
      try {
        part = decodeURIComponent(parts[i]!);
      } catch {
        continue outer;
      }
      if (segment.startsWith(':')) params[segment.slice(1)] = part;
      else if (segment !== part) continue outer;
    }
    return { route, params };
  }
  return null;
}
