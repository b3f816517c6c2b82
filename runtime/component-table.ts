// The stateful components of one view: cid allocation, each component's assigns and what the
// client holds of it, rendering into the diff's `"c"`, and removal as the client asks for it.
//
// A component is identified by (definition, id); its cid is allocated the first time a render
// of the view places it and stays until the client reports it gone from the page
// (`cids_will_destroy`, then `cids_destroyed`), as Phoenix's `Diff` does. A component used again
// between those two messages is revived and rendered in full, because the client has reset it.

import { updateAssigns } from './assigns-update.ts';
import type { Assigns, NavigateOptions } from './live-view.ts';
import type { ComponentAssigns, ComponentSocket, LiveComponent } from './live-component.ts';
import { diffTree, renderFull, type ComponentSink, type TreeNode, type WireTree } from './diff.ts';
import { type ComponentCall, type Rendered, renderToString } from './template.ts';
import type { EventTarget } from './view-socket.ts';
import { LiveError } from './errors.ts';

/** What a component forwards to its view: the effects that belong to the page, not to it. */
export interface ComponentHost {
  readonly connected: boolean;
  pushEvent(name: string, payload: Record<string, unknown>): void;
  pushPatch(to: string, options?: NavigateOptions): void;
  pushNavigate(to: string, options?: NavigateOptions): void;
  redirect(to: string): void;
  broadcast(topic: string, message: unknown): void;
}

// Phoenix looks this many components of the same kind for statics to share, and no further.
const SHARE_ATTEMPTS = 32;

/** One component: its socket (assigns, effects) and what the client holds of it. */
export class ComponentEntry<A extends Assigns = Assigns> implements ComponentSocket<A> {
  readonly definition: LiveComponent;
  readonly id: string | number;
  readonly myself: number;
  readonly #host: ComponentHost;
  readonly #table: ComponentTable;
  #assigns: A & ComponentAssigns;
  /** The tree the client holds for this cid (undefined: nothing, or reset). */
  node: TreeNode | undefined;
  /** The client reported it gone (`cids_will_destroy`); cleared if it renders again. */
  markedForDeletion = false;
  /** What its events address, made by the view socket at the first one. @internal */
  target: EventTarget | undefined;

  constructor(definition: LiveComponent, id: string | number, cid: number, host: ComponentHost, table: ComponentTable) {
    this.definition = definition;
    this.id = id;
    this.myself = cid;
    this.#host = host;
    this.#table = table;
    this.#assigns = { id, myself: cid } as A & ComponentAssigns;
  }

  get connected(): boolean {
    return this.#host.connected;
  }

  get assigns(): Readonly<A & ComponentAssigns> {
    return this.#assigns;
  }

  assign(values: Partial<A>): void {
    const current = this.#assigns as Record<string, unknown>;
    for (const key in values) {
      if (!Object.is(current[key], (values as Record<string, unknown>)[key])) {
        this.#assigns = { ...this.#assigns, ...values };
        this.#table.markChanged(this);
        return;
      }
    }
  }

  update(recipe: (draft: A) => void): void {
    const next = updateAssigns(this.#assigns, recipe);
    if (next !== this.#assigns) {
      this.#assigns = next;
      this.#table.markChanged(this);
    }
  }

  pushEvent(name: string, payload: Record<string, unknown>): void {
    this.#host.pushEvent(name, payload);
  }

  pushPatch(to: string, options?: NavigateOptions): void {
    this.#host.pushPatch(to, options);
  }

  pushNavigate(to: string, options?: NavigateOptions): void {
    this.#host.pushNavigate(to, options);
  }

  redirect(to: string): void {
    this.#host.redirect(to);
  }

  broadcast(topic: string, message: unknown): void {
    this.#host.broadcast(topic, message);
  }
}

/** The components of one view. */
export class ComponentTable implements ComponentSink {
  readonly #host: ComponentHost;
  readonly #byCid = new Map<number, ComponentEntry>();
  readonly #cids = new Map<LiveComponent, Map<string | number, number>>();
  #nextCid = 1;
  /** Components whose assigns changed since they last rendered. */
  readonly #changed = new Set<ComponentEntry>();

