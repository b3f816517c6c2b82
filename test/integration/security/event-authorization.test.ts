// Every event is authorized before its handler runs (deny by default): `update_post` is declared with
// the `editorsOnly` policy, anything undeclared is denied. A denial is an `unauthorized` reply, a
// recorded `event.denied`, no state change, and the socket stays up.

import { beforeAll, describe, expect, it } from 'vitest';
import { useDemoServer } from '../../support/use-demo-server.ts';
import { connectSocket, fetchLivePage, joinPayload, type LiveChannel, type LiveClient, type LivePage } from '../../support/live-client.ts';
import { logInSeeded } from '../../support/login.ts';
import type { RuntimeEvent } from '../../../server/index.ts';
import type { User } from '../../../apps/auth/accounts.ts';

interface PostRow {
  title: string;
  body: string;
  updated_at: string;
  updated_by: number | null;
}

interface Viewer {
  page: LivePage;
  client: LiveClient;
  channel: LiveChannel;
}

describe('events on /posts/:id', () => {
  const s = useDemoServer();
  const { clients } = s;
  let alice: User;
  let bob: User;
  let aliceCookie: string;
  let bobCookie: string;

  beforeAll(async () => {
    [{ user: alice, cookie: aliceCookie }, { user: bob, cookie: bobCookie }] = await logInSeeded(s, 'alice', 'bob');
  });

  function postRow(id: number): PostRow | undefined {
    return s.app.db.prepare('SELECT title, body, updated_at, updated_by FROM posts WHERE id = ?').get(id) as PostRow | undefined;
  }

  /** Opens `/posts/:id` as the owner of `cookie` and joins it. */
  async function view(cookie: string, id: number): Promise<Viewer> {
    const page = await fetchLivePage(s.baseUrl, `/posts/${id}`, { cookie });
    const client = clients.track(await connectSocket(s.baseUrl, { cookie: page.cookie, csrfToken: page.csrfToken }));
    const channel = client.channel(page.topic);
    const reply = await channel.join(joinPayload(page));
    expect(reply.status).toBe('ok');
    return { page, client, channel };
  }

  function submit(channel: LiveChannel, event: string, fields: Record<string, string>) {
    return channel.push('event', { type: 'form', event, value: new URLSearchParams(fields).toString(), meta: {} });
  }

  /** Runs `work`, returning the runtime events emitted meanwhile. */
  async function recording<T>(work: () => Promise<T>): Promise<{ result: T; events: RuntimeEvent[] }> {
    const events: RuntimeEvent[] = [];
    const unsubscribe = s.server.events.subscribe((event) => events.push(event));
    try {
      return { result: await work(), events };
    } finally {
      unsubscribe();
    }
  }

  describe('update_post (policy editorsOnly)', () => {
    it('is offered as a form to alice and not to bob on the dead render', async () => {
      const [forAlice, forBob] = await Promise.all([
        fetchLivePage(s.baseUrl, '/posts/1', { cookie: aliceCookie }),
        fetchLivePage(s.baseUrl, '/posts/1', { cookie: bobCookie }),
      ]);

      expect(forAlice.html).toContain('id="post-form"');
      expect(forBob.html).not.toContain('id="post-form"');
    });

    // phoenix_live_view's hooks_test.exs "handle_event/3 halt and continue", "handle_event/3 halts and replies"
    // (the policy vetoes the event before the view sees it, with a reply)
    it('is denied to bob: unauthorized reply, row unchanged, event.denied recorded, socket still up', async () => {
      const bobView = await view(bobCookie, 1);
      const before = postRow(1);

      const { result: reply, events } = await recording(() =>
        submit(bobView.channel, 'update_post', { title: 'Hacked by bob', body: 'pwned' }),
      );

      expect(reply.status).toBe('error');
      expect(reply.response).toEqual({ reason: 'unauthorized', event: 'update_post' });
      expect(postRow(1)).toEqual(before);
      expect(events).toContainEqual(
        expect.objectContaining({
          type: 'event.denied',
          topic: bobView.page.topic,
          view: 'post-show',
          event: 'update_post',
          policy: 'editorsOnly',
          userId: String(bob.id),
        }),
      );
      expect(events.map((e) => e.type)).not.toContain('event.allowed');
      // The socket and the view keep working: a heartbeat, then a live_patch within the view.
      expect((await bobView.client.heartbeat()).status).toBe('ok');
      const patch = await bobView.channel.push('live_patch', { url: `${s.baseUrl}/posts/1?from=test` });
      expect(patch.status).toBe('ok');
      expect(patch.response).not.toHaveProperty('link_redirect');
    });

    it('is refused to bob by the Blog context too (the second guard)', () => {
      const post = s.app.blog.getPostForUser(bob, 1)!;

      const result = s.app.blog.updatePost(bob, post, { title: 'Hacked by bob', body: 'pwned' });

      expect(result).toMatchObject({ ok: false, error: 'forbidden' });
      expect(postRow(1)!.title).toBe(post.title);
    });

    it("succeeds for alice, and bob's open view of the post receives the new title as a diff push", async () => {
      const bobView = await view(bobCookie, 2);
      const aliceView = await view(aliceCookie, 2);
      const title = `Edited by alice ${Date.now()}`;

      const { result: reply, events } = await recording(() => submit(aliceView.channel, 'update_post', { title, body: 'New body & more' }));
      const pushed = await bobView.channel.waitForPush('diff');

      expect(reply.status).toBe('ok');
      expect(JSON.stringify(reply.response.diff)).toContain(title);
      expect(postRow(2)).toMatchObject({ title, body: 'New body & more', updated_by: alice.id });
      expect(events).toContainEqual(
        expect.objectContaining({
          type: 'event.allowed',
          event: 'update_post',
          policy: 'editorsOnly',
          userId: String(alice.id),
        }),
      );
      expect(JSON.stringify(pushed.payload)).toContain(title);
      // bob's view got the news without being allowed to edit: still no form for him.
      expect(JSON.stringify(pushed.payload)).not.toContain('post-form');
    });

    it('is denied to alice as soon as her role is revoked, without a remount', async () => {
      const aliceView = await view(aliceCookie, 3);
      const before = postRow(3);
      s.app.accounts.setRole(alice.id, 'reader');
      try {
        const reply = await submit(aliceView.channel, 'update_post', { title: 'After demotion', body: '' });

        expect(reply.response).toEqual({ reason: 'unauthorized', event: 'update_post' });
        expect(postRow(3)).toEqual(before);
      } finally {
        s.app.accounts.setRole(alice.id, 'editor');
      }
    });
  });

  describe('an event aimed at a component (cid)', () => {
    // An event with a cid this view never rendered (or of another view) is
    // refused with `unknown component`; it never reaches any handler, even an allowed one.
    it("is refused for a cid the view does not hold, and never reaches the view's handler", async () => {
      const aliceView = await view(aliceCookie, 1);
      const before = postRow(1);

      const { result: reply, events } = await recording(() =>
        aliceView.channel.push('event', {
          type: 'form',
          event: 'update_post',
          value: new URLSearchParams({ title: 'Through a component', body: '' }).toString(),
          cid: 999,
        }),
      );

      expect(reply.status).toBe('error');
      expect(reply.response).toEqual({ reason: 'unknown component', event: 'update_post' });
      expect(postRow(1)).toEqual(before);
      expect(events.map((e) => e.type)).not.toContain('event.allowed');
      expect((await aliceView.client.heartbeat()).status).toBe('ok');
    });
  });

  describe('an event pipelined behind a join', () => {
    it('never runs when the hooks halt that join, and is answered as for a topic without a view', async () => {
      const alicePage = await fetchLivePage(s.baseUrl, '/posts/1', { cookie: aliceCookie });
      const anonymous = await fetchLivePage(s.baseUrl, '/counter');
      const client = clients.track(await connectSocket(s.baseUrl, { cookie: anonymous.cookie, csrfToken: anonymous.csrfToken }));
      const channel = client.channel(alicePage.topic);
      const before = postRow(1);

      // Sent back to back, without waiting for the join reply, as a hostile client would.
      const join = channel.join(joinPayload(alicePage));
      const event = submit(channel, 'update_post', { title: 'Smuggled', body: 'behind the join' });
      const [joinReply, eventReply] = await Promise.all([join, event]);

      expect(joinReply.response).toEqual({ redirect: { to: '/login' }, events: [] });
      expect(eventReply.status).toBe('error');
      expect(eventReply.response).toEqual({ reason: 'unmatched topic' });
      expect(postRow(1)).toEqual(before);
    });
  });

  describe('an event the view does not declare', () => {
    // `delete` is declared by each comment row (authorOrEditor), not by the view: sent to the view
    // itself (no cid) it must be denied, although alice, an editor, may delete any comment through
    // its row and the Blog context would let her. So a runtime that let an undeclared event reach
    // a handler would delete the comment.
    it('is denied by default, even to an editor, and deletes nothing', async () => {
      const added = s.app.blog.addComment(bob, { id: 1 }, { body: 'Delete me if you can' });
      if (!added.ok) throw new Error(added.message);
      const commentIds = () => s.app.blog.listComments(alice, 1).map((c) => c.id);
      const aliceView = await view(aliceCookie, 1);
      const before = commentIds();
      expect(before).toContain(added.comment.id);
      expect(aliceView.page.html).toContain(`id="delete-comment-${added.comment.id}"`);

      const { result: reply, events } = await recording(() => aliceView.channel.event('delete', { id: String(added.comment.id) }));

      expect(reply.status).toBe('error');
      expect(reply.response).toEqual({ reason: 'unauthorized', event: 'delete' });
      expect(commentIds()).toEqual(before);
      expect(events).toContainEqual(
        expect.objectContaining({
          type: 'event.denied',
          event: 'delete',
          policy: null,
          why: 'event not declared',
        }),
      );
      expect((await aliceView.client.heartbeat()).status).toBe('ok');
    });

    // Events named lv:* are rejected without crashing the connection.
    it('is denied for a reserved lv:* name, and the view keeps working', async () => {
      const bobView = await view(bobCookie, 1);

      const reply = await bobView.channel.event('lv:shutdown');
      const patch = await bobView.channel.push('live_patch', { url: `${s.baseUrl}/posts/1` });

      expect(reply.response).toEqual({ reason: 'unauthorized', event: 'lv:shutdown' });
      expect(patch.status).toBe('ok');
    });
  });
});
