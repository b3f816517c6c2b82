// Turns rendered templates into the LiveView 1.2 diff format (PROTOCOL.md §4).
//
// The server keeps, per view, a `RenderNode` tree mirroring what the client holds. Each render is
// compared against it: statics travel only when a template is new at a position, unchanged dynamics
// are omitted, lists use the keyed `"k"` form with moves. The client merges a subtree that has an
// `"s"` by replacement and anything else by recursion, which is what keeps these rules sound.

import { Keyed, Rendered, leafToString, renderToString } from './template.ts';

/** What the client holds at one dynamic position. */
export type RenderNode = string | TreeNode | ListNode;

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

/** A JSON-ready diff object (keys `"s"`, `"0"`, `"1"`, …, `"k"`). */
export type WireTree = Record<string, unknown>;

export interface DiffResult<T> {
  /** What to send; `undefined` means unchanged. */
  wire: T | undefined;
  node: RenderNode;
}

// Rows whose templates differ are wrapped in a one-slot template so one list can hold them.
const WRAPPER_STATICS: readonly string[] = Object.freeze(['', '']);

/** Renders a whole tree for a client that holds nothing (a join). */
export function renderFull(rendered: Rendered): { wire: WireTree; node: TreeNode } {
  const result = diffValue(undefined, rendered);
  return { wire: result.wire as WireTree, node: result.node as TreeNode };
}

/**
 * Diffs a new render against what the client holds. Returns `{}` when nothing changed.
 *
 * @example
 *   const first = renderFull(view.render(assigns));   // join reply
 *   const next = diffTree(first.node, view.render(updated)); // { "0": "4" }
 */
export function diffTree(prev: TreeNode, rendered: Rendered): { wire: WireTree; node: TreeNode } {
  const result = diffValue(prev, rendered);
  return { wire: (result.wire as WireTree | undefined) ?? {}, node: result.node as TreeNode };
}

function diffValue(prev: RenderNode | undefined, value: unknown): DiffResult<unknown> {
  if (value instanceof Rendered) return diffRendered(prev, value);
  if (value instanceof Keyed) return diffRendered(prev, value.rendered);
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

function diffLeaf(prev: RenderNode | undefined, text: string): DiffResult<unknown> {
  return { wire: prev === text ? undefined : text, node: text };
}

function diffRendered(prev: RenderNode | undefined, rendered: Rendered): DiffResult<WireTree> {
  const { statics, dynamics } = rendered;
  const known = typeof prev === 'object' && prev.kind === 'tree' && prev.statics === statics;
  const children: RenderNode[] = new Array(dynamics.length);
  let wire: WireTree | undefined;
  if (!known) wire = { s: statics };
  for (let i = 0; i < dynamics.length; i++) {
    const child = diffValue(known ? prev.children[i] : undefined, dynamics[i]);
    children[i] = child.node;
    if (child.wire !== undefined) (wire ??= {})[i] = child.wire;
  }
  return { wire, node: { kind: 'tree', statics, children } };
}

function isTemplateList(items: unknown[]): items is (Rendered | Keyed)[] {
  if (items.length === 0) return true;
  for (const item of items) {
    if (!(item instanceof Rendered) && !(item instanceof Keyed)) return false;
  }
  return true;
}

interface Row {
  key: unknown;
  statics: readonly string[];
  dynamics: readonly unknown[];
}

function toRows(items: (Rendered | Keyed)[]): { statics: readonly string[]; rows: Row[] } {
  const first = items[0];
  const firstStatics = first ? templateOf(first).statics : WRAPPER_STATICS;
  const uniform = items.every((item) => templateOf(item).statics === firstStatics);
  const rows = items.map((item, index): Row => {
    const key = item instanceof Keyed ? item.key : index;
    const rendered = templateOf(item);
    return uniform
      ? { key, statics: firstStatics, dynamics: rendered.dynamics }
      : { key, statics: WRAPPER_STATICS, dynamics: [rendered] };
  });
  return { statics: uniform ? firstStatics : WRAPPER_STATICS, rows };
}

function templateOf(item: Rendered | Keyed): Rendered {
  return item instanceof Keyed ? item.rendered : item;
}

function diffList(prev: RenderNode | undefined, items: (Rendered | Keyed)[]): DiffResult<unknown> {
  const wasList = typeof prev === 'object' && prev.kind === 'list';
  // A list that has never held rows is sent as "" (it has no statics yet), as Phoenix does.
  if (items.length === 0 && !wasList) return diffLeaf(prev, '');
  const { statics, rows } = toRows(items);
  const known = wasList && (prev.statics === statics || rows.length === 0);
  const keys: unknown[] = new Array(rows.length);
  const entries: RenderNode[][] = new Array(rows.length);
  const k: Record<string, unknown> = {};
  let changed = false;
  let moved = false;

  // Rows without keys match by position, with no lookup table to build on every render.
  const byPosition = items.every((item) => !(item instanceof Keyed));
  const oldIndexByKey = new Map<unknown, number>();
  if (known && !byPosition) prev.keys.forEach((key, index) => oldIndexByKey.has(key) || oldIndexByKey.set(key, index));

  rows.forEach((row, i) => {
    keys[i] = row.key;
    let oldIndex: number | undefined;
    if (known && byPosition) oldIndex = i < prev.entries.length ? i : undefined;
    else if (known) {
      oldIndex = oldIndexByKey.get(row.key);
      if (oldIndex !== undefined) oldIndexByKey.delete(row.key);
    }
    const oldEntry = oldIndex !== undefined ? (prev as ListNode).entries[oldIndex] : undefined;
    const entry = diffDynamics(oldEntry, row.dynamics);
    entries[i] = entry.nodes;
    if (oldIndex === undefined) {
      k[i] = entry.wire ?? {};
      changed = true;
    } else if (oldIndex === i) {
      if (entry.wire !== undefined) {
        k[i] = entry.wire;
        changed = true;
      }
    } else {
      k[i] = entry.wire === undefined ? oldIndex : [oldIndex, entry.wire];
      changed = moved = true;
    }
  });

  const node: ListNode = { kind: 'list', statics: known ? prev.statics : statics, keys, entries };
  if (!known) return { wire: { s: statics, k: { ...k, kc: rows.length } }, node };
  if (!changed && rows.length === prev.entries.length) return { wire: undefined, node };
  k.kc = rows.length;
  if (moved) k.km = true;
  return { wire: { k }, node };
}

function diffDynamics(
  prev: RenderNode[] | undefined,
  dynamics: readonly unknown[],
): { wire: WireTree | undefined; nodes: RenderNode[] } {
  const nodes: RenderNode[] = new Array(dynamics.length);
  let wire: WireTree | undefined;
  for (let i = 0; i < dynamics.length; i++) {
    const child = diffValue(prev?.[i], dynamics[i]);
    nodes[i] = child.node;
    if (child.wire !== undefined) (wire ??= {})[i] = child.wire;
  }
  return { wire, nodes };
}
