// The view tokens of a page (`data-phx-session`, `data-phx-static`) at join time, on alice's
// `/posts` page: only an untouched, current, fresh token bound to the joined topic mounts; every
// other one is `stale` (as in Phoenix's `verify_session`), even on a socket with alice's valid
// cookie session. And what the tokens and the cookie let a reader of the page learn: nothing secret.

import { SignJWT } from 'jose';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TEST_SECRET } from '../../support/demo-server.ts';
import { connectSocket, fetchLivePage, joinPayload, type LiveClient, type LivePage, type Payload } from '../../support/live-client.ts';
import { useDemoServer } from '../../support/use-demo-server.ts';
import { logIn } from '../../support/login.ts';
import { Keyring, systemClock, type Clock } from '../../../server/index.ts';

/** The JSON inside one base64url segment of a JWS/JWE, or null when it is not JSON. */
function decodeSegment(segment: string | undefined): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment ?? '', 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** The claims of a JWS, as anyone holding the page can read them. */
function jwsClaims(token: string): Record<string, unknown> {
  const claims = decodeSegment(token.split('.')[1]);
  expect(claims).not.toBeNull();
  return claims!;
}

describe('view tokens at join', () => {
  /** How far the server's clock runs ahead of real time. */
  let clockOffsetMs = 0;
  const clock: Clock = {
    now: () => Date.now() + clockOffsetMs,
    setTimeout: systemClock.setTimeout,
    clearTimeout: systemClock.clearTimeout,
  };
  const s = useDemoServer({ clock });
  const { clients } = s;
  const sessionKey = new Keyring(TEST_SECRET).key('view-session');
  let aliceCookie: string;
  let client: LiveClient;

  beforeAll(async () => {
    aliceCookie = await logIn(s.baseUrl, 'alice@example.com', 'alice-password');
    const page = await fetchLivePage(s.baseUrl, '/counter', { cookie: aliceCookie });
    client = clients.track(await connectSocket(s.baseUrl, { cookie: page.cookie, csrfToken: page.csrfToken }));
  });
  afterEach(async () => {
    clockOffsetMs = 0;
    // Refusals never take the socket down.
    expect((await client.heartbeat()).status).toBe('ok');
  });

  /** A fresh `/posts` page of alice's (its own view id). */
  function alicePosts(): Promise<LivePage> {
    return fetchLivePage(s.baseUrl, '/posts', { cookie: aliceCookie });
  }

  function join(page: LivePage, overrides: Payload = {}, topic = page.topic) {
    return client.channel(topic).join(joinPayload(page, overrides));
  }

  /** Signs a session token with the server's real key, with claims of our choosing. */
  function signSession(claims: Record<string, unknown>, issuedAtS: number, alg = 'HS256'): Promise<string> {
    return new SignJWT(claims)
      .setProtectedHeader({ alg })
      .setIssuedAt(issuedAtS)
      .setExpirationTime(issuedAtS + 10 * 365 * 24 * 3600)
      .sign(sessionKey);
  }

  const nowS = () => Math.floor(Date.now() / 1000);

  /** A page's session claims without the times, to sign again with times of our choosing. */
  function unsignedClaims(page: LivePage): Record<string, unknown> {
    const { iat: _iat, exp: _exp, ...claims } = jwsClaims(page.session);
    return claims;
  }

  it("mounts with the page's own tokens (the control)", async () => {
    const page = await alicePosts();

    const reply = await join(page);

    expect(reply.status).toBe('ok');
  });

  // phoenix_live_view's live_view_test.exs "live render with bad session" (signature broken by an edit of the claims)
  it('refuses a public page token whose claims were edited to the authenticated liveSession as stale', async () => {
    const counter = await fetchLivePage(s.baseUrl, '/counter', { cookie: aliceCookie });
    const [header, , signature] = counter.session.split('.');
    const claims = { ...jwsClaims(counter.session), view: 'post-index', ls: 'authenticated' };
    const forged = [header, Buffer.from(JSON.stringify(claims)).toString('base64url'), signature].join('.');

    const reply = await join(counter, { url: `${s.baseUrl}/posts`, session: forged, static: null });

    expect(reply.response).toEqual({ reason: 'stale' });
  });

  // phoenix_live_view's live_view_test.exs "live render with expired session"
  it('refuses a token older than sessionMaxAgeS as stale, and accepts it just before', async () => {
    const page = await alicePosts();
    const maxAgeMs = s.server.limits.sessionMaxAgeS * 1000;

    clockOffsetMs = maxAgeMs - 60_000;
    const young = await join(page);
    clockOffsetMs = maxAgeMs + 1_000;
    const old = await join(page);

    expect(young.status).toBe('ok');
    expect(old.response).toEqual({ reason: 'stale' });
  });

  // phoenix's token_test.exs "supports max age in seconds" / "supports signed_at in seconds"
  it('refuses a correctly signed token issued 15 days ago as stale, whatever its exp claim says', async () => {
    const page = await alicePosts();
    const claims = unsignedClaims(page);
    const fresh = await signSession(claims, nowS());
    const old = await signSession(claims, nowS() - 15 * 24 * 3600);

    const accepted = await join(page, { session: fresh });
    const refused = await join(page, { session: old });

    expect(accepted.status).toBe('ok');
    expect(refused.response).toEqual({ reason: 'stale' });
  });

  // PLUG-CRYPTO validate_age/2: `signed_at` in the future → invalid
  it('refuses a correctly signed token issued in the future as stale', async () => {
    const page = await alicePosts();
    const claims = unsignedClaims(page);

    const reply = await join(page, { session: await signSession(claims, nowS() + 3600) });

    expect(reply.response).toEqual({ reason: 'stale' });
  });

  // phoenix_live_view's live_view_test.exs "live render with outdated session"
  it('refuses a correctly signed token of another payload version as stale', async () => {
    const page = await alicePosts();
    const claims = unsignedClaims(page);

    for (const v of [0, 2, '1', undefined]) {
      const reply = await join(page, { session: await signSession({ ...claims, v }, nowS()) });

      expect(reply.response).toEqual({ reason: 'stale' });
    }
  });

  // phoenix_live_view's navigation_test.exs "with outdated token" (describe "live_redirect")
  it('refuses a live navigation carrying a token of another payload version as stale', async () => {
    const page = await alicePosts();
    const claims = unsignedClaims(page);
    const outdated = await signSession({ ...claims, v: 0 }, nowS());
    const channel = client.channel(page.topic);
    expect((await channel.join(joinPayload(page))).status).toBe('ok');
    await channel.leave();

    const reply = await channel.join(joinPayload(page, { redirect: `${s.baseUrl}/posts/2`, session: outdated }));

    expect(reply.response).toEqual({ reason: 'stale' });
  });

  it('refuses a token signed with the right key under another algorithm (HS512, none) as stale', async () => {
    const page = await alicePosts();
    const claims = unsignedClaims(page);
    const hs512 = await signSession(claims, nowS(), 'HS512');
    const unsigned = [
      Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url'),
      Buffer.from(JSON.stringify({ ...claims, iat: nowS() })).toString('base64url'),
      '',
    ].join('.');

    expect((await join(page, { session: hs512 })).response).toEqual({ reason: 'stale' });
    expect((await join(page, { session: unsigned })).response).toEqual({ reason: 'stale' });
  });

  it('refuses the static token presented as the session token as stale (keys are per purpose)', async () => {
    const page = await alicePosts();

    const reply = await join(page, { session: page.static });

    expect(reply.response).toEqual({ reason: 'stale' });
  });

  // A session token used on a different topic (the token is bound to its topic's id).
  it('refuses a token joined on the topic of another page as stale', async () => {
    const [page, other] = await Promise.all([alicePosts(), alicePosts()]);

    const reply = await join(page, {}, other.topic);

    expect(reply.response).toEqual({ reason: 'stale' });
  });

  // A valid session token with the static token of another view (id mismatch).
  it('refuses a static token of another page as stale', async () => {
    const [page, other] = await Promise.all([alicePosts(), alicePosts()]);

    const reply = await join(page, { static: other.static });

    expect(reply.response).toEqual({ reason: 'stale' });
  });

  // A join payload without `session`.
  it('refuses a join without a session token as stale', async () => {
    const page = await alicePosts();
    const { session: _dropped, ...payload } = joinPayload(page);

    const reply = await client.channel(page.topic).join(payload);

    expect(reply.response).toEqual({ reason: 'stale' });
  });
});

