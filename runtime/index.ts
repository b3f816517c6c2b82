// The public API of Liveward. Apps import from here and nowhere else.

export { createLiveServer, LiveServer } from './live-server.ts';
export type { LiveServerOptions } from './live-server.ts';
export { Router } from './router.ts';
export type { LiveScope, LiveRoute } from './router.ts';
export { cont, halt } from './live-session.ts';
export type { HookResult, OnMountHook, LiveSessionOptions } from './live-session.ts';
export { defineView, allow, policy, anyone } from './live-view.ts';
export type {
  Assigns,
  EventDeclaration,
  EventHandlerFn,
  EventPayload,
  LiveView,
  NavigateOptions,
  Params,
  Policy,
  PolicyContext,
  Session,
  ViewDefinition,
  ViewSocket,
} from './live-view.ts';
export { html, raw, keyed, escapeHtml, Rendered } from './template.ts';
export { Conn } from './http/conn.ts';
export type { Plug, Handler } from './http/conn.ts';
export { protectFromForgery, putSecureBrowserHeaders } from './http/plugs.ts';
export { maskCsrfToken, CSRF_SESSION_KEY } from './security/csrf.ts';
export { defaultLayout } from './layout.ts';
export type { Layout, LayoutInput } from './layout.ts';
export { LocalPubSub } from './pubsub.ts';
export type { PubSub } from './pubsub.ts';
export { DEFAULT_LIMITS } from './limits.ts';
export type { Limits } from './limits.ts';
export { LiveError, isLiveError } from './errors.ts';
export type { LiveErrorCode } from './errors.ts';
export type { RuntimeEvent, RuntimeEventType, RuntimeEventListener, RuntimeEventStream } from './runtime-events.ts';
export type { DisconnectResult } from './disconnect-result.ts';
export type {
  ConnectionDescription,
  CrashDescription,
  CrashReport,
  ServerCounts,
  ServerDescription,
  ViewDescription,
} from './server-description.ts';
export type { OriginPolicy } from './origin.ts';
export { isLocalPath, validateLocalPath } from './local-path.ts';
export { logger } from './logger.ts';
export { AdminTokens } from './security/admin-token.ts';
export { Keyring } from './security/keyring.ts';
export { loadSecretKeyBase } from './security/secret-key-base.ts';
export { systemClock } from './clock.ts';
export type { Clock } from './clock.ts';
// Types that appear in the signatures above, exported so an app can name them.
export type { Logger, LogLevel } from './logger.ts';
export type { Keyed, SafeHtml } from './template.ts';
export type { HttpRoute, Method, RouteMatch } from './router.ts';
export type { KeyPurpose } from './security/keyring.ts';
export type { CookieSession } from './security/cookie-session.ts';
export type { PubSubListener } from './pubsub.ts';
export type { HookAssigns, LiveSession } from './live-session.ts';
