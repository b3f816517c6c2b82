// Puts the runtime together: the HTTP server with its plug pipeline, the WebSocket endpoint at
// `/live/websocket`, the registry (root of the actor system), PubSub and the supervisor.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { v4 as uuidv4 } from 'uuid';
import { WebSocketServer, type Server as WsServer } from 'ws';
import { Connection } from '../actors/connection.ts';
import { Registry } from '../actors/registry.ts';
import { SilenceWatch } from '../actors/silence-watch.ts';
import { Supervisor } from '../actors/supervisor.ts';
import type { Services } from '../actors/view-context.ts';
import { systemClock, type Clock } from './clock.ts';
import { CountingClock } from './counting-clock.ts';
import { renderLiveRoute } from './dead-render.ts';
import { flatString } from './flat-string.ts';
import { RoutedWebSocket } from './routed-web-socket.ts';
import { BodyTooLargeError, Conn, runPipeline, type Plug } from './http/conn.ts';
import { serveAsset } from './http/assets.ts';
import { defaultLayout, type Layout } from './layout.ts';
import { resolveLimits, type Limits } from './limits.ts';
import { logger } from './logger.ts';
import { isOriginAllowed, type OriginPolicy } from './origin.ts';
import { LocalPubSub, type PubSub } from './pubsub.ts';
import type { Router } from './router.ts';
import { RuntimeEvents, type RuntimeEventStream } from './runtime-events.ts';
import { CookieSessionStore, parseCookies, type CookieSession } from './security/cookie-session.ts';
import { CSRF_SESSION_KEY, generateCsrfSecret, isValidCsrfToken } from './security/csrf.ts';
import { Keyring } from './security/keyring.ts';
import { loadSecretKeyBase } from './security/secret-key-base.ts';
import { ViewTokens } from './security/view-token.ts';
import { AdminTokens } from './security/admin-token.ts';
import { isLiveError } from './errors.ts';
import type { DisconnectResult } from './disconnect-result.ts';
import type { CrashReport, ServerCounts, ServerDescription } from './server-description.ts';

export interface LiveServerOptions {
  router: Router;
  /** Plugs run for every request before the route's own (after the session is fetched). */
  pipeline?: Plug[];
  layout?: Layout;
  /** Title when a view sets none. */
  defaultTitle?: string;
  /** Where the development secret lives when `SECRET_KEY_BASE` is not set. */
  dataDir?: string;
  secretKeyBase?: string;
  limits?: Partial<Limits>;
  pubsub?: PubSub;
  clock?: Clock;
  checkOrigin?: OriginPolicy;
  /** Session cookie name. */
  cookieName?: string;
  /** Mark cookies `Secure` (serve over https). */
  secureCookies?: boolean;
}

const SOCKET_PATH = '/live/websocket';
const SUPPORTED_VSN = /^2\.\d+\.\d+$/;

/**
 * A running LiveView server.
 *
 * @example
 *   const server = createLiveServer({ router });
 *   const { port } = await server.listen(4000, '127.0.0.1');
 */
export class LiveServer {
  readonly router: Router;
  /** @internal */
  readonly registry: Registry;
  readonly pubsub: PubSub;
  /** The runtime's event stream (connections, mounts, allowed and denied events, crashes). */
  readonly events: RuntimeEventStream;
  readonly #events = new RuntimeEvents();
  /** @internal */
  readonly supervisor: Supervisor;
  readonly limits: Limits;
  /** @internal */
  readonly tokens: ViewTokens;
  /** @internal */
  readonly sessions: CookieSessionStore;
  /**
   * Verifies the short-lived tokens of operator tools (`npm run disconnect`).
   * @internal apps call `verifyOperatorToken`.
   */
  readonly adminTokens: AdminTokens;
  readonly httpServer: Server;
  readonly #options: LiveServerOptions;
  readonly #services: Services;
  readonly #wss: WsServer<typeof RoutedWebSocket>;
  readonly #clock: CountingClock;
  #closing: Promise<void> | null = null;

