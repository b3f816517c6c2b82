// What the official client keeps of a view's render: the tree from the join reply, with every
// later diff merged in, turned back into HTML. It follows the client's merge rules for the diff
// format the runtime sends: a subtree carrying `"s"` replaces what was there, anything else is
// merged position by position; a list (`"k"`) is rebuilt from its count (`kc`), keeping, moving
// (`n` or `[n, diff]`) or patching its rows. Stateful components arrive apart, under `"c"` by cid
// (a number in the tree); a component whose `"s"` is a cid starts from that component's tree, one
// the client held before this diff (negative) or one of this diff (positive).
//
// A stream (a list carrying `"stream"`) keeps its rows where the browser keeps them, outside the
// tree: each diff's rows are inserted, moved, trimmed and deleted as its stream entry says, then
// the list is emptied, as the client empties it after patching.

type Tree = { [key: string]: unknown };

/** One row a stream container shows: its DOM id, and the list entry with the list's statics. */
interface StreamRow {
  id: string;
  statics: unknown;
  entry: Tree;
}

// Where a list remembers which stream's rows it prints (a key the wire never uses).
const STREAM_REF = 'streamRef';

/** A view's rendered tree as the client holds it. */
export class RenderedTree {
  #root: Tree = {};
  #components: Record<string, Tree> = {};
  #title: string | undefined;
  /** The rows each stream's container shows, in order, by stream ref. */
  #streams = new Map<string, StreamRow[]>();

  /** Replaces the tree (a join reply's `rendered`). */
  reset(rendered: Tree): void {
    this.#root = {};
    this.#components = {};
    // A join replaces whatever a container showed with the rows it streams.
    this.#streams = new Map();
    this.merge(rendered);
  }

