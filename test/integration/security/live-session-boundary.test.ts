// The liveSession boundary (Phoenix's `authorize_session`): a page token may only mount views of the
// liveSession it was signed for. A live navigation (`redirect` join) elsewhere is `unauthorized`
// and the client falls back to HTTP, where the target's own pipeline decides; a plain (`url`) join
// must route to the very view of the token. Within a liveSession navigation stays on the socket,
// and the target's onMount hooks run again, against the session and database as they are now.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_SECRET } from '../../support/demo-server.ts';
import { useDemoServer } from '../../support/use-demo-server.ts';
import {
  ClientTracker,
  connectSocket,
  fetchLivePage,
  joinPayload,
  type LiveChannel,
  type LiveClient,
  type LivePage,
  type Reply,
} from '../../support/live-client.ts';
import { logIn } from '../../support/login.ts';
import { Router, createLiveServer, defineView, html, type LiveServer, type RuntimeEvent } from '../../../server/index.ts';

interface Opened {
  page: LivePage;
  client: LiveClient;
  channel: LiveChannel;
}

describe('the liveSession boundary', () => {
  const s = useDemoServer();
  const { clients } = s;
  let aliceCookie: string;
  let adminCookie: string;

  beforeAll(async () => {
    aliceCookie = await logIn(s.baseUrl, 'alice@example.com', 'alice-password');
    adminCookie = await logIn(s.baseUrl, 'admin@example.com', 'admin-password');
  });

  /** GETs `path` (as the owner of `cookie`, anonymous without) and opens its socket. */
  async function open(path: string, cookie?: string): Promise<Opened> {
    const page = await fetchLivePage(s.baseUrl, path, cookie ? { cookie } : {});
    const client = clients.track(await connectSocket(s.baseUrl, { cookie: page.cookie, csrfToken: page.csrfToken }));
    return { page, client, channel: client.channel(page.topic) };
  }

  /** Opens `path`, joins it, then navigates live to `target` as the official client does. */
  async function navigate(path: string, target: string, cookie?: string): Promise<{ opened: Opened; reply: Reply; codes: string[] }> {
    const opened = await open(path, cookie);
    expect((await opened.channel.join(joinPayload(opened.page))).status).toBe('ok');
    await opened.channel.leave();
    const codes: string[] = [];
    const unsubscribe = s.server.events.subscribe((e: RuntimeEvent) => {
      if (e.type === 'view.join_refused' && e.topic === opened.page.topic) codes.push(e.code);
    });
    try {
      const reply = await opened.channel.join(joinPayload(opened.page, { redirect: `${s.baseUrl}${target}` }));
      return { opened, reply, codes };
    } finally {
      unsubscribe();
    }
  }

  async function get(path: string, cookie?: string): Promise<Response> {
    const response = await fetch(new URL(path, s.baseUrl), { redirect: 'manual', headers: cookie ? { cookie } : {} });
    await response.text();
    return response;
  }

  describe('a live navigation (redirect join)', () => {
    // phoenix_live_view's navigation_test.exs "refused with mismatched live session" (describe "live_redirect")
    it('from /counter (public) to /posts/1 (authenticated) is unauthorized, even for a logged-in editor', async () => {
      const { reply, codes } = await navigate('/counter', '/posts/1', aliceCookie);

      expect(reply.status).toBe('error');
      expect(reply.response).toEqual({ reason: 'unauthorized' });
      expect(codes).toEqual(['LV_ERR_CROSS_LIVE_SESSION']);
    });

    it('from /posts (authenticated) to /counter (public) is unauthorized', async () => {
      const { reply, codes } = await navigate('/posts', '/counter', aliceCookie);

      expect(reply.response).toEqual({ reason: 'unauthorized' });
      expect(codes).toEqual(['LV_ERR_CROSS_LIVE_SESSION']);
    });

    it('from /posts to /inspector (admin) is unauthorized even for the admin, who may load it over HTTP', async () => {
      const { reply } = await navigate('/posts', '/inspector', adminCookie);
      const http = await get('/inspector', adminCookie);

      expect(reply.response).toEqual({ reason: 'unauthorized' });
      expect(http.status).toBe(200);
    });

    it('from an anonymous /counter to /posts/1 is unauthorized, and the HTTP fallback is sent to /login', async () => {
      const { reply } = await navigate('/counter', '/posts/1');
      const http = await get('/posts/1');

      expect(reply.response).toEqual({ reason: 'unauthorized' });
      expect(http.status).toBe(302);
      expect(http.headers.get('location')).toBe('/login');
    });

    it('to a path that is not a live route (/login) is unauthorized', async () => {
      const { reply, codes } = await navigate('/posts', '/login', aliceCookie);

      expect(reply.response).toEqual({ reason: 'unauthorized' });
      expect(codes).toEqual(['LV_ERR_ROUTE_MISMATCH']);
    });

    // phoenix_live_view's navigation_test.exs "within same live session" (describe "live_redirect")
    it('from /posts to /posts/2 (same liveSession) mounts the post on the same socket', async () => {
      const { opened, reply } = await navigate('/posts', '/posts/2', aliceCookie);
      const post = s.app.blog.getPostForUser(s.app.accounts.listUsers()[0]!, 2)!;

      expect(reply.status).toBe('ok');
      expect(JSON.stringify(reply.response.rendered)).toContain(post.title);
      expect((await opened.client.heartbeat()).status).toBe('ok');
    });
  });

  describe('a plain join (url)', () => {
    // A join whose url routes to a different view than the token's is unauthorized.
    it('of a /posts token with the url /posts/1 (another view, same liveSession) is unauthorized', async () => {
      const { page, channel } = await open('/posts', aliceCookie);

      const reply = await channel.join(joinPayload(page, { url: `${s.baseUrl}/posts/1` }));

      expect(reply.response).toEqual({ reason: 'unauthorized' });
    });

    it('of a /counter token with the url /clock (another view, same liveSession) is unauthorized', async () => {
      const { page, channel } = await open('/counter');

      const reply = await channel.join(joinPayload(page, { url: `${s.baseUrl}/clock` }));

      expect(reply.response).toEqual({ reason: 'unauthorized' });
    });

    it('of a /counter token with the url /posts (another liveSession) is unauthorized', async () => {
      const { page, channel } = await open('/counter', aliceCookie);

      const reply = await channel.join(joinPayload(page, { url: `${s.baseUrl}/posts` }));

      expect(reply.response).toEqual({ reason: 'unauthorized' });
    });

    it("of a /posts/1 token with the url /posts/2 mounts post 2: parameters are the view's to check", async () => {
      const { page, channel } = await open('/posts/1', aliceCookie);
      const post = s.app.blog.getPostForUser(s.app.accounts.listUsers()[0]!, 2)!;

      const reply = await channel.join(joinPayload(page, { url: `${s.baseUrl}/posts/2` }));

      expect(reply.status).toBe('ok');
      expect(JSON.stringify(reply.response.rendered)).toContain(post.title);
    });

    it('of a /posts/1 token with the url of a missing post is redirected by mount, as the dead render is', async () => {
      const { page, channel } = await open('/posts/1', aliceCookie);

      const reply = await channel.join(joinPayload(page, { url: `${s.baseUrl}/posts/999` }));
      const http = await get('/posts/999', aliceCookie);

      expect(reply.response).toEqual({ redirect: { to: '/posts' }, events: [] });
      expect(http.status).toBe(302);
      expect(http.headers.get('location')).toBe('/posts');
    });
  });

  describe('the hooks on navigation', () => {
    // phoenix_live_view's router_test.exs "with on_mount hook" (describe "live_session"): the guard runs again at
    // every mount, including navigation mounts, which never pass through the HTTP pipeline.
    it('refuse a navigation once the login session is revoked, as HTTP does', async () => {
      const bobCookie = await logIn(s.baseUrl, 'bob@example.com', 'bob-password');
      const opened = await open('/posts', bobCookie);
      expect((await opened.channel.join(joinPayload(opened.page))).status).toBe('ok');
      const cookieValue = bobCookie
        .split('; ')
        .find((c) => c.startsWith('_liveward_session='))!
        .split('=')[1];
      const session = await s.server.sessions.read(cookieValue);

      s.app.accounts.deleteSessionToken(session?.user_token);
      await opened.channel.leave();
      const reply = await opened.channel.join(joinPayload(opened.page, { redirect: `${s.baseUrl}/posts/2` }));
      const http = await get('/posts/2', bobCookie);

      expect(reply.status).toBe('error');
      expect(reply.response).toEqual({ redirect: { to: '/login' }, events: [] });
      expect(http.status).toBe(302);
      expect(http.headers.get('location')).toBe('/login');
      expect((await opened.client.heartbeat()).status).toBe('ok');
    });
  });
});

