// Puts the runtime together: the HTTP server with its plug pipeline, the WebSocket endpoint at
// `/live/websocket`, the registry (root of the actor system), PubSub and the supervisor.

import { STATUS_CODES, createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { v4 as uuidv4 } from 'uuid';
import { WebSocketServer, type Server as WsServer } from 'ws';
import { Connection } from '../actors/connection.ts';
import { Registry, type SessionCheck } from '../actors/registry.ts';
import { SessionTally } from '../actors/session-tally.ts';
import { SilenceWatch } from '../actors/silence-watch.ts';
import { Supervisor } from '../actors/supervisor.ts';
import type { Services } from '../actors/view-context.ts';
import { systemClock, type Clock } from '../runtime/clock.ts';
import { CountingClock } from '../runtime/counting-clock.ts';
import { renderLiveRoute } from '../runtime/dead-render.ts';
import { flatString } from '../runtime/flat-string.ts';
import { RoutedWebSocket } from '../runtime/routed-web-socket.ts';
import { BodyTooLargeError, Conn, runPipeline, type Plug } from '../runtime/http/conn.ts';
import { assetTable, serveAsset, type Asset } from '../runtime/http/assets.ts';
import { securityHeaders } from '../runtime/http/security-headers.ts';
import { defaultLayout, type Layout } from '../runtime/layout.ts';
import { resolveLimits, type Limits } from '../runtime/limits.ts';
import { logger, setLogNodeId } from '../runtime/logger.ts';
import { LogBudget } from '../runtime/log-budget.ts';
import { isOriginAllowed, type OriginPolicy } from '../runtime/origin.ts';
import { LocalPubSub, type PubSub } from '../runtime/pubsub.ts';
import type { Router } from '../runtime/router.ts';
import { RuntimeEvents, type RuntimeEventStream } from '../runtime/runtime-events.ts';
import { CookieSessionStore, parseCookies, type CookieSession } from '../runtime/security/cookie-session.ts';
import { CSRF_SESSION_KEY, generateCsrfSecret, isValidCsrfToken } from '../runtime/security/csrf.ts';
import { UploadService } from '../runtime/uploads/upload-service.ts';
import { Keyring } from '../runtime/security/keyring.ts';
import { loadSecretKeyBase } from '../runtime/security/secret-key-base.ts';
import { ViewTokens } from '../runtime/security/view-token.ts';
import { FLASH_COOKIE, FlashTokens, toFlash } from '../runtime/security/flash-token.ts';
import { serializeCookie } from '../runtime/security/cookie-session.ts';
import { AdminTokens } from '../runtime/security/admin-token.ts';
import { isLiveError } from '../runtime/errors.ts';
import type { DisconnectResult } from '../runtime/disconnect-result.ts';
import type { ClusterDescription, CrashReport, ServerCounts, ServerDescription, WatchedCluster } from '../runtime/server-description.ts';

export interface LiveServerOptions {
  router: Router;
  /** Plugs run for every request before the route's own (after the session is fetched). */
  pipeline?: Plug[];
  layout?: Layout;
  /** Title when a view sets none. */
  defaultTitle?: string;
  /** Where the development secret lives when `SECRET_KEY_BASE` is not set. */
  dataDir?: string;
  /** uploads: the private directory for upload temporary files (default: a new one under the OS's temp dir). */
  uploadDir?: string;
  secretKeyBase?: string;
  limits?: Partial<Limits>;
  /** Default: a `LocalPubSub` (one node). A `RedisPubSub` makes this node part of a cluster. */
  pubsub?: PubSub;
  /**
   * Whether a live socket's login session (its cookie session) is still valid, e.g. its token is
   * still in the session table. Asked of every live socket after each PubSub outage: a logout on
   * another node meanwhile could not reach this one, and a revoked session must not keep a live
   * view. Without it, a disconnect relayed during an outage is lost (a warning says so at start).
   */
  revalidateSession?: SessionCheck;
  clock?: Clock;
  checkOrigin?: OriginPolicy;
  /**
   * The app's own browser files, `/assets/…` path → file (`.js`, `.css`). `/assets/hooks.js`
   * is the one the client bootstrap imports: its default export is the hooks object
   * (`{ MyHook: { mounted() { … } } }`) handed to `LiveSocket`.
   */
  assets?: Record<string, string>;
  /** Session cookie name. */
  cookieName?: string;
  /**
   * Mark cookies `Secure`: set it when browsers reach the server over HTTPS (a TLS proxy in
   * front); a `Secure` cookie is never sent over plain HTTP.
   */
  secureCookies?: boolean;
  /** The `Content-Security-Policy` of every response; `false` sends none (see `security-headers.ts`). */
  contentSecurityPolicy?: string | false;
  /** `Strict-Transport-Security` for a server reached over HTTPS only: `true` (a year) or a max-age in s. */
  hsts?: boolean | number;
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
  /** Signs and verifies the flash carried across a redirect (60 s, forged or expired reads as none). @internal */
  readonly flashTokens: FlashTokens;
  /** @internal */
  readonly sessions: CookieSessionStore;
  /**
   * Verifies the short-lived tokens of operator tools (`npm run disconnect`).
   * @internal apps call `verifyOperatorToken`.
   */
  readonly adminTokens: AdminTokens;
  readonly httpServer: Server;
  /** This node's id (its PubSub's): in every log line, `describe()` and disconnect results. */
  readonly nodeId: string;
  readonly #options: LiveServerOptions;
  readonly #services: Services;
  readonly #wss: WsServer<typeof RoutedWebSocket>;
  readonly #clock: CountingClock;
  readonly #securityHeaders: ReadonlyArray<readonly [string, string]>;
  readonly #assets: Readonly<Record<string, Asset>>;
  /**
   * Refused upgrades come before any socket exists, so no socket's log budget covers them: one
   * budget for the server keeps a flood of bad upgrades from writing the log at its own rate.
   */
  readonly #refusalLog: LogBudget;
  #closing: Promise<void> | null = null;

  constructor(options: LiveServerOptions) {
    this.#options = options;
    this.events = this.#events;
    this.router = options.router;
    this.limits = resolveLimits(options.limits);
    this.#assets = assetTable(options.assets);
    this.#clock = new CountingClock(options.clock ?? systemClock);
    this.#securityHeaders = securityHeaders(options);
    this.#refusalLog = new LogBudget(this.limits.maxLogLinesPerSecond, this.#clock, { source: 'upgrade' });
    const secret = options.secretKeyBase ?? loadSecretKeyBase(options.dataDir ?? '.data');
    const keyring = new Keyring(secret);
    this.tokens = new ViewTokens(keyring, this.#clock, this.limits.sessionMaxAgeS, this.limits.maxMintedViewTokens);
    this.flashTokens = new FlashTokens(keyring, this.#clock, this.limits.flashMaxAgeS);
    this.sessions = new CookieSessionStore(keyring, this.#clock, {
      name: options.cookieName ?? '_liveward_session',
      maxAgeS: this.limits.loginMaxAgeS,
      secure: options.secureCookies ?? false,
      cachedSessions: this.limits.maxCachedCookieSessions,
    });
    this.adminTokens = new AdminTokens(keyring, this.#clock);
    this.pubsub = options.pubsub ?? new LocalPubSub();
    this.nodeId = this.pubsub.nodeId;
    setLogNodeId(this.nodeId);
    this.supervisor = new Supervisor(this.limits, this.#clock, this.#events);
    this.registry = new Registry(this.#events, this.pubsub, {
      nodeId: this.nodeId,
      limits: this.limits,
      revalidateSession: options.revalidateSession,
      describeNode: (maxConnections) => this.describe(maxConnections),
    });
    if (this.pubsub.distributed && !options.revalidateSession) {
      logger.warn('cluster.no_session_check', {
        hint: 'pass revalidateSession: a logout during a PubSub outage would not reach the other nodes',
      });
    }
    this.#services = {
      router: this.router,
      tokens: this.tokens,
      flash: this.flashTokens,
      pubsub: this.pubsub,
      clock: this.#clock,
      limits: this.limits,
      events: this.#events,
      supervisor: this.supervisor,
      silence: new SilenceWatch(this.#clock, this.limits.heartbeatTimeoutMs),
      sessions: new SessionTally(),
      // uploads: tokens, temporary files and the views with uploads open (runtime/uploads/)
      uploads: new UploadService({
        keyring,
        clock: this.#clock,
        nodeId: this.nodeId,
        tokenMaxAgeS: this.limits.uploadTokenMaxAgeS,
        dir: options.uploadDir,
      }),
    };
    // The registry tracks every socket already; ws's own tracking would add a Set entry and a
    // close listener to each.
    this.#wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      maxPayload: this.limits.maxMessageBytes,
      WebSocket: RoutedWebSocket,
    });
    // Every entry point has its boundary: whatever escapes a request or an upgrade is logged and
    // ends that one client, never the process (an unhandled rejection would).
    this.httpServer = createServer((req, res) => {
      this.handleRequest(req, res).catch((err: unknown) => {
        logger.error('http.boundary', { error: err });
        res.destroy();
      });
    });
    this.httpServer.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      // From the `upgrade` event on, Node no longer listens for the raw socket's errors; a reset
      // during the refusal or while the session is read would otherwise be an uncaught error.
      socket.on('error', ignoreSocketError);
      this.#handleUpgrade(req, socket, head).catch((err: unknown) => {
        logger.error('socket.upgrade_failed', { error: err });
        socket.destroy();
      });
    });
    // A request Node's parser refuses (bad request line, oversized headers) or a socket reset
    // before a request was read: answer 400 when the socket can still take it, then drop it.
    this.httpServer.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
      socket.on('error', ignoreSocketError);
      const pending = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
      if (err.code !== 'ECONNRESET' && socket.writable && !pending?.headersSent) socket.end(rawResponse(400));
      socket.destroy();
    });
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
      this.#refusalLog.flush();
      // Wait for the last socket to close (the registry says when, no polling), or for the grace
      // to run out. The grace is a real-time timer, not the injected clock: it is real time for a
      // real process, and a test's manual clock that never moves would make this wait for ever.
      await new Promise<void>((resolve) => {
        const grace = setTimeout(resolve, this.limits.shutdownTimeoutMs + 500);
        void this.registry.whenEmpty().then(() => {
          clearTimeout(grace);
          resolve();
        });
      });
      this.registry.terminateAll();
      this.httpServer.closeAllConnections?.();
      await httpClosed;
      this.#wss.close();
      this.registry.stop();
      this.#services.uploads.close(); // uploads: no temporary file outlives the server
      await this.pubsub.close();
    })();
    return this.#closing;
  }

  /**
   * Closes every live socket of `liveSocketId` (e.g. `users_socket:42`, set in the cookie session
   * at login) with 1001: its clients reconnect and mount again under the session they have now.
   * Call it at logout and when a user's rights change.
   */
  disconnect(liveSocketId: string): Promise<DisconnectResult> {
    return this.registry.disconnect(liveSocketId);
  }

  /**
   * Who this node is, how its link to the cluster is doing, its counts and its connections with
   * their views (the first `maxConnections`, all by default; the counts are always whole).
   */
  describe(maxConnections = Infinity): ServerDescription {
    return {
      nodeId: this.nodeId,
      pubsub: this.pubsub.health(),
      peers: this.registry.peers(),
      counts: this.counts(),
      connections: this.registry.describe(maxConnections),
    };
  }

  /**
   * `describe()` of every node of the cluster, asked over PubSub: this node first, then each node
   * that answered within `clusterReplyTimeoutMs`, and the ids of those that did not. Each node
   * describes at most `maxConnections` connections (and never more than 1,000).
   */
  describeCluster(maxConnections = 200): Promise<ClusterDescription> {
    return this.registry.describeCluster(maxConnections);
  }

  /**
   * Calls `onChange` with the other nodes' trees (at most `maxConnections` connections each, never
   * over 1,000) each time one changes, until the returned function is called. Pushed, not polled:
   * while the watch lasts, every other node pushes its `describe()` when its tree changes, at most
   * once per `clusterWatchPublishMs`. A node believed up that has not described itself within
   * `clusterReplyTimeoutMs` of being asked, or went silent, is listed in `unanswered`.
   */
  watchCluster(maxConnections: number, onChange: (cluster: WatchedCluster) => void): () => void {
    return this.registry.watchCluster(maxConnections, onChange);
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
    let conn: Conn;
    try {
      conn = new Conn(req, `http://${req.headers.host ?? 'localhost'}`);
    } catch {
      // A Host header or request target no URL can be made of (`Host: [::1`, `GET http://[`): no
      // Conn, so the headers every response carries are written here.
      for (const [name, value] of this.#securityHeaders) res.setHeader(name, value);
      res.statusCode = 400;
      res.setHeader('content-type', 'text/plain; charset=utf-8');
      res.end('Bad Request');
      return;
    }
    for (const [name, value] of this.#securityHeaders) conn.headers.set(name, value);
    try {
      if (conn.path === '/favicon.ico') {
        conn.status = 204;
        conn.sendTo(res);
        return;
      }
      if (serveAsset(conn, this.#assets)) {
        conn.sendTo(res);
        return;
      }
      await this.#fetchSession(conn);
      await this.#fetchFlash(conn);
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
    persistFlash(conn);
    if (conn.sessionChanged && conn.session) conn.addCookie(await this.sessions.write(conn.session));
    conn.sendTo(res);
  }

  async #fetchSession(conn: Conn): Promise<void> {
    conn.session = (await this.sessions.read(conn.cookies.get(this.sessions.options.name))) ?? {};
    if (typeof conn.session[CSRF_SESSION_KEY] !== 'string') conn.putSession(CSRF_SESSION_KEY, generateCsrfSecret());
  }

  /**
   * The flash for this request, as Phoenix's `fetch_live_flash`: what the session kept from a
   * redirect, merged with a flash token the client put in its cookie on a live `redirect` (read
   * once: the cookie is deleted).
   */
  async #fetchFlash(conn: Conn): Promise<void> {
    const stored = toFlash(conn.getSession(FLASH_SESSION_KEY));
    const token = conn.cookies.get(FLASH_COOKIE);
    if (token === undefined) {
      conn.flash = stored;
      return;
    }
    conn.addCookie(serializeCookie(FLASH_COOKIE, '', { maxAgeS: 0, httpOnly: false }));
    conn.flash = { ...stored, ...(await this.flashTokens.verify(token)) };
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
    const url = parseUrl(req.url ?? '/', 'http://localhost');
    if (!url) return refuseUpgrade(socket, 400);
    if (url.pathname !== SOCKET_PATH) return refuseUpgrade(socket, 404);
    if (req.method !== 'GET') return refuseUpgrade(socket, 400);
    if (this.#closing) return refuseUpgrade(socket, 503);
    if (!isOriginAllowed(req.headers.origin, req.headers.host, this.#options.checkOrigin ?? 'same-host')) {
      this.#refusalLog.warn('socket.origin_refused', { origin: req.headers.origin?.slice(0, this.limits.maxFrameFieldChars) });
      return refuseUpgrade(socket, 403);
    }
    if (!SUPPORTED_VSN.test(url.searchParams.get('vsn') ?? '')) return refuseUpgrade(socket, 403);
    const cookieSession = await this.#connectSession(req, url);
    // The session read is asynchronous: a shutdown may have begun, or the client gone, meanwhile.
    if (this.#closing) return refuseUpgrade(socket, 503);
    if (socket.destroyed || !socket.writable) return;
    const liveSocketId = typeof cookieSession?.live_socket_id === 'string' ? cookieSession.live_socket_id : null;
    const sessionKey = SessionTally.keyOf(liveSocketId, cookieSession);
    if (sessionKey !== null && this.#services.sessions.sockets(sessionKey) >= this.limits.maxSocketsPerSession) {
      this.#refusalLog.warn('socket.too_many_sockets', { liveSocketId, limit: this.limits.maxSocketsPerSession });
      this.#events.emit({
        type: 'frame.rejected',
        connectionId: '(upgrade)',
        code: 'LV_ERR_TOO_MANY_SOCKETS',
        detail: 'sockets per session exceeded',
      });
      return refuseUpgrade(socket, 429);
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      // ws listens for the socket's errors itself from here on.
      socket.off('error', ignoreSocketError);
      this.#accept(ws, cookieSession, liveSocketId, sessionKey);
    });
  }

  /**
   * The cookie session for a socket, or `null` when the cookie is missing or unreadable or the
   * `_csrf_token` query parameter does not match it. A failed check does not refuse the upgrade:
   * the socket just has no session, so every join is `stale` (as Phoenix's `connect_session`).
   */
  async #connectSession(req: IncomingMessage, url: URL): Promise<CookieSession | null> {
    const session = await this.sessions.read(parseCookies(req.headers.cookie).get(this.sessions.options.name));
    if (!session) return null;
    if (!isValidCsrfToken(session[CSRF_SESSION_KEY], url.searchParams.get('_csrf_token'))) return null;
    return session;
  }

  #accept(ws: RoutedWebSocket, cookieSession: CookieSession | null, liveSocketId: string | null, sessionKey: string | null): void {
    const connection = new Connection({
      id: flatString(uuidv4()),
      socket: ws,
      cookieSession,
      liveSocketId,
      sessionKey,
      services: this.#services,
    });
    // Routed first: from here on a socket error reaches a listener, whatever happens next.
    ws.route(connection);
    try {
      this.registry.open(connection);
    } catch (err) {
      logger.error('connection.open_failed', { connectionId: connection.id, error: err });
      connection.terminate();
      ws.terminate();
      return;
    }
    this.#events.emit({ type: 'connection.opened', connectionId: connection.id, liveSocketId });
  }
}

