// What a WebSocket connection knows about its user, and where that comes from (as in Phoenix's
// `transport.ex`): the Origin is checked at the upgrade; the cookie session is read at connect and
// counts only with a matching `_csrf_token` query parameter; without it the socket has no session, no
// live socket id, and every join is `stale`. The page token carries no identity: whoever
// replays it is whoever their own cookie says.

import { beforeAll, describe, expect, it } from 'vitest';
import { useDemoServer } from '../../support/use-demo-server.ts';
import {
  UpgradeRefusedError,
  connectSocket,
  fetchLivePage,
  joinPayload,
  type LiveClient,
  type LivePage,
  type SocketOptions,
} from '../../support/live-client.ts';
import { fetchCsrfToken, logIn } from '../../support/login.ts';
import type { User } from '../../../apps/auth/accounts.ts';

describe('the session of a socket', () => {
  const s = useDemoServer();
  const { clients } = s;
  let alice: User;
  let aliceCookie: string;
  let alicePosts: LivePage;

  beforeAll(async () => {
    alice = s.app.accounts.listUsers().find((u) => u.email === 'alice@example.com')!;
    aliceCookie = await logIn(s.baseUrl, alice.email, 'alice-password');
    alicePosts = await fetchLivePage(s.baseUrl, '/posts', { cookie: aliceCookie });
  });

  /** Connects and returns the client with the connection id and live socket id the server gave it. */
  async function connect(options: SocketOptions): Promise<{ client: LiveClient; connectionId: string; liveSocketId: string | null }> {
    let opened: { connectionId: string; liveSocketId: string | null } | null = null;
    const unsubscribe = s.server.events.subscribe((e) => {
      if (e.type === 'connection.opened') opened = { connectionId: e.connectionId, liveSocketId: e.liveSocketId };
    });
    try {
      const client = clients.track(await connectSocket(s.baseUrl, options));
      await client.heartbeat(); // the connection is registered once it answers
      if (!opened) throw new Error('no connection.opened event');
      return { client, ...(opened as { connectionId: string; liveSocketId: string | null }) };
    } finally {
      unsubscribe();
    }
  }

  async function refusedStatus(options: SocketOptions): Promise<number> {
    const error = await connectSocket(s.baseUrl, options).then(
      async (client) => {
        await client.close();
        return new Error('the upgrade was accepted');
      },
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(UpgradeRefusedError);
    return (error as UpgradeRefusedError).status;
  }

  describe('the Origin check', () => {
    // phoenix's transport_test.exs "halts invalid URIs when check origin is configured"
    // (the foreign-site case, "refuses unallowed origins", is in test/integration/upgrade.test.ts)
    it('refuses origins without a host (null, file://) and look-alike hosts with 403', async () => {
      const { host } = new URL(s.baseUrl);
      const hostname = host.split(':')[0];
      for (const origin of ['null', 'file://', `http://${hostname}.evil.example`, `http://evil-${hostname}`]) {
        const status = await refusedStatus({ cookie: alicePosts.cookie, csrfToken: alicePosts.csrfToken, origin });

        expect(status, origin).toBe(403);
      }
    });
  });

  describe('the CSRF check at connect', () => {
    // phoenix's transport_test.exs "loads the session from MFA"; phoenix_live_view's socket_test.exs "use with no override"
    it("with alice's cookie and a valid token gives the socket her session and live socket id", async () => {
      const { client, connectionId, liveSocketId } = await connect({ cookie: alicePosts.cookie, csrfToken: alicePosts.csrfToken });

      const reply = await client.channel(alicePosts.topic).join(joinPayload(alicePosts));

      expect(reply.status).toBe('ok');
      expect(liveSocketId).toBe(`users_socket:${alice.id}`);
      expect(s.server.registry.describe().find((c) => c.connectionId === connectionId)?.liveSocketId).toBe(`users_socket:${alice.id}`);
    });

    // phoenix's transport_test.exs "doesn't load session when an invalid CSRF token is provided";
    // phoenix's websocket_channels_test.exs "transport session is extracted to the socket connect_info"
    it("with alice's cookie and a bad token accepts the upgrade but gives no session and no live socket id", async () => {
      const { client, connectionId, liveSocketId } = await connect({ cookie: alicePosts.cookie, csrfToken: 'x'.repeat(48) });

      const reply = await client.channel(alicePosts.topic).join(joinPayload(alicePosts));

      expect(reply.response).toEqual({ reason: 'stale' });
      expect(liveSocketId).toBeNull();
      expect(s.server.registry.describe().find((c) => c.connectionId === connectionId)?.liveSocketId).toBeNull();
      expect((await client.heartbeat()).status).toBe('ok');
    });

    it("with alice's cookie and no token at all gives no session", async () => {
      const { client, liveSocketId } = await connect({ cookie: alicePosts.cookie });

      const reply = await client.channel(alicePosts.topic).join(joinPayload(alicePosts));

      expect(reply.response).toEqual({ reason: 'stale' });
      expect(liveSocketId).toBeNull();
    });

    // phoenix_live_view's socket_test.exs "use with no override": no session → no id, so it cannot be disconnected
    it("keeps a socket without session out of registry.disconnect of the user's id", async () => {
      const good = await connect({ cookie: alicePosts.cookie, csrfToken: alicePosts.csrfToken });
      const bad = await connect({ cookie: alicePosts.cookie, csrfToken: 'x'.repeat(48) });

      const { closed } = await s.server.registry.disconnect(`users_socket:${alice.id}`);
      const kicked = await good.client.closed;

      expect(closed).toBeGreaterThanOrEqual(1);
      expect(kicked.code).toBe(1001);
      expect((await bad.client.heartbeat()).status).toBe('ok');
    });

    // Only the upgrade's `_csrf_token` query parameter counts; the copy in the join params does not.
    it('ignores a wrong _csrf_token inside the join params', async () => {
      const { client } = await connect({ cookie: alicePosts.cookie, csrfToken: alicePosts.csrfToken });

      const reply = await client
        .channel(alicePosts.topic)
        .join(joinPayload(alicePosts, { params: { _csrf_token: 'wrong', _mounts: 0, _mount_attempts: 0 } }));

      expect(reply.status).toBe('ok');
    });
  });

  describe('a replayed page token', () => {
    // A session token replayed on another connection without the cookie is stale.
    it("of alice's /posts is stale on a connection without her cookie", async () => {
      const anonymous = await fetchCsrfToken(s.baseUrl);
      const { client } = await connect({ csrfToken: anonymous.csrfToken });

      const reply = await client.channel(alicePosts.topic).join(joinPayload(alicePosts));

      expect(reply.response).toEqual({ reason: 'stale' });
    });

    it("of alice's /posts mounts as bob on bob's connection: the token carries no identity", async () => {
      const bobCookie = await logIn(s.baseUrl, 'bob@example.com', 'bob-password');
      const bobForm = await fetchCsrfToken(s.baseUrl, bobCookie);
      const { client } = await connect({ cookie: bobForm.cookie, csrfToken: bobForm.csrfToken });

      const reply = await client.channel(alicePosts.topic).join(joinPayload(alicePosts));
      const rendered = JSON.stringify(reply.response.rendered);

      expect(reply.status).toBe('ok');
      expect(rendered).toContain('bob@example.com');
      expect(rendered).not.toContain('alice@example.com');
    });
  });
});
