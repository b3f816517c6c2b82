// The public shape of a live view: `defineView({ mount, handleParams, handleEvent, handleInfo,
// render })`. Every event handler is declared with the policy that may run it (`allow(policy,
// handler)`); an event with no declaration is denied (deny by default).

import type { Rendered } from './template.ts';
import type { StreamConfig, StreamInsertOptions, StreamItems, StreamOptions } from './live-stream.ts';
import type { UploadedFile, UploadEntryView, UploadOptions } from './uploads/upload-config.ts';

/** A view's state. Any object type; kept immutable by the runtime. */
export type Assigns = object;

/** Navigation options shared by `pushPatch` and `pushNavigate`. */
export interface NavigateOptions {
  /** Replace the current history entry instead of pushing one. */
  replace?: boolean;
}

/**
 * Flash messages by kind (`info`, `error`, …): shown once, carried across a redirect or a live
 * navigation, cleared by a patch. Also in the assigns as `flash`, so `render` can show them.
 */
export type Flash = Readonly<Record<string, string>>;

/** What a view's callbacks receive: its assigns and the effects it may request. */
export interface ViewSocket<A extends Assigns = Assigns, I = unknown> {
  /** The view id (the channel topic is `lv:<id>`). */
  readonly id: string;
  /** False during the dead (HTTP) render, true once the WebSocket mount runs. */
  readonly connected: boolean;
  /** The current assigns; immutable (replace them with `assign` or `update`). */
  readonly assigns: Readonly<A>;
  /** Merges new values into the assigns. */
  assign(values: Partial<A>): void;
  /** Updates the assigns with an immer recipe: mutate the draft, get a new immutable value. */
  update(recipe: (draft: A) => void): void;
  /**
   * Assigns `key` from what the HTTP pipeline already loaded on the dead render (or from an
   * earlier hook), computing it with `compute` only when absent.
   */
  assignNew<K extends keyof A & string>(key: K, compute: () => A[K]): void;
  /** Sends a `phx:<name>` window event (and hook `handleEvent`) to the browser. */
  pushEvent(name: string, payload: Record<string, unknown>): void;
  /**
   * Answers the event being handled: a hook's `this.pushEvent(…)` promise resolves with
   * `payload` (with `null` when the handler does not reply). Only inside `handleEvent`; elsewhere
   * it throws, as there is no one to answer.
   */
  reply(payload: Record<string, unknown>): void;
  /** The current flash messages (also `assigns.flash`). */
  readonly flash: Flash;
  /** Shows `message` under `kind`; it follows a `redirect` or `pushNavigate` made in the same callback. */
  putFlash(kind: string, message: string): void;
  /** Clears the flash of `kind`, or all of it. */
  clearFlash(kind?: string): void;
  /** Changes the URL without leaving the view; `handleParams` runs again. */
  pushPatch(to: string, options?: NavigateOptions): void;
  /** Navigates to another view of the same liveSession over the socket. */
  pushNavigate(to: string, options?: NavigateOptions): void;
  /** Full page navigation through HTTP (and its pipeline). */
  redirect(to: string): void;
  /** Delivers messages broadcast on `topic` to `handleInfo` until the view terminates. */
  subscribe(topic: string): void;
  /** Broadcasts `message` on `topic` to every subscriber (on every node). */
  broadcast(topic: string, message: unknown): void;
  /** Delivers `message` to `handleInfo` after `ms`, at most 2^31 - 1 (cancelled when the view terminates). */
  sendAfter(ms: number, message: I): void;
  /** Delivers `message` to `handleInfo` every `ms`, at most 2^31 - 1 (cancelled when the view terminates). */
  every(ms: number, message: I): void;
  /**
   * Runs `dispose` when the view terminates, however it ends (leave, navigation, crash,
   * disconnect, shutdown). For resources the runtime does not know about. Ignored on the dead
   * render (it acquires nothing long-lived).
   */
  onCleanup(dispose: () => void): void;
  /** Sets the page title (`<title>`), sent as `"t"` when it changes. */
  setPageTitle(title: string): void;
  /**
   * Streams `items` into `assigns.streams[name]` (made on the first call, with `domId` if given):
   * the rows are sent with the next render and then forgotten. `reset` empties what the client
   * shows of the stream first.
   */
  stream<K extends keyof StreamItems<A> & string>(
    name: K,
    items: Iterable<StreamItems<A>[K]>,
    options?: StreamOptions<StreamItems<A>[K]>,
  ): void;
  /** Sets how a stream's items become DOM ids; only before its first `stream` call. */
  streamConfigure<K extends keyof StreamItems<A> & string>(name: K, config: StreamConfig<StreamItems<A>[K]>): void;
  /** Inserts (or, for a DOM id the client shows, updates) one row of a stream. */
  streamInsert<K extends keyof StreamItems<A> & string>(name: K, item: StreamItems<A>[K], options?: StreamInsertOptions): void;
  /** Removes an item's row from a stream. */
  streamDelete<K extends keyof StreamItems<A> & string>(name: K, item: StreamItems<A>[K]): void;
  /** Removes a stream's row by its DOM id. */
  streamDeleteByDomId<K extends keyof StreamItems<A> & string>(name: K, domId: string): void;
  // uploads (runtime/uploads/)
  /**
   * Opens an upload named `name` (in `mount`): `assigns.uploads[name]` describes it for
   * `liveFileInput` and the page. Files are checked by size as they arrive and by content when done.
   */
  allowUpload(name: string, options?: UploadOptions): void;
  /** Drops an entry of upload `name`; its transfer stops and its temporary file is removed. */
  cancelUpload(name: string, entryRef: string): void;
  /**
   * Hands each completed file of upload `name` to `consume` (a path in the server's private
   * temporary directory, the client's name, type and size, the type read from the content), then
   * removes the temporary file. Copy the file inside `consume` to keep it.
   */
  consumeUploadedEntries<T>(name: string, consume: (file: UploadedFile, entry: UploadEntryView) => T | Promise<T>): Promise<T[]>;
}

