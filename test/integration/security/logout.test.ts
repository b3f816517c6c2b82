// Login sessions live on the server: logging out deletes the login token, so a cookie
// copied before the logout opens nothing, on HTTP or at join. Logout also disconnects the user's
// live sockets (1001), so open pages remount against the current session and land on /login.
// Logout is a state-changing POST: it needs the CSRF token of its session.

import { describe, expect, it } from 'vitest';
import { useDemoServer } from '../../support/use-demo-server.ts';
import { connectSocket, fetchLivePage, getWithCookie, joinPayload, mergeCookies, type LivePage } from '../../support/live-client.ts';
import { fetchCsrfToken, logIn } from '../../support/login.ts';

describe('logout', () => {
  const s = useDemoServer();
  const { clients } = s;

  const get = (path: string, cookie: string): Promise<Response> => getWithCookie(s.baseUrl, path, cookie);

  function postLogout(cookie: string, csrfToken: string | null): Promise<Response> {
    const form = new URLSearchParams(csrfToken === null ? {} : { _csrf_token: csrfToken });
    return fetch(new URL('/logout', s.baseUrl), {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
  }

  /** Opens and joins `page` on a new socket with `cookie` and `csrfToken`. */
  async function rejoin(page: LivePage, cookie: string, csrfToken: string) {
    const client = clients.track(await connectSocket(s.baseUrl, { cookie, csrfToken }));
    return { client, reply: await client.channel(page.topic).join(joinPayload(page)) };
  }

  // The whole scenario: login → page open → logout → disconnect → rejoin refused.
  it('revokes a copied cookie on both paths and kicks the open page with 1001', async () => {
    const cookie = await logIn(s.baseUrl, 'alice@example.com', 'alice-password');
    const page = await fetchLivePage(s.baseUrl, '/posts', { cookie });
    const open = clients.track(await connectSocket(s.baseUrl, { cookie: page.cookie, csrfToken: page.csrfToken }));
    expect((await open.channel(page.topic).join(joinPayload(page))).status).toBe('ok');
    const copied = page.cookie;

    const logout = await postLogout(copied, page.csrfToken);
    await logout.text();
    const kicked = await open.closed;

    expect(logout.status).toBe(302);
    expect(logout.headers.get('location')).toBe('/login');
    // phoenix's socket_test.exs "disconnect broadcast emits close code 1001 so phoenix.js reconnects"
    expect(kicked.code).toBe(1001);
    // HTTP with the copied cookie: the login token it names is gone.
    const http = await get('/posts', copied);
    expect(http.status).toBe(302);
    expect(http.headers.get('location')).toBe('/login');
    // The client reconnects with the copied cookie and rejoins: the hooks find no user.
    const { client, reply } = await rejoin(page, copied, page.csrfToken);
    expect(reply.status).toBe('error');
    expect(reply.response).toEqual({ redirect: { to: '/login' }, events: [] });
    expect((await client.heartbeat()).status).toBe('ok');
  });

  // A cookie copied before a logout names a login session that no longer exists: it speaks for
  // nobody, so replaying its logout form must not disconnect the sockets the user opened since.
  it("lets a copy of a logged-out cookie disconnect nothing: the user's new socket stays up", async () => {
    const oldPage = await fetchLivePage(s.baseUrl, '/posts', { cookie: await logIn(s.baseUrl, 'alice@example.com', 'alice-password') });
    await (await postLogout(oldPage.cookie, oldPage.csrfToken)).text();
    const page = await fetchLivePage(s.baseUrl, '/posts', { cookie: await logIn(s.baseUrl, 'alice@example.com', 'alice-password') });
    const open = clients.track(await connectSocket(s.baseUrl, { cookie: page.cookie, csrfToken: page.csrfToken }));
    expect((await open.channel(page.topic).join(joinPayload(page))).status).toBe('ok');

    const replay = await postLogout(oldPage.cookie, oldPage.csrfToken);
    await replay.text();

    expect(replay.status).toBe(302);
    expect(replay.headers.get('location')).toBe('/login');
    // A disconnect would have sent the close frame before the response: the socket still answers.
    expect((await open.heartbeat()).status).toBe('ok');
    expect((await get('/posts', page.cookie)).status).toBe(200);
  });

  it('gives the browser a fresh session whose socket no longer matches the old page (stale)', async () => {
    const cookie = await logIn(s.baseUrl, 'bob@example.com', 'bob-password');
    const page = await fetchLivePage(s.baseUrl, '/posts', { cookie });

    const logout = await postLogout(page.cookie, page.csrfToken);
    await logout.text();
    const afterLogout = mergeCookies(page.cookie, logout.headers.getSetCookie());
    const http = await get('/posts', afterLogout);
    // The reloaded page's socket still presents the old page's CSRF token: no session.
    const { reply } = await rejoin(page, afterLogout, page.csrfToken);

    expect(afterLogout).not.toBe(page.cookie);
    expect(http.headers.get('location')).toBe('/login');
    expect(reply.response).toEqual({ reason: 'stale' });
  });

  it('is refused with 403 without a CSRF token, and the session keeps working', async () => {
    // A cookie that holds a CSRF secret, so only the missing token can be the reason.
    const { cookie } = await fetchCsrfToken(s.baseUrl, await logIn(s.baseUrl, 'alice@example.com', 'alice-password'));

    const logout = await postLogout(cookie, null);

    expect(logout.status).toBe(403);
    expect(await logout.text()).toContain('CSRF');
    expect((await get('/posts', cookie)).status).toBe(200);
  });

  it('is refused with 403 with the CSRF token of another session', async () => {
    const { cookie } = await fetchCsrfToken(s.baseUrl, await logIn(s.baseUrl, 'alice@example.com', 'alice-password'));
    const stranger = await fetchCsrfToken(s.baseUrl);

    const logout = await postLogout(cookie, stranger.csrfToken);
    await logout.text();

    expect(logout.status).toBe(403);
    expect((await get('/posts', cookie)).status).toBe(200);
  });
});
