// Turns rendered templates into the LiveView 1.2 diff format (Phoenix's `Phoenix.LiveView.Diff`;
// the client's `rendered.js` reads it).
//
// The server keeps, per view, a `RenderNode` tree mirroring what the client holds. Each render is
// compared against it: statics travel only when a template is new at a position, unchanged dynamics
// are omitted, lists use the keyed `"k"` form with moves. The client merges a subtree that has an
// `"s"` by replacement and anything else by recursion, which is what keeps these rules sound.

import { ComponentCall, Keyed, Memo, Rendered, leafToString, renderToString } from './template.ts';
import { StreamRows } from './live-stream.ts';
import { sameDeps, sharedList, sharedMemo, sharedTree } from './shared-nodes.ts';

/** What the client holds at one dynamic position (a number: the cid of a stateful component). */
export type RenderNode = string | number | TreeNode | ListNode | StreamNode | MemoNode;

export interface TreeNode {
  readonly kind: 'tree';
  readonly statics: readonly string[];
  readonly children: RenderNode[];
}

export interface ListNode {
  readonly kind: 'list';
  readonly statics: readonly string[];
  readonly keys: unknown[];
  readonly entries: RenderNode[][];
}

/**
 * A stream's list: the client keeps its statics and forgets its rows after patching (they live
 * in the DOM), so the server keeps no rows either.
 */
export interface StreamNode {
  readonly kind: 'stream';
  readonly statics: readonly string[];
  readonly ref: string;
}

/** A `memo` position: the dependencies it last rendered with, and what the client holds there. */
export interface MemoNode {
  readonly kind: 'memo';
  readonly deps: readonly unknown[];
  readonly child: RenderNode;
}

/** A JSON-ready diff object (keys `"s"`, `"0"`, `"1"`, …, `"k"`). */
export type WireTree = Record<string, unknown>;

// Rows whose templates differ are wrapped in a one-slot template so one list can hold them.
const WRAPPER_STATICS: readonly string[] = Object.freeze(['', '']);

// Every `diff*` function below returns the wire diff of one position (`undefined`: unchanged) and
// leaves the node the client now holds there in `lastNode`, which its caller reads at once. This
// runs on every event of every view, so it allocates no result pairs, and an unchanged subtree
// keeps its old node instead of being copied.
let lastNode: RenderNode = '';
// `diffDynamics` leaves the diff of the positions that changed here, the same way.
let lastWire: WireTree | undefined;

/** Resolves the component calls a render meets to their cids (a view's component table). */
export interface ComponentSink {
  placeComponent(call: ComponentCall): number;
}
let componentSink: ComponentSink | null = null;
// How many `memo` renders the diff is inside: a stream there is refused (see `diffStream`).
let memoDepth = 0;
/** A full render is running (a join, a new component): its nodes are the ones to share (`shared-nodes.ts`). */
let joining = false;

/**
 * Renders a whole tree for a client that holds nothing (a join). `sink` resolves the component
 * calls it meets: the slot holds the cid, the component is rendered apart, into the diff's `"c"`.
 */
export function renderFull(rendered: Rendered, sink: ComponentSink | null = null): { wire: WireTree; node: TreeNode } {
  const outer = componentSink;
  const outerJoining = joining;
  componentSink = sink;
  joining = true;
  try {
    const wire = diffRendered(undefined, rendered) as WireTree;
    return { wire, node: lastNode as TreeNode };
  } finally {
    componentSink = outer;
    joining = outerJoining;
  }
}

/**
 * Diffs a new render against what the client holds. Returns `{}` when nothing changed. `sink`
 * resolves component calls, as for `renderFull`.
 *
 * @example
 *   const first = renderFull(view.render(assigns));   // join reply
 *   const next = diffTree(first.node, view.render(updated)); // { "0": "4" }
 */
export function diffTree(prev: TreeNode, rendered: Rendered, sink: ComponentSink | null = null): { wire: WireTree; node: TreeNode } {
  const { wire, node } = diffChanges(prev, rendered, sink);
  return { wire: wire ?? {}, node };
}

/** As `diffTree`, but the wire is `undefined` when nothing changed: no object to look into for keys. */
export function diffChanges(
  prev: TreeNode,
  rendered: Rendered,
  sink: ComponentSink | null = null,
): { wire: WireTree | undefined; node: TreeNode } {
  const outer = componentSink;
  const outerJoining = joining;
  componentSink = sink;
  joining = false;
  try {
    const wire = diffRendered(prev, rendered);
    return { wire, node: lastNode as TreeNode };
  } finally {
    componentSink = outer;
    joining = outerJoining;
  }
}

