// The public API of Liveward. Apps import from here and nowhere else.

export { createLiveServer, LiveServer } from './live-server.ts';
export type { LiveServerOptions } from './live-server.ts';
export type { SessionCheck } from '../actors/registry.ts';
export { Router } from '../runtime/router.ts';
export type { LiveScope, LiveRoute } from '../runtime/router.ts';
export { cont, halt } from '../runtime/live-session.ts';
export type { HookResult, OnMountHook, LiveSessionOptions } from '../runtime/live-session.ts';
export { defineView, allow, policy, anyone } from '../runtime/live-view.ts';
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
} from '../runtime/live-view.ts';
export { defineComponent, liveComponent } from '../runtime/live-component.ts';
export type { ComponentAssigns, ComponentDefinition, ComponentSocket, LiveComponent } from '../runtime/live-component.ts';
export { html, raw, keyed, memo, escapeHtml, Rendered } from '../runtime/template.ts';
export type {
  LiveStream,
  StreamRows,
  Streams,
  StreamConfig,
  StreamInsertOptions,
  StreamOptions,
  StreamItems,
  StreamInsertWire,
} from '../runtime/live-stream.ts';
export { liveFileInput, uploadErrorText } from '../runtime/uploads/live-file-input.ts';
export type { UploadOptions, UploadView, UploadEntryView, UploadedFile, UploadErrorReason } from '../runtime/uploads/upload-config.ts';
export type { Accept } from '../runtime/uploads/accept-list.ts';
export { LiveForm, toForm, validateForm, isUsedInput } from '../runtime/form.ts';
export type { FormField, FormOptions } from '../runtime/form.ts';
export { Conn } from '../runtime/http/conn.ts';
export type { Plug, Handler } from '../runtime/http/conn.ts';
export { protectFromForgery, putSecureBrowserHeaders } from '../runtime/http/plugs.ts';
export { DEFAULT_CONTENT_SECURITY_POLICY, DEFAULT_HSTS_MAX_AGE_S } from '../runtime/http/security-headers.ts';
export { maskCsrfToken, CSRF_SESSION_KEY } from '../runtime/security/csrf.ts';
export { defaultLayout } from '../runtime/layout.ts';
export type { Layout, LayoutInput } from '../runtime/layout.ts';
export { LocalPubSub } from '../runtime/pubsub.ts';
export type { PubSub, PubSubHealth } from '../runtime/pubsub.ts';
export type { DisconnectResult } from '../runtime/disconnect-result.ts';
export { describeDisconnectResult } from '../runtime/describe-disconnect-result.ts';
export { DEFAULT_LIMITS } from '../runtime/limits.ts';
export type { Limits } from '../runtime/limits.ts';
export { LiveError, isLiveError } from '../runtime/errors.ts';
export type { LiveErrorCode } from '../runtime/errors.ts';
export type {
  NotedEventType,
  RuntimeEvent,
  RuntimeEventType,
  RuntimeEventListener,
  RuntimeEventNote,
  RuntimeEventStream,
  RuntimeEventSubscription,
  ViewCallback,
} from '../runtime/runtime-events.ts';
export type {
  ClusterDescription,
  ConnectionDescription,
  CrashDescription,
  CrashReport,
  ServerCounts,
  ServerDescription,
  ViewDescription,
  WatchedCluster,
} from '../runtime/server-description.ts';
export type { OriginPolicy } from '../runtime/origin.ts';
export { isLocalPath, validateLocalPath } from '../runtime/local-path.ts';
export { logger } from '../runtime/logger.ts';
export { AdminTokens } from '../runtime/security/admin-token.ts';
export { Keyring } from '../runtime/security/keyring.ts';
export { loadSecretKeyBase } from '../runtime/security/secret-key-base.ts';
export { ensurePrivateDir, restrictToOwner, PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../runtime/private-files.ts';
export { systemClock } from '../runtime/clock.ts';
export type { Clock } from '../runtime/clock.ts';
export { describeMachine, viewMachineGraph } from '../actors/machine-graph.ts';
export type { MachineGraph, MachineState, MachineTransition } from '../actors/machine-graph.ts';
// Types that appear in the signatures above, exported so an app can name them.
export type { Logger, LogLevel } from '../runtime/logger.ts';
export type { ComponentCall, Keyed, Memo, SafeHtml } from '../runtime/template.ts';
export type { HttpRoute, Method, RouteMatch } from '../runtime/router.ts';
export type { KeyPurpose } from '../runtime/security/keyring.ts';
export type { CookieSession } from '../runtime/security/cookie-session.ts';
export type { PubSubListener } from '../runtime/pubsub.ts';
export type { HookAssigns, LiveSession } from '../runtime/live-session.ts';
