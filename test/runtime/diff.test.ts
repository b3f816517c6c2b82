// The diff engine against the LiveView 1.2 wire format (Phoenix's `Diff`), then against the official
// client's own merge code: whatever sequence of renders we diff, the client's tree must print the
// same HTML as the dead render of the latest assigns.

import { describe, expect, it } from 'vitest';
import { diffTree, renderFull, type TreeNode, type WireTree } from '../../runtime/diff.ts';
import { html, keyed, memo, raw, renderToString, type Rendered } from '../../runtime/template.ts';
import { LiveStream } from '../../runtime/live-stream.ts';
import { prng, useClientRendered } from '../support/client-rendered.ts';

/** What the client receives: the diff after a trip through JSON. */
function wire(tree: WireTree): unknown {
  return JSON.parse(JSON.stringify(tree));
}

// Templates live at module level: one call site = one set of statics = one fingerprint.
const counter = (n: unknown) => html`<p id="count">${n}</p>`;
const card = (title: unknown, body: unknown) => html`<section><h2>${title}</h2>${body}</section>`;
const para = (text: unknown) => html`<p>${text}</p>`;
const quote = (text: unknown) => html`<blockquote>${text}</blockquote>`;
const list = (rows: unknown) => html`<ul>${rows}</ul>`;
const item = (text: unknown) => html`<li>${text}</li>`;
const pair = (a: unknown, b: unknown) => html`<li>${a}: ${b}</li>`;
const link = (href: unknown, text: unknown) => html`<a href="${href}">${text}</a>`;

const ITEM_STATICS = ['<li>', '</li>'];
const PAIR_STATICS = ['<li>', ': ', '</li>'];

/** Diffs renders one after the other, as a view does, returning each wire diff. */
function diffs(...renders: Rendered[]): unknown[] {
  const [first, ...rest] = renders;
  let { wire: w, node } = renderFull(first!);
  const out: unknown[] = [wire(w)];
  for (const rendered of rest) {
    ({ wire: w, node } = diffTree(node, rendered));
    out.push(wire(w));
  }
  return out;
}

/** The diff of the last render against the one before. */
function lastDiff(...renders: Rendered[]): unknown {
  return diffs(...renders).at(-1);
}

describe('renderFull', () => {
  it('sends the statics and every dynamic on the first render', () => {
    expect(wire(renderFull(counter(1)).wire)).toEqual({ s: ['<p id="count">', '</p>'], 0: '1' });
  });

  it('renders numbers as strings', () => {
    const { wire: w } = renderFull(card(42, 0));
    expect(wire(w)).toEqual({ s: ['<section><h2>', '</h2>', '</section>'], 0: '42', 1: '0' });
  });

  it('renders null, undefined and false as empty strings', () => {
    const { wire: w } = renderFull(html`<i>${null}</i><i>${undefined}</i><i>${false}</i>`);
    expect(wire(w)).toMatchObject({ 0: '', 1: '', 2: '' });
  });

  it('escapes text and attribute values in the diff', () => {
    const { wire: w } = renderFull(link('/a?x=1&y="2"', "<script>alert('x')</script>"));
    expect(wire(w)).toMatchObject({
      0: '/a?x=1&amp;y=&quot;2&quot;',
      1: '&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;',
    });
  });

  it('sends raw() html unescaped', () => {
    const { wire: w } = renderFull(para(raw('<b>bold</b> &amp;')));
    expect(wire(w)).toMatchObject({ 0: '<b>bold</b> &amp;' });
  });

  it('sends a nested template with its own statics', () => {
    const { wire: w } = renderFull(card('T', para('hi')));
    expect(wire(w)).toEqual({
      s: ['<section><h2>', '</h2>', '</section>'],
      0: 'T',
      1: { s: ['<p>', '</p>'], 0: 'hi' },
    });
  });

  it('sends a list as a keyed comprehension with the row statics once', () => {
    const { wire: w } = renderFull(list(['a', 'b'].map(item)));
    expect(wire(w)).toEqual({
      s: ['<ul>', '</ul>'],
      0: { s: ITEM_STATICS, k: { 0: { 0: 'a' }, 1: { 0: 'b' }, kc: 2 } },
    });
  });

  it('sends a list that has never held rows as an empty string', () => {
    expect(wire(renderFull(list([])).wire)).toEqual({ s: ['<ul>', '</ul>'], 0: '' });
  });

  it('returns a tree node that records the statics by identity', () => {
    const rendered = counter(1);
    const { node } = renderFull(rendered);
    expect(node.kind).toBe('tree');
    expect(node.statics).toBe(rendered.statics);
    expect(node.children).toEqual(['1']);
  });

  it('renders an array of plain values as their concatenation', () => {
    expect(wire(renderFull(para(['a', 1, null, '<'])).wire)).toMatchObject({ 0: 'a1&lt;' });
  });

  it('renders an array mixing templates and other values as the dead render does', () => {
    const rendered = list([item('a'), false, 'x<', [item('b')]]);
    const { wire: w } = renderFull(rendered);
    expect(w[0]).toBe('<li>a</li>x&lt;<li>b</li>');
    expect(`<ul>${String(w[0])}</ul>`).toBe(renderToString(rendered));
  });
});

