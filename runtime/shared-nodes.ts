// Identical render trees shared across views. Every view keeps the tree its client holds
// (`diff.ts`), and many views of one page hold the same subtrees: the layout, a menu, a list of
// links, an empty flash, the whole page of every idle view that shows the same thing. A node is
// never changed once built (the diff copies what it changes), so one node can stand for all of
// them: each template's statics remember a small node built for them, and a new node with
// the same children (the same strings, or the same shared nodes) is that one. The counter's
// whole tree is ~0.6 KiB per view otherwise.
//
// A template's remembered node is replaced by any new one built for a join, but one built by an
// event's diff only fills an empty place: a diff's new nodes are mostly one view's own (its count,
// its row), and writing them to the WeakMap on every event cost ~5% of a render and diff.
//
// A node is shared only while it is small (`MAX_SHARED_CHILDREN` positions, leaves of at most
// `MAX_SHARED_LEAF_CHARS`): comparing it stays cheap, and what stays referenced after its views
// end is at most one small node per template.

import type { ListNode, MemoNode, RenderNode, TreeNode } from './diff.ts';

/** Positions (children, or list rows × their children) a shared node may have. */
const MAX_SHARED_CHILDREN = 32;
/** The longest text leaf a shared node may hold. */
const MAX_SHARED_LEAF_CHARS = 128;

const lastTree = new WeakMap<readonly string[], TreeNode>();
const lastList = new WeakMap<readonly string[], ListNode>();
const lastMemo = new WeakMap<object, MemoNode>();

/**
 * A tree node of `statics` over `children`: the remembered one, if it holds the same children.
 * `joining`: built by a full render (a join), which replaces the remembered node.
 */
export function sharedTree(statics: readonly string[], children: RenderNode[], joining: boolean): TreeNode {
  const last = lastTree.get(statics);
  if (last !== undefined && sameNodes(last.children, children)) return last;
  const node: TreeNode = { kind: 'tree', statics, children };
  if ((joining || last === undefined) && children.length <= MAX_SHARED_CHILDREN && shareable(children)) lastTree.set(statics, node);
  return node;
}

/** A list node, shared the same way (its rows' keys and children compared one by one). */
export function sharedList(statics: readonly string[], keys: unknown[], entries: RenderNode[][], joining: boolean): ListNode {
  const last = lastList.get(statics);
  if (last !== undefined && sameList(last, keys, entries)) return last;
  const node: ListNode = { kind: 'list', statics, keys, entries };
  if ((joining || last === undefined) && listShareable(keys, entries)) lastList.set(statics, node);
  return node;
}

/**
 * A `memo` node over `child`: the one remembered for that child (itself a shared node, most
 * often), if it has the same deps. A memo has no statics to be remembered by; its child stands in.
 * The node re-renders only when its deps change, so remembering it is no cost per event.
 */
export function sharedMemo(deps: readonly unknown[], child: RenderNode): MemoNode {
  if (typeof child !== 'object') return { kind: 'memo', deps, child };
  const last = lastMemo.get(child);
  if (last !== undefined && sameDeps(last.deps, deps)) return last;
  const node: MemoNode = { kind: 'memo', deps, child };
  if (deps.length <= MAX_SHARED_CHILDREN) lastMemo.set(child, node);
  return node;
}

/** `memo`'s rule: as many deps, each the same by `Object.is`. */
export function sameDeps(held: readonly unknown[], deps: readonly unknown[]): boolean {
  if (held.length !== deps.length) return false;
  for (let i = 0; i < deps.length; i++) if (!Object.is(held[i], deps[i])) return false;
  return true;
}

function sameNodes(a: readonly RenderNode[], b: readonly RenderNode[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sameList(last: ListNode, keys: unknown[], entries: RenderNode[][]): boolean {
  if (last.entries.length !== entries.length) return false;
  for (let i = 0; i < entries.length; i++) {
    if (last.keys[i] !== keys[i] || !sameNodes(last.entries[i]!, entries[i]!)) return false;
  }
  return true;
}

function shareable(children: readonly RenderNode[]): boolean {
  for (const child of children) if (typeof child === 'string' && child.length > MAX_SHARED_LEAF_CHARS) return false;
  return true;
}

function listShareable(keys: unknown[], entries: RenderNode[][]): boolean {
  let positions = 0;
  for (let i = 0; i < entries.length; i++) {
    const key = keys[i];
    if (typeof key === 'string' && key.length > MAX_SHARED_LEAF_CHARS) return false;
    positions += entries[i]!.length;
    if (positions > MAX_SHARED_CHILDREN || !shareable(entries[i]!)) return false;
  }
  return true;
}
