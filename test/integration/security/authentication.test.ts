// Who may see the `authenticated` liveSession: confirmed users only. The guard exists twice, as
// an HTTP plug (`requireConfirmedUser`) and as onMount hooks (`mountCurrentUser`,
// `ensureConfirmedUser`), and each is proven here: the dead render redirects, and a join of a
// perfectly valid page token on a socket without a confirmed user is halted to /login.

import { beforeAll, describe, expect, it } from 'vitest';
import { useDemoServer } from '../../support/use-demo-server.ts';
import { connectSocket, fetchLivePage, joinPayload, mergeCookies, type LiveClient, type LivePage } from '../../support/live-client.ts';
import { fetchCsrfToken, logIn } from '../../support/login.ts';
import type { RuntimeEvent } from '../../../server/index.ts';

const CAROL = 'carol@example.com';

describe('the authenticated liveSession', () => {
  const s = useDemoServer();
  const { clients } = s;
  let aliceCookie: string;
  /** A page of alice's: its tokens are valid, whoever presents them. */
  let alicePosts: LivePage;
  /** carol's login session, obtained while she was briefly confirmed. */
  let carolCookie: string;

  beforeAll(async () => {
    aliceCookie = await logIn(s.baseUrl, 'alice@example.com', 'alice-password');
    alicePosts = await fetchLivePage(s.baseUrl, '/posts', { cookie: aliceCookie });
    // carol cannot log in while unconfirmed: confirm her, log in, and take it back, so she holds
    // a login session of an unconfirmed account (as after an admin revokes a confirmation).
    const setConfirmed = s.app.db.prepare('UPDATE users SET confirmed_at = ? WHERE email = ?');
    setConfirmed.run(new Date().toISOString(), CAROL);
    carolCookie = await logIn(s.baseUrl, CAROL, 'carol-password');
    setConfirmed.run(null, CAROL);
  });

  /** A socket for the cookie session `cookie` (anonymous when empty), with a valid CSRF token. */
  async function socketFor(cookie: string): Promise<LiveClient> {
    const form = await fetchCsrfToken(s.baseUrl, cookie);
    return clients.track(await connectSocket(s.baseUrl, { cookie: form.cookie, csrfToken: form.csrfToken }));
  }

  async function get(path: string, cookie?: string): Promise<Response> {
    const response = await fetch(new URL(path, s.baseUrl), { redirect: 'manual', headers: cookie ? { cookie } : {} });
    await response.text();
    return response;
  }

  /** Joins alice's /posts page on `client`, recording the runtime events of the attempt. */
  async function joinAlicePosts(client: LiveClient) {
    const events: RuntimeEvent[] = [];
    const unsubscribe = s.server.events.subscribe((event) => events.push(event));
    try {
      const reply = await client.channel(alicePosts.topic).join(joinPayload(alicePosts));
      return { reply, events };
    } finally {
      unsubscribe();
    }
  }

  describe('for a confirmed user (the control)', () => {
    it('renders /posts over HTTP', async () => {
      const response = await get('/posts', aliceCookie);

      expect(response.status).toBe(200);
    });

    // phoenix_live_view's live_view_test.exs "live render with valid session" (describe "rendering")
    it('mounts /posts at the join', async () => {
      const client = await socketFor(aliceCookie);

      const { reply } = await joinAlicePosts(client);

      expect(reply.status).toBe('ok');
      expect(JSON.stringify(reply.response.rendered)).toContain('alice@example.com');
    });
  });

  describe('logging in', () => {
    it('renews the session: the cookie and CSRF token from before the login stay anonymous', async () => {
      const before = await fetchCsrfToken(s.baseUrl);
      const response = await fetch(new URL('/login', s.baseUrl), {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: before.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf_token: before.csrfToken, email: 'bob@example.com', password: 'bob-password' }).toString(),
      });
      await response.text();
      const after = mergeCookies(before.cookie, response.headers.getSetCookie());

      expect(response.status).toBe(302);
      expect(after).not.toBe(before.cookie);
      // The pre-login cookie (a fixated one, say) did not become bob's.
      expect((await get('/posts', before.cookie)).headers.get('location')).toBe('/login');
      expect((await get('/posts', after)).status).toBe(200);
      // The CSRF secret was renewed too: the old page's token opens no session with the new cookie.
      const client = clients.track(await connectSocket(s.baseUrl, { cookie: after, csrfToken: before.csrfToken }));
      expect((await joinAlicePosts(client)).reply.response).toEqual({ reason: 'stale' });
    });
  });

  describe('for an anonymous visitor', () => {
    it('redirects GET /posts and GET /posts/1 to /login', async () => {
      for (const path of ['/posts', '/posts/1']) {
        const response = await get(path);

        expect(response.status).toBe(302);
        expect(response.headers.get('location')).toBe('/login');
      }
    });

    // phoenix_live_view's hooks_test.exs "on_mount hook halts with redirected socket"
    it("halts the join of a logged-in user's page token with a redirect to /login", async () => {
      const client = await socketFor('');

      const { reply, events } = await joinAlicePosts(client);

      expect(reply.status).toBe('error');
      expect(reply.response).toEqual({ redirect: { to: '/login' }, events: [] });
      expect(events).toContainEqual(expect.objectContaining({ type: 'view.join_refused', topic: alicePosts.topic, code: 'halted' }));
      expect(events.map((e) => e.type)).not.toContain('view.mounted');
      expect((await client.heartbeat()).status).toBe('ok');
    });

    it('holds no view after the halted join', async () => {
      const client = await socketFor('');
      const opened = new Promise<string>((resolve) => {
        const unsubscribe = s.server.events.subscribe((e) => {
          if (e.type === 'view.join_refused' && e.topic === alicePosts.topic) {
            unsubscribe();
            resolve(e.connectionId);
          }
        });
      });

      await client.channel(alicePosts.topic).join(joinPayload(alicePosts));
      const connectionId = await opened;
      await client.heartbeat(); // the connection has handled everything before this

      const connection = s.server.registry.describe().find((c) => c.connectionId === connectionId);
      expect(connection?.views).toEqual([]);
    });
  });

  describe('for an unconfirmed user', () => {
    it('cannot log in at all', async () => {
      const form = await fetchCsrfToken(s.baseUrl);
      const response = await fetch(new URL('/login', s.baseUrl), {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: form.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf_token: form.csrfToken, email: CAROL, password: 'carol-password' }).toString(),
      });

      expect(response.status).toBe(403);
      expect(await response.text()).toContain('confirm your email');
    });

    it('is redirected to /login by GET /posts even with a login session', async () => {
      const response = await get('/posts', carolCookie);

      expect(response.status).toBe(302);
      expect(response.headers.get('location')).toBe('/login');
    });

    it('gets the join halted with a redirect to /login even with a login session', async () => {
      const client = await socketFor(carolCookie);

      const { reply, events } = await joinAlicePosts(client);

      expect(reply.response).toEqual({ redirect: { to: '/login' }, events: [] });
      expect(events.map((e) => e.type)).not.toContain('view.mounted');
      expect((await client.heartbeat()).status).toBe('ok');
    });

    it('is let in on both paths once confirmed again (the guard reads the database as it is now)', async () => {
      s.app.db.prepare('UPDATE users SET confirmed_at = ? WHERE email = ?').run(new Date().toISOString(), CAROL);
      try {
        const client = await socketFor(carolCookie);

        const response = await get('/posts', carolCookie);
        const { reply } = await joinAlicePosts(client);

        expect(response.status).toBe(200);
        expect(reply.status).toBe('ok');
        expect(JSON.stringify(reply.response.rendered)).toContain(CAROL);
      } finally {
        s.app.db.prepare('UPDATE users SET confirmed_at = NULL WHERE email = ?').run(CAROL);
      }
    });
  });
});
