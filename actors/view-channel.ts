// The view's channel: what a view actor says to the client on its topic, as Phoenix's
// `Channel` server does for a LiveView. The join (verify, mount, reply with the render or a
// refusal), running an event behind its policy, params patches, component removal and PubSub
// messages, and after every callback the navigation it asked for and the diff it left. The
// statechart that decides *when* each runs is `view.machine.ts`; these functions are its actions.

import { LiveError, isLiveError, reasonOf } from '../runtime/errors.ts';
import { decodeEventValue } from '../runtime/event-value.ts';
import { authorizeJoin } from '../runtime/join-authorization.ts';
import { followPatch, runMount, type MountOutcome } from '../runtime/mount.ts';
import { LiveViewSocket, NO_FLASH, type Navigation } from '../runtime/view-socket.ts';
import type { Flash } from '../runtime/live-view.ts';
import type { FlashTokens } from '../runtime/security/flash-token.ts';
import type { WireTree } from '../runtime/diff.ts';
import type { ViewCallback } from '../runtime/runtime-events.ts';
import { registerChangeUploads } from './view-upload-events.ts';
import { policyAllows } from './policy-verdict.ts';
import { push, pushClose, reply } from './view-reply.ts';
import { userIdOf, type ViewContext } from './view-context.ts';

/** The LiveView client version we speak; sent in join replies to keep consoles quiet. */
export const LIVEVIEW_VERSION = '1.2.12';

/**
 * The one built-in event (`phx-click="lv:clear-flash"`, `phx-value-key`), handled by the runtime
 * as Phoenix does: it only clears this view's own flash, so it needs no policy.
 */
const CLEAR_FLASH = 'lv:clear-flash';

/** A live pushPatch target is a local path; the host it resolves against is never sent. */
const PATCH_BASE = new URL('http://localhost');

/** How a join ends: the view goes live with this reply, or the join is refused with it. */
export type JoinResult =
  | { kind: 'joined'; response: Record<string, unknown> }
  | { kind: 'refused'; response: Record<string, unknown>; code: string };

/** A client message to the view: its `ref` (null for none awaited) and its payload. */
export interface ClientMessage {
  readonly ref: string | null;
  readonly payload: Record<string, unknown>;
}

/** Phase names of the callbacks a crash is reported under. */
export type CallbackPhase = 'handleEvent' | 'handleParams' | 'handleInfo';

// ---------------------------------------------------------------------------------------- mount

export async function mountView(view: ViewContext): Promise<JoinResult> {
  const { services, connection } = view;
  let outcome: MountOutcome;
  try {
    const payload = view.joinPayload!;
    // The payload (tokens, URL) is needed only here; a live view should not hold it for hours.
    view.joinPayload = null;
    const join = await authorizeJoin(view.topic, payload, connection.cookieSession, services.tokens, services.router);
    view.route = join.route;
    view.session = join.session;
    view.viewName = join.route.view.name;
    const socket = new LiveViewSocket({
      id: join.claims.id,
      view: join.route.view,
      connected: true,
      services: view,
      flash: await joinFlash(services.flash, payload, join.navigation, join.claims.flash),
    });
    view.socket = socket;
    const budget = services.supervisor.checkCrashBudget(join.session, view.viewName);
    if (budget) throw budget;
    outcome = await runMount({
      socket,
      route: join.route,
      params: join.params,
      session: join.session,
      url: join.url,
      router: services.router,
      maxChainedPatches: services.limits.maxChainedPatches,
    });
  } catch (err) {
    if (isLiveError(err) && err.code !== 'LV_ERR_HOOK_RESULT' && err.code !== 'LV_ERR_UNSAFE_REDIRECT') {
      return { kind: 'refused', response: { reason: err.reason }, code: err.code };
    }
    throw err;
  }

  const socket = view.socket!;
  const events = socket.takeEvents();
  // A mount that leaves hands on the flash it put itself; the one it was given was shown already.
  const flashPut = socket.takeFlashPut();
  const flash = outcome.kind === 'mounted' ? {} : await flashField(services.flash, flashPut);
  switch (outcome.kind) {
    case 'halted':
      return { kind: 'refused', response: { redirect: { to: outcome.redirect, ...flash }, events }, code: 'halted' };
    case 'redirect':
      return { kind: 'refused', response: { redirect: { to: outcome.to, ...flash }, events }, code: 'redirect' };
    case 'navigate':
      return {
        kind: 'refused',
        response: { live_redirect: { to: outcome.to, kind: outcome.replace ? 'replace' : 'push', ...flash }, events },
        code: 'navigate',
      };
    case 'mounted': {
      for (const event of events) socket.pushEvent(event[0], event[1]);
      const response: Record<string, unknown> = { rendered: socket.renderJoin(), liveview_version: LIVEVIEW_VERSION };
      if (outcome.patch) response.live_patch = outcome.patch;
      return { kind: 'joined', response };
    }
  }
}

