// The admin liveSession (`/inspector`) and the admin endpoint `POST /admin/disconnect`. The
// inspector is guarded on both paths like every liveSession; the endpoint takes an admin's
// cookie session plus its CSRF token, or an operator's short-lived bearer token (no cookie, so
// no CSRF risk), and nothing else.

import { beforeAll, describe, expect, it } from 'vitest';
import { TEST_SECRET } from '../../support/demo-server.ts';
import { useDemoServer } from '../../support/use-demo-server.ts';
import { connectSocket, fetchLivePage, getWithCookie, joinPayload, type LivePage } from '../../support/live-client.ts';
import { fetchCsrfToken, logIn } from '../../support/login.ts';
import { AdminTokens, Keyring, systemClock } from '../../../server/index.ts';
import type { User } from '../../../apps/auth/accounts.ts';
import { eventually } from '../../support/eventually.ts';

describe('the admin area', () => {
  const s = useDemoServer();
  const { clients } = s;
  let bob: User;
  let adminCookie: string;
  let bobCookie: string;
  let adminInspector: LivePage;

  beforeAll(async () => {
    bob = s.app.accounts.listUsers().find((u) => u.email === 'bob@example.com')!;
    adminCookie = await logIn(s.baseUrl, 'admin@example.com', 'admin-password');
    bobCookie = await logIn(s.baseUrl, bob.email, 'bob-password');
    adminInspector = await fetchLivePage(s.baseUrl, '/inspector', { cookie: adminCookie });
  });

  /** Opens a socket for `cookie` with a valid CSRF token. */
  async function socketFor(cookie: string) {
    const form = await fetchCsrfToken(s.baseUrl, cookie);
    return clients.track(await connectSocket(s.baseUrl, { cookie: form.cookie, csrfToken: form.csrfToken }));
  }

  /** Connections the registry holds for a live socket id. */
  function openSocketsOf(liveSocketId: string): number {
    return s.server.registry.describe().filter((c) => c.liveSocketId === liveSocketId).length;
  }

  async function disconnect(id: string, { cookie = '', csrfToken = null as string | null, bearer = null as string | null } = {}) {
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    if (cookie) headers.cookie = cookie;
    if (bearer !== null) headers.authorization = `Bearer ${bearer}`;
    const form = new URLSearchParams({ id });
    if (csrfToken !== null) form.set('_csrf_token', csrfToken);
    const response = await fetch(new URL('/admin/disconnect', s.baseUrl), {
      method: 'POST',
      redirect: 'manual',
      headers,
      body: form.toString(),
    });
    const text = await response.text();
    return { status: response.status, type: response.headers.get('content-type'), text };
  }

  describe('/inspector', () => {
    it('redirects bob (a reader) to /login over HTTP', async () => {
      const response = await getWithCookie(s.baseUrl, '/inspector', bobCookie);

      expect(response.status).toBe(302);
      expect(response.headers.get('location')).toBe('/login');
    });

    it("halts the join of the admin's page token on bob's socket with a redirect to /login", async () => {
      const client = await socketFor(bobCookie);

      const reply = await client.channel(adminInspector.topic).join(joinPayload(adminInspector));

      expect(reply.response).toEqual({ redirect: { to: '/login' }, events: [] });
    });

    it('mounts for the admin (the control)', async () => {
      const client = await socketFor(adminCookie);

      const reply = await client.channel(adminInspector.topic).join(joinPayload(adminInspector));

      expect(reply.status).toBe('ok');
    });

    it('stops pushing the feed to an admin demoted since the mount: the next change redirects to /login', async () => {
      const admin = s.app.accounts.listUsers().find((u) => u.email === 'admin@example.com')!;
      const channel = (await socketFor(adminCookie)).channel(adminInspector.topic);
      expect((await channel.join(joinPayload(adminInspector))).status).toBe('ok');
      try {
        s.app.accounts.setRole(admin.id, 'reader');
        await socketFor(bobCookie); // a change the feed reports

        const push = await channel.waitForPush('redirect');
        expect(push.payload).toEqual({ to: '/login' });
      } finally {
        s.app.accounts.setRole(admin.id, 'admin');
      }
    });
    it('denies every action to an admin demoted since the mount, and acts on nothing', async () => {
      const admin = s.app.accounts.listUsers().find((u) => u.email === 'admin@example.com')!;
      const channel = (await socketFor(adminCookie)).channel(adminInspector.topic);
      expect((await channel.join(joinPayload(adminInspector))).status).toBe('ok');
      const bobSocket = await socketFor(bobCookie);
      // The feed re-renders on its own, and each re-render checks the admin again (and would
      // redirect the demoted one before the actions arrive): 250 ms after a change (bob's socket)
      // and at its one-second tick. After both pushes the next re-render is most of a second
      // away; the actions go out at once, so each meets the per-event check, not the push's.
      await channel.waitForPush('diff');
      await channel.waitForPush('diff');
      try {
        s.app.accounts.setRole(admin.id, 'reader');

        const actions = [
          ['disconnect', { id: `users_socket:${bob.id}` }],
          ['terminate_account', { id: String(bob.id) }],
          ['select', { topic: adminInspector.topic }],
          ['filter', { user: String(bob.id) }],
        ] as const;
        const replies = await Promise.all(actions.map(([event, value]) => channel.event(event, value)));
        for (const [i, [event]] of actions.entries()) {
          expect(replies[i]!.status, event).toBe('error');
          expect(replies[i]!.response, event).toEqual({ reason: 'unauthorized', event });
        }
        expect((await bobSocket.heartbeat()).status).toBe('ok');
      } finally {
        s.app.accounts.setRole(admin.id, 'admin');
      }
      // bob's login survived: his cookie still opens his pages.
      const posts = await getWithCookie(s.baseUrl, '/posts', bobCookie);
      expect(posts.status).toBe(200);
    });

    it("draws a selected view's state, and none of its page's tokens, cookie or assigns", async () => {
      const bobPage = await fetchLivePage(s.baseUrl, '/posts/1', { cookie: bobCookie });
      const bobChannel = (await socketFor(bobCookie)).channel(bobPage.topic);
      expect((await bobChannel.join(joinPayload(bobPage))).status).toBe('ok');
      const channel = (await socketFor(adminCookie)).channel(adminInspector.topic);
      expect((await channel.join(joinPayload(adminInspector))).status).toBe('ok');

      const reply = await channel.event('select', { topic: bobPage.topic });

      expect(reply.status).toBe('ok');
      const shown = JSON.stringify(reply.response);
      expect(shown).toContain(`data-state=\\"live\\" aria-current=\\"true\\"`);
      expect(shown).toContain('This view marks no assigns inspectable');
      for (const secret of [
        bobPage.csrfToken,
        bobPage.session,
        bobPage.static,
        ...bobCookie.split(/[=;]\s*/).filter((v) => v.length > 20),
      ]) {
        expect(shown).not.toContain(secret);
      }
    });
  });

  describe('POST /admin/disconnect', () => {
    it('is refused to bob with 403 (JSON), even with his valid CSRF token', async () => {
      const form = await fetchCsrfToken(s.baseUrl, bobCookie);

      const result = await disconnect(`users_socket:${bob.id}`, form);

      expect(result.status).toBe(403);
      expect(result.type).toBe('application/json');
      expect(JSON.parse(result.text)).toEqual({ error: 'admins only' });
    });

    it('is refused to an anonymous visitor with 403 (JSON)', async () => {
      const anonymous = await fetchCsrfToken(s.baseUrl);

      const result = await disconnect(`users_socket:${bob.id}`, { cookie: anonymous.cookie, csrfToken: anonymous.csrfToken });

      expect(result.status).toBe(403);
      expect(JSON.parse(result.text)).toEqual({ error: 'admins only' });
    });

    // phoenix's websocket_channels_test.exs "shuts down when receiving disconnect broadcasts on socket's id"
    it('closes every socket of the id with 1001 for the admin with a CSRF token, and says how many', async () => {
      const bobSockets = [await socketFor(bobCookie), await socketFor(bobCookie)];
      const form = await fetchCsrfToken(s.baseUrl, adminCookie);
      const open = openSocketsOf(`users_socket:${bob.id}`);

      const result = await disconnect(`users_socket:${bob.id}`, form);

      expect(result.status).toBe(200);
      expect(open).toBeGreaterThanOrEqual(2);
      expect(JSON.parse(result.text)).toMatchObject({ id: `users_socket:${bob.id}`, closed: open, unanswered: [] });
      for (const socket of bobSockets) expect((await socket.closed).code).toBe(1001);
      // The registry forgets a connection when its server side has closed too.
      await eventually(() => openSocketsOf(`users_socket:${bob.id}`) === 0, 'bob has no connection left');
    });

    it('is refused to the admin with 403 without a CSRF token, and closes nothing', async () => {
      const bobSocket = await socketFor(bobCookie);

      const { cookie } = await fetchCsrfToken(s.baseUrl, adminCookie);

      const result = await disconnect(`users_socket:${bob.id}`, { cookie });

      expect(result.status).toBe(403);
      expect((await bobSocket.heartbeat()).status).toBe('ok');
    });

    it('is refused with 401 (JSON) to a forged, expired, garbage or other-purpose bearer token', async () => {
      const bobSocket = await socketFor(bobCookie);
      const forged = await new AdminTokens(new Keyring(`${TEST_SECRET}-but-not-quite`), systemClock).sign('disconnect');
      const twoMinutesAgo = { ...systemClock, now: () => Date.now() - 120_000 };
      const expired = await new AdminTokens(new Keyring(TEST_SECRET), twoMinutesAgo).sign('disconnect');
      const otherAction = await s.server.adminTokens.sign('ban');

      for (const bearer of [forged, expired, 'garbage', otherAction]) {
        const result = await disconnect(`users_socket:${bob.id}`, { bearer });

        expect(result.status).toBe(401);
        expect(result.type).toBe('application/json');
        expect(JSON.parse(result.text)).toEqual({ error: 'invalid or expired operator token' });
      }
      expect((await bobSocket.heartbeat()).status).toBe('ok');
    });

    it('is allowed with a fresh operator token, without cookie or CSRF token (the control)', async () => {
      const bobSocket = await socketFor(bobCookie);

      const open = openSocketsOf(`users_socket:${bob.id}`);

      const result = await disconnect(`users_socket:${bob.id}`, { bearer: await s.server.adminTokens.sign('disconnect') });

      expect(result.status).toBe(200);
      expect(open).toBeGreaterThanOrEqual(1);
      expect(JSON.parse(result.text)).toMatchObject({ id: `users_socket:${bob.id}`, closed: open, unanswered: [] });
      expect((await bobSocket.closed).code).toBe(1001);
    });

    it("carries no cookie identity past CSRF: a token with bob's cookie cannot log bob out without a CSRF token", async () => {
      const ownCookie = await logIn(s.baseUrl, bob.email, 'bob-password');
      const bearer = await s.server.adminTokens.sign('disconnect');

      const response = await fetch(new URL('/logout', s.baseUrl), {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: ownCookie, authorization: `Bearer ${bearer}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: '',
      });
      await response.text();

      // bob's login session survived: his cookie still opens the authenticated pages.
      const posts = await getWithCookie(s.baseUrl, '/posts', ownCookie);
      expect(posts.status).toBe(200);
    });
  });
});