/** What a policy sees when it decides whether an event may run. */
export interface PolicyContext<A extends Assigns = Assigns> {
  readonly event: string;
  readonly value: unknown;
  readonly assigns: Readonly<A>;
  /**
   * The session the view mounted with (cookie session merged with the liveSession's extra
   * session). Server-side only: never rendered, never sent. Lets a policy re-validate the login
   * session itself on every event, not just the user's role.
   */
  readonly session: Readonly<Session>;
}

/**
 * A named, synchronous authorization rule for events. It must return `true` to allow. It runs
 * before the handler for every single event, so it should re-read whatever can change (the user's
 * role, say) rather than trust what `mount` saw.
 */
export interface Policy<A extends Assigns = Assigns> {
  readonly name: string;
  check(context: PolicyContext<A>): boolean;
}

/**
 * Creates a named policy.
 *
 * @example
 *   const editorsOnly = policy('editorsOnly', ({ assigns }) => Accounts.isEditor(assigns.userId));
 */
export function policy<A extends Assigns = Assigns>(name: string, check: (context: PolicyContext<A>) => boolean): Policy<A> {
  if (!name) throw new TypeError('a policy needs a name: it is recorded with every decision');
  return { name, check };
}

/** Allows every user who could mount the view. Say so explicitly: undeclared events are denied. */
// biome-ignore lint/suspicious/noExplicitAny: one policy for every view, whatever its assigns
export const anyone: Policy<any> = policy('anyone', () => true);

/**
 * What an event handler receives: the `phx-value-*` attributes of a click, or a form's fields
 * decoded into nested records (`user[name]=x` → `{ user: { name: 'x' } }`). It comes from the
 * browser: check it before use.
 */
export type EventPayload = Record<string, unknown>;

/** An event handler: runs only after its policy allowed the event. `S` is the socket it runs with (a view's, or a component's). */
export type EventHandlerFn<A extends Assigns, S = ViewSocket<A>> = (value: EventPayload, socket: S) => void | Promise<void>;

/** An event handler together with the policy that guards it (made by `allow`). */
export interface EventDeclaration<A extends Assigns, S = ViewSocket<A>> {
  readonly policy: Policy<A>;
  readonly handler: EventHandlerFn<A, S>;
}