/**
 * The flash a view mounts with, as Phoenix decides it: a navigation's flash token when the join
 * brings one (forged or expired: none); else, on the page's first mount only, the flash its
 * HTTP render showed (signed into the view token); else none, so a reconnect does not show it
 * again.
 */
async function joinFlash(
  tokens: FlashTokens,
  payload: Record<string, unknown>,
  navigation: boolean,
  rendered: Flash | undefined,
): Promise<Flash> {
  if (payload.flash !== undefined && payload.flash !== null) return tokens.verify(payload.flash);
  const params = payload.params as { _mounts?: unknown } | undefined;
  return !navigation && params?._mounts === 0 && rendered ? rendered : NO_FLASH;
}

/** `{ flash: token }` to spread into a redirect, or nothing when there is no flash to carry. */
async function flashField(tokens: FlashTokens, flash: Flash): Promise<{ flash?: string }> {
  return Object.keys(flash).length > 0 ? { flash: await tokens.sign(flash) } : {};
}

export function replyJoin(view: ViewContext, result: JoinResult): void {
  const { connection, services } = view;
  if (result.kind === 'joined') {
    view.mountedAt = services.clock.now();
    reply(view, view.joinRef, 'ok', result.response);
    if (services.events.watched)
      services.events.emit({
        type: 'view.mounted',
        connectionId: connection.id,
        topic: view.topic,
        view: view.viewName,
        userId: userIdOf(view),
      });
    return;
  }
  reply(view, view.joinRef, 'error', result.response);
  if (services.events.watched)
    services.events.emit({
      type: 'view.join_refused',
      connectionId: connection.id,
      topic: view.topic,
      code: result.code,
      reason: String(result.response.reason ?? Object.keys(result.response)[0]),
    });
}

// --------------------------------------------------------------------------------------- events

/** Whether the client's event is the built-in `lv:clear-flash`. */
export function isClearFlash(event: ClientMessage): boolean {
  return eventName(event) === CLEAR_FLASH;
}

function eventName(event: { payload: Record<string, unknown> }): string {
  return typeof event.payload.event === 'string' ? event.payload.event : '';
}

/** The per-event authorization decision: declared, and allowed by its policy, or denied. */
export function isAllowed(view: ViewContext, event: ClientMessage): boolean {
  // The view itself, or the component its `cid` addresses (null: not one of this view's).
  const target = view.socket?.eventTarget(event.payload.cid);
  const name = eventName(event);
  const declaration = target && Object.hasOwn(target.handleEvent ?? {}, name) ? target.handleEvent![name] : undefined;
  if (!target || !declaration) return false;
  return policyAllows(view, declaration.policy, {
    event: name,
    value: event.payload.value,
    assigns: target.assigns,
    session: view.session,
  });
}

export function denyEvent(view: ViewContext, event: ClientMessage): void {
  const name = eventName(event);
  const target = view.socket?.eventTarget(event.payload.cid);
  if (!target) {
    // A cid this view never rendered, or has destroyed, or of another view: refused, and the
    // view does not change.
    const error = new LiveError('LV_ERR_UNKNOWN_COMPONENT', `no component ${String(event.payload.cid).slice(0, 32)}`);
    reply(view, event.ref, 'error', { reason: error.reason, event: name });
    emitDenied(view, name, null, error.message);
    return;
  }
  const declaration = target.handleEvent?.[name];
  const declared = declaration !== undefined && Object.hasOwn(target.handleEvent ?? {}, name);
  const why = declared ? `policy ${declaration.policy.name} refused` : 'event not declared';
  reply(view, event.ref, 'error', { reason: reasonOf('LV_ERR_EVENT_DENIED'), event: name });
  emitDenied(view, target.cid === null ? name : `${target.name}:${name}`, declared ? declaration.policy.name : null, why);
}

function emitDenied(view: ViewContext, event: string, policy: string | null, why: string): void {
  // Denials come at the client's rate: build nothing unless someone watches.
  if (!view.services.events.watched) return;
  view.services.events.emit({
    type: 'event.denied',
    connectionId: view.connection.id,
    topic: view.topic,
    view: view.viewName,
    event,
    policy,
    userId: userIdOf(view),
    why,
  });
}

/**
 * `cids_will_destroy` marks the components the client no longer shows, `cids_destroyed` deletes
 * those still marked and answers with them; the client then forgets exactly those.
 */
