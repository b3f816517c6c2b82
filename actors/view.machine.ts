// The view actor: one per joined `lv:` topic. `mount` verifies the join and runs the auth hooks,
// `live` authorizes every event before its handler runs, `terminated` releases everything the
// view held. Views are temporary (as in Phoenix): a crash is never restarted here; the client
// rejoins and goes through `mount` again.

import { setup } from 'xstate';
import { LiveError, isLiveError, reasonOf } from '../runtime/errors.ts';
import { encodeFrame, encodeReply } from '../runtime/frame.ts';
import { decodeEventValue } from '../runtime/event-value.ts';
import { authorizeJoin } from '../runtime/join-authorization.ts';
import { followPatch, runMount, type MountOutcome } from '../runtime/mount.ts';
import { LiveViewSocket, NO_FLASH, type Navigation } from '../runtime/view-socket.ts';
import type { Flash } from '../runtime/live-view.ts';
import type { FlashTokens } from '../runtime/security/flash-token.ts';
import type { WireTree } from '../runtime/diff.ts';
import type { ViewCallback } from '../runtime/runtime-events.ts';
import { userIdOf, type ViewContext } from './view-context.ts';
// uploads: allow_upload / progress frames and a change event's `uploads` (actors/view-upload-events.ts)
import { registerChangeUploads, runUploadEvent, type UploadFrameEvent } from './view-upload-events.ts';

/** The LiveView client version we speak; sent in join replies to keep consoles quiet. */
export const LIVEVIEW_VERSION = '1.2.12';

/**
 * The one built-in event (`phx-click="lv:clear-flash"`, `phx-value-key`), handled by the runtime
 * as Phoenix does: it only clears this view's own flash, so it needs no policy.
 */
const CLEAR_FLASH = 'lv:clear-flash';

/** A live pushPatch target is a local path; the host it resolves against is never sent. */
const PATCH_BASE = new URL('http://localhost');

export type ViewEvent =
  | { type: 'mount.done'; result: JoinResult }
  | { type: 'mount.failed'; error: unknown }
  | { type: 'client.event'; ref: string | null; payload: Record<string, unknown> }
  | { type: 'client.live_patch'; ref: string | null; payload: Record<string, unknown> }
  | { type: 'client.cids'; ref: string | null; event: 'cids_will_destroy' | 'cids_destroyed'; payload: Record<string, unknown> }
  | { type: 'client.leave'; ref: string | null }
  | { type: 'info'; message: unknown }
  | { type: 'close'; why: string }
  | { type: 'crash'; error: unknown; phase: string }
  | UploadFrameEvent;

type JoinResult =
  | { kind: 'joined'; response: Record<string, unknown> }
  | { kind: 'refused'; response: Record<string, unknown>; code: string };

export interface ViewOutput {
  why: string;
}