describe('what a page and its cookie reveal', () => {
  const s = useDemoServer();
  let aliceCookie: string;
  let page: LivePage;

  beforeAll(async () => {
    aliceCookie = await logIn(s.baseUrl, 'alice@example.com', 'alice-password');
    page = await fetchLivePage(s.baseUrl, '/posts/1', { cookie: aliceCookie });
  });

  // phoenix_live_view's router_test.exs "with defaults", "with extra session metadata" (describe "live_session")
  it("signs only ids, names, the liveSession's extra session and the flash the page shows into the view tokens", () => {
    const session = jwsClaims(page.session);
    const statics = jwsClaims(page.static!);

    // The first page after the login shows "Welcome back": its first live mount shows it too.
    expect(page.html).toContain('Welcome back');
    expect(Object.keys(session).sort()).toEqual(['exp', 'ext', 'fl', 'iat', 'ls', 'sid', 'v', 'view']);
    expect(session).toMatchObject({ sid: page.id, view: 'post-show', ls: 'authenticated', ext: {}, fl: { info: 'Welcome back' } });
    expect(Object.keys(statics).sort()).toEqual(['an', 'exp', 'iat', 'sid', 'v']);
  });

  it('puts no secret and no cookie data into the view tokens', () => {
    const { password_hash: passwordHash } = s.app.db
      .prepare('SELECT password_hash FROM users WHERE email = ?')
      .get('alice@example.com') as { password_hash: string };
    const readable = [page.session, page.static!].map((t) => JSON.stringify(jwsClaims(t))).join('\n');
    const cookieValue = aliceCookie.split('=').slice(1).join('=');

    for (const needle of ['user_token', '_csrf_token', 'live_socket_id', 'users_socket', 'alice', 'password', 'scrypt']) {
      expect(readable).not.toContain(needle);
    }
    expect(readable).not.toContain(passwordHash.split('$').at(-1));
    expect(readable).not.toContain(page.csrfToken);
    expect(readable).not.toContain(TEST_SECRET);
    expect(page.session).not.toContain(cookieValue.slice(0, 40));
  });

  it('keeps the cookie session unreadable: a JWE whose parts do not decode to the session', async () => {
    const value = aliceCookie
      .split('; ')
      .find((c) => c.startsWith('_liveward_session='))!
      .slice('_liveward_session='.length);
    const parts = value.split('.');

    expect(parts).toHaveLength(5); // JWE compact form, not a 3-part JWS
    expect(decodeSegment(parts[0])).toEqual({ alg: 'dir', enc: 'A256GCM' });
    for (const part of parts.slice(1)) {
      const text = Buffer.from(part, 'base64url').toString('latin1');
      expect(decodeSegment(part)).toBeNull();
      expect(text).not.toContain('user_token');
      expect(text).not.toContain('users_socket');
    }
    // The server itself can read it, so the data is in there, encrypted.
    expect(await s.server.sessions.read(value)).toMatchObject({ live_socket_id: expect.stringMatching(/^users_socket:/) });
  });
});