export function runCids(view: ViewContext, event: ClientMessage & { readonly event: 'cids_will_destroy' | 'cids_destroyed' }): void {
  const { cids } = event.payload;
  if (!Array.isArray(cids) || !cids.every((cid) => Number.isSafeInteger(cid))) {
    const error = new LiveError('LV_ERR_MESSAGE_MALFORMED', `${event.event}: cids must be a list of integers`);
    reply(view, event.ref, 'error', { reason: error.reason });
    return;
  }
  const components = view.socket!.components;
  if (event.event === 'cids_will_destroy') {
    components.markForDeletion(cids as number[]);
    reply(view, event.ref, 'ok', {});
  } else {
    reply(view, event.ref, 'ok', { cids: components.destroy(cids as number[]) });
  }
}

export function runEvent(view: ViewContext, event: ClientMessage): void | Promise<void> {
  const name = eventName(event);
  const target = view.socket!.eventTarget(event.payload.cid)!;
  const declaration = target.handleEvent![name]!;
  const { events } = view.services;
  // The hot path: nothing while nobody watches; while someone does, a note (counted in place)
  // and the event, its duration and its render's trace only when a watcher samples this one.
  const traced = events.watched && events.note('event.allowed', view.topic, view.viewName);
  if (traced) {
    events.emit({
      type: 'event.allowed',
      connectionId: view.connection.id,
      topic: view.topic,
      view: view.viewName,
      event: name,
      policy: declaration.policy.name,
      userId: userIdOf(view),
    });
  }
  const started = traced ? performance.now() : 0;
  view.socket!.expectReply();
  registerChangeUploads(view, event.payload, target.socket); // uploads: a change event's entries
  const result = declaration.handler(decodeEventValue(event.payload), target.socket);
  if (isPromise(result)) return result.then(() => finishEvent(view, event.ref, name, started));
  return finishEvent(view, event.ref, name, started);
}

function finishEvent(view: ViewContext, ref: string | null, name: string, started: number): void | Promise<void> {
  const pending = finishCallback(view, ref);
  const { events } = view.services;
  if (events.watched && started > 0) {
    events.emit({
      type: 'event.handled',
      connectionId: view.connection.id,
      topic: view.topic,
      view: view.viewName,
      event: name,
      durationMs: performance.now() - started,
    });
  }
  return pending;
}

export function clearFlash(view: ViewContext, event: ClientMessage): void | Promise<void> {
  const socket = view.socket!;
  const { key } = decodeEventValue(event.payload);
  if (typeof key === 'string') socket.clearFlash(key);
  else socket.clearFlash();
  return finishCallback(view, event.ref);
}

export function runInfo(view: ViewContext, message: unknown): void | Promise<void> {
  const socket = view.socket!;
  const started = traceStart(view);
  const result = socket.view.handleInfo?.(message, socket);
  if (isPromise(result)) return result.then(() => finishTraced(view, null, 'handleInfo', started));
  return finishTraced(view, null, 'handleInfo', started);
}

/**
 * When a traced callback starts: `performance.now()` if a watcher wants this callback's trace
 * (noted, so a sampling watcher counts it in place), else 0 and nothing is traced.
 */
function traceStart(view: ViewContext): number {
  const { events } = view.services;
  return events.watched && events.note('view.callback', view.topic, view.viewName) ? performance.now() : 0;
}

/** Reports a callback's duration to the runtime events, only while someone watches them. */
export function traceCallback(
  view: ViewContext,
  callback: ViewCallback,
  started: number,
  diffBytes?: number,
  ended: number = performance.now(),
): void {
  const { events } = view.services;
  if (!events.watched || started === 0) return;
  events.emit({
    type: 'view.callback',
    connectionId: view.connection.id,
    topic: view.topic,
    view: view.viewName,
    callback,
    durationMs: ended - started,
    ...(diffBytes === undefined ? {} : { diffBytes }),
  });
}

function finishTraced(view: ViewContext, ref: string | null, callback: ViewCallback, started: number): void | Promise<void> {
  traceCallback(view, callback, started);
  return finishCallback(view, ref);
}

export function runClientPatch(view: ViewContext, event: ClientMessage): void | Promise<void> {
  const socket = view.socket!;
  const target = typeof event.payload.url === 'string' ? safeUrl(event.payload.url) : null;
  const params = target ? view.services.router.matchPatch(view.route!, target) : null;
  if (!target || !params) {
    // Another view or liveSession: the client navigates, and the join decides (as in Phoenix).
    reply(view, event.ref, 'ok', { link_redirect: true });
    return;
  }
  const started = traceStart(view);
  // A live_patch from the client clears the flash, as Phoenix does.
  socket.clearFlash();
  const result = socket.view.handleParams?.(params, target, socket);
  if (isPromise(result)) return result.then(() => finishTraced(view, event.ref, 'handleParams', started));
  return finishTraced(view, event.ref, 'handleParams', started);
}