/** Where the HTTP flash waits for the request after a redirect. */
const FLASH_SESSION_KEY = '_flash';

/**
 * A flash survives a redirect response in the session and is dropped by any other response (it
 * was shown), as Phoenix's `fetch_flash`.
 */
function persistFlash(conn: Conn): void {
  const redirect = conn.status >= 300 && conn.status <= 308;
  if (redirect && Object.keys(conn.flash).length > 0) conn.putSession(FLASH_SESSION_KEY, conn.flash);
  else if (conn.getSession(FLASH_SESSION_KEY) !== undefined) conn.deleteSession(FLASH_SESSION_KEY);
}

/** Answers a refused upgrade; a client already gone is simply dropped (its error is ignored). */
function refuseUpgrade(socket: Duplex, status: number): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(rawResponse(status));
}

/** An empty response written straight to a socket that has no `ServerResponse` (an upgrade, a parse error). */
function rawResponse(status: number): string {
  return `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nConnection: close\r\nX-Content-Type-Options: nosniff\r\nContent-Length: 0\r\n\r\n`;
}

/** Shared by every raw socket, so listening costs no closure: the socket is being dropped anyway. */
function ignoreSocketError(): void {}

function parseUrl(target: string, base: string): URL | null {
  try {
    return new URL(target, base);
  } catch {
    return null;
  }
}

/** Creates the server (not yet listening). */
export function createLiveServer(options: LiveServerOptions): LiveServer {
  return new LiveServer(options);
}