function diffValue(prev: RenderNode | undefined, value: unknown): unknown {
  if (value instanceof Rendered) return diffRendered(prev, value);
  if (value instanceof Keyed) return diffRendered(prev, value.rendered);
  if (value instanceof StreamRows) return diffStream(prev, value);
  if (value instanceof Memo) return diffMemo(prev, value);
  if (value instanceof ComponentCall) {
    if (!componentSink) throw new TypeError('a live component renders only inside a live view');
    const cid = componentSink.placeComponent(value);
    lastNode = cid;
    return prev === cid ? undefined : cid;
  }
  if (Array.isArray(value)) {
    if (isTemplateList(value)) return diffList(prev, value);
    // An array of plain values renders as their concatenation, like a leaf. Templates and nested
    // arrays mixed into it render as in the dead render, not as escaped text.
    let text = '';
    for (const item of value) text += renderToString(item);
    return diffLeaf(prev, text);
  }
  return diffLeaf(prev, leafToString(value));
}

/**
 * A `memo` position: unchanged dependencies keep the node and send nothing, without rendering;
 * changed ones render and diff against what the client holds there (the held child, or whatever
 * the position held before it was a memo).
 */
function diffMemo(prev: RenderNode | undefined, memo: Memo): unknown {
  const held = typeof prev === 'object' && prev.kind === 'memo' ? prev : undefined;
  if (held !== undefined && sameDeps(held.deps, memo.deps)) {
    lastNode = held;
    return undefined;
  }
  memoDepth++;
  let wire: unknown;
  try {
    wire = diffValue(held !== undefined ? held.child : prev, memo.render());
  } finally {
    memoDepth--;
  }
  lastNode = sharedMemo(memo.deps, lastNode);
  return wire;
}

function diffLeaf(prev: RenderNode | undefined, text: string): string | undefined {
  lastNode = text;
  return prev === text ? undefined : text;
}

function diffRendered(prev: RenderNode | undefined, rendered: Rendered): WireTree | undefined {
  const { statics, dynamics } = rendered;
  const known = typeof prev === 'object' && prev.kind === 'tree' && prev.statics === statics;
  const children = diffDynamics(known ? prev.children : undefined, dynamics);
  const wire = lastWire;
  lastNode = known && children === prev.children ? prev : sharedTree(statics, children, joining);
  if (known) return wire;
  const full: WireTree = { s: statics };
  return wire === undefined ? full : Object.assign(full, wire);
}

/**
 * Diffs one template's dynamics against the nodes the client holds for them (none: a new
 * template). Returns the nodes, `prev` itself when nothing changed, and leaves the diff of the
 * positions that changed in `lastWire` (`undefined` when none did).
 */
function diffDynamics(prev: readonly RenderNode[] | undefined, dynamics: readonly unknown[]): RenderNode[] {
  let nodes: RenderNode[] | undefined = prev === undefined ? new Array<RenderNode>(dynamics.length) : undefined;
  let wire: WireTree | undefined;
  for (let i = 0; i < dynamics.length; i++) {
    const old = prev?.[i];
    const childWire = diffValue(old, dynamics[i]);
    const node = lastNode;
    if (childWire !== undefined) (wire ??= {})[i] = childWire;
    if (nodes === undefined && node !== old) nodes = prev!.slice(0, dynamics.length);
    if (nodes !== undefined) nodes[i] = node;
  }
  lastWire = wire;
  return nodes ?? (prev as RenderNode[]);
}

// A list with a component in it is always a list: its cid must travel as a cid, never be printed
// as text. Its other rows (a `false` from `cond && liveComponent(…)`, say) each sit in the one-slot
// wrapper like the component rows, and print as the dead render prints them.
function isTemplateList(items: readonly unknown[]): boolean {
  let templates = true;
  for (const item of items) {
    if (item instanceof Rendered || item instanceof Keyed) continue;
    if (item instanceof ComponentCall) return true;
    templates = false;
  }
  return templates;
}

// A component row has no statics of its own: it sits in a one-slot wrapper, as Phoenix renders
// a comprehension of components (each entry's one dynamic is the cid).
function templateOf(item: unknown): unknown {
  return item instanceof Keyed ? item.rendered : item;
}

function staticsOf(item: unknown): readonly string[] {
  const template = templateOf(item);
  return template instanceof Rendered ? template.statics : WRAPPER_STATICS;
}