export const viewMachine = setup({
  types: {
    context: {} as { view: ViewContext; why: string },
    input: {} as ViewContext,
    events: {} as ViewEvent,
    output: {} as ViewOutput,
  },
  guards: {
    joined: ({ event }) => (event as Extract<ViewEvent, { type: 'mount.done' }>).result.kind === 'joined',
    isClearFlash: ({ event }) => eventName(event as Extract<ViewEvent, { type: 'client.event' }>) === CLEAR_FLASH,
    isAllowed: ({ context, event }) => isAllowed(context.view, event as Extract<ViewEvent, { type: 'client.event' }>),
  },
  actions: {
    // The mount is asynchronous (token verification, hooks); its outcome comes back as an event.
    // A plain promise, not an invoked actor: one less actor per join, and no child bookkeeping.
    startMount: ({ context, self }) => {
      const started = performance.now();
      mountView(context.view).then(
        (result) => {
          traceCallback(context.view, 'mount', started);
          self.send({ type: 'mount.done', result });
        },
        (error: unknown) => self.send({ type: 'mount.failed', error }),
      );
    },
    replyJoin: ({ context, event }) => replyJoin(context.view, (event as Extract<ViewEvent, { type: 'mount.done' }>).result),
    crashedInMount: ({ context, event }) => {
      const { view } = context;
      context.why = 'crash';
      view.connection.send(encodeReply(view.joinRef, view.joinRef, view.topic, 'error', { reason: reasonOf('LV_ERR_VIEW_CRASHED') }));
      view.services.supervisor.viewCrashed(view, (event as Extract<ViewEvent, { type: 'mount.failed' }>).error, 'mount');
    },
    runEvent: ({ context, event }) =>
      guardCrash(context.view, 'handleEvent', () =>
        runEvent(context.view, event as Extract<ViewEvent, { type: 'client.event' }>)),
    clearFlash: ({ context, event }) =>
      guardCrash(context.view, 'handleEvent', () =>
        clearFlash(context.view, event as Extract<ViewEvent, { type: 'client.event' }>)),
    denyEvent: ({ context, event }) => denyEvent(context.view, event as Extract<ViewEvent, { type: 'client.event' }>),
    runPatch: ({ context, event }) =>
      guardCrash(context.view, 'handleParams', () =>
        runClientPatch(context.view, event as Extract<ViewEvent, { type: 'client.live_patch' }>)),
    runUpload: ({ context, event }) =>
      guardCrash(context.view, 'handleEvent', () => runUploadEvent(context.view, event as UploadFrameEvent)),
    runCids: ({ context, event }) => runCids(context.view, event as Extract<ViewEvent, { type: 'client.cids' }>),
    runInfo: ({ context, event }) =>
      guardCrash(context.view, 'handleInfo', () =>
        runInfo(context.view, (event as Extract<ViewEvent, { type: 'info' }>).message)),
    replyLeave: ({ context, event }) => {
      const { view } = context;
      const { ref } = event as Extract<ViewEvent, { type: 'client.leave' }>;
      view.connection.send(encodeReply(view.joinRef, ref, view.topic, 'ok', {}));
      view.connection.send(encodeFrame(view.joinRef, view.joinRef, view.topic, 'phx_close', {}));
    },
    recordWhy: ({ context, event }) => {
      context.why =
        event.type === 'close' ? event.why
        : event.type === 'client.leave' ? 'leave'
        : event.type === 'mount.done' ? 'join refused'
        : event.type;
    },
    reportCrash: ({ context, event }) => {
      const { error, phase } = event as Extract<ViewEvent, { type: 'crash' }>;
      context.why = 'crash';
      context.view.services.supervisor.viewCrashed(context.view, error, phase);
    },
    release: ({ context }) => {
      const { view } = context;
      view.cleanup.dispose();
      if (!view.services.events.watched) return;
      view.services.events.emit({
        type: 'view.terminated',
        connectionId: view.connection.id,
        topic: view.topic,
        view: view.viewName,
        why: context.why,
      });
    },
  },
}).createMachine({
  id: 'view',
  context: ({ input }) => ({ view: input, why: 'leave' }),
  initial: 'mount',
  output: ({ context }) => ({ why: context.why }),
  states: {
    mount: {
      entry: 'startMount',
      on: {
        'mount.done': [
          { guard: 'joined', target: 'live', actions: 'replyJoin' },
          { target: 'terminated', actions: ['replyJoin', 'recordWhy'] },
        ],
        'mount.failed': { target: 'terminated', actions: 'crashedInMount' },
        close: { target: 'terminated', actions: 'recordWhy' },
      },
    },
    live: {
      on: {
        'client.event': [
          { guard: 'isClearFlash', actions: 'clearFlash' },
          { guard: 'isAllowed', actions: 'runEvent' },
          { actions: 'denyEvent' },
        ],
        'client.live_patch': { actions: 'runPatch' },
        'client.cids': { actions: 'runCids' },
        'client.upload': { actions: 'runUpload' },
        info: { actions: 'runInfo' },
        'client.leave': { target: 'terminated', actions: ['replyLeave', 'recordWhy'] },
        close: { target: 'terminated', actions: 'recordWhy' },
        crash: { target: 'terminated', actions: 'reportCrash' },
      },
    },
    terminated: { type: 'final', entry: 'release' },
  },
});

// ---------------------------------------------------------------------------------------- mount