  constructor(options: LiveServerOptions) {
    this.#options = options;
    this.events = this.#events;
    this.router = options.router;
    this.limits = resolveLimits(options.limits);
    this.#clock = new CountingClock(options.clock ?? systemClock);
    const secret = options.secretKeyBase ?? loadSecretKeyBase(options.dataDir ?? '.data');
    const keyring = new Keyring(secret);
    this.tokens = new ViewTokens(keyring, this.#clock, this.limits.sessionMaxAgeS);
    this.sessions = new CookieSessionStore(keyring, this.#clock, {
      name: options.cookieName ?? '_liveward_session',
      maxAgeS: this.limits.loginMaxAgeS,
      secure: options.secureCookies ?? false,
    });
    this.adminTokens = new AdminTokens(keyring, this.#clock);
    this.pubsub = options.pubsub ?? new LocalPubSub();
    this.supervisor = new Supervisor(this.limits, this.#clock, this.#events);
    this.registry = new Registry(this.#events, this.pubsub);
    this.#services = {
      router: this.router,
      tokens: this.tokens,
      pubsub: this.pubsub,
      clock: this.#clock,
      limits: this.limits,
      events: this.#events,
      supervisor: this.supervisor,
      silence: new SilenceWatch(this.#clock, this.limits.heartbeatTimeoutMs),
    };
    // The registry tracks every socket already; ws's own tracking would add a Set entry and a
    // close listener to each.
    this.#wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      maxPayload: this.limits.maxMessageBytes,
      WebSocket: RoutedWebSocket,
    });
    this.httpServer = createServer((req, res) => void this.handleRequest(req, res));
    this.httpServer.on('upgrade', (req, socket, head) => void this.#handleUpgrade(req, socket, head));
  }

  /** Starts listening; resolves with the bound port (pass 0 for a free one). */
  listen(port: number, host = '127.0.0.1'): Promise<{ port: number; host: string }> {
    return new Promise((resolve, reject) => {
      this.httpServer.once('error', reject);
      this.httpServer.listen(port, host, () => {
        this.httpServer.off('error', reject);
        const address = this.httpServer.address();
        resolve({ port: typeof address === 'object' && address ? address.port : port, host });
      });
    });
  }

  /**
   * Drains and stops: no new connections, every socket told 1001 (so clients reconnect
   * elsewhere), then the process may exit. Resolves within `shutdownTimeoutMs` (plus a margin).
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      const httpClosed = new Promise<void>((resolve) => this.httpServer.close(() => resolve()));
      this.httpServer.closeIdleConnections?.();
      this.registry.drain();
      const deadline = Date.now() + this.limits.shutdownTimeoutMs + 500;
      while (this.registry.counts().connections > 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 10));
      }
      this.registry.terminateAll();
      this.httpServer.closeAllConnections?.();
      await httpClosed;
      this.#wss.close();
      this.registry.stop();
      await this.pubsub.close();
    })();
    return this.#closing;
  }

  /**
   * Closes every live socket of `liveSocketId` (e.g. `users_socket:42`, set in the cookie session
   * at login) with 1001: its clients reconnect and mount again under the session they have now.
   * Call it at logout and when a user's rights change.
   */
  async disconnect(liveSocketId: string): Promise<DisconnectResult> {
    const closed = this.registry.disconnect(liveSocketId);
    return { liveSocketId, closed, nodes: [{ nodeId: this.registry.nodeId, closed }], unanswered: [] };
  }

  /** What this node holds right now: its counts and every connection with its views. */
  describe(): ServerDescription {
    return { nodeId: this.registry.nodeId, counts: this.counts(), connections: this.registry.describe() };
  }

  /** Crashes since start, and the latest ones (newest first), messages only. */
  crashes(): CrashReport {
    return { total: this.supervisor.crashCount, recent: [...this.supervisor.recentCrashes()].reverse() };
  }

  /**
   * Verifies an operator token (signed with `AdminTokens` from this server's secret) for `action`;
   * resolves false when it is invalid, expired or for another action.
   */
  verifyOperatorToken(token: string, action: string): Promise<boolean> {
    return this.adminTokens.verify(token, action);
  }

  /** Runtime counts for leak checks, the inspector and benchmarks. */
  counts(): ServerCounts {
    return {
      ...this.registry.counts(),
      subscriptions: this.pubsub.subscriptionCount() - this.registry.ownSubscriptions,
      timers: this.#clock.pendingTimers,
    };
  }

  // ------------------------------------------------------------------------------------- HTTP

  async handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const conn = new Conn(req, `http://${req.headers.host ?? 'localhost'}`);
    try {
      if (conn.path === '/favicon.ico') {
        conn.status = 204;
        conn.sendTo(res);
        return;
      }
      if (serveAsset(conn)) {
        conn.sendTo(res);
        return;
      }
      await this.#fetchSession(conn);
      await runPipeline(conn, this.#options.pipeline ?? []);
      if (!conn.halted) await this.#route(conn);
      if (!conn.halted) conn.text(404, 'Not Found');
    } catch (err) {
      if (err instanceof BodyTooLargeError) conn.text(413, 'Payload Too Large');
      else if (isLiveError(err, 'LV_ERR_UNSAFE_REDIRECT')) {
        logger.error('http.unsafe_redirect', { path: conn.path, error: err });
        conn.text(500, 'Internal Server Error');
      } else {
        const errorId = uuidv4();
        logger.error('http.failed', { errorId, method: conn.method, path: conn.path, error: err });
        conn.text(500, `Internal Server Error (error id ${errorId})`);
      }
    }
    if (conn.sessionChanged && conn.session) conn.addCookie(await this.sessions.write(conn.session));
    conn.sendTo(res);
  }

  async #fetchSession(conn: Conn): Promise<void> {
    conn.session = (await this.sessions.read(conn.cookies.get(this.sessions.options.name))) ?? {};
    if (typeof conn.session[CSRF_SESSION_KEY] !== 'string') conn.putSession(CSRF_SESSION_KEY, generateCsrfSecret());
  }

  async #route(conn: Conn): Promise<void> {
    if (conn.method === 'GET' || conn.method === 'HEAD') {
      const live = this.router.matchLiveUrl(conn.url);
      if (live) {
        conn.params = live.params;
        await runPipeline(conn, live.route.liveSession.pipeline);
        if (conn.halted) return;
        await renderLiveRoute(conn, live, {
          tokens: this.tokens,
          layout: this.#options.layout ?? defaultLayout,
          defaultTitle: this.#options.defaultTitle ?? 'Liveward',
          router: this.router,
          maxChainedPatches: this.limits.maxChainedPatches,
        });
        return;
      }
    }
    const match = this.router.matchHttp(conn.method, conn.path);
    if (!match) {
      if (this.router.hasPath(conn.path)) conn.text(405, 'Method Not Allowed');
      return;
    }
    conn.params = match.params;
    await runPipeline(conn, match.route.pipeline);
    if (!conn.halted) await match.route.handler(conn);
  }

