// Stateful components in the diff: cids in the slots, component trees in `"c"` with `"r": 1`,
// statics shared by cid (positive: this diff, negative: already on the client), re-rendered only
// when their own assigns change, and removed as the client asks. Then the same, applied by the
// official client's own `Rendered`: whatever we send, its page must be the dead render's.

import { describe, expect, it } from 'vitest';
import { LiveViewSocket } from '../../runtime/view-socket.ts';
import { type ComponentEntry, ComponentTable } from '../../runtime/component-table.ts';
import { allow, anyone, defineView } from '../../runtime/live-view.ts';
import { defineComponent, liveComponent } from '../../runtime/live-component.ts';
import { ComponentCall, html, renderToString, type Rendered } from '../../runtime/template.ts';
import type { WireTree } from '../../runtime/diff.ts';
import { prng, useClientRendered, type ClientRendered } from '../support/client-rendered.ts';

interface RowAttrs {
  text: string;
}

const hot = () => html`<em>hot</em>`;
const Row = defineComponent<{ text: string; likes: number }, RowAttrs>({
  name: 'row',
  mount: (socket) => socket.assign({ likes: 0 }),
  handleEvent: { like: allow(anyone, (_value, socket) => socket.update((a) => void a.likes++)) },
  render: ({ id, text, likes, myself }) =>
    text.startsWith('!')
      ? html`<li id="row-${id}" class="loud">${text}</li>`
      : html`<li id="row-${id}"><span>${text}</span> <button phx-click="like" phx-target="${myself}">${likes}</button>${likes > 2 ? hot() : ''}</li>`,
});

const Badge = defineComponent<{ label: string }>({
  name: 'badge',
  render: ({ label }) => html`<i class="badge">${label}</i>`,
});

interface Page {
  title: string;
  rows: { id: number; text: string }[];
  badge: string | null;
}

const List = defineView<Page>({
  name: 'list',
  render: ({ title, rows, badge }) =>
    html`<main><h1>${title}</h1><ul>${rows.map((r) => liveComponent(Row, { id: r.id, text: r.text }))}</ul>${badge === null ? '' : liveComponent(Badge, { id: 'b', label: badge })}</main>`,
});

function wire(tree: WireTree): WireTree {
  return JSON.parse(JSON.stringify(tree)) as WireTree;
}

function liveSocket(page: Page): LiveViewSocket<Page> {
  const socket = new LiveViewSocket<Page>({ id: 'phx-test', view: List, connected: true });
  socket.assign(page);
  return socket;
}

function entry(socket: LiveViewSocket<Page>, cid: number): ComponentEntry {
  return socket.eventTarget(cid)!.socket as ComponentEntry;
}

function like(socket: LiveViewSocket<Page>, cid: number): void {
  void Row.handleEvent!.like!.handler({}, entry(socket, cid) as never);
}

const page = (rows: [number, string][], title = 'T', badge: string | null = null): Page => ({
  title,
  rows: rows.map(([id, text]) => ({ id, text })),
  badge,
});

