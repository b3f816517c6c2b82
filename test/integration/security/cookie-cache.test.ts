// The server remembers the session cookies it wrote or decrypted and the view tokens it signed, so
// a page's socket and join skip that cryptography (`maxCachedCookieSessions`, `maxMintedViewTokens`).
// Here, with those caches warm: what the cookie says is still checked against the store at every
// request and mount (a revoked login opens nothing, though its cookie is remembered), anything not
// byte-identical to a remembered cookie or token is refused as before, and a GET that did not change
// the session writes no cookie.

import { describe, expect, it } from 'vitest';
import { useDemoServer } from '../../support/use-demo-server.ts';
import { connectSocket, fetchLivePage, getWithCookie, joinPayload, type LivePage } from '../../support/live-client.ts';
import { logIn } from '../../support/login.ts';

const COOKIE = '_liveward_session';

describe('the server’s caches of cookies and tokens', () => {
  const s = useDemoServer();
  const { clients } = s;

  const get = (path: string, cookie: string): Promise<Response> => getWithCookie(s.baseUrl, path, cookie);

  async function join(page: LivePage, cookie = page.cookie) {
    const client = clients.track(await connectSocket(s.baseUrl, { cookie, csrfToken: page.csrfToken }));
    return client.channel(page.topic).join(joinPayload(page));
  }

  it('writes no cookie on a GET that left the session as it was', async () => {
    const first = await fetch(new URL('/counter', s.baseUrl));
    await first.text();
    const cookie = first.headers.getSetCookie()[0]!.split(';')[0]!;
    const again = await get('/counter', cookie);
    expect(again.status).toBe(200);
    expect(again.headers.getSetCookie().filter((c) => c.startsWith(`${COOKIE}=`))).toEqual([]);
  });

  it('opens nothing with a remembered cookie whose login session was revoked meanwhile', async () => {
    const alice = s.app.accounts.listUsers().find((u) => u.email === 'alice@example.com')!;
    const cookie = await logIn(s.baseUrl, alice.email, 'alice-password');
    const page = await fetchLivePage(s.baseUrl, '/posts', { cookie });
    expect((await join(page)).status).toBe('ok'); // the cookie and the tokens are remembered now

    // Revoked in the store only: no disconnect, no logout request, nothing the caches hear of.
    s.app.accounts.deleteAllSessionTokens(alice.id);

    const http = await get('/posts', page.cookie);
    expect(http.status).toBe(302);
    expect(http.headers.get('location')).toBe('/login');
    // The client reconnects with the same cookie and joins again: the hooks find no user.
    const reply = await join(page);
    expect(reply.status).toBe('error');
    expect(reply.response).toEqual({ redirect: { to: '/login' }, events: [] });
  });

  it('refuses a changed copy of a remembered cookie: the socket has no session, so the join is stale', async () => {
    const page = await fetchLivePage(s.baseUrl, '/counter');
    expect((await join(page)).status).toBe('ok');
    const value = page.cookie.slice(COOKIE.length + 1);
    const parts = value.split('.');
    parts[3] = (parts[3]![0] === 'A' ? 'B' : 'A') + parts[3]!.slice(1);
    const changed = `${COOKIE}=${parts.join('.')}`;

    const fresh = await fetchLivePage(s.baseUrl, '/counter');
    const reply = await join(fresh, changed);
    expect(reply.response).toEqual({ reason: 'stale' });
  });

  it('refuses a token the server signed once its payload was changed, though the genuine one is remembered', async () => {
    const page = await fetchLivePage(s.baseUrl, '/counter');
    const [header, payload, signature] = page.session.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...claims, view: 'Clock' })).toString('base64url')}.${signature}`;

    expect((await join({ ...page, session: forged })).response).toEqual({ reason: 'stale' });
    expect((await join(page)).status).toBe('ok');
  });
});
