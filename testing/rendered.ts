// What the official client keeps of a view's render: the tree from the join reply, with every
// later diff merged in, turned back into HTML. It follows the client's merge rules for the diff
// format the runtime sends: a subtree carrying `"s"` replaces what was there, anything else is
// merged position by position; a list (`"k"`) is rebuilt from its count (`kc`), keeping, moving
// (`n` or `[n, diff]`) or patching its rows. Stateful components arrive apart, under `"c"` by cid
// (a number in the tree); a component whose `"s"` is a cid starts from that component's tree, one
// the client held before this diff (negative) or one of this diff (positive).

type Tree = { [key: string]: unknown };

/** A view's rendered tree as the client holds it. */
export class RenderedTree {
  #root: Tree = {};
  #components: Record<string, Tree> = {};
  #title: string | undefined;

  /** Replaces the tree (a join reply's `rendered`). */
  reset(rendered: Tree): void {
    this.#root = {};
    this.#components = {};
    this.merge(rendered);
  }

  /** Merges a diff (an event reply's `diff`, or a `diff` push). */
  merge(diff: Tree): void {
    if (typeof diff.t === 'string') this.#title = diff.t;
    const { t: _t, e: _e, r: _r, c: components, ...tree } = diff;
    if (isTree(components)) this.#mergeComponents(components);
    this.#root = mergeTree(this.#root, tree);
  }

  /** The page title the view set, if any. */
  get title(): string | undefined {
    return this.#title;
  }

  /** The view's HTML (the inside of its root container). */
  toHtml(): string {
    return treeToHtml(this.#root, this.#components);
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
  if (isTree(diff.k)) return { ...held, k: mergeList(isTree(held.k) ? held.k : {}, diff.k) };
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

function treeToHtml(tree: Tree, components: Record<string, Tree>): string {
  const statics = Array.isArray(tree.s) ? (tree.s as string[]) : [];
  if (isTree(tree.k)) {
    const list = tree.k;
    let html = '';
    for (let i = 0; i < Number(list.kc ?? 0); i++) html += interleave(statics, isTree(list[i]) ? (list[i] as Tree) : {}, components);
    return html;
  }
  return interleave(statics, tree, components);
}

function interleave(statics: readonly string[], dynamics: Tree, components: Record<string, Tree>): string {
  let html = statics[0] ?? '';
  for (let i = 1; i < statics.length; i++) html += valueToHtml(dynamics[i - 1], components) + statics[i];
  return html;
}

function valueToHtml(value: unknown, components: Record<string, Tree>): string {
  if (typeof value === 'string') return value;
  // A number in the tree is the cid of a stateful component.
  if (typeof value === 'number') return components[value] ? treeToHtml(components[value], components) : '';
  if (isTree(value)) return treeToHtml(value, components);
  return value === undefined || value === null ? '' : String(value);
}
