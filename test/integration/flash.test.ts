// Flash across every way of leaving a page, over real sockets and HTTP: the HTTP redirects of
// login and logout, a live `redirect` (the token the client puts in its `__phoenix_flash__`
// cookie), a live navigation (the token in the next join), the first mount of a page, a patch.
// A forged or expired token is no flash at all.

import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Router, allow, anyone, createLiveServer, defineView, html, type Flash, type LiveServer } from '../../server/index.ts';
import { useDemoServer } from '../support/use-demo-server.ts';
import {
  ClientTracker,
  connectSocket,
  fetchLivePage,
  joinLivePage,
  joinPayload,
  mergeCookies,
  openLivePage,
} from '../support/live-client.ts';
import { csrfInputOf, logIn } from '../support/login.ts';
import { TEST_SECRET } from '../support/demo-server.ts';

async function get(
  baseUrl: string,
  path: string,
  cookie: string,
): Promise<{ status: number; html: string; cookie: string; setCookies: string[] }> {
  const response = await fetch(new URL(path, baseUrl), { redirect: 'manual', headers: { cookie } });
  const setCookies = response.headers.getSetCookie();
  return { status: response.status, html: await response.text(), cookie: mergeCookies(cookie, setCookies), setCookies };
}

describe('flash over HTTP', () => {
  const s = useDemoServer();

  it('greets a user who logs in with "Welcome back" on the page they land on, once', async () => {
    const cookie = await logIn(s.baseUrl, 'bob@example.com', 'bob-password');

    const landing = await fetchLivePage(s.baseUrl, '/posts', { cookie });
    expect(landing.html).toMatch(/<p id="flash-info"[^>]*phx-click="lv:clear-flash" phx-value-key="info">Welcome back<\/p>/);
    // The first live mount of that page shows it too (the view token carries it)…
    const client = s.clients.track(await connectSocket(s.baseUrl, { cookie: landing.cookie, csrfToken: landing.csrfToken }));
    const first = await client.channel(landing.topic).join(joinPayload(landing));
    expect(JSON.stringify(first.response)).toContain('Welcome back');
    // …a rejoin after a reconnect does not.
    const again = await client
      .channel(landing.topic)
      .join(joinPayload(landing, { params: { _csrf_token: landing.csrfToken, _mounts: 1 } }));
    expect(JSON.stringify(again.response)).not.toContain('Welcome back');
    // And the next page does not show it again.
    const next = await fetchLivePage(s.baseUrl, '/posts', { cookie: landing.cookie });
    expect(next.html).not.toContain('flash-info');
  });

  it('says "Logged out" on /login after logout', async () => {
    const cookie = await logIn(s.baseUrl, 'bob@example.com', 'bob-password');
    const page = await fetchLivePage(s.baseUrl, '/posts', { cookie });
    const csrf = csrfInputOf(page.html)!;
    const out = await fetch(new URL('/logout', s.baseUrl), {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: page.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf_token: csrf }).toString(),
    });
    expect(out.status).toBe(302);
    const login = await get(s.baseUrl, '/login', mergeCookies(page.cookie, out.headers.getSetCookie()));
    expect(login.html).toContain('<p id="flash-info"');
    expect(login.html).toContain('>Logged out</p>');
  });

  it("shows the flash of a live redirect's cookie token once, and deletes the cookie", async () => {
    const token = await s.server.flashTokens.sign({ error: 'From a redirect' });
    const page = await get(s.baseUrl, '/counter', `__phoenix_flash__=${token}`);
    expect(page.status).toBe(200);
    expect(page.html).toContain('<p id="flash-error"');
    expect(page.html).toContain('From a redirect');
    expect(page.setCookies.some((c) => /^__phoenix_flash__=;.*Max-Age=0/.test(c))).toBe(true);
  });

  it('ignores a forged or expired flash cookie', async () => {
    const forged = await new SignJWT({ v: 1, f: { info: 'Forged' } })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt()
      .setExpirationTime('1m')
      .sign(new TextEncoder().encode('some-other-secret-some-other-secret'));
    for (const token of [forged, 'garbage', forged.replace(/\.[^.]+$/, '.AAAA')]) {
      const page = await get(s.baseUrl, '/counter', `__phoenix_flash__=${token}`);
      expect(page.status).toBe(200);
      expect(page.html).not.toContain('Forged');
      expect(page.html).not.toContain('flash-info');
    }
  });

  it("mounts with a navigation's flash token from the join, and ignores a forged one", async () => {
    const token = await s.server.flashTokens.sign({ info: 'Carried over' });
    const { page, client } = await openLivePage(s.baseUrl, '/counter');
    s.clients.track(client);
    const joined = await client.channel(page.topic).join(joinPayload(page, { flash: token }));
    expect(joined.status).toBe('ok');
    expect(JSON.stringify(joined.response)).toContain('Carried over');

    const other = await openLivePage(s.baseUrl, '/counter');
    s.clients.track(other.client);
    const forged = await other.client.channel(other.page.topic).join(joinPayload(other.page, { flash: token.slice(0, -4) + 'AAAA' }));
    expect(forged.status).toBe('ok');
    expect(JSON.stringify(forged.response)).not.toContain('Carried over');
  });
});