  // -------------------------------------------------------------------------------- WebSocket

  async #handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== SOCKET_PATH) return refuseUpgrade(socket, 404);
    if (req.method !== 'GET') return refuseUpgrade(socket, 400);
    if (this.#closing) return refuseUpgrade(socket, 503);
    if (!isOriginAllowed(req.headers.origin, req.headers.host, this.#options.checkOrigin ?? 'same-host')) {
      logger.warn('socket.origin_refused', { origin: req.headers.origin });
      return refuseUpgrade(socket, 403);
    }
    if (!SUPPORTED_VSN.test(url.searchParams.get('vsn') ?? '')) return refuseUpgrade(socket, 403);
    const cookieSession = await this.#connectSession(req, url);
    // The session read is asynchronous: a shutdown may have begun meanwhile.
    if (this.#closing) return refuseUpgrade(socket, 503);
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#accept(ws, cookieSession));
  }

  /**
   * The cookie session for a socket, or `null` when the cookie is missing or unreadable or the
   * `_csrf_token` query parameter does not match it. A failed check does not refuse the upgrade:
   * the socket just has no session, so every join is `stale` (PROTOCOL.md §8.2).
   */
  async #connectSession(req: IncomingMessage, url: URL): Promise<CookieSession | null> {
    const session = await this.sessions.read(parseCookies(req.headers.cookie).get(this.sessions.options.name));
    if (!session) return null;
    if (!isValidCsrfToken(session[CSRF_SESSION_KEY], url.searchParams.get('_csrf_token'))) return null;
    return session;
  }

  #accept(ws: RoutedWebSocket, cookieSession: CookieSession | null): void {
    const liveSocketId = typeof cookieSession?.live_socket_id === 'string' ? cookieSession.live_socket_id : null;
    const connection = new Connection({
      id: flatString(uuidv4()),
      socket: ws,
      cookieSession,
      liveSocketId,
      services: this.#services,
    });
    // Routed first: from here on a socket error reaches a listener, whatever happens next.
    ws.route(connection);
    try {
      this.registry.open(connection);
    } catch (err) {
      logger.error('connection.open_failed', { connectionId: connection.id, error: err });
      ws.terminate();
      return;
    }
    this.#events.emit({ type: 'connection.opened', connectionId: connection.id, liveSocketId });
  }
}

function refuseUpgrade(socket: Duplex, status: number): void {
  const text = { 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found', 503: 'Service Unavailable' }[status] ?? 'Error';
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/** Creates the server (not yet listening). */
export function createLiveServer(options: LiveServerOptions): LiveServer {
  return new LiveServer(options);
}
