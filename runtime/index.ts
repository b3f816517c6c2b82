// The public API of Liveward. Apps import from here and nowhere else.

export { createLiveServer, LiveServer } from './live-server.ts';
export type { LiveServerOptions } from './live-server.ts';
export type { SessionCheck } from '../actors/registry.ts';
export { Router } from './router.ts';
export type { LiveScope, LiveRoute } from './router.ts';
export { cont, halt } from './live-session.ts';
export type { HookResult, OnMountHook, LiveSessionOptions } from './live-session.ts';
export { defineView, allow, policy, anyone } from './live-view.ts';
export type {
  Assigns,
  EventDeclaration,
  Flash,
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
export { defineComponent, liveComponent } from './live-component.ts';
export type { ComponentAssigns, ComponentDefinition, ComponentSocket, LiveComponent } from './live-component.ts';
export { html, raw, keyed, escapeHtml, Rendered } from './template.ts';
export type { LiveStream, StreamRows, Streams, StreamConfig, StreamInsertOptions, StreamOptions } from './live-stream.ts';
export { LiveForm, toForm, validateForm, isUsedInput } from './form.ts';
export type { FormField, FormOptions } from './form.ts';
export { Conn } from './http/conn.ts';
export type { Plug, Handler } from './http/conn.ts';
export { protectFromForgery, putSecureBrowserHeaders } from './http/plugs.ts';
export { DEFAULT_CONTENT_SECURITY_POLICY, DEFAULT_HSTS_MAX_AGE_S } from './http/security-headers.ts';
export { maskCsrfToken, CSRF_SESSION_KEY } from './security/csrf.ts';
export { defaultLayout } from './layout.ts';
export type { Layout, LayoutInput } from './layout.ts';
export { LocalPubSub } from './pubsub.ts';
export type { PubSub, PubSubHealth } from './pubsub.ts';
export type { DisconnectResult } from './disconnect-result.ts';
export { describeDisconnectResult } from './describe-disconnect-result.ts';
export { DEFAULT_LIMITS } from './limits.ts';
export type { Limits } from './limits.ts';
export { LiveError, isLiveError } from './errors.ts';
export type { LiveErrorCode } from './errors.ts';
export type { RuntimeEvent, RuntimeEventType, RuntimeEventListener, RuntimeEventStream, ViewCallback } from './runtime-events.ts';
export type {
  ClusterDescription,
  ConnectionDescription,
  CrashDescription,
  CrashReport,
  ServerCounts,
  ServerDescription,
  ViewDescription,
  WatchedCluster,
} from './server-description.ts';
export type { OriginPolicy } from './origin.ts';
export { isLocalPath, validateLocalPath } from './local-path.ts';
export { logger } from './logger.ts';
export { AdminTokens } from './security/admin-token.ts';
export { Keyring } from './security/keyring.ts';
export { loadSecretKeyBase } from './security/secret-key-base.ts';
export { ensurePrivateDir, restrictToOwner, PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from './private-files.ts';
export { systemClock } from './clock.ts';
export type { Clock } from './clock.ts';
export { describeMachine, viewMachineGraph } from './machine-graph.ts';
export type { MachineGraph, MachineState, MachineTransition } from './machine-graph.ts';
// Types that appear in the signatures above, exported so an app can name them.
export type { Logger, LogLevel } from './logger.ts';
export type { ComponentCall, Keyed, SafeHtml } from './template.ts';
export type { HttpRoute, Method, RouteMatch } from './router.ts';
export type { KeyPurpose } from './security/keyring.ts';
export type { CookieSession } from './security/cookie-session.ts';
export type { PubSubListener } from './pubsub.ts';
export type { HookAssigns, LiveSession } from './live-session.ts';