/**
 * Declares an event handler together with the policy that guards it.
 *
 * @example
 *   handleEvent: {
 *     increment: allow(anyone, (_value, socket) => socket.update((a) => { a.count++ })),
 *   }
 */
// The assigns type comes from where the declaration is used (the view's `handleEvent`), never from
// the policy: `anyone` fits every view, and inferring from it would make the handler's socket
// `any` and let `a.cuont++` compile.
export function allow<A extends Assigns, S = ViewSocket<A>>(
  policy: Policy<NoInfer<A>>,
  handler: EventHandlerFn<A, S>,
): EventDeclaration<A, S> {
  return { policy, handler };
}

/** A route's path parameters and query string, merged (path parameters win). */
export type Params = Record<string, string>;
/** The session a view mounts with: the cookie session merged with the liveSession's extra session. */
export type Session = Record<string, unknown>;

/**
 * A view's callbacks. `A` is its assigns; `I` the messages its `handleInfo` receives (what it
 * passes to `sendAfter` / `every` and what is broadcast on the topics it subscribes to).
 */
export interface ViewDefinition<A extends Assigns = Assigns, I = unknown> {
  /** Used in logs, tokens and the inspector. */
  name: string;
  /**
   * The assigns the inspector may show (an allow-list). Every other assign is redacted there: assigns
   * often hold users, tokens or form data, so a view opts in key by key.
   */
  inspect?: readonly (keyof A & string)[];
  /** Runs on the dead render and again at the live mount. */
  mount?(params: Params, session: Session, socket: ViewSocket<A, I>): void | Promise<void>;
  /** Runs after mount and on every `pushPatch` / `live_patch`. */
  handleParams?(params: Params, url: URL, socket: ViewSocket<A, I>): void | Promise<void>;
  /** The events this view accepts, each with its policy. Anything else is denied. */
  handleEvent?: Record<string, EventDeclaration<A>>;
  /** Messages from `subscribe`, `sendAfter` and `every`. */
  handleInfo?(message: I, socket: ViewSocket<A, I>): void | Promise<void>;
  render(assigns: Readonly<A>): Rendered;
}

/** A view definition checked once when the app starts. */
// biome-ignore lint/suspicious/noExplicitAny: the "any view" type: handlers take A and I as parameters, so `unknown` would not accept a LiveView<Foo>
export type LiveView<A extends Assigns = any, I = any> = Readonly<ViewDefinition<A, I>>;

/**
 * Defines a live view.
 *
 * @example
 *   export const Counter = defineView<{ count: number }>({
 *     name: 'counter',
 *     mount: (_params, _session, socket) => socket.assign({ count: 0 }),
 *     handleEvent: { increment: allow(anyone, (_v, s) => s.update((a) => { a.count++ })) },
 *     render: ({ count }) => html`<p id="count">${count}</p>`,
 *   });
 */
export function defineView<A extends Assigns, I = unknown>(definition: ViewDefinition<A, I>): LiveView<A, I> {
  checkDefinition('defineView', 'view', definition);
  return Object.freeze({ ...definition });
}

/**
 * @internal What `defineView` and `defineComponent` check alike: a name, a render function, and
 * every event declared with `allow(policy, handler)`.
 */
export function checkDefinition(
  maker: string,
  kind: string,
  // biome-ignore lint/suspicious/noExplicitAny: checks views and components of any assigns alike
  definition: { readonly name: string; readonly render: unknown; readonly handleEvent?: Record<string, EventDeclaration<any, any>> },
): void {
  if (!definition.name) throw new TypeError(`${maker}: a ${kind} needs a name`);
  if (typeof definition.render !== 'function') {
    throw new TypeError(`${maker}(${definition.name}): render must be a function`);
  }
  for (const [event, declaration] of Object.entries(definition.handleEvent ?? {})) {
    if (!declaration || typeof declaration.handler !== 'function' || typeof declaration.policy?.check !== 'function') {
      throw new TypeError(`${maker}(${definition.name}): event "${event}" must be declared with allow(policy, handler)`);
    }
  }
}
