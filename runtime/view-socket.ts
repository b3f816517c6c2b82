// One view's state between callbacks: its assigns, what the client holds (for diffs), and the
// effects its callbacks asked for (events, navigation). The same class serves the dead render
// (`connected: false`) and the live view, so both paths run identical mount code.

import type { Assigns, Flash, LiveView, NavigateOptions, ViewSocket } from './live-view.ts';
import { diffChanges, renderFull, type ComponentSink, type TreeNode, type WireTree } from './diff.ts';
import type { ComponentCall } from './template.ts';
import { ComponentTable, type ComponentEntry } from './component-table.ts';
import type { EventDeclaration } from './live-view.ts';
import { renderToString } from './template.ts';
import { updateAssigns } from './assigns-update.ts';
import type { CleanupStack } from './cleanup-stack.ts';
import type { Clock } from './clock.ts';
import type { PubSub } from './pubsub.ts';
import { validateLocalPath } from './local-path.ts';
import { LiveStream, type StreamConfig, type StreamInsertOptions, type StreamItems, type StreamOptions } from './live-stream.ts';
import { ViewUploads, type UploadHost } from './uploads/view-uploads.ts';
import type { UploadedFile, UploadEntryView, UploadOptions } from './uploads/upload-config.ts';

export type Navigation =
  | { kind: 'patch'; to: string; replace: boolean }
  | { kind: 'navigate'; to: string; replace: boolean }
  | { kind: 'redirect'; to: string };

export interface ViewSocketServices {
  clock: Clock;
  pubsub: PubSub;
  cleanup: CleanupStack;
  /** Queues a message for `handleInfo`, in order with the view's other work. */
  deliverInfo(message: unknown): void;
  /** Components the view may hold at once (`maxComponentsPerView`). */
  readonly maxComponents: number;
  /** The server's uploads and this view's socket (live views only). */
  readonly uploadHost?: UploadHost;
}

/** Who handles an event: the view, or one of its components. */
export interface EventTarget {
  readonly name: string;
  readonly cid: number | null;
  // biome-ignore lint/suspicious/noExplicitAny: a target is a view or a component of any assigns
  readonly handleEvent: Readonly<Record<string, EventDeclaration<any, any>>> | undefined;
  readonly assigns: object;
  // biome-ignore lint/suspicious/noExplicitAny: a target is a view or a component of any assigns
  readonly socket: LiveViewSocket<any> | ComponentEntry<any>;
}

/**
 * An event target: a class whose `assigns` getter lives on the prototype. An object literal with
 * a getter cost every view that handled an event ~0.6 KiB (the getter's closure and context, its
 * accessor pair, and a dictionary of properties V8 gave the literal).
 */
class Target implements EventTarget {
  readonly name: string;
  readonly cid: number | null;
  readonly handleEvent: EventTarget['handleEvent'];
  // biome-ignore lint/suspicious/noExplicitAny: a target is a view or a component of any assigns
  readonly socket: LiveViewSocket<any> | ComponentEntry<any>;

  constructor(
    name: string,
    cid: number | null,
    handleEvent: EventTarget['handleEvent'],
    // biome-ignore lint/suspicious/noExplicitAny: a target is a view or a component of any assigns
    socket: LiveViewSocket<any> | ComponentEntry<any>,
  ) {
    this.name = name;
    this.cid = cid;
    this.handleEvent = handleEvent;
    this.socket = socket;
  }

  get assigns(): object {
    return this.socket.assigns;
  }
}

/**
 * The longest delay a Node timer holds (2^31 - 1 ms, about 24.8 days): Node runs a longer one
 * after 1 ms, so `every(30 days)` would fire every millisecond. Longer delays are refused.
 */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Shared by every live view: only the dead render has the pipeline's assigns to offer. */
const NO_ASSIGNS: Readonly<Record<string, unknown>> = Object.freeze({});
/** Shared by every view with no flash (most of them, most of the time). */
export const NO_FLASH: Flash = Object.freeze({});