describe('diffTree', () => {
  describe('statics', () => {
    it('omits the statics when the same template renders again', () => {
      expect(lastDiff(counter(1), counter(2))).toEqual({ 0: '2' });
    });

    it('sends only the dynamics that changed', () => {
      expect(lastDiff(card('T', 'body'), card('T', 'new body'))).toEqual({ 1: 'new body' });
    });

    it('returns an empty object when nothing changed', () => {
      expect(lastDiff(card('T', para('x')), card('T', para('x')))).toEqual({});
    });

    it('sends new statics when the root template changes', () => {
      expect(lastDiff(counter(1), para(1))).toEqual({ s: ['<p>', '</p>'], 0: '1' });
    });

    it('sends a change of a value that renders the same text as nothing', () => {
      expect(lastDiff(counter(1), counter('1'))).toEqual({});
      expect(lastDiff(counter(null), counter(false))).toEqual({});
    });
  });

  describe('nested templates', () => {
    it('omits the statics of a nested template whose fingerprint the client knows', () => {
      expect(lastDiff(card('T', para('a')), card('T', para('b')))).toEqual({ 1: { 0: 'b' } });
    });

    it('omits an unchanged nested template entirely', () => {
      expect(lastDiff(card('T', para('a')), card('U', para('a')))).toEqual({ 0: 'U' });
    });

    it('sends new statics when another template takes the position', () => {
      expect(lastDiff(card('T', para('a')), card('T', quote('a')))).toEqual({
        1: { s: ['<blockquote>', '</blockquote>'], 0: 'a' },
      });
    });

    it('tracks templates nested several levels deep', () => {
      const deep = (x: string) => card('T', card('U', para(x)));
      expect(lastDiff(deep('a'), deep('b'))).toEqual({ 1: { 1: { 0: 'b' } } });
    });
  });

  describe('conditionals', () => {
    const view = (show: boolean, text: string) => card('T', show ? para(text) : '');

    it('sends an empty string when a template is switched off', () => {
      expect(lastDiff(view(true, 'a'), view(false, 'a'))).toEqual({ 1: '' });
    });

    it('sends the statics again when a template is switched back on', () => {
      expect(diffs(view(true, 'a'), view(false, 'a'), view(true, 'b'))).toEqual([
        expect.anything(),
        { 1: '' },
        { 1: { s: ['<p>', '</p>'], 0: 'b' } },
      ]);
    });

    it('sends the statics when a slot switches between two templates and back', () => {
      const pick = (which: 'p' | 'q') => card('T', which === 'p' ? para('x') : quote('x'));
      expect(diffs(pick('p'), pick('q'), pick('p'))).toEqual([
        expect.anything(),
        { 1: { s: ['<blockquote>', '</blockquote>'], 0: 'x' } },
        { 1: { s: ['<p>', '</p>'], 0: 'x' } },
      ]);
    });

    it('sends the statics when a slot switches from text to a template', () => {
      expect(lastDiff(card('T', 'text'), card('T', para('x')))).toEqual({ 1: { s: ['<p>', '</p>'], 0: 'x' } });
    });
  });

  describe('lists', () => {
    const rows = (...texts: string[]) => list(texts.map(item));

    it('omits an unchanged list', () => {
      expect(lastDiff(rows('a', 'b'), rows('a', 'b'))).toEqual({});
    });

    it('sends appended rows as full entries and the new count', () => {
      expect(lastDiff(rows('a', 'b'), rows('a', 'b', 'c'))).toEqual({ 0: { k: { 2: { 0: 'c' }, kc: 3 } } });
    });

    it('omits unchanged rows and sends a changed row in place', () => {
      expect(lastDiff(rows('a', 'b', 'c'), rows('a', 'B', 'c'))).toEqual({ 0: { k: { 1: { 0: 'B' }, kc: 3 } } });
    });

    it('sends only the changed slots of a row', () => {
      const pairs = (b: string) => list([pair('k1', 'v1'), pair('k2', b)]);
      expect(lastDiff(pairs('v2'), pairs('changed'))).toEqual({ 0: { k: { 1: { 1: 'changed' }, kc: 2 } } });
    });

    it('shrinks the count when rows are removed', () => {
      expect(lastDiff(rows('a', 'b', 'c'), rows('a', 'b'))).toEqual({ 0: { k: { kc: 2 } } });
    });

    it('shows reordering of rows without keys as changes in place', () => {
      expect(lastDiff(rows('a', 'b'), rows('b', 'a'))).toEqual({ 0: { k: { 0: { 0: 'b' }, 1: { 0: 'a' }, kc: 2 } } });
    });

    it('sends {"k":{"kc":0}} when a rendered list is emptied', () => {
      expect(lastDiff(rows('a'), rows())).toEqual({ 0: { k: { kc: 0 } } });
    });

    it('omits a list that stays empty', () => {
      expect(lastDiff(rows(), rows())).toEqual({});
      expect(diffs(rows('a'), rows(), rows())[2]).toEqual({});
    });

    it('refills an emptied list without resending statics', () => {
      expect(diffs(rows('a'), rows(), rows('b'))[2]).toEqual({ 0: { k: { 0: { 0: 'b' }, kc: 1 } } });
    });

    it('sends statics when a never-rendered empty list gets its first rows', () => {
      expect(lastDiff(rows(), rows('a'))).toEqual({ 0: { s: ITEM_STATICS, k: { 0: { 0: 'a' }, kc: 1 } } });
    });

    it('sends new statics when the rows switch to another template', () => {
      expect(lastDiff(rows('a'), list([pair('a', 'b')]))).toEqual({
        0: { s: PAIR_STATICS, k: { 0: { 0: 'a', 1: 'b' }, kc: 1 } },
      });
    });

    it('tracks nested templates inside rows', () => {
      const nested = (x: string) => list([item(para('same')), item(para(x))]);
      expect(lastDiff(nested('a'), nested('b'))).toEqual({ 0: { k: { 1: { 0: { 0: 'b' } }, kc: 2 } } });
    });

    it('tracks lists inside rows', () => {
      const grid = (...cells: string[]) => list([item(cells.map(para))]);
      expect(lastDiff(grid('a'), grid('a', 'b'))).toEqual({ 0: { k: { 0: { 0: { k: { 1: { 0: 'b' }, kc: 2 } } }, kc: 1 } } });
    });

    it('holds rows of different templates in one list', () => {
      const mixed = (x: string) => list([item('a'), pair('b', x)]);
      const [full, next] = diffs(mixed('c'), mixed('d'));
      expect(full).toEqual({
        s: ['<ul>', '</ul>'],
        0: {
          s: ['', ''],
          k: {
            0: { 0: { s: ITEM_STATICS, 0: 'a' } },
            1: { 0: { s: PAIR_STATICS, 0: 'b', 1: 'c' } },
            kc: 2,
          },
        },
      });
      expect(next).toEqual({ 0: { k: { 1: { 0: { 1: 'd' } }, kc: 2 } } });
    });
  });

  describe('keyed lists', () => {
    type Row = { id: number; text: string };
    const rows = (...items: Row[]) => list(items.map((r) => keyed(r.id, item(r.text))));
    const a = { id: 1, text: 'a' };
    const b = { id: 2, text: 'b' };
    const c = { id: 3, text: 'c' };

    it('sends moved rows as their old index with "km"', () => {
      expect(lastDiff(rows(a, b), rows(b, a))).toEqual({ 0: { k: { 0: 1, 1: 0, kc: 2, km: true } } });
    });

    it('sends a moved and changed row as [oldIndex, diff]', () => {
      expect(lastDiff(rows(a, b), rows({ ...b, text: 'B' }, a))).toEqual({
        0: { k: { 0: [1, { 0: 'B' }], 1: 0, kc: 2, km: true } },
      });
    });

    it('sends the surviving rows as moves when the first row is removed', () => {
      expect(lastDiff(rows(a, b, c), rows(b, c))).toEqual({ 0: { k: { 0: 1, 1: 2, kc: 2, km: true } } });
    });

    it('sends a row inserted at the front in full and the others as moves', () => {
      expect(lastDiff(rows(b, c), rows(a, b, c))).toEqual({
        0: { k: { 0: { 0: 'a' }, 1: 0, 2: 1, kc: 3, km: true } },
      });
    });

    it('omits rows that kept their index', () => {
      expect(lastDiff(rows(a, b, c), rows(c, b, a))).toEqual({ 0: { k: { 0: 2, 2: 0, kc: 3, km: true } } });
    });

    it('sends no "km" when no row moved', () => {
      expect(lastDiff(rows(a, b), rows(a, { ...b, text: 'B' }))).toEqual({ 0: { k: { 1: { 0: 'B' }, kc: 2 } } });
    });

    it('sends a row with a new key in full even at an old index', () => {
      const d = { id: 4, text: 'b' };
      expect(lastDiff(rows(a, b), rows(a, d))).toEqual({ 0: { k: { 1: { 0: 'b' }, kc: 2 } } });
    });

    it('sends {"k":{"kc":0}} when a keyed list is emptied', () => {
      expect(lastDiff(rows(a, b), rows())).toEqual({ 0: { k: { kc: 0 } } });
    });
  });

  describe('memo', () => {
    const title = (t: unknown) => html`<h1>${t}</h1>`;
    const page = (deps: unknown[], t: unknown, n: unknown, calls: { n: number }) =>
      html`<main>${memo(deps, () => {
        calls.n++;
        return title(t);
      })}<p>${n}</p></main>`;

    it('renders nothing at its position while its deps are the same', () => {
      const calls = { n: 0 };
      const first = renderFull(page(['a'], 'A', 1, calls));
      expect(wire(first.wire)).toEqual({ s: ['<main>', '<p>', '</p></main>'], 0: { s: ['<h1>', '</h1>'], 0: 'A' }, 1: '1' });
      // The title passed in changed but the deps did not: the memo is not called, nothing is sent.
      const next = diffTree(first.node, page(['a'], 'changed', 2, calls));
      expect(wire(next.wire)).toEqual({ 1: '2' });
      expect(calls.n).toBe(1);
      expect(diffTree(next.node, page(['a'], 'changed', 2, calls)).wire).toEqual({});
      expect(calls.n).toBe(1);
    });

    it('renders again when a dep changes, against what the client holds there', () => {
      const calls = { n: 0 };
      const first = renderFull(page(['a', 1], 'A', 1, calls));
      const next = diffTree(first.node, page(['a', 2], 'B', 1, calls));
      // Same template at the position: only the dynamic that changed, no statics.
      expect(wire(next.wire)).toEqual({ 0: { 0: 'B' } });
      expect(calls.n).toBe(2);
      // Deps compare with Object.is, one by one, and a different count of deps is a change.
      expect(wire(diffTree(next.node, page(['a', 2, 3], 'C', 1, calls)).wire)).toEqual({ 0: { 0: 'C' } });
      expect(wire(diffTree(renderFull(page([Number.NaN], 'A', 1, calls)).node, page([Number.NaN], 'X', 1, calls)).wire)).toEqual({});
    });

    it('takes over a position that held something else, and gives it back', () => {
      const root = (part: unknown) => html`<main>${part}<p>1</p></main>`;
      const plain = (t: unknown) => root(title(t));
      const memoized = (t: unknown) => root(memo([t], () => title(t)));
      const [, toMemo, toPlain] = diffs(plain('A'), memoized('B'), plain('B'));
      expect(toMemo).toEqual({ 0: { 0: 'B' } });
      // A memo node is not a template: the plain template is sent in full again.
      expect(toPlain).toEqual({ 0: { s: ['<h1>', '</h1>'], 0: 'B' } });
    });

    it('prints its content in the dead render', () => {
      const calls = { n: 0 };
      expect(renderToString(page(['a'], '<A>', 1, calls))).toBe('<main><h1>&lt;A&gt;</h1><p>1</p></main>');
    });

    it('refuses a stream inside it, whose rows would never be sent while it keeps its part', () => {
      const stream = new LiveStream<{ id: number }>('rows', '0', { domId: (r) => `row-${r.id}` });
      stream.insert({ id: 1 }, {});
      const inside = html`<ul phx-update="stream">${memo([1], () => stream.map((r, domId) => html`<li id="${domId}">${r.id}</li>`))}</ul>`;
      expect(() => renderFull(inside)).toThrow(/stream cannot render inside memo/);
    });
  });

  describe('applied by the official client', () => {
    const newClient = useClientRendered();

    /** Joins the client with the first render, then merges a diff per later render. */
    function playThrough(pages: Page[]): void {
      const [first, ...rest] = pages;
      const full = renderFull(renderPage(first!));
      const client = newClient('phx-test', wire(full.wire));
      expect(client.toString().buffer).toBe(renderToString(renderPage(first!)));
      let node: TreeNode = full.node;
      rest.forEach((page, step) => {
        const rendered = renderPage(page);
        const result = diffTree(node, rendered);
        node = result.node;
        client.mergeDiff(wire(result.wire));
        const expected = renderToString(rendered);
        const actual = client.toString().buffer;
        if (actual !== expected) {
          throw new Error(`client diverged at step ${step + 1}\nexpected: ${expected}\nactual:   ${actual}`);
        }
      });
    }

    const empty: Page = { title: 'Tasks', count: 0, banner: 'none', tasks: [], notes: [], html: '' };
    const t = (id: number, title: string, tags: string[] = []): Task => ({ id, title, done: false, tags });

    it('prints the dead render after the join', () => {
      const page: Page = { ...empty, tasks: [t(1, 'a', ['x']), t(2, '<b>')], notes: ['n1', 'n2'], html: '<hr>' };
      const client = newClient('phx-test', wire(renderFull(renderPage(page)).wire));
      expect(client.toString().buffer).toBe(renderToString(renderPage(page)));
      expect(client.toString().buffer).toContain('<li id="task-2" class="open">&lt;b&gt;</li>');
    });

    it('prints the dead render after each scripted diff', () => {
      const a = t(1, 'a', ['x']);
      const b = t(2, 'b');
      const c = t(3, 'c & d', ['y', 'z']);
      playThrough([
        empty,
        { ...empty, count: 1 },
        { ...empty, count: 1, banner: 'info' },
        { ...empty, count: 1, banner: 'error' },
        { ...empty, count: null, banner: 'warning', tasks: [a] },
        { ...empty, count: 2, banner: 'none', tasks: [a, b, c] },
        { ...empty, count: 2, tasks: [c, a, b] },
        { ...empty, count: 2, tasks: [{ ...c, title: 'C' }, b] },
        { ...empty, count: 2, tasks: [b, { ...c, tags: [] }, t(4, 'new')] },
        { ...empty, count: 2, tasks: [] },
        { ...empty, count: 2, tasks: [a], notes: ['one', 'two', 'three'] },
        { ...empty, count: 2, tasks: [a], notes: ['two', 'three'], html: '<em>x</em>' },
        { ...empty, count: 2, tasks: [a], notes: [] },
        { ...empty, count: 3, tasks: [a], notes: ['back'] },
        { ...empty, title: '"<Tasks>" & more', tasks: [a], banner: 'warning' },
      ]);
    });

    it('prints the dead render after each of 300 random diffs', () => {
      for (const seed of [1, 2, 3]) {
        const random = prng(seed);
        let id = 0;
        const nextId = () => ++id;
        const pages: Page[] = [empty];
        for (let i = 0; i < 100; i++) pages.push(mutate(pages.at(-1)!, random, nextId));
        playThrough(pages);
      }
    });
  });
});

