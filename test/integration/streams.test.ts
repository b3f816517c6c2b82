// Streams over real sockets: the join reply carries the mounted rows with their `"stream"` entry,
// inserts (at -1, 0, n, with a limit, update only), deletes and resets each travel as one diff
// holding only their rows, a re-render of the rest of the page sends no row, the dead render
// shows the rows, a rejoin re-streams them, and a live navigation streams the new view's rows. The
// demo's comments are a stream too: a new and a deleted comment reach every viewer as a stream
// insert and delete, never as the whole list.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Router, allow, anyone, createLiveServer, defineView, html, type LiveServer, type Streams } from '../../server/index.ts';
import { TEST_SECRET } from '../support/demo-server.ts';
import {
  ClientTracker,
  connectSocket,
  fetchLivePage,
  joinLivePage,
  joinPayload,
  type LiveChannel,
  type Payload,
} from '../support/live-client.ts';
import { useDemoServer } from '../support/use-demo-server.ts';
import { logInSeeded } from '../support/login.ts';

interface Item {
  id: number;
  text: string;
}

interface FeedAssigns {
  n: number;
  streams: Streams<{ items: Item }>;
}

const items = (from: number, count: number): Item[] =>
  Array.from({ length: count }, (_, i) => ({ id: from + i, text: `item ${from + i}` }));
const num = (value: unknown): number | undefined => (value === undefined ? undefined : Number(value));

function feedView(name: string, first: number) {
  return defineView<FeedAssigns>({
    name,
    mount(params, _session, socket) {
      socket.assign({ n: 0 });
      socket.stream('items', items(first, Number(params.rows ?? 3)));
    },
    handleEvent: {
      insert: allow(anyone, (value, socket) => {
        socket.streamInsert(
          'items',
          { id: Number(value.id), text: String(value.text) },
          {
            at: num(value.at),
            limit: num(value.limit),
            updateOnly: value.update_only === true,
          },
        );
      }),
      delete: allow(anyone, (value, socket) => socket.streamDelete('items', { id: Number(value.id), text: '' })),
      reset: allow(anyone, (value, socket) => socket.stream('items', items(Number(value.from), 2), { reset: true })),
      touch: allow(anyone, (_value, socket) => socket.update((a) => void a.n++)),
      go: allow(anyone, (_value, socket) => socket.pushNavigate('/other')),
    },
    render: ({ n, streams }) =>
      html`<p id="n">${n}</p><ul id="items" phx-update="stream">${streams.items.map((item, domId) => html`<li id="${domId}">${item.text}</li>`)}</ul>`,
  });
}

/** The stream list at slot 1 of the feed's tree (or of a diff). */
const listOf = (tree: Payload): Payload => tree[1] as Payload;

describe('streams over real sockets', () => {
  let server: LiveServer;
  let baseUrl: string;
  let dataDir: string;
  const clients = new ClientTracker();

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'liveward-streams-'));
    const router = new Router();
    router.liveSession('streams', {}, (s) => {
      s.live('/feed', feedView('feed', 1));
      s.live('/other', feedView('other', 100));
    });
    server = createLiveServer({ router, secretKeyBase: TEST_SECRET, dataDir });
    const { port } = await server.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    await clients.closeAll();
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const event = (channel: LiveChannel, name: string, value: Payload = {}) => channel.push('event', { type: 'hook', event: name, value });
  const diffOf = async (channel: LiveChannel, name: string, value: Payload = {}): Promise<Payload> => {
    const reply = await event(channel, name, value);
    expect(reply.status).toBe('ok');
    return (reply.response.diff ?? {}) as Payload;
  };

  it('renders the mounted rows in the dead render and in the join reply, with their stream entry', async () => {
    const page = await fetchLivePage(baseUrl, '/feed?rows=2');
    expect(page.html).toContain('<ul id="items" phx-update="stream"><li id="items-1">item 1</li><li id="items-2">item 2</li></ul>');

    const { reply } = clients.track(await joinLivePage(baseUrl, '/feed?rows=2'));
    expect(listOf(reply.response.rendered as Payload)).toEqual({
      s: ['<li id="', '">', '</li>'],
      k: { 0: { 0: 'items-1', 1: 'item 1' }, 1: { 0: 'items-2', 1: 'item 2' }, kc: 2 },
      stream: [
        '0',
        [
          ['items-1', -1, null, false],
          ['items-2', -1, null, false],
        ],
        [],
      ],
    });
  });

  it('sends each insert, delete and reset as one diff of its own rows, and no row on other renders', async () => {
    const { channel } = clients.track(await joinLivePage(baseUrl, '/feed?rows=3'));

    expect(listOf(await diffOf(channel, 'insert', { id: 10, text: 'ten', at: 0 }))).toEqual({
      k: { 0: { 0: 'items-10', 1: 'ten' }, kc: 1 },
      stream: ['0', [['items-10', 0, null, false]], []],
    });
    expect(listOf(await diffOf(channel, 'insert', { id: 11, text: 'eleven', at: 2, limit: -3 }))).toEqual({
      k: { 0: { 0: 'items-11', 1: 'eleven' }, kc: 1 },
      stream: ['0', [['items-11', 2, -3, false]], []],
    });
    expect(listOf(await diffOf(channel, 'insert', { id: 2, text: 'two again', update_only: true }))).toMatchObject({
      stream: ['0', [['items-2', -1, null, true]], []],
    });
    expect(listOf(await diffOf(channel, 'delete', { id: 10 }))).toEqual({ k: { kc: 0 }, stream: ['0', [], ['items-10']] });
    expect(listOf(await diffOf(channel, 'reset', { from: 50 }))).toEqual({
      k: { 0: { 0: 'items-50', 1: 'item 50' }, 1: { 0: 'items-51', 1: 'item 51' }, kc: 2 },
      stream: [
        '0',
        [
          ['items-50', -1, null, false],
          ['items-51', -1, null, false],
        ],
        [],
        true,
      ],
    });
    // The rest of the page changes: the stream has nothing new, so no row travels.
    expect(await diffOf(channel, 'touch')).toEqual({ 0: '1' });
  });

  it('re-streams the mounted rows when the client rejoins', async () => {
    const page = await fetchLivePage(baseUrl, '/feed?rows=2');
    const first = clients.track(await connectSocket(baseUrl, { cookie: page.cookie, csrfToken: page.csrfToken }));
    const firstJoin = await first.channel(page.topic).join(joinPayload(page));
    await diffOf(first.channel(page.topic), 'insert', { id: 9, text: 'nine' });
    await first.close();

    // A reconnect: a new socket, the same page's tokens, mount runs again.
    const second = clients.track(await connectSocket(baseUrl, { cookie: page.cookie, csrfToken: page.csrfToken }));
    const rejoin = await second.channel(page.topic).join(joinPayload(page));
    expect(rejoin.status).toBe('ok');
    expect(listOf(rejoin.response.rendered as Payload)).toEqual(listOf(firstJoin.response.rendered as Payload));
  });

  it('streams the rows of the view a live navigation mounts', async () => {
    const { page, channel } = clients.track(await joinLivePage(baseUrl, '/feed?rows=1'));
    const reply = await event(channel, 'go');
    expect(reply.response).toMatchObject({ live_redirect: { to: '/other' } });
    await channel.leave();
    const join = await channel.join(joinPayload(page, { redirect: `${baseUrl}/other` }));
    expect(join.status).toBe('ok');
    expect(listOf(join.response.rendered as Payload)).toMatchObject({
      k: { 0: { 0: 'items-100' }, 1: { 0: 'items-101' }, 2: { 0: 'items-102' }, kc: 3 },
      stream: [
        '0',
        [
          ['items-100', -1, null, false],
          ['items-101', -1, null, false],
          ['items-102', -1, null, false],
        ],
        [],
      ],
    });
  });
});