export class LiveViewSocket<A extends Assigns = Assigns> implements ViewSocket<A>, ComponentSink {
  readonly id: string;
  readonly view: LiveView<A>;
  readonly connected: boolean;
  #assigns: A;
  #changed = true;
  #node: TreeNode | undefined;
  #components: ComponentTable | null = null;
  /** What an event without a `cid` addresses (this view), made at its first event. */
  #selfTarget: EventTarget | undefined;
  #title: string | undefined;
  #titleSent: string | undefined;
  /** `push_event`s queued by callbacks; allocated on the first one (most views never push any). */
  #events: [string, Record<string, unknown>][] | null = null;
  #navigation: Navigation | null = null;
  /** Flash put since the last callback ended (Phoenix's changed flash): what a redirect carries. */
  #flashPut: Record<string, string> | null = null;
  /** `undefined` outside an event handler; `null` inside one until `reply` is called. */
  #reply: Record<string, unknown> | null | undefined = undefined;
  /** What the HTTP pipeline loaded, offered to `assignNew` on the dead render only. */
  readonly #parentAssigns: Readonly<Record<string, unknown>>;
  /** Keys `assignNew` took from the HTTP pipeline's assigns (dead render only). */
  #assignedFromParent: string[] | null = null;
  readonly #services: ViewSocketServices | null;
  /** The view's streams by name (also `assigns.streams`); made at the first `stream` call. */
  // biome-ignore lint/suspicious/noExplicitAny: streams of every item type share one map; each is typed at its call site
  #streams: Map<string, LiveStream<any>> | null = null;
  /** `streamConfigure` calls waiting for their stream's first `stream`. */
  #streamConfigs: Map<string, StreamConfig> | null = null;

  constructor(options: {
    id: string;
    view: LiveView<A>;
    connected: boolean;
    parentAssigns?: Record<string, unknown>;
    services?: ViewSocketServices;
    /** The flash the view mounts with (from the HTTP request, or a navigation's flash token). */
    flash?: Flash;
  }) {
    this.id = options.id;
    this.view = options.view;
    this.connected = options.connected;
    this.#assigns = { flash: options.flash ?? NO_FLASH } as unknown as A;
    this.#parentAssigns = options.parentAssigns ?? NO_ASSIGNS;
    this.#services = options.services ?? null;
  }

  /** The keys `assignNew` took from the HTTP pipeline's assigns, for the static token. */
  get assignedFromParent(): readonly string[] {
    return this.#assignedFromParent ?? [];
  }

  get assigns(): Readonly<A> {
    return this.#assigns;
  }

  assign(values: Partial<A>): void {
    this.#assigns = { ...this.#assigns, ...values };
    this.#changed = true;
  }