function diffList(prev: RenderNode | undefined, items: readonly unknown[]): unknown {
  const wasList = typeof prev === 'object' && prev.kind === 'list';
  // A list that has never held rows is sent as "" (it has no statics yet), as Phoenix does.
  if (items.length === 0 && !wasList) return diffLeaf(prev, '');

  // One pass over the rows: do they share one template, and do any carry keys?
  const firstStatics = items.length > 0 ? staticsOf(items[0]!) : WRAPPER_STATICS;
  let uniform = true;
  let byPosition = true;
  for (const item of items) {
    if (item instanceof Keyed) byPosition = false;
    if (item instanceof ComponentCall || staticsOf(item) !== firstStatics) uniform = false;
  }
  const statics = uniform ? firstStatics : WRAPPER_STATICS;
  const known = wasList && (prev.statics === statics || items.length === 0);

  // Rows without keys match by position, with no lookup table to build on every render.
  let oldIndexByKey: Map<unknown, number> | undefined;
  if (known && !byPosition) {
    oldIndexByKey = new Map();
    for (const [index, key] of prev.keys.entries()) if (!oldIndexByKey.has(key)) oldIndexByKey.set(key, index);
  }

  // A list of as many rows as the client holds keeps its node's arrays until a row differs (most
  // renders change none of a list's rows): only then are they copied, up to that row.
  const sameLength = known && items.length === prev.entries.length;
  let keys: unknown[] | undefined = sameLength ? undefined : new Array(items.length);
  let entries: RenderNode[][] | undefined = sameLength ? undefined : new Array(items.length);
  let k: Record<string, unknown> | undefined = known ? undefined : {};
  let moved = false;
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    const key = item instanceof Keyed ? item.key : i;
    const rendered = templateOf(item);
    let oldIndex: number | undefined;
    if (known && byPosition) oldIndex = i < prev.entries.length ? i : undefined;
    else if (oldIndexByKey !== undefined) {
      oldIndex = oldIndexByKey.get(key);
      if (oldIndex !== undefined) oldIndexByKey.delete(key);
    }
    const oldEntry = oldIndex !== undefined ? (prev as ListNode).entries[oldIndex] : undefined;
    const entry = diffDynamics(oldEntry, uniform ? (rendered as Rendered).dynamics : [rendered]);
    const wire = lastWire;
    if (entries === undefined && (entry !== (prev as ListNode).entries[i] || key !== (prev as ListNode).keys[i])) {
      entries = (prev as ListNode).entries.slice(0, i);
      keys = (prev as ListNode).keys.slice(0, i);
    }
    if (entries !== undefined) {
      entries[i] = entry;
      keys![i] = key;
    }
    if (oldIndex === undefined) {
      (k ??= {})[i] = wire ?? {};
    } else if (oldIndex === i) {
      if (wire !== undefined) (k ??= {})[i] = wire;
    } else {
      (k ??= {})[i] = wire === undefined ? oldIndex : [oldIndex, wire];
      moved = true;
    }
  }

  if (!known) {
    lastNode = sharedList(statics, keys!, entries!, joining);
    k!.kc = items.length;
    return { s: statics, k };
  }
  lastNode = entries === undefined ? prev : sharedList(prev.statics, keys!, entries, joining);
  if (k === undefined && items.length === prev.entries.length) return undefined;
  k ??= {};
  k.kc = items.length;
  if (moved) k.km = true;
  return { k };
}

/**
 * A stream's diff: `{ k, stream }` with this render's rows in full (the client emptied the list
 * after its last patch), `"s"` when the client does not hold the rows' statics yet. Nothing when
 * the stream has nothing new; `""` until it has ever had something to say, like an empty list.
 */
function diffStream(prev: RenderNode | undefined, stream: StreamRows): unknown {
  // A memo that keeps its part would keep the rows this render inserts from ever being sent.
  if (memoDepth > 0) throw new TypeError('a stream cannot render inside memo(): its rows are sent only by the render that inserts them');
  const held = typeof prev === 'object' && prev.kind === 'stream' && prev.ref === stream.ref ? prev : undefined;
  const { rows } = stream;
  if (rows.length === 0 && stream.deletes.length === 0 && !stream.reset) {
    if (held === undefined) return diffLeaf(prev, '');
    lastNode = held;
    return undefined;
  }

  let statics: readonly string[] = held?.statics ?? WRAPPER_STATICS;
  if (rows.length > 0) {
    statics = staticsOf(rows[0]!);
    for (const row of rows) {
      if (row instanceof ComponentCall || staticsOf(row) !== statics) {
        statics = WRAPPER_STATICS;
        break;
      }
    }
  }
  const uniform = statics !== WRAPPER_STATICS;

  const k: Record<string, unknown> = { kc: rows.length };
  for (let i = 0; i < rows.length; i++) {
    const template = templateOf(rows[i]!);
    diffDynamics(undefined, uniform ? (template as Rendered).dynamics : [template]);
    k[i] = lastWire ?? {};
  }
  const wire: WireTree = held?.statics === statics ? { k } : { s: statics, k };
  wire.stream = stream.toWire();
  lastNode = held?.statics === statics ? held : { kind: 'stream', statics, ref: stream.ref };
  return wire;
}