describe("the demo's comment stream on /posts/1", () => {
  const s = useDemoServer();

  async function open(cookie: string): Promise<{ channel: LiveChannel; rendered: Payload }> {
    const page = await fetchLivePage(s.baseUrl, '/posts/1', { cookie });
    const client = s.clients.track(await connectSocket(s.baseUrl, { cookie: page.cookie, csrfToken: page.csrfToken }));
    const channel = client.channel(page.topic);
    const reply = await channel.join(joinPayload(page));
    expect(reply.status).toBe('ok');
    return { channel, rendered: reply.response.rendered as Payload };
  }

  /** The `"stream"` entries anywhere in a diff. */
  function streamsIn(tree: unknown): unknown[][] {
    const found: unknown[][] = [];
    const walk = (value: unknown): void => {
      if (typeof value !== 'object' || value === null) return;
      for (const [key, child] of Object.entries(value)) {
        if (key === 'stream') found.push(child as unknown[]);
        else walk(child);
      }
    };
    walk(tree);
    return found;
  }

  it('inserts a new comment and deletes it on every viewer as stream operations, with no list re-rendered', async () => {
    const [{ cookie: aliceCookie }, { cookie: bobCookie }] = await logInSeeded(s, 'alice', 'bob');
    const bob = await open(bobCookie);
    const alice = await open(aliceCookie);
    const ids = (s.app.db.prepare('SELECT id FROM comments WHERE post_id = 1 ORDER BY id').all() as { id: number }[]).map(
      (r) => `comments-${r.id}`,
    );
    expect(streamsIn(bob.rendered)).toEqual([['0', ids.map((id) => [id, -1, null, false]), []]]);

    const bobSees = bob.channel.waitForPush('diff');
    const added = await alice.channel.push('event', { type: 'form', event: 'add_comment', value: 'body=Streamed' });
    expect(added.status).toBe('ok');
    const id = (s.app.db.prepare('SELECT max(id) AS id FROM comments').get() as { id: number }).id;
    const insert = (await bobSees).payload;
    expect(streamsIn(insert)).toEqual([['0', [[`comments-${id}`, -1, null, false]], []]]);
    // One row (the new component's cid), not the list.
    expect(JSON.stringify(insert)).toMatch(/"k":\{"0":\{"0":\d+\},"kc":1\}/);

    // Alice's own page gets the row through the same broadcast, in her reply or right after it.
    const aliceInsert = (added.response.diff as Payload | undefined)?.c
      ? (added.response.diff as Payload)
      : (await alice.channel.waitForPush('diff')).payload;
    expect(streamsIn(aliceInsert)).toEqual([['0', [[`comments-${id}`, -1, null, false]], []]]);
    const cid = Number(Object.keys(aliceInsert.c as Payload)[0]);
    const bobGone = bob.channel.waitForPush('diff');
    const aliceGone = alice.channel.waitForPush('diff');
    expect((await alice.channel.push('event', { type: 'click', event: 'delete', value: {}, cid })).status).toBe('ok');
    for (const diff of [(await bobGone).payload, (await aliceGone).payload]) {
      expect(streamsIn(diff)).toEqual([['0', [], [`comments-${id}`]]]);
      expect(diff).not.toHaveProperty('c');
    }
  });
});
