// liveward/testing against a small app of its own: every helper over a real server, HTTP and
// WebSocket, and the failures a test must be able to see (a denied event, a redirect).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Router,
  allow,
  anyone,
  createLiveServer,
  defineComponent,
  defineView,
  halt,
  cont,
  html,
  liveComponent,
  policy,
  type Streams,
} from 'liveward';
import { LiveTest } from 'liveward/testing';

interface CounterAssigns {
  count: number;
  step: number;
  name: string;
}

const Counter = defineView<CounterAssigns>({
  name: 'counter',
  mount: (_params, session, socket) => socket.assign({ count: 0, step: 1, name: String(session.name ?? 'nobody') }),
  handleParams: (params, _url, socket) => socket.assign({ step: Number(params.step ?? 1) }),
  handleEvent: {
    increment: allow(anyone, (_value, socket) => {
      socket.update((a) => void (a.count += a.step));
      if (socket.assigns.count >= 3) socket.pushEvent('confetti', { at: socket.assigns.count });
    }),
    set: allow(anyone, (value, socket) => socket.assign({ count: Number(value.n) })),
    reset: allow(
      policy<CounterAssigns>('admins', () => false),
      (_value, socket) => socket.assign({ count: 0 }),
    ),
    leave: allow(anyone, (value, socket) => (value.how === 'live' ? socket.pushNavigate('/other') : socket.redirect('/private'))),
  },
  render: ({
    count,
    step,
    name,
  }) => html`<p id="who">${name}</p><p>Count: <span id="count">${count}</span> step <span id="step">${step}</span></p>
<button id="inc" phx-click="increment">+</button>
<button id="reset" phx-click="reset">reset</button>
<button id="live" phx-click="leave" phx-value-how="live">other</button>
<form id="set" phx-submit="set"><input name="n" value="${count}"></form>
<a id="step-5" href="/?step=5" data-phx-link="patch">5</a>
<a id="to-other" href="/other" data-phx-link="redirect">other</a>
<a id="to-private" href="/private" data-phx-link="redirect">private</a>`,
});

// Rows as stateful components: the second shares the first's statics (`"s"` as a cid), and each
// row's button targets its own component (`phx-target` = its cid).
const Row = defineComponent<{ id: number; clicks: number }>({
  name: 'row',
  mount: (socket) => socket.assign({ clicks: 0 }),
  handleEvent: { bump: allow(anyone, (_value, socket) => socket.update((a) => void (a.clicks += 1))) },
  render: ({ id, clicks, myself }) =>
    html`<li id="row-${id}">row ${id}: <b id="clicks-${id}">${clicks}</b> <button id="bump-${id}" phx-click="bump" phx-target="${myself}">+</button></li>`,
});
const Rows = defineView<{ ids: number[] }>({
  name: 'rows',
  mount: (_params, _session, socket) => socket.assign({ ids: [1, 2] }),
  handleEvent: { add: allow(anyone, (_value, socket) => socket.update((a) => void a.ids.push(a.ids.length + 1))) },
  render: ({ ids }) => html`<ul id="rows">${ids.map((id) => liveComponent(Row, { id }))}</ul><button id="add" phx-click="add">add</button>`,
});

// A stream: the test's HTML shows the rows the browser would, though the server keeps none.
const Feed = defineView<{ streams: Streams<{ items: { id: number } }> }>({
  name: 'feed',
  mount: (_params, _session, socket) => socket.stream('items', [{ id: 1 }, { id: 2 }]),
  handleEvent: {
    prepend: allow(anyone, (value, socket) => socket.streamInsert('items', { id: Number(value.id) }, { at: 0, limit: 3 })),
    remove: allow(anyone, (value, socket) => socket.streamDeleteByDomId('items', `items-${String(value.id)}`)),
    reset: allow(anyone, (_value, socket) => socket.stream('items', [{ id: 9 }], { reset: true })),
  },
  render: ({ streams }) =>
    html`<ul id="items" phx-update="stream">${streams.items.map((item, domId) => html`<li id="${domId}">${item.id}</li>`)}</ul>`,
});

const Other = defineView<{ ok: boolean }>({ name: 'other', render: () => html`<h1 id="other">other</h1>` });
const Private = defineView<{ ok: boolean }>({ name: 'private', render: () => html`<h1 id="private">private</h1>` });