async function mountView(view: ViewContext): Promise<JoinResult> {
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

function replyJoin(view: ViewContext, result: JoinResult): void {
  const { connection, services } = view;
  if (result.kind === 'joined') {
    view.mountedAt = services.clock.now();
    connection.send(encodeReply(view.joinRef, view.joinRef, view.topic, 'ok', result.response));
    if (services.events.watched) services.events.emit({
      type: 'view.mounted',
      connectionId: connection.id,
      topic: view.topic,
      view: view.viewName,
      userId: userIdOf(view),
    });
    return;
  }
  connection.send(encodeReply(view.joinRef, view.joinRef, view.topic, 'error', result.response));
  if (services.events.watched) services.events.emit({
    type: 'view.join_refused',
    connectionId: connection.id,
    topic: view.topic,
    code: result.code,
    reason: String(result.response.reason ?? Object.keys(result.response)[0]),
  });
}

// --------------------------------------------------------------------------------------- events

function eventName(event: { payload: Record<string, unknown> }): string {
  return typeof event.payload.event === 'string' ? event.payload.event : '';
}

/** The per-event authorization decision: declared, and allowed by its policy, or denied. */
function isAllowed(view: ViewContext, event: Extract<ViewEvent, { type: 'client.event' }>): boolean {
  // The view itself, or the component its `cid` addresses (null: not one of this view's).
  const target = view.socket?.eventTarget(event.payload.cid);
  const name = eventName(event);
  const declaration = target && Object.hasOwn(target.handleEvent ?? {}, name) ? target.handleEvent![name] : undefined;
  if (!target || !declaration) return false;
  try {
    const verdict: unknown = declaration.policy.check({
      event: name,
      value: event.payload.value,
      assigns: target.assigns,
      session: view.session,
    });
    // Policies are synchronous by contract; anything but `true` (a Promise included) denies.
    return verdict === true;
  } catch (err) {
    view.services.supervisor.logPolicyFailure(view, name, err);
    return false;
  }
}

function denyEvent(view: ViewContext, event: Extract<ViewEvent, { type: 'client.event' }>): void {
  const name = eventName(event);
  const target = view.socket?.eventTarget(event.payload.cid);
  if (!target) {
    // A cid this view never rendered, or has destroyed, or of another view: refused, and the
    // view does not change.
    const error = new LiveError('LV_ERR_UNKNOWN_COMPONENT', `no component ${String(event.payload.cid).slice(0, 32)}`);
    view.connection.send(encodeReply(view.joinRef, event.ref, view.topic, 'error', { reason: error.reason, event: name }));
    emitDenied(view, name, null, error.message);
    return;
  }
  const declaration = target.handleEvent?.[name];
  const declared = declaration !== undefined && Object.hasOwn(target.handleEvent ?? {}, name);
  const why = declared ? `policy ${declaration.policy.name} refused` : 'event not declared';
  view.connection.send(
    encodeReply(view.joinRef, event.ref, view.topic, 'error', { reason: reasonOf('LV_ERR_EVENT_DENIED'), event: name }),
  );
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
function runCids(view: ViewContext, event: Extract<ViewEvent, { type: 'client.cids' }>): void {
  const { cids } = event.payload;
  if (!Array.isArray(cids) || !cids.every((cid) => Number.isSafeInteger(cid))) {
    const error = new LiveError('LV_ERR_MESSAGE_MALFORMED', `${event.event}: cids must be a list of integers`);
    view.connection.send(encodeReply(view.joinRef, event.ref, view.topic, 'error', { reason: error.reason }));
    return;
  }
  const components = view.socket!.components;
  if (event.event === 'cids_will_destroy') {
    components.markForDeletion(cids as number[]);
    view.connection.send(encodeReply(view.joinRef, event.ref, view.topic, 'ok', {}));
  } else {
    view.connection.send(encodeReply(view.joinRef, event.ref, view.topic, 'ok', { cids: components.destroy(cids as number[]) }));
  }
}

function runEvent(view: ViewContext, event: Extract<ViewEvent, { type: 'client.event' }>): void | Promise<void> {
  const name = eventName(event);
  const target = view.socket!.eventTarget(event.payload.cid)!;
  const declaration = target.handleEvent![name]!;
  const { events } = view.services;
  // The hot path: build runtime events only when someone (the inspector) is watching.
  const watched = events.watched;
  if (watched) {
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
  const started = watched ? performance.now() : 0;
  view.socket!.expectReply();
  registerChangeUploads(view, event.payload, target.socket);
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

function clearFlash(view: ViewContext, event: Extract<ViewEvent, { type: 'client.event' }>): void | Promise<void> {
  const socket = view.socket!;
  const { key } = decodeEventValue(event.payload);
  if (typeof key === 'string') socket.clearFlash(key);
  else socket.clearFlash();
  return finishCallback(view, event.ref);
}

function runInfo(view: ViewContext, message: unknown): void | Promise<void> {
  const socket = view.socket!;
  const started = view.services.events.watched ? performance.now() : 0;
  const result = socket.view.handleInfo?.(message, socket);
  if (isPromise(result)) return result.then(() => finishTraced(view, null, 'handleInfo', started));
  return finishTraced(view, null, 'handleInfo', started);
}

/** Reports a callback's duration to the runtime events, only while someone watches them. */
function traceCallback(view: ViewContext, callback: ViewCallback, started: number, diffBytes?: number): void {
  const { events } = view.services;
  if (!events.watched || started === 0) return;
  events.emit({
    type: 'view.callback',
    connectionId: view.connection.id,
    topic: view.topic,
    view: view.viewName,
    callback,
    durationMs: performance.now() - started,
    ...(diffBytes === undefined ? {} : { diffBytes }),
  });
}

function finishTraced(view: ViewContext, ref: string | null, callback: ViewCallback, started: number): void | Promise<void> {
  traceCallback(view, callback, started);
  return finishCallback(view, ref);
}

function runClientPatch(view: ViewContext, event: Extract<ViewEvent, { type: 'client.live_patch' }>): void | Promise<void> {
  const socket = view.socket!;
  const target = typeof event.payload.url === 'string' ? safeUrl(event.payload.url) : null;
  const params = target ? view.services.router.matchPatch(view.route!, target) : null;
  if (!target || !params) {
    // Another view or liveSession: the client navigates, and the join decides (PROTOCOL.md §6.1).
    view.connection.send(encodeReply(view.joinRef, event.ref, view.topic, 'ok', { link_redirect: true }));
    return;
  }
  const started = view.services.events.watched ? performance.now() : 0;
  // A live_patch from the client clears the flash, as Phoenix does.
  socket.clearFlash();
  const result = socket.view.handleParams?.(params, target, socket);
  if (isPromise(result)) return result.then(() => finishTraced(view, event.ref, 'handleParams', started));
  return finishTraced(view, event.ref, 'handleParams', started);
}

/**
 * After a callback: act on the navigation it asked for, then send what changed — in the reply
 * when the client is waiting for one (`ref`), else as a `diff` push. `reply` is the handler's
 * answer to a hook (`"r"` in the diff).
 */
function finishCallback(
  view: ViewContext,
  ref: string | null,
  chained = 0,
  reply: Record<string, unknown> | null = view.socket!.takeReply(),
): void | Promise<void> {
  const socket = view.socket!;
  const navigation = socket.takeNavigation();
  // The flash put by this callback: what a redirect carries, all a patch keeps.
  const flashPut = socket.takeFlashPut();
  const { connection, joinRef, topic } = view;
  if (navigation?.kind === 'redirect' || navigation?.kind === 'navigate') {
    if (Object.keys(flashPut).length === 0) return sendRedirect(view, ref, navigation, null);
    return view.services.flash.sign(flashPut).then((token) => sendRedirect(view, ref, navigation, token));
  }
  if (navigation?.kind === 'patch') {
    const { services } = view;
    const target = followPatch(services.router, view.route!, navigation.to, PATCH_BASE, chained, services.limits.maxChainedPatches);
    connection.send(encodeFrame(joinRef, null, topic, 'live_patch', {
      to: navigation.to,
      kind: navigation.replace ? 'replace' : 'push',
    }));
    socket.replaceFlash(flashPut);
    const result = socket.view.handleParams?.(target.params, target.url, socket);
    if (isPromise(result)) return result.then(() => finishCallback(view, ref, chained + 1, reply));
    return finishCallback(view, ref, chained + 1, reply);
  }
  const watched = view.services.events.watched;
  const started = watched ? performance.now() : 0;
  const diff: WireTree = socket.renderDiff();
  if (reply !== null) diff.r = reply;
  const changed = !isEmpty(diff);
  // The diff's size is measured only while the inspector watches: it costs a second encoding.
  if (watched) traceCallback(view, 'render', started, changed ? JSON.stringify(diff).length : 0);
  if (ref !== null) connection.send(encodeReply(joinRef, ref, topic, 'ok', changed ? { diff } : {}));
  else if (changed) connection.send(encodeFrame(joinRef, null, topic, 'diff', diff));
}

/**
 * Pending push_events go first, as their own diff (PROTOCOL.md §5.3); then the redirect (with
 * the flash token, if any), in the reply when the client awaits one, else as a push; then the
 * view closes.
 */
function sendRedirect(
  view: ViewContext,
  ref: string | null,
  navigation: Extract<Navigation, { kind: 'redirect' | 'navigate' }>,
  flash: string | null,
): void {
  const { connection, joinRef, topic } = view;
  const events = view.socket!.takeEvents();
  if (events.length > 0) connection.send(encodeFrame(joinRef, null, topic, 'diff', { e: events }));
  const carried = flash === null ? {} : { flash };
  const [event, target] = navigation.kind === 'redirect'
    ? (['redirect', { to: navigation.to, ...carried }] as const)
    : (['live_redirect', { to: navigation.to, kind: navigation.replace ? 'replace' : 'push', ...carried }] as const);
  if (ref !== null) connection.send(encodeReply(joinRef, ref, topic, 'ok', { [event]: target }));
  else connection.send(encodeFrame(joinRef, null, topic, event, target));
  connection.send(encodeFrame(joinRef, joinRef, topic, 'phx_close', {}));
  view.self!.send({ type: 'close', why: 'navigated' });
}

/**
 * Runs a callback; a synchronous throw or a rejected promise becomes a `crash` event, so every
 * failure takes the same supervised path into `terminated`.
 */
function guardCrash(view: ViewContext, phase: string, work: () => void | Promise<void>): void {
  const self = view.self!;
  try {
    const result = work();
    if (isPromise(result)) {
      view.pending = result.then(
        () => {},
        (error: unknown) => self.send({ type: 'crash', error, phase }),
      );
    }
  } catch (error) {
    self.send({ type: 'crash', error, phase });
  }
}

function isEmpty(object: object): boolean {
  for (const _key in object) return false;
  return true;
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