describe('flash across live redirects, navigation and patches', () => {
  interface LabAssigns {
    flash: Flash;
  }
  const render = ({ flash }: LabAssigns) => html`<p id="flash">${`${flash.info ?? ''}|${flash.error ?? ''}`}</p>`;
  const A = defineView<LabAssigns>({
    name: 'flash-a',
    handleEvent: {
      navigate: allow(anyone, (_v, socket) => {
        socket.putFlash('info', 'Navigated');
        socket.pushNavigate('/b');
      }),
      leave: allow(anyone, (_v, socket) => {
        socket.putFlash('info', 'Redirected');
        socket.redirect('/b');
      }),
      put: allow(anyone, (_v, socket) => socket.putFlash('error', 'Oops')),
      patch: allow(anyone, (_v, socket) => socket.pushPatch('/a?p=1')),
      patch_with_flash: allow(anyone, (_v, socket) => {
        socket.putFlash('info', 'Patched');
        socket.pushPatch('/a?p=2');
      }),
      quiet_leave: allow(anyone, (_v, socket) => socket.redirect('/b')),
    },
    render,
  });
  const B = defineView<LabAssigns>({ name: 'flash-b', render });
  let server: LiveServer;
  let baseUrl: string;
  const clients = new ClientTracker();

  beforeAll(async () => {
    const router = new Router();
    router.liveSession('lab', {}, (r) => {
      r.live('/a', A);
      r.live('/b', B);
    });
    server = createLiveServer({ router, secretKeyBase: TEST_SECRET, dataDir: '/nonexistent' });
    const { port } = await server.listen(0);
    baseUrl = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await clients.closeAll();
    await server.close();
  });

  it('signs the flash put before a pushNavigate into the live_redirect, and the next join shows it', async () => {
    const { channel, page, client } = clients.track(await joinLivePage(baseUrl, '/a'));
    const reply = await channel.event('navigate');
    const redirect = reply.response.live_redirect as { to: string; kind: string; flash: string };
    expect(redirect).toMatchObject({ to: '/b', kind: 'push' });
    await expect(server.flashTokens.verify(redirect.flash)).resolves.toEqual({ info: 'Navigated' });

    // The client joins the new view on the same socket with that token (a navigation join).
    const next = await fetchLivePage(baseUrl, '/b', { cookie: page.cookie });
    const joined = await client.channel(next.topic).join(joinPayload(next, { redirect: `${baseUrl}/b`, flash: redirect.flash }));
    expect(joined.status).toBe('ok');
    expect(JSON.stringify(joined.response)).toContain('Navigated|');
  });

  it('signs the flash put before a redirect, which the next HTTP request shows from the cookie', async () => {
    const { channel } = clients.track(await joinLivePage(baseUrl, '/a'));
    const reply = await channel.event('leave');
    const redirect = reply.response.redirect as { to: string; flash: string };
    expect(redirect.to).toBe('/b');
    const page = await get(baseUrl, '/b', `__phoenix_flash__=${redirect.flash}`);
    expect(page.html).toContain('Redirected|');
  });

  it('carries no flash on a redirect when the callback put none', async () => {
    const { channel } = clients.track(await joinLivePage(baseUrl, '/a'));
    await channel.event('put');
    const reply = await channel.event('quiet_leave');
    expect(reply.response.redirect).toEqual({ to: '/b' });
  });

  it('clears the flash on a patch, keeping only what the patching callback put', async () => {
    const { channel } = clients.track(await joinLivePage(baseUrl, '/a'));
    expect(JSON.stringify((await channel.event('put')).response)).toContain('Oops');
    const patched = await channel.event('patch');
    expect(JSON.stringify(patched.response)).not.toContain('Oops');

    await channel.event('put');
    const withFlash = await channel.event('patch_with_flash');
    expect(JSON.stringify(withFlash.response)).toContain('Patched|');
    expect(JSON.stringify(withFlash.response)).not.toContain('Oops');

    await channel.event('put');
    const clientPatch = await channel.push('live_patch', { url: `${baseUrl}/a?p=3` });
    expect(clientPatch.status).toBe('ok');
    expect(JSON.stringify(clientPatch.response)).toContain('"|"');
  });
});