describe('liveSession names', () => {
  let server: LiveServer;
  let baseUrl: string;
  const clients = new ClientTracker();
  /** URLs `handleParams` of the shared view saw, in order. */
  const handled: string[] = [];

  beforeAll(async () => {
    // One view module served in two liveSessions, and a route outside any liveSession.
    const shared = defineView<Record<string, never>>({
      name: 'shared',
      handleParams(_params, url) {
        handled.push(url.pathname);
      },
      render: () => html`<p>shared</p>`,
    });
    const loose = defineView<Record<string, never>>({ name: 'loose', render: () => html`<p>loose</p>` });
    const router = new Router();
    router.liveSession('one', {}, (s) => s.live('/one', shared));
    router.liveSession('two', {}, (s) => s.live('/two', shared));
    router.live('/loose', loose);
    server = createLiveServer({ router, secretKeyBase: TEST_SECRET });
    const { port } = await server.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await clients.closeAll();
    await server.close();
  });

  async function joined(path: string) {
    const page = await fetchLivePage(baseUrl, path);
    const client = clients.track(await connectSocket(baseUrl, { cookie: page.cookie, csrfToken: page.csrfToken }));
    const channel = client.channel(page.topic);
    expect((await channel.join(joinPayload(page))).status).toBe('ok');
    return { page, channel };
  }

  // phoenix_live_view's navigation_test.exs "refused with no live session" (describe "live_redirect")
  it('puts routes outside any liveSession in a default one that cannot navigate into a named one', async () => {
    const { page, channel } = await joined('/loose');
    await channel.leave();

    const reply = await channel.join(joinPayload(page, { redirect: `${baseUrl}/one` }));

    expect(reply.response).toEqual({ reason: 'unauthorized' });
  });

  // phoenix_live_view's router_test.exs "classifies route as external when same view, but different session";
  // a live_patch with a URL of another liveSession → link_redirect, no handleParams.
  it('answers a live_patch to the same view in another liveSession with link_redirect, without handleParams', async () => {
    const { channel } = await joined('/one');
    handled.length = 0;

    const reply = await channel.push('live_patch', { url: `${baseUrl}/two?x=1` });

    expect(reply.status).toBe('ok');
    expect(reply.response).toEqual({ link_redirect: true });
    expect(handled).toEqual([]);
  });

  it('refuses the navigation join that follows to the same view in another liveSession', async () => {
    const { page, channel } = await joined('/one');
    await channel.leave();

    const reply = await channel.join(joinPayload(page, { redirect: `${baseUrl}/two` }));

    expect(reply.response).toEqual({ reason: 'unauthorized' });
  });

  it('refuses a plain join whose url is the same view in another liveSession', async () => {
    const page = await fetchLivePage(baseUrl, '/one');
    const client = clients.track(await connectSocket(baseUrl, { cookie: page.cookie, csrfToken: page.csrfToken }));

    const reply = await client.channel(page.topic).join(joinPayload(page, { url: `${baseUrl}/two` }));

    expect(reply.response).toEqual({ reason: 'unauthorized' });
  });
});