describe('ComponentTable', () => {
  describe('#finish', () => {
    it('refuses to hold more than its bound of components, and has room again once the client destroyed some', () => {
      const table = new ComponentTable(liveSocket({ title: '', rows: [], badge: null }), 2);
      const place = (...ids: number[]) => {
        for (const id of ids) table.placeComponent(new ComponentCall(Row, id, { text: `row ${id}` }));
        return table.finish();
      };
      place(1, 2);
      expect(() => place(1, 2, 3)).toThrow(expect.objectContaining({ code: 'LV_ERR_TOO_MANY_COMPONENTS' }));

      const bounded = new ComponentTable(liveSocket({ title: '', rows: [], badge: null }), 2);
      for (const id of [1, 2]) bounded.placeComponent(new ComponentCall(Row, id, { text: 'x' }));
      bounded.finish();
      bounded.markForDeletion([1]);
      expect(bounded.destroy([1])).toEqual([1]);
      bounded.placeComponent(new ComponentCall(Row, 3, { text: 'y' }));
      expect(Object.keys(bounded.finish() ?? {})).toEqual(['3']);
    });
  });

  it('puts cids in the slots and the components in "c", the first with its statics and r:1, the next sharing them', () => {
    const joined = wire(
      liveSocket(
        page([
          [1, 'a'],
          [2, 'b'],
        ]),
      ).renderJoin(),
    );
    expect(joined[1]).toEqual({ s: ['', ''], k: { 0: { 0: 1 }, 1: { 0: 2 }, kc: 2 } });
    const c = joined.c as Record<string, WireTree>;
    expect(c[1]).toMatchObject({ r: 1, 0: '1', 1: 'a', 2: '1', 3: '0', 4: '' });
    expect(Array.isArray(c[1]!.s)).toBe(true);
    expect(c[2]).toEqual({ s: 1, 0: '2', 1: 'b', 2: '2' });
  });

  it('shares the statics of a component the client already holds with a negative cid', () => {
    const socket = liveSocket(page([[1, 'a']]));
    socket.renderJoin();
    socket.assign(
      page([
        [1, 'a'],
        [2, 'b'],
      ]),
    );
    expect(wire(socket.renderDiff())).toEqual({
      1: { k: { 1: { 0: 2 }, kc: 2 } },
      c: { 2: { s: -1, 0: '2', 1: 'b', 2: '2' } },
    });
  });

  it('re-renders only the component whose assigns changed, in a diff with only "c"', () => {
    const socket = liveSocket(
      page([
        [1, 'a'],
        [2, 'b'],
      ]),
    );
    socket.renderJoin();
    like(socket, 2);
    expect(wire(socket.renderDiff())).toEqual({ c: { 2: { 3: '1' } } });
  });

  it('leaves components out when the view re-renders without changing their attributes', () => {
    const socket = liveSocket(
      page([
        [1, 'a'],
        [2, 'b'],
      ]),
    );
    socket.renderJoin();
    socket.assign({ title: 'U' });
    expect(wire(socket.renderDiff())).toEqual({ 0: 'U' });
    socket.assign(
      page(
        [
          [1, 'a'],
          [2, 'B'],
        ],
        'U',
      ),
    );
    expect(wire(socket.renderDiff())).toEqual({ c: { 2: { 1: 'B' } } });
  });

  it('sends full statics with r:1 when a component switches to another root template', () => {
    const socket = liveSocket(page([[1, 'a']]));
    socket.renderJoin();
    socket.assign(page([[1, '!a']]));
    const diff = wire(socket.renderDiff()) as { c: Record<string, WireTree> };
    expect(diff.c[1]).toMatchObject({ r: 1, 0: '1', 1: '!a' });
    expect(diff.c[1]!.s).toEqual(['<li id="row-', '" class="loud">', '</li>']);
  });

  it('keeps a component the client dropped until cids_destroyed, then forgets it', () => {
    const socket = liveSocket(
      page([
        [1, 'a'],
        [2, 'b'],
      ]),
    );
    socket.renderJoin();
    socket.assign(page([[1, 'a']]));
    socket.renderDiff();
    expect(socket.eventTarget(2)).not.toBeNull();
    socket.components.markForDeletion([2]);
    expect(socket.components.destroy([2, 1, 99])).toEqual([2]);
    expect(socket.eventTarget(2)).toBeNull();
    expect(socket.components.size).toBe(1);
  });

  it('revives a component rendered again between cids_will_destroy and cids_destroyed, in full', () => {
    const socket = liveSocket(
      page([
        [1, 'a'],
        [2, 'b'],
      ]),
    );
    socket.renderJoin();
    socket.assign(page([[1, 'a']]));
    socket.renderDiff();
    socket.components.markForDeletion([2]);
    socket.assign(
      page([
        [1, 'a'],
        [2, 'b'],
      ]),
    );
    const diff = wire(socket.renderDiff()) as { c: Record<string, WireTree> };
    // In full: every dynamic, with the statics of the component the client holds (cid 1).
    expect(diff.c[2]).toEqual({ s: -1, 0: '2', 1: 'b', 2: '2' });
    expect(socket.components.destroy([2])).toEqual([]);
  });

  it('allocates a new cid for a component of the same id after it was destroyed', () => {
    const socket = liveSocket(page([[1, 'a']]));
    socket.renderJoin();
    socket.assign(page([]));
    socket.renderDiff();
    socket.components.markForDeletion([1]);
    socket.components.destroy([1]);
    socket.assign(page([[1, 'a']]));
    const diff = wire(socket.renderDiff());
    expect(diff[1]).toEqual({ k: { 0: { 0: 2 }, kc: 1 } });
    expect(Object.keys(diff.c as object)).toEqual(['2']);
  });

  it('refuses two components of one kind with the same id in one render', () => {
    const socket = liveSocket(
      page([
        [1, 'a'],
        [1, 'b'],
      ]),
    );
    expect(() => socket.renderJoin()).toThrow(/duplicate id 1 for component row/);
  });

  it('refuses a component whose template has no single root tag', () => {
    const Bare = defineComponent<object>({ name: 'bare', render: () => html`text ${1}` });
    const view = defineView<object>({ name: 'v', render: () => html`<div>${liveComponent(Bare, { id: 1 })}</div>` });
    const socket = new LiveViewSocket<object>({ id: 'phx-x', view, connected: true });
    expect(() => socket.renderJoin()).toThrow(/one static HTML tag at the root/);
  });

  it('renders the dead render with the components inline, cids in place of myself', () => {
    const dead = new LiveViewSocket<Page>({ id: 'phx-test', view: List, connected: false });
    dead.assign(page([[7, 'a']], 'T', 'new'));
    expect(dead.renderHtml()).toBe(
      '<main><h1>T</h1><ul><li id="row-7"><span>a</span> <button phx-click="like" phx-target="1">0</button></li></ul><i class="badge">new</i></main>',
    );
  });

  describe('applied by the official client', () => {
    const newClient = useClientRendered();

    /** The page as the dead render prints it, with each component as the server holds it now. */
    function expected(socket: LiveViewSocket<Page>): string {
      const render = (call: ComponentCall): string => {
        for (let cid = 1; cid < 10_000; cid++) {
          const found = socket.components.get(cid);
          if (found && found.definition === call.component && found.id === call.id) {
            return renderToString(found.definition.render(found.assigns), render);
          }
        }
        throw new Error(`no component ${String(call.id)}`);
      };
      return renderToString(List.render(socket.assigns) as Rendered, render);
    }

    /** The client's page, without the attributes it stamps on component roots. */
    function printed(client: ClientRendered): string {
      return client.toString().buffer.replace(/ data-phx-(?:id|component|view)="[^"]*"| data-phx-skip/g, '');
    }

    /** What the client's DOM patch would report gone: cids in its tree that nothing references. */
    function unreferenced(client: ClientRendered): number[] {
      const tree = client.get();
      const components = (tree.c ?? {}) as Record<string, unknown>;
      const seen = new Set<number>();
      const walk = (node: unknown): void => {
        if (typeof node === 'number') {
          if (!seen.has(node)) {
            seen.add(node);
            walk(components[node]);
          }
        } else if (node && typeof node === 'object') {
          for (const [key, value] of Object.entries(node)) if (key !== 'c' && key !== 's') walk(value);
        }
      };
      walk(tree);
      return Object.keys(components)
        .map(Number)
        .filter((cid) => !seen.has(cid));
    }

    function check(socket: LiveViewSocket<Page>, client: ClientRendered, step: string): void {
      const want = expected(socket);
      const got = printed(client);
      if (got !== want) throw new Error(`client diverged at ${step}\nexpected: ${want}\nactual:   ${got}`);
    }

    it('stamps the cid on each component root', () => {
      const client = newClient(
        'phx-test',
        wire(
          liveSocket(
            page(
              [
                [1, 'a'],
                [2, 'b'],
              ],
              'T',
              'x',
            ),
          ).renderJoin(),
        ),
      );
      const html = client.toString().buffer;
      expect(html).toContain('<li data-phx-id="c1-phx-test" data-phx-component="1" data-phx-view="phx-test" id="row-1">');
      expect(html).toContain('<li data-phx-id="c2-phx-test" data-phx-component="2" data-phx-view="phx-test" id="row-2">');
      expect(html).toContain('<i data-phx-id="c3-phx-test" data-phx-component="3" data-phx-view="phx-test" class="badge">x</i>');
    });

    it('prints a list that mixes components with nothing, as `cond && liveComponent(…)` makes', () => {
      const Shown = defineView<Page>({
        name: 'shown',
        render: ({ rows }) => html`<ul>${rows.map((r) => r.text !== '' && liveComponent(Row, { id: r.id, text: r.text }))}</ul>`,
      });
      const dead = new LiveViewSocket<Page>({ id: 'phx-test', view: Shown, connected: false });
      dead.assign(
        page([
          [1, 'a'],
          [2, ''],
          [3, 'c'],
        ]),
      );
      const socket = new LiveViewSocket<Page>({ id: 'phx-test', view: Shown, connected: true });
      socket.assign(
        page([
          [1, 'a'],
          [2, ''],
          [3, 'c'],
        ]),
      );
      const client = newClient('phx-test', wire(socket.renderJoin()));
      expect(printed(client)).toBe(dead.renderHtml());
      socket.assign(
        page([
          [1, ''],
          [2, 'b'],
          [3, 'c'],
        ]),
      );
      client.mergeDiff(wire(socket.renderDiff()));
      expect(printed(client)).toBe(
        '<ul><li id="row-2"><span>b</span> <button phx-click="like" phx-target="3">0</button></li>' +
          '<li id="row-3"><span>c</span> <button phx-click="like" phx-target="2">0</button></li></ul>',
      );
    });

    it('prints the dead render after each of 600 random steps: adds, updates, likes, removals, destroys, revivals', () => {
      for (const seed of [1, 2, 3]) {
        const random = prng(seed);
        const pick = (n: number) => Math.floor(random() * n);
        let nextId = 1;
        const socket = liveSocket(page([[nextId++, 'a']]));
        const client = newClient('phx-test', wire(socket.renderJoin()));
        check(socket, client, `seed ${seed} join`);
        let willDestroy: number[] = [];
        for (let step = 0; step < 200; step++) {
          const { rows, title, badge } = socket.assigns;
          const next = { title, rows: [...rows], badge };
          switch (pick(9)) {
            case 0:
              next.rows.splice(pick(rows.length + 1), 0, { id: nextId++, text: WORDS[pick(WORDS.length)]! });
              break;
            case 1:
              if (rows.length > 0) next.rows.splice(pick(rows.length), 1);
              break;
            case 2:
              if (rows.length > 0) {
                const i = pick(rows.length);
                next.rows[i] = { ...rows[i]!, text: WORDS[pick(WORDS.length)]! };
              }
              break;
            case 3:
              next.rows.reverse();
              break;
            case 4:
              next.title = WORDS[pick(WORDS.length)]!;
              break;
            case 5:
              next.badge = random() < 0.3 ? null : WORDS[pick(WORDS.length)]!;
              break;
            case 6:
              if (rows.length > 0 && random() < 0.5) next.rows = [];
              break;
            case 7: {
              // An event on a component the page shows.
              const shown = client.get().c ? Object.keys(client.get().c as object).map(Number) : [];
              const target = shown.filter((cid) => entry(socket, cid)?.definition === Row)[pick(shown.length)];
              if (target !== undefined) like(socket, target);
              break;
            }
            case 8: {
              // The client's destroy round trip, possibly after a render revived some of them.
              socket.components.markForDeletion(willDestroy);
              const still = willDestroy;
              willDestroy = unreferenced(client);
              if (random() < 0.5) client.pruneCIDs(socket.components.destroy(still.filter((cid) => unreferenced(client).includes(cid))));
              break;
            }
          }
          if (next.rows !== rows || next.title !== title || next.badge !== badge) socket.assign(next);
          client.mergeDiff(wire(socket.renderDiff()));
          check(socket, client, `seed ${seed} step ${step + 1}`);
        }
      }
    });
  });
});

// ---------------------------------------------------------------------------------------------
// The texts the official client's random steps pick from.

const WORDS = ['alpha', '<beta>', '!loud', 'gamma & delta', '"q"', '', '!', '0'];
