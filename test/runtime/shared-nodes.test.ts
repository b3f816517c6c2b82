// Views that hold the same content share its nodes (runtime/shared-nodes.ts); a node is never
// changed, so what one view's diff does leaves the others' trees as they were.

import { describe, expect, it } from 'vitest';
import { diffTree, renderFull, type ListNode, type MemoNode, type TreeNode } from '../../runtime/diff.ts';
import { html, memo } from '../../runtime/template.ts';

const page = (count: unknown, steps: number[], note: unknown) =>
  html`<main><p>${count}</p><nav>${steps.map((s) => html`<a href="?step=${s}">${s}</a>`)}</nav>${html`<aside>${note}</aside>`}</main>`;

describe('shared render nodes', () => {
  it('gives two views that render the same content the same tree', () => {
    const a = renderFull(page('0', [1, 10, 100], '')).node;
    const b = renderFull(page('0', [1, 10, 100], '')).node;
    expect(b).toBe(a);
  });

  it('shares the unchanged parts when the views differ', () => {
    const a = renderFull(page('1', [1, 10, 100], '')).node;
    const b = renderFull(page('2', [1, 10, 100], '')).node;
    expect(b).not.toBe(a);
    expect(b.children[1] as ListNode).toBe(a.children[1]);
    expect(b.children[2] as TreeNode).toBe(a.children[2]);
  });

  it('leaves the other views holding what they held after one view changes', () => {
    const a = renderFull(page('5', [1, 10], 'x')).node;
    const b = renderFull(page('5', [1, 10], 'x')).node;
    expect(b).toBe(a);
    const changed = diffTree(a, page('6', [1, 10, 100], 'y'));
    expect(changed.wire).toEqual({ 0: '6', 1: { k: { 2: { 0: '100', 1: '100' }, kc: 3 } }, 2: { 0: 'y' } });
    // b still holds '5', two links and 'x': the same render diffs to nothing, the new one to all of it.
    expect(diffTree(b, page('5', [1, 10], 'x')).wire).toEqual({});
    expect(diffTree(b, page('6', [1, 10, 100], 'y')).wire).toEqual(changed.wire);
    expect(b.children).toEqual(['5', expect.anything(), expect.anything()]);
  });

  it('shares a memo node between views with the same deps, and keeps each view to its own deps', () => {
    const links = (steps: number[]) => steps.map((s) => html`<a href="?step=${s}">${s}</a>`);
    const view = (count: unknown, steps: number[]) =>
      html`<main><p>${count}</p><nav>${memo([steps.length], () => links(steps))}</nav></main>`;
    const a = renderFull(view('1', [1, 10])).node;
    const b = renderFull(view('2', [1, 10])).node;
    expect(b.children[1]).toBe(a.children[1]);
    // Another view's memo of other deps is its own node: b's deps stay [2].
    const c = renderFull(view('3', [1, 10, 100])).node;
    expect(c.children[1]).not.toBe(b.children[1]);
    expect(diffTree(b, view('2', [1, 10])).wire).toEqual({});
    expect(diffTree(b, view('2', [1, 10, 100])).wire).toEqual({ 1: { k: { 2: { 0: '100', 1: '100' }, kc: 3 } } });
    // The same content under other deps: not the node remembered for it, whose deps differ.
    const tagged = (tag: string) => html`<main><p>1</p><nav>${memo([2, tag], () => links([1, 10]))}</nav></main>`;
    const x = renderFull(tagged('x')).node.children[0] as MemoNode;
    const y = renderFull(tagged('y')).node.children[0] as MemoNode;
    expect(y.child).toBe(x.child);
    expect(y).not.toBe(x);
    expect(y.deps).toEqual([2, 'y']);
  });

  it('does not share a node holding a long text', () => {
    const long = 'x'.repeat(10_000);
    const a = renderFull(page('0', [1], long)).node;
    const b = renderFull(page('0', [1], long)).node;
    expect(b.children[2]).not.toBe(a.children[2]);
    expect(b.children[1]).toBe(a.children[1]);
  });
});
