// The demo's flows where a browser is not the point, written with liveward/testing as an app's
// own tests would be: real HTTP and WebSocket, the official client's frames, no Chromium. The
// wire-level tests (exact frames, refs, diffs) stay on the raw client in live-client.ts.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveTest } from 'liveward/testing';
import { useDemoServer } from '../support/use-demo-server.ts';
import type { User } from '../../apps/auth/accounts.ts';

describe('the demo through liveward/testing', () => {
  const s = useDemoServer();
  let t: LiveTest;
  let alice: User;
  let bob: User;
  /** The session a login gives `user`, as `POST /login` writes it. */
  const sessionOf = (user: User) => ({
    user_token: s.app.accounts.createSessionToken(user),
    live_socket_id: `users_socket:${user.id}`,
  });

  beforeAll(async () => {
    t = await LiveTest.start(s.server);
    const users = s.app.accounts.listUsers();
    alice = users.find((u) => u.email === 'alice@example.com')!;
    bob = users.find((u) => u.email === 'bob@example.com')!;
  });
  afterAll(() => t.close());

  it('counts, sets and steps on /counter, then navigates to /clock over the same socket', async () => {
    const view = await t.live('/counter');
    await view.click('#increment');
    await view.submit('#set-form', { n: '40' });
    await view.followLink('#step-10');
    await view.click('#decrement');
    expect(view.text('#count')).toBe('30');
    expect(view.path).toBe('/counter?step=10');

    const clock = await view.followLink('#to-clock');
    expect(clock.title).toBe('Clock');
    expect(clock.redirects).toEqual([]);
  });

  it('sends an anonymous visitor of /posts to the login page', async () => {
    const response = await t.request('GET', '/posts');
    expect(response.status).toBe(302);
    expect(response.location).toMatch(/^\/login/);
  });

  it('mounts /posts for a user who logged in through the form', async () => {
    const login = await t.request('POST', '/login', { form: { email: alice.email, password: 'alice-password' } });
    expect(login.location).toBe('/posts');
    const view = await t.live('/posts', { cookie: login.cookie });
    expect(view.text('#current-user')).toBe(alice.email);
    expect(view.element('#posts').innerHtml).toContain('post-link-1');
  });

  it("denies a reader's update_post and changes nothing", async () => {
    const view = await t.live('/posts/1', { session: sessionOf(bob) });
    const before = view.text('#title');
    expect(view.has('#post-form')).toBe(false);

    const result = await view.pushEvent('update_post', { title: 'Hijacked', body: 'x' });

    expect(result).toEqual({ kind: 'denied', reason: 'unauthorized' });
    expect(view.text('#title')).toBe(before);
    expect((await t.live('/posts/1', { session: sessionOf(alice) })).text('#title')).toBe(before);
  });

  it("saves an editor's form and re-renders every open view of the post", async () => {
    const editor = await t.live('/posts/2', { session: sessionOf(alice) });
    const reader = await t.live('/posts/2', { session: sessionOf(bob) });
    const readerUpdated = reader.nextRender();

    await editor.submit('#post-form', { title: 'Edited through liveward/testing' });

    expect(editor.text('#flash-info')).toContain('Post saved');
    expect(editor.title).toBe('Edited through liveward/testing');
    await readerUpdated;
    expect(reader.text('#title')).toBe('Edited through liveward/testing');
  });

  it('redirects a missing post to the index from its mount', async () => {
    const view = await t.live('/posts/999', { session: sessionOf(alice) });
    expect(view.redirects).toEqual(['/posts']);
    expect(view.path).toBe('/posts');
  });
});