// ---------------------------------------------------------------------------------------------
// The page the official client's tests render and mutate.

interface Task {
  id: number;
  title: string;
  done: boolean;
  tags: string[];
}

interface Page {
  title: string;
  count: number | null;
  banner: 'none' | 'info' | 'error' | 'warning';
  tasks: Task[];
  notes: string[];
  html: string;
}

const taskRow = (t: Task) =>
  keyed(
    t.id,
    html`<li id="task-${t.id}" class="${t.done ? 'done' : 'open'}">${t.title}${t.tags.length > 0 ? html`<span>${t.tags.map((tag) => html`<b>${tag}</b>`)}</span>` : ''}</li>`,
  );
const infoBanner = (text: string) => html`<div class="info">${text}</div>`;
const errorBanner = (text: string) => html`<div class="error">${text}</div>`;
const warningBanner = (text: string, n: number | null) => html`<div class="warning" data-n="${n}">${text}!</div>`;
const noteRow = (note: string, i: number) => (i % 2 === 0 ? html`<p class="note">${note}</p>` : html`<pre>${i}: ${note}</pre>`);

function renderPage(p: Page): Rendered {
  return html`<main>
  <h1 title="${p.title}">${p.title}</h1>
  <span id="count">${p.count}</span>
  ${p.banner === 'info' ? infoBanner(p.title) : p.banner === 'error' ? errorBanner(p.title) : p.banner === 'warning' ? warningBanner(p.title, p.count) : ''}
  <ul>${p.tasks.map(taskRow)}</ul>
  <ol>${p.notes.map((n) => html`<li>${n}</li>`)}</ol>
  <div>${p.notes.map(noteRow)}</div>
  <nav>${p.tasks.map((t) => t.done && html`<i>${t.title}</i>`)}</nav>
  <footer>${raw(p.html)}</footer>
  <aside>${memo([p.title, p.count], () => html`<b>${p.title}</b> (${p.count})`)}${memo([p.banner], () => (p.banner === 'none' ? '' : html`<i>${p.banner}</i>`))}</aside>
  <address>${memo([p.notes[0]], () => p.notes.slice(0, 1).map((n) => html`<em>${n}</em>`))}</address>
</main>`;
}