/**
 * After a callback: act on the navigation it asked for, then send what changed — in the reply
 * when the client is waiting for one (`ref`), else as a `diff` push. `hookReply` is the handler's
 * answer to a hook (`"r"` in the diff).
 */
function finishCallback(
  view: ViewContext,
  ref: string | null,
  chained = 0,
  hookReply: Record<string, unknown> | null = view.socket!.takeReply(),
): void | Promise<void> {
  const socket = view.socket!;
  const navigation = socket.takeNavigation();
  // The flash put by this callback: what a redirect carries, all a patch keeps.
  const flashPut = socket.takeFlashPut();
  if (navigation?.kind === 'redirect' || navigation?.kind === 'navigate') {
    if (Object.keys(flashPut).length === 0) return sendRedirect(view, ref, navigation, null);
    return view.services.flash.sign(flashPut).then((token) => sendRedirect(view, ref, navigation, token));
  }
  if (navigation?.kind === 'patch') {
    const { services } = view;
    const target = followPatch(services.router, view.route!, navigation.to, PATCH_BASE, chained, services.limits.maxChainedPatches);
    push(view, 'live_patch', { to: navigation.to, kind: navigation.replace ? 'replace' : 'push' });
    socket.replaceFlash(flashPut);
    const result = socket.view.handleParams?.(target.params, target.url, socket);
    if (isPromise(result)) return result.then(() => finishCallback(view, ref, chained + 1, hookReply));
    return finishCallback(view, ref, chained + 1, hookReply);
  }
  const started = traceStart(view);
  let diff: WireTree | null = socket.renderChanges();
  if (hookReply !== null) (diff ??= {}).r = hookReply;
  const rendered = started > 0 ? performance.now() : 0;
  const sent = ref !== null ? reply(view, ref, 'ok', diff !== null ? { diff } : {}) : diff !== null ? push(view, 'diff', diff) : 0;
  // The diff's size is the frame that carried it, encoded once for the client: no second encoding.
  if (started > 0) traceCallback(view, 'render', started, diff !== null ? sent : 0, rendered);
}

/**
 * Pending push_events go first, as their own diff (as Phoenix does); then the redirect (with
 * the flash token, if any), in the reply when the client awaits one, else as a push; then the
 * view closes.
 */
function sendRedirect(
  view: ViewContext,
  ref: string | null,
  navigation: Extract<Navigation, { kind: 'redirect' | 'navigate' }>,
  flash: string | null,
): void {
  const events = view.socket!.takeEvents();
  if (events.length > 0) push(view, 'diff', { e: events });
  const carried = flash === null ? {} : { flash };
  const [event, target] =
    navigation.kind === 'redirect'
      ? (['redirect', { to: navigation.to, ...carried }] as const)
      : (['live_redirect', { to: navigation.to, kind: navigation.replace ? 'replace' : 'push', ...carried }] as const);
  if (ref !== null) reply(view, ref, 'ok', { [event]: target });
  else push(view, event, target);
  pushClose(view);
  view.self!.send({ type: 'close', why: 'navigated' });
}

/**
 * Hands the connection the end of a view's asynchronous callback, so that it holds the topic's
 * next frame until then. Carried by the event that starts the callback and called, if at all,
 * while the view handles that event (inside `actor.send`): the connection learns of this event's
 * work from the event itself, not from a field of the view that a later event could overwrite.
 * A synchronous callback never calls it, so the connection's queue goes on at once.
 */
export type HandOff = (work: Promise<void>) => void;

/**
 * Runs a callback; a synchronous throw or a rejected promise becomes a `crash` event, so every
 * failure takes the same supervised path into `terminated`. An asynchronous callback's end
 * (settled, never rejected) goes to `handOff`.
 */
export function guardCrash(view: ViewContext, phase: CallbackPhase, work: () => void | Promise<void>, handOff: HandOff | undefined): void {
  const self = view.self!;
  try {
    const result = work();
    if (isPromise(result)) {
      handOff?.(
        result.then(
          () => {},
          (error: unknown) => self.send({ type: 'crash', error, phase }),
        ),
      );
    }
  } catch (error) {
    self.send({ type: 'crash', error, phase });
  }
}

function isPromise(value: unknown): value is Promise<void> {
  return typeof (value as Promise<void> | undefined)?.then === 'function';
}

function safeUrl(value: string): URL | null {
  try {
    return new URL(value);
  } catch {
    return null;
  }
}
