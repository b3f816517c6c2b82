// Stateful components over real sockets: each comment of /posts/1 is a `comment-row` component.
// Its `delete` is routed by cid to that component and decided by its `authorOrEditor` policy; a
// cid the view does not hold is refused; removal follows the client's cids_will_destroy /
// cids_destroyed; new and deleted comments reach every viewer through PubSub.

import { beforeAll, describe, expect, it } from 'vitest';
import { useDemoServer } from '../support/use-demo-server.ts';
import { connectSocket, fetchLivePage, joinPayload, type LiveChannel, type Payload } from '../support/live-client.ts';
import { logInSeeded } from '../support/login.ts';
import type { RuntimeEvent } from '../../server/index.ts';
import type { User } from '../../apps/auth/accounts.ts';

interface Viewer {
  channel: LiveChannel;
  rendered: Payload;
}

type Components = Record<string, Record<string, unknown>>;

describe('comment components on /posts/1', () => {
  const s = useDemoServer();
  let alice: User;
  let bob: User;
  let aliceCookie: string;
  let bobCookie: string;

  beforeAll(async () => {
    [{ user: alice, cookie: aliceCookie }, { user: bob, cookie: bobCookie }] = await logInSeeded(s, 'alice', 'bob');
  });

  async function open(cookie: string, path = '/posts/1'): Promise<Viewer> {
    const page = await fetchLivePage(s.baseUrl, path, { cookie });
    const client = s.clients.track(await connectSocket(s.baseUrl, { cookie: page.cookie, csrfToken: page.csrfToken }));
    const channel = client.channel(page.topic);
    const reply = await channel.join(joinPayload(page));
    expect(reply.status).toBe('ok');
    return { channel, rendered: reply.response.rendered as Payload };
  }

  /** The cid rendering comment `id`: its component tree's first dynamic is the comment id. */
  function cidOf(components: Components, id: number): number {
    const found = Object.entries(components).find(([, tree]) => tree[0] === String(id));
    if (!found) throw new Error(`no component renders comment ${id}`);
    return Number(found[0]);
  }

  function commentIds(): number[] {
    return (s.app.db.prepare('SELECT id FROM comments WHERE post_id = 1 ORDER BY id').all() as { id: number }[]).map((r) => r.id);
  }

  function commentBy(authorId: number): number {
    return (s.app.db.prepare('SELECT id FROM comments WHERE post_id = 1 AND author_id = ? ORDER BY id').get(authorId) as { id: number }).id;
  }

  async function recording<T>(work: () => Promise<T>): Promise<{ result: T; events: RuntimeEvent[] }> {
    const events: RuntimeEvent[] = [];
    const unsubscribe = s.server.events.subscribe((event) => events.push(event));
    try {
      return { result: await work(), events };
    } finally {
      unsubscribe();
    }
  }

  const deleteAt = (channel: LiveChannel, cid: unknown) =>
    channel.push('event', { type: 'click', event: 'delete', value: { value: '' }, cid });

  it('renders each comment as a component in "c", one root tag with r:1, statics shared by cid', async () => {
    const { rendered } = await open(bobCookie);
    const components = rendered.c as Components;
    const cids = Object.keys(components).map(Number);
    expect(cids.length).toBe(commentIds().length);
    const [first, second] = cids;
    expect(components[first!]).toMatchObject({ r: 1 });
    expect(components[second!]!.s).toBe(first);
  });

  it("refuses bob deleting alice's comment (policy authorOrEditor): an error, nothing deleted", async () => {
    const viewer = await open(bobCookie);
    const target = commentBy(alice.id);
    const before = commentIds();

    const { result: reply, events } = await recording(() => deleteAt(viewer.channel, cidOf(viewer.rendered.c as Components, target)));

    expect(reply.status).toBe('error');
    expect(reply.response).toEqual({ reason: 'unauthorized', event: 'delete' });
    expect(commentIds()).toEqual(before);
    expect(events).toContainEqual(expect.objectContaining({ type: 'event.denied', event: 'comment-row:delete', policy: 'authorOrEditor' }));
    expect((await viewer.channel.client.heartbeat()).status).toBe('ok');
  });

  it('refuses a cid the view does not hold, a cid that is no number, and a cid of another view', async () => {
    const viewer = await open(bobCookie);
    const before = commentIds();
    for (const cid of [999, '1', -1, 1.5]) {
      const reply = await deleteAt(viewer.channel, cid);
      expect(reply.status).toBe('error');
      expect(reply.response).toEqual({ reason: 'unknown component', event: 'delete' });
    }
    // The counter has no components: cid 1 of the post page means nothing there.
    const counter = await open(bobCookie, '/counter');
    const reply = await counter.channel.push('event', { type: 'click', event: 'increment', value: {}, cid: 1 });
    expect(reply.response).toEqual({ reason: 'unknown component', event: 'increment' });
    expect(commentIds()).toEqual(before);
  });

  it('answers cids_destroyed only with cids marked first, and refuses a malformed list', async () => {
    const viewer = await open(bobCookie);
    const cid = Number(Object.keys(viewer.rendered.c as Components)[0]);
    expect((await viewer.channel.push('cids_destroyed', { cids: [cid] })).response).toEqual({ cids: [] });
    const bad = await viewer.channel.push('cids_will_destroy', { cids: 'all' });
    expect(bad.status).toBe('error');
    expect(bad.response).toEqual({ reason: 'malformed message' });
    // Still there: its events still run (and are still decided by its policy).
    expect((await deleteAt(viewer.channel, cidOf(viewer.rendered.c as Components, commentBy(alice.id)))).response).toEqual({
      reason: 'unauthorized',
      event: 'delete',
    });
  });

  it('validates the comment form while typing, showing #comment-error only once the field was used', async () => {
    const viewer = await open(bobCookie);
    const untouched = await viewer.channel.push('event', {
      type: 'form',
      event: 'validate_comment',
      value: 'body=&_unused_body=',
      meta: { _target: 'body' },
    });
    expect(untouched.status).toBe('ok');
    expect(JSON.stringify(untouched.response)).not.toContain('comment-error');
    const used = await viewer.channel.push('event', {
      type: 'form',
      event: 'validate_comment',
      value: 'body=++',
      meta: { _target: 'body' },
    });
    expect(JSON.stringify(used.response)).toContain('comment-error');
    const fixed = await viewer.channel.push('event', { type: 'form', event: 'validate_comment', value: 'body=ok' });
    expect(JSON.stringify(fixed.response)).not.toContain('must not be blank');
  });

  it('adds a comment for every viewer, and lets its author delete it: the row leaves every page, then the cid is destroyed', async () => {
    const bobView = await open(bobCookie);
    const aliceView = await open(aliceCookie);

    const invalid = await bobView.channel.push('event', { type: 'form', event: 'add_comment', value: 'body=++' });
    expect(JSON.stringify(invalid.response)).toContain('comment-error');

    const aliceSees = aliceView.channel.waitForPush('diff');
    const added = await bobView.channel.push('event', { type: 'form', event: 'add_comment', value: 'body=Bob+was+here' });
    expect(added.status).toBe('ok');
    const id = commentIds().at(-1)!;
    const addDiff = (await aliceSees).payload as { c: Components };
    const cid = cidOf(addDiff.c, id);
    expect(addDiff.c[cid]).toMatchObject({ 3: 'Bob was here' });
    expect(addDiff.c[cid]!.s).toBeLessThan(0); // the statics alice's page already holds

    const bobCid = cidOf(
      { ...(bobView.rendered.c as Components), ...((await bobView.channel.waitForPush('diff')).payload as { c: Components }).c },
      id,
    );
    const aliceGone = aliceView.channel.waitForPush('diff');
    const bobGone = bobView.channel.waitForPush('diff');
    const reply = await deleteAt(bobView.channel, bobCid);
    expect(reply.status).toBe('ok');
    expect(commentIds()).not.toContain(id);
    // Each page's list shrinks; no component is re-rendered for it.
    for (const diff of [await aliceGone, await bobGone]) {
      expect(diff.payload).not.toHaveProperty('c');
      expect(JSON.stringify(diff.payload)).toContain('"kc"');
    }

    // The client's removal round trip, then the cid is gone for good.
    expect((await bobView.channel.push('cids_will_destroy', { cids: [bobCid] })).response).toEqual({});
    expect((await bobView.channel.push('cids_destroyed', { cids: [bobCid] })).response).toEqual({ cids: [bobCid] });
    expect((await deleteAt(bobView.channel, bobCid)).response).toEqual({ reason: 'unknown component', event: 'delete' });
  });

  it("lets an editor delete another user's comment", async () => {
    const aliceView = await open(aliceCookie);
    const target = commentBy(bob.id);
    const reply = await deleteAt(aliceView.channel, cidOf(aliceView.rendered.c as Components, target));
    expect(reply.status).toBe('ok');
    expect(commentIds()).not.toContain(target);
  });
});