  // State of the render pass under way (see `render`).
  #pending: ComponentCall[] = [];
  #placed = new Set<number>();
  #out: Record<string, WireTree> | null = null;
  /** The node each component rendered in this pass had before it (what the client holds). */
  #before = new Map<number, TreeNode | undefined>();

  readonly #max: number;

  /**
   * `max` bounds the components held at once: only the server's renders add them, but only the
   * client's `cids_destroyed` removes them, so a client that never sends it would keep every one.
   * (A dead render lives for one render and passes no bound.)
   */
  constructor(host: ComponentHost, max: number) {
    this.#host = host;
    this.#max = max;
  }

  get size(): number {
    return this.#byCid.size;
  }

  /** The component a `cid` addresses, if this view holds it. */
  get(cid: number): ComponentEntry | undefined {
    return this.#byCid.get(cid);
  }

  /** @internal called by an entry whose assigns changed. */
  markChanged(entry: ComponentEntry): void {
    this.#changed.add(entry);
  }

  /**
   * Ends a render pass: updates every component the view's render placed (`placeComponent`),
   * then renders each one that is new or whose assigns changed (an event handler's, say).
   * Returns their diffs, the `"c"` of the view's diff, or `undefined` when none changed.
   */
  finish(): Record<string, WireTree> | undefined {
    try {
      this.#drain();
      const out = this.#out;
      return out === null || isEmpty(out) ? undefined : out;
    } finally {
      this.#out = null;
      this.#pending = [];
      this.#placed.clear();
      this.#before.clear();
    }
  }

  /** The dead render's HTML of a component call (same lifecycle, no diff). */
  renderHtml = (call: ComponentCall): string => {
    const cid = this.placeComponent(call);
    this.#pending.pop();
    const entry = this.#apply(call, cid);
    const rendered = entry.definition.render(entry.assigns);
    checkRoot(entry.definition, rendered);
    this.#changed.delete(entry);
    return renderToString(rendered, this.renderHtml);
  };

  /** `cids_will_destroy`: the client no longer shows these; they go unless rendered again. */
  markForDeletion(cids: readonly number[]): void {
    for (const cid of cids) {
      const entry = this.#byCid.get(cid);
      if (entry) entry.markedForDeletion = true;
    }
  }

  /** `cids_destroyed`: deletes those still marked; returns the cids actually deleted. */
  destroy(cids: readonly number[]): number[] {
    const deleted: number[] = [];
    for (const cid of cids) {
      const entry = this.#byCid.get(cid);
      if (!entry || !entry.markedForDeletion) continue;
      this.#byCid.delete(cid);
      this.#changed.delete(entry);
      const ids = this.#cids.get(entry.definition)!;
      ids.delete(entry.id);
      if (ids.size === 0) this.#cids.delete(entry.definition);
      deleted.push(cid);
    }
    return deleted;
  }

  /** The diff engine's sink: a component call becomes its cid; the component renders in `finish`. */
  placeComponent(call: ComponentCall): number {
    const definition = call.component as LiveComponent;
    let ids = this.#cids.get(definition);
    if (!ids) this.#cids.set(definition, (ids = new Map()));
    let cid = ids.get(call.id);
    if (cid === undefined) {
      cid = this.#nextCid++;
      ids.set(call.id, cid);
    } else if (this.#placed.has(cid)) {
      throw new Error(`found duplicate id ${String(call.id)} for component ${definition.name} when rendering`);
    }
    this.#placed.add(cid);
    this.#pending.push(call);
    return cid;
  }