function buildRouter(): Router {
  const router = new Router();
  router.liveSession('public', {}, (s) => {
    s.live('/', Counter);
    s.live('/other', Other);
    s.live('/rows', Rows);
    s.live('/feed', Feed);
  });
  const signedIn = (_p: unknown, session: Record<string, unknown>) => (session.name ? cont() : halt('/'));
  router.liveSession('private', { onMount: [signedIn] }, (s) => s.live('/private', Private));
  return router;
}

describe('liveward/testing', () => {
  let t: LiveTest;
  beforeAll(async () => {
    t = await LiveTest.start(createLiveServer({ router: buildRouter(), secretKeyBase: 'testing-secret-key-base-long-enough-0123456789' }));
  });
  afterAll(() => t.close());

  it('mounts a route and reads its HTML, then clicks and submits over the socket', async () => {
    const view = await t.live('/');
    expect(view.text('#count')).toBe('0');

    const clicked = await view.click('#inc');
    expect(clicked.kind).toBe('rendered');
    expect(view.text('#count')).toBe('1');

    await view.submit('#set', { n: '41' });
    await view.click('button[phx-click="increment"]');
    expect(view.text('#count')).toBe('42');
  });

  it('mounts with a given session, as a signed-in user would', async () => {
    const view = await t.live('/private', { session: { name: 'ada' } });
    expect(view.redirects).toEqual([]);
    expect(view.has('#private')).toBe(true);
  });

  it('follows the redirect an onMount hook asks for', async () => {
    const view = await t.live('/private');
    expect(view.redirects).toEqual(['/']);
    expect(view.path).toBe('/');
  });

  it('reports a denied event and leaves the view as it was', async () => {
    const view = await t.live('/');
    await view.click('#inc');

    const result = await view.click('#reset');

    expect(result).toEqual({ kind: 'denied', reason: 'unauthorized' });
    expect(view.text('#count')).toBe('1');
    expect(await view.pushEvent('undeclared')).toEqual({ kind: 'denied', reason: 'unauthorized' });
  });

  it('receives push_events', async () => {
    const view = await t.live('/');
    await view.submit('#set', { n: '2' });
    await view.click('#inc');
    expect(view.takePushEvents()).toEqual([['confetti', { at: 3 }]]);
    expect(view.takePushEvents()).toEqual([]);
  });

  it('follows a patch link: handleParams runs, the view stays', async () => {
    const view = await t.live('/');
    const same = await view.followLink('#step-5');
    expect(same).toBe(view);
    expect(view.path).toBe('/?step=5');
    await view.click('#inc');
    expect(view.text('#count')).toBe('5');
  });

  it('follows push_navigate over the same socket within the liveSession', async () => {
    const view = await t.live('/');
    const result = await view.click('#live');
    expect(result).toEqual({ kind: 'navigate', to: '/other' });
    const other = await view.follow(result);
    expect(other.has('#other')).toBe(true);
    expect(other.redirects).toEqual([]);
  });

  it('loads a link into another liveSession over HTTP, where its hooks run again', async () => {
    const view = await t.live('/', { session: { name: 'ada' } });
    const other = await view.followLink('#to-private');
    expect(other.has('#private')).toBe(true);
    expect(other.redirects).toEqual(['/private']);

    const anonymous = await (await t.live('/')).followLink('#to-private');
    expect(anonymous.path).toBe('/');
    expect(anonymous.redirects).toEqual(['/private', '/']);
  });

  it('renders stateful components and sends a click to the component its phx-target names', async () => {
    const view = await t.live('/rows');
    expect(view.text('#row-1')).toBe('row 1: 0 +');
    expect(view.text('#row-2')).toBe('row 2: 0 +');

    await view.click('#bump-2');
    expect(view.text('#clicks-2')).toBe('1');
    expect(view.text('#clicks-1')).toBe('0');

    await view.click('#add');
    expect(view.text('#row-3')).toBe('row 3: 0 +');
    await view.click('#bump-3');
    expect(view.text('#clicks-3')).toBe('1');
  });
  it("shows a stream's rows as the browser keeps them: inserted, trimmed, deleted, reset", async () => {
    const view = await t.live('/feed');
    const ids = (): string => view.text('#items');
    expect(ids()).toBe('12');
    await view.pushEvent('prepend', { id: 3 });
    expect(ids()).toBe('312');
    await view.pushEvent('prepend', { id: 4 }); // limit 3 trims the end
    expect(ids()).toBe('431');
    await view.pushEvent('remove', { id: 3 });
    expect(ids()).toBe('41');
    await view.pushEvent('reset');
    expect(ids()).toBe('9');
    await view.close();
  });
});