const WORDS = ['alpha', '<beta>', 'gamma & delta', '"quoted"', "it's", '', 'ünïcödé', '0'];

function mutate(p: Page, random: () => number, nextId: () => number): Page {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const index = (n: number) => Math.floor(random() * n);
  const tasks = p.tasks.map((t) => ({ ...t, tags: [...t.tags] }));
  const next: Page = { ...p, tasks, notes: [...p.notes] };
  const ops = 1 + index(3);
  for (let op = 0; op < ops; op++) {
    switch (index(14)) {
      case 0:
        next.title = pick(WORDS);
        break;
      case 1:
        next.count = random() < 0.2 ? null : index(100);
        break;
      case 2:
        next.banner = pick(['none', 'info', 'error', 'warning'] as const);
        break;
      case 3:
        tasks.splice(index(tasks.length + 1), 0, { id: nextId(), title: pick(WORDS), done: false, tags: [] });
        break;
      case 4:
        if (tasks.length > 0) tasks.splice(index(tasks.length), 1);
        break;
      case 5: {
        if (tasks.length < 2) break;
        const [moved] = tasks.splice(index(tasks.length), 1);
        tasks.splice(index(tasks.length + 1), 0, moved!);
        break;
      }
      case 6:
        for (let i = tasks.length - 1; i > 0; i--) {
          const j = index(i + 1);
          [tasks[i], tasks[j]] = [tasks[j]!, tasks[i]!];
        }
        break;
      case 7:
        if (tasks.length > 0) {
          const t = tasks[index(tasks.length)]!;
          t.title = pick(WORDS);
          t.done = !t.done;
        }
        break;
      case 8:
        if (tasks.length > 0) {
          const t = tasks[index(tasks.length)]!;
          if (random() < 0.5 || t.tags.length === 0) t.tags.push(pick(WORDS));
          else t.tags.splice(index(t.tags.length), 1);
        }
        break;
      case 9:
        if (random() < 0.3) tasks.length = 0;
        break;
      case 10:
        next.notes.splice(index(next.notes.length + 1), 0, pick(WORDS));
        break;
      case 11:
        if (next.notes.length > 0) next.notes.splice(index(next.notes.length), 1);
        break;
      case 12:
        if (random() < 0.3) next.notes = [];
        break;
      case 13:
        next.html = pick(['', '<hr>', '<em>trusted &amp; raw</em>']);
        break;
    }
  }
  return next;
}