  /** Merges a diff (an event reply's `diff`, or a `diff` push). */
  merge(diff: Tree): void {
    if (typeof diff.t === 'string') this.#title = diff.t;
    const { t: _t, e: _e, r: _r, c: components, ...tree } = diff;
    if (isTree(components)) this.#mergeComponents(components);
    this.#root = mergeTree(this.#root, tree);
    this.#applyStreams(this.#root);
    for (const component of Object.values(this.#components)) this.#applyStreams(component);
  }

  /** The page title the view set, if any. */
  get title(): string | undefined {
    return this.#title;
  }

  /** The view's HTML (the inside of its root container). */
  toHtml(): string {
    return treeToHtml(this.#root, this.#components, this.#streams);
  }

  // Moves each stream list's new rows into its container's rows, then empties the list.
  #applyStreams(tree: Tree): void {
    for (const value of Object.values(tree)) {
      if (isTree(value)) this.#applyStreams(value);
    }
    const entry = tree.stream;
    if (!Array.isArray(entry) || !isTree(tree.k)) return;
    const [ref, inserts, deletes, reset] = entry as [string, [string, number, number | null, boolean][], string[], boolean?];
    let rows = this.#streams.get(ref) ?? [];
    if (reset === true) rows = [];
    const list = tree.k;
    inserts.forEach(([id, at, limit, updateOnly], i) => {
      const row: StreamRow = { id, statics: tree.s, entry: isTree(list[i]) ? (list[i] as Tree) : {} };
      const held = rows.findIndex((r) => r.id === id);
      if (held >= 0) rows[held] = row;
      else if (!updateOnly) {
        if (at === -1 || at >= rows.length) rows.push(row);
        else rows.splice(at, 0, row);
      }
      if (limit !== null && limit >= 0 && rows.length > limit) rows = rows.slice(0, limit);
      if (limit !== null && limit < 0 && rows.length > -limit) rows = rows.slice(rows.length + limit);
    });
    rows = rows.filter((row) => !deletes.includes(row.id) || inserts.some(([id]) => id === row.id));
    this.#streams.set(ref, rows);
    tree[STREAM_REF] = ref;
    tree.k = { kc: 0 };
    delete tree.stream;
  }

  #mergeComponents(diffs: Tree): void {
    const held = this.#components;
    const merged: Record<string, Tree> = {};
    const resolve = (cid: string): Tree => {
      if (merged[cid]) return merged[cid];
      const { s: shared, ...diff } = diffs[cid] as Tree;
      if (typeof shared !== 'number') return (merged[cid] = mergeTree(held[cid] ?? {}, diffs[cid] as Tree));
      const base = (shared > 0 ? resolve(String(shared)) : held[String(-shared)]) ?? {};
      return (merged[cid] = { ...mergeTree(base, diff), s: base.s });
    };
    for (const cid of Object.keys(diffs)) if (isTree(diffs[cid])) resolve(cid);
    this.#components = { ...held, ...merged };
  }
}

function isTree(value: unknown): value is Tree {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function mergeTree(held: Tree, diff: Tree): Tree {
  if (Array.isArray(diff.s)) return copyWithout(diff, held, true);
  if (isTree(diff.k)) {
    const merged: Tree = { ...held, k: mergeList(isTree(held.k) ? held.k : {}, diff.k) };
    if (diff.stream !== undefined) merged.stream = diff.stream;
    return merged;
  }
  return copyWithout(diff, held, false);
}

function copyWithout(diff: Tree, held: Tree, replace: boolean): Tree {
  const out: Tree = replace ? {} : { ...held };
  for (const [key, value] of Object.entries(diff)) {
    if (key === 's') out.s = value;
    else if (key === 'k' && isTree(value)) out.k = mergeList(replace ? {} : isTree(held.k) ? held.k : {}, value);
    else out[key] = isTree(value) && !replace && isTree(held[key]) ? mergeTree(held[key] as Tree, value) : mergeNew(value);
  }
  return out;
}

function mergeNew(value: unknown): unknown {
  return isTree(value) ? mergeTree({}, value) : value;
}

function mergeList(held: Tree, diff: Tree): Tree {
  const count = typeof diff.kc === 'number' ? diff.kc : Number(held.kc ?? 0);
  const out: Tree = { kc: count };
  for (let i = 0; i < count; i++) {
    const change = diff[i];
    const old = held[i];
    if (change === undefined) out[i] = old ?? {};
    else if (typeof change === 'number') out[i] = held[change] ?? {};
    else if (Array.isArray(change)) out[i] = mergeTree(isTree(held[change[0]]) ? (held[change[0]] as Tree) : {}, change[1] as Tree);
    else if (isTree(change)) out[i] = mergeTree(isTree(old) ? old : {}, change);
  }
  return out;
}

type StreamRows = ReadonlyMap<string, readonly StreamRow[]>;

function treeToHtml(tree: Tree, components: Record<string, Tree>, streams: StreamRows): string {
  const statics = Array.isArray(tree.s) ? (tree.s as string[]) : [];
  if (typeof tree[STREAM_REF] === 'string') {
    let html = '';
    for (const row of streams.get(tree[STREAM_REF] as string) ?? []) {
      html += interleave(Array.isArray(row.statics) ? (row.statics as string[]) : [], row.entry, components, streams);
    }
    return html;
  }
  if (isTree(tree.k)) {
    const list = tree.k;
    let html = '';
    for (let i = 0; i < Number(list.kc ?? 0); i++)
      html += interleave(statics, isTree(list[i]) ? (list[i] as Tree) : {}, components, streams);
    return html;
  }
  return interleave(statics, tree, components, streams);
}

function interleave(statics: readonly string[], dynamics: Tree, components: Record<string, Tree>, streams: StreamRows): string {
  let html = statics[0] ?? '';
  for (let i = 1; i < statics.length; i++) html += valueToHtml(dynamics[i - 1], components, streams) + statics[i];
  return html;
}

function valueToHtml(value: unknown, components: Record<string, Tree>, streams: StreamRows): string {
  if (typeof value === 'string') return value;
  // A number in the tree is the cid of a stateful component.
  if (typeof value === 'number') return components[value] ? treeToHtml(components[value], components, streams) : '';
  if (isTree(value)) return treeToHtml(value, components, streams);
  return value === undefined || value === null ? '' : String(value);
}