  update(recipe: (draft: A) => void): void {
    const next = updateAssigns(this.#assigns, recipe);
    if (next !== this.#assigns) {
      this.#assigns = next;
      this.#changed = true;
    }
  }

  assignNew<K extends keyof A & string>(key: K, compute: () => A[K]): void {
    // Own keys only: `in` would find `constructor` or `toString` on Object.prototype and skip them.
    if (Object.hasOwn(this.#assigns, key)) return;
    if (Object.hasOwn(this.#parentAssigns, key)) {
      (this.#assignedFromParent ??= []).push(key);
      this.assign({ [key]: this.#parentAssigns[key] } as unknown as Partial<A>);
      return;
    }
    this.assign({ [key]: compute() } as unknown as Partial<A>);
  }

  pushEvent(name: string, payload: Record<string, unknown>): void {
    (this.#events ??= []).push([name, payload]);
  }

  reply(payload: Record<string, unknown>): void {
    if (this.#reply === undefined) throw new TypeError('reply() answers an event: call it from a handleEvent handler');
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
      throw new TypeError('reply(payload): the payload must be an object');
    }
    this.#reply = payload;
  }

  /** Opens the reply of the event about to be handled. */
  expectReply(): void {
    this.#reply = null;
  }

  /** Takes the reply the handler gave (null when none) and closes it. */
  takeReply(): Record<string, unknown> | null {
    const reply = this.#reply ?? null;
    this.#reply = undefined;
    return reply;
  }

  get flash(): Flash {
    return (this.#assigns as { flash?: Flash }).flash ?? NO_FLASH;
  }

  putFlash(kind: string, message: string): void {
    if (typeof kind !== 'string' || typeof message !== 'string') throw new TypeError('putFlash(kind, message) takes two strings');
    this.#setFlash({ ...this.flash, [kind]: message });
    (this.#flashPut ??= {})[kind] = message;
  }

  clearFlash(kind?: string): void {
    if (kind === undefined) {
      this.#flashPut = null;
      if (this.flash !== NO_FLASH) this.#setFlash(NO_FLASH);
      return;
    }
    if (this.#flashPut) delete this.#flashPut[kind];
    if (!Object.hasOwn(this.flash, kind)) return;
    const { [kind]: _cleared, ...rest } = this.flash;
    this.#setFlash(rest);
  }

  /** Replaces the whole flash (a patch keeps only what its callback put, as Phoenix does). */
  replaceFlash(flash: Flash): void {
    this.#setFlash(Object.keys(flash).length === 0 ? NO_FLASH : flash);
  }

  /** Takes the flash put since the last call: what a redirect of this callback carries. */
  takeFlashPut(): Record<string, string> {
    const put = this.#flashPut ?? {};
    this.#flashPut = null;
    return put;
  }

  #setFlash(flash: Flash): void {
    this.assign({ flash } as unknown as Partial<A>);
  }

  pushPatch(to: string, options: NavigateOptions = {}): void {
    this.#navigation = { kind: 'patch', to: validateLocalPath(to), replace: options.replace === true };
  }

  pushNavigate(to: string, options: NavigateOptions = {}): void {
    this.#navigation = { kind: 'navigate', to: validateLocalPath(to), replace: options.replace === true };
  }

  redirect(to: string): void {
    this.#navigation = { kind: 'redirect', to: validateLocalPath(to) };
  }

  subscribe(topic: string): void {
    const services = this.#services;
    if (!services) return; // the dead render does not live long enough to receive anything
    const unsubscribe = services.pubsub.subscribe(topic, (message) => services.deliverInfo(message));
    services.cleanup.add(unsubscribe);
  }

  broadcast(topic: string, message: unknown): void {
    this.#services?.pubsub.broadcast(topic, message);
  }

  sendAfter(ms: number, message: unknown): void {
    const services = this.#services;
    if (!services) return;
    if (!(ms <= MAX_TIMER_MS)) throw new TypeError(`sendAfter(ms): ms must be a number of at most ${MAX_TIMER_MS}`);
    const cancel = (): void => services.clock.clearTimeout(handle);
    const handle = services.clock.setTimeout(() => {
      services.cleanup.remove(cancel);
      services.deliverInfo(message);
    }, ms);
    services.cleanup.add(cancel);
  }

  every(ms: number, message: unknown): void {
    const services = this.#services;
    if (!services) return;
    if (!(ms > 0 && ms <= MAX_TIMER_MS)) throw new TypeError(`every(ms): ms must be positive and at most ${MAX_TIMER_MS}`);
    let handle: unknown;
    const tick = (): void => {
      handle = services.clock.setTimeout(tick, ms);
      services.deliverInfo(message);
    };
    handle = services.clock.setTimeout(tick, ms);
    services.cleanup.add(() => services.clock.clearTimeout(handle));
  }

  onCleanup(dispose: () => void): void {
    this.#services?.cleanup.add(dispose);
  }

  // uploads: the view's upload state lives in runtime/uploads/view-uploads.ts, made on first use
  #uploads: ViewUploads | null = null;

  get uploadState(): ViewUploads | null {
    return this.#uploads;
  }

  allowUpload(name: string, options: UploadOptions = {}): void {
    (this.#uploads ??= new ViewUploads(this.#services?.uploadHost ?? null, (uploads) =>
      this.assign({ uploads } as unknown as Partial<A>),
    )).allow(name, options);
  }

  cancelUpload(name: string, entryRef: string): void {
    if (!this.#uploads) throw new TypeError(`no upload named ${name}: call allowUpload in mount first`);
    this.#uploads.cancel(name, entryRef);
  }

  consumeUploadedEntries<T>(name: string, consume: (file: UploadedFile, entry: UploadEntryView) => T | Promise<T>): Promise<T[]> {
    if (!this.#uploads) throw new TypeError(`no upload named ${name}: call allowUpload in mount first`);
    return this.#uploads.consume(name, consume);
  }

  setPageTitle(title: string): void {
    this.#title = title;
  }

  get pageTitle(): string | undefined {
    return this.#title;
  }

  stream<K extends keyof StreamItems<A> & string>(
    name: K,
    items: Iterable<StreamItems<A>[K]>,
    options: StreamOptions<StreamItems<A>[K]> = {},
  ): void {
    let stream = this.#streams?.get(name);
    if (!stream) {
      const streams = (this.#streams ??= new Map());
      const config = this.#streamConfigs?.get(name) ?? (options.domId ? { domId: options.domId } : undefined);
      stream = new LiveStream(name, String(streams.size), config);
      streams.set(name, stream);
      // Assigns hold the stream objects, never their rows: those are pruned after each render.
      this.#assigns = { ...this.#assigns, streams: Object.fromEntries(streams) };
    }
    if (options.reset === true) stream.markReset();
    for (const item of items) stream.insert(item, options);
    this.#changed = true;
  }

  streamConfigure<K extends keyof StreamItems<A> & string>(name: K, config: StreamConfig<StreamItems<A>[K]>): void {
    if (this.#streams?.has(name)) throw new TypeError(`streamConfigure: stream "${name}" has already been streamed`);
    if (this.#streamConfigs?.has(name)) throw new TypeError(`streamConfigure: stream "${name}" is already configured`);
    (this.#streamConfigs ??= new Map()).set(name, config);
  }

  streamInsert<K extends keyof StreamItems<A> & string>(name: K, item: StreamItems<A>[K], options: StreamInsertOptions = {}): void {
    this.#streamNamed('streamInsert', name).insert(item, options);
    this.#changed = true;
  }

  streamDelete<K extends keyof StreamItems<A> & string>(name: K, item: StreamItems<A>[K]): void {
    const stream = this.#streamNamed('streamDelete', name);
    stream.delete(stream.domId(item));
    this.#changed = true;
  }

  streamDeleteByDomId<K extends keyof StreamItems<A> & string>(name: K, domId: string): void {
    this.#streamNamed('streamDeleteByDomId', name).delete(domId);
    this.#changed = true;
  }

  // biome-ignore lint/suspicious/noExplicitAny: returns the stream typed by the caller's item type
  #streamNamed(caller: string, name: string): LiveStream<any> {
    const stream = this.#streams?.get(name);
    if (!stream) throw new TypeError(`${caller}: no stream "${name}": define it with stream("${name}", items) first`);
    return stream;
  }

  // What a render sent of the streams is forgotten once it is built.
  #pruneStreams(): void {
    if (this.#streams) for (const stream of this.#streams.values()) stream.prune();
  }

  /** Takes the navigation a callback asked for, if any. */
  takeNavigation(): Navigation | null {
    const navigation = this.#navigation;
    this.#navigation = null;
    return navigation;
  }

  /** Takes the `push_event`s queued by callbacks. */
  takeEvents(): [string, Record<string, unknown>][] {
    const events = this.#events ?? [];
    this.#events = null;
    return events;
  }

  /** The view's stateful components; created when the first one renders. */
  get components(): ComponentTable {
    return (this.#components ??= new ComponentTable(this, this.#services?.maxComponents ?? Number.POSITIVE_INFINITY));
  }

  /** The diff's sink: a component call in the view's template becomes its cid. */
  placeComponent(call: ComponentCall): number {
    return this.components.placeComponent(call);
  }

  /**
   * Who handles an event: the view (no `cid`) or the component the `cid` addresses. Null for a
   * cid this view does not hold (never rendered, destroyed, another view's, or not a cid).
   */
  eventTarget(cid: unknown): EventTarget | null {
    // Both the guard and the handler ask, once per event each: the targets are made on first use
    // and kept (their assigns are read through), so an event allocates none.
    if (cid === undefined) return (this.#selfTarget ??= new Target(this.view.name, null, this.view.handleEvent, this));
    const entry = typeof cid === 'number' && Number.isSafeInteger(cid) ? this.#components?.get(cid) : undefined;
    if (!entry) return null;
    return (entry.target ??= new Target(entry.definition.name, entry.myself, entry.definition.handleEvent, entry));
  }

  /** @internal What the client holds of the view's tree, for tests and measurements. */
  get renderTree(): TreeNode | undefined {
    return this.#node;
  }

  /** The dead render's HTML (the component table is made only if a component is met). */
  renderHtml(): string {
    return renderToString(this.view.render(this.#assigns), (call) => this.components.renderHtml(call));
  }

  /** The full tree for a join reply (`rendered`), remembered as what the client holds. */
  renderJoin(): WireTree {
    const { wire, node } = renderFull(this.view.render(this.#assigns), this);
    this.#pruneStreams();
    this.#node = node;
    this.#changed = false;
    const components = this.#components?.finish();
    if (components) wire.c = components;
    this.#addExtras(wire, true);
    return wire;
  }

  /**
   * What changed since the last render; `{}` when nothing did. The view renders only if its
   * assigns changed, a component only if its own did (or it is new to the page).
   */
  renderDiff(): WireTree {
    return this.renderChanges() ?? {};
  }

  /** As `renderDiff`, but null when nothing changed: the event path tells the two apart for free. */
  renderChanges(): WireTree | null {
    let wire: WireTree | null = null;
    if (this.#changed || this.#node === undefined) {
      const rendered = this.view.render(this.#assigns);
      const result = this.#node ? diffChanges(this.#node, rendered, this) : renderFull(rendered, this);
      this.#pruneStreams();
      this.#node = result.node;
      wire = result.wire ?? null;
      this.#changed = false;
    }
    const components = this.#components?.finish();
    if (components) (wire ??= {}).c = components;
    return this.#addExtras(wire, false);
  }

  #addExtras(wire: WireTree | null, joining: boolean): WireTree | null {
    if (this.#title !== undefined && (joining || this.#title !== this.#titleSent)) {
      (wire ??= {}).t = this.#title;
      this.#titleSent = this.#title;
    }
    if (this.#events !== null) (wire ??= {}).e = this.takeEvents();
    return wire;
  }
}