  // Mounts a new component, or revives one the client was about to drop, then updates it.
  #apply(call: ComponentCall, cid: number): ComponentEntry {
    const definition = call.component as LiveComponent;
    let entry = this.#byCid.get(cid);
    if (!entry) {
      if (this.#byCid.size >= this.#max) {
        // The view crashes (its client rejoins with an empty table) rather than grow past it.
        throw new LiveError('LV_ERR_TOO_MANY_COMPONENTS', `more than ${this.#max} components in one view`);
      }
      entry = new ComponentEntry(definition, call.id, cid, this.#host, this);
      this.#byCid.set(cid, entry);
      this.#changed.add(entry);
      definition.mount?.(entry);
    } else if (entry.markedForDeletion) {
      // The client reset its render of this cid when it reported it gone: send it in full.
      this.#remember(entry);
      entry.markedForDeletion = false;
      entry.node = undefined;
      this.#changed.add(entry);
    }
    if (definition.update) definition.update(call.attrs as never, entry);
    else entry.assign(call.attrs as never);
    return entry;
  }

  // Updates every placed component, then renders each changed one, until none is left (a
  // component's render may place more components).
  #drain(): void {
    for (;;) {
      while (this.#pending.length > 0) {
        const call = this.#pending.shift()!;
        this.#apply(call, this.#cids.get(call.component as LiveComponent)!.get(call.id)!);
      }
      if (this.#changed.size === 0) return;
      const [entry] = this.#changed;
      this.#changed.delete(entry!);
      this.#renderEntry(entry!);
    }
  }

  #renderEntry(entry: ComponentEntry): void {
    const rendered = entry.definition.render(entry.assigns);
    checkRoot(entry.definition, rendered);
    const out = (this.#out ??= {});
    const cid = entry.myself;
    let base = entry.node;
    let link = 0;
    if (base === undefined || base.statics !== rendered.statics) {
      const shared = this.#findShared(entry, rendered.statics);
      if (shared) ({ cid: link, node: base } = shared);
    }
    this.#remember(entry);
    const { wire, node } = base === undefined ? renderFull(rendered, this) : diffTree(base, rendered, this);
    entry.node = node;
    if (link !== 0) {
      // Same statics as another component: the client clones that tree and merges this diff.
      wire.s = link;
    } else if (wire.s !== undefined) {
      // A component's tree must say it has one root tag: the client stamps the cid on it.
      wire.r = 1;
    }
    if (!isEmpty(wire)) out[cid] = wire;
  }

  #remember(entry: ComponentEntry): void {
    if (!this.#before.has(entry.myself)) this.#before.set(entry.myself, entry.markedForDeletion ? undefined : entry.node);
  }

  // Another component of the same kind whose tree has these root statics: one the client held
  // before this diff (negative cid), else one rendered earlier in this diff (positive cid).
  #findShared(entry: ComponentEntry, statics: readonly string[]): { cid: number; node: TreeNode } | null {
    const ids = this.#cids.get(entry.definition);
    if (!ids) return null;
    let attempts = SHARE_ATTEMPTS;
    let fresh: { cid: number; node: TreeNode } | null = null;
    for (const cid of ids.values()) {
      if (attempts-- === 0) break;
      if (cid === entry.myself) continue;
      const other = this.#byCid.get(cid);
      if (!other) continue;
      const held = this.#before.has(cid) ? this.#before.get(cid) : other.markedForDeletion ? undefined : other.node;
      if (held !== undefined && held.statics === statics) return { cid: -cid, node: held };
      if (fresh === null && this.#out?.[cid] !== undefined && other.node?.statics === statics) {
        fresh = { cid, node: other.node };
      }
    }
    return fresh;
  }
}

// The client stamps the component's cid on its root element and throws on anything else, so a
// component without exactly one root tag is a programming error, reported where it happens.
const checkedRoots = new WeakSet<readonly string[]>();
const LEADING_TAG = /^\s*(?:<!--[\s\S]*?-->\s*)*<[a-zA-Z]/;

function checkRoot(definition: LiveComponent, rendered: Rendered): void {
  const { statics } = rendered;
  if (checkedRoots.has(statics)) return;
  if (!LEADING_TAG.test(statics[0]!) || !statics[statics.length - 1]!.trimEnd().endsWith('>')) {
    throw new TypeError(`component ${definition.name}: render must return one static HTML tag at the root`);
  }
  checkedRoots.add(statics);
}

function isEmpty(object: object): boolean {
  for (const _key in object) return false;
  return true;
}
