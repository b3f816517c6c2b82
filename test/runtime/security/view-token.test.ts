import { SignJWT, base64url, errors as joseErrors } from 'jose';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Clock } from '../../../runtime/clock.ts';
import { LiveError, type LiveErrorCode } from '../../../runtime/errors.ts';
import { HmacJws, type MintedToken } from '../../../runtime/security/hmac-jws.ts';
import { Keyring } from '../../../runtime/security/keyring.ts';
import { VerifiedCache } from '../../../runtime/security/verified-cache.ts';
import { VIEW_TOKEN_VERSION, ViewTokens, type SessionClaims } from '../../../runtime/security/view-token.ts';

const SECRET = 'view-token-test-secret-key-base-0123456789abcdef';
const MAX_AGE_S = 14 * 24 * 3600; // two weeks
const T0 = Date.UTC(2025, 0, 15, 12, 0, 0);

/** A clock that only moves when the test says so. */
function manualClock(startMs: number): Clock & { set(ms: number): void } {
  let now = startMs;
  return {
    now: () => now,
    setTimeout: (fn, ms) => setTimeout(fn, ms),
    clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
    set: (ms) => {
      now = ms;
    },
  };
}

const claims: SessionClaims = {
  id: 'phx-F1a2b3',
  view: 'CounterView',
  liveSession: 'default',
  session: { userId: 7, locale: 'en' },
};

/** Tokens this node remembers having signed (0: none); every suite below runs both ways. */
let mintedTokens = 0;

function setup(secret = SECRET) {
  const keyring = new Keyring(secret);
  const clock = manualClock(T0);
  return { keyring, clock, tokens: new ViewTokens(keyring, clock, MAX_AGE_S, mintedTokens) };
}

/** Expects `promise` to reject with a LiveError of `code` (and never a jose error). */
async function expectLiveError(promise: Promise<unknown>, code: LiveErrorCode): Promise<void> {
  const err = await promise.then(
    () => {
      throw new Error(`expected ${code}, but the token verified`);
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(LiveError);
  expect(err).not.toBeInstanceOf(joseErrors.JOSEError);
  expect((err as LiveError).code).toBe(code);
  expect((err as LiveError).reason).toBe('stale');
}

/** A session token signed by hand, for claims and headers ViewTokens would never produce. */
function handSigned(key: Uint8Array, payload: Record<string, unknown>, alg = 'HS256', iatS = T0 / 1000) {
  return new SignJWT(payload)
    .setProtectedHeader({ alg })
    .setIssuedAt(iatS)
    .setExpirationTime(iatS + MAX_AGE_S)
    .sign(key);
}

const wireClaims = { sid: claims.id, view: claims.view, ls: claims.liveSession, ext: claims.session };

function decodePayload(token: string): Record<string, unknown> {
  const [, payload] = token.split('.');
  return JSON.parse(new TextDecoder().decode(base64url.decode(payload!))) as Record<string, unknown>;
}

// Most cases sign and then verify on the same `ViewTokens`: with a cache, the token is a minted one,
// so every refusal below is also checked with the cache warm.
describe.each([
  ['without', 0],
  ['with', 16],
])('ViewTokens (%s a cache of minted tokens)', (_, size) => {
  beforeEach(() => {
    mintedTokens = size;
  });

  describe('#signSession', () => {
    it('returns a compact JWS signed with HS256', async () => {
      const { tokens } = setup();
      const token = await tokens.signSession(claims);
      const [header] = token.split('.');
      expect(token.split('.')).toHaveLength(3);
      expect(JSON.parse(new TextDecoder().decode(base64url.decode(header!)))).toEqual({ alg: 'HS256' });
    });

    it('puts only ids, the version, times and the liveSession session in the payload', async () => {
      const { tokens } = setup();
      const payload = decodePayload(await tokens.signSession(claims));
      expect(Object.keys(payload).sort()).toEqual(['exp', 'ext', 'iat', 'ls', 'sid', 'v', 'view']);
      expect(payload).toEqual({
        v: VIEW_TOKEN_VERSION,
        sid: claims.id,
        view: claims.view,
        ls: claims.liveSession,
        ext: claims.session,
        iat: T0 / 1000,
        exp: T0 / 1000 + MAX_AGE_S,
      });
    });

    it('carries no cookie data', async () => {
      const { tokens } = setup();
      const token = await tokens.signSession(claims);
      const text = JSON.stringify(decodePayload(token));
      for (const word of ['_csrf_token', 'cookie', 'csrf', 'secret', SECRET]) expect(text).not.toContain(word);
    });
  });

  describe('#verifySession', () => {
    it('returns the claims a token was signed with', async () => {
      const { tokens } = setup();
      await expect(tokens.verifySession(await tokens.signSession(claims))).resolves.toEqual(claims);
    });

    it('accepts a token just before it reaches its maximum age', async () => {
      const { tokens, clock } = setup();
      const token = await tokens.signSession(claims);
      clock.set(T0 + MAX_AGE_S * 1000 - 1000);
      await expect(tokens.verifySession(token)).resolves.toEqual(claims);
    });

    it('refuses a token past its maximum age as expired', async () => {
      const { tokens, clock } = setup();
      const token = await tokens.signSession(claims);
      clock.set(T0 + MAX_AGE_S * 1000 + 1000);
      await expectLiveError(tokens.verifySession(token), 'LV_ERR_SESSION_EXPIRED');
    });

    it('refuses a token issued in the future', async () => {
      const { tokens, clock } = setup();
      clock.set(T0 + 3600_000);
      const token = await tokens.signSession(claims);
      clock.set(T0);
      await expectLiveError(tokens.verifySession(token), 'LV_ERR_SESSION_INVALID');
    });

    it('refuses a token whose signature was tampered with', async () => {
      const { tokens } = setup();
      const token = await tokens.signSession(claims);
      const last = token.at(-2) === 'A' ? 'B' : 'A';
      const tampered = token.slice(0, -2) + last + token.slice(-1);
      await expectLiveError(tokens.verifySession(tampered), 'LV_ERR_SESSION_INVALID');
    });

    it('refuses a token whose payload was changed', async () => {
      const { tokens } = setup();
      const token = await tokens.signSession(claims);
      const [header, , signature] = token.split('.');
      const forged = base64url.encode(JSON.stringify({ ...decodePayload(token), sid: 'phx-OTHER' }));
      await expectLiveError(tokens.verifySession(`${header}.${forged}.${signature}`), 'LV_ERR_SESSION_INVALID');
    });

    it('refuses a token signed with another secret', async () => {
      const other = setup('another-secret-key-base-0123456789abcdef-xyz');
      const { tokens } = setup();
      await expectLiveError(tokens.verifySession(await other.tokens.signSession(claims)), 'LV_ERR_SESSION_INVALID');
    });

    it('refuses a static token', async () => {
      const { tokens } = setup();
      const staticToken = await tokens.signStatic({ id: claims.id, assignNew: [] });
      await expectLiveError(tokens.verifySession(staticToken), 'LV_ERR_SESSION_INVALID');
    });

    it('refuses a token of another version as outdated', async () => {
      const { tokens, keyring } = setup();
      for (const v of [VIEW_TOKEN_VERSION + 1, 0, '1', undefined]) {
        const token = await handSigned(keyring.key('view-session'), { ...wireClaims, v });
        await expectLiveError(tokens.verifySession(token), 'LV_ERR_SESSION_OUTDATED');
      }
    });

    it('accepts a hand-signed token of the current version', async () => {
      const { tokens, keyring } = setup();
      const token = await handSigned(keyring.key('view-session'), { ...wireClaims, v: VIEW_TOKEN_VERSION });
      await expect(tokens.verifySession(token)).resolves.toEqual(claims);
    });

    it('refuses an unsigned token (alg "none")', async () => {
      const { tokens } = setup();
      const header = base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }));
      const payload = base64url.encode(
        JSON.stringify({ ...wireClaims, v: VIEW_TOKEN_VERSION, iat: T0 / 1000, exp: T0 / 1000 + MAX_AGE_S }),
      );
      await expectLiveError(tokens.verifySession(`${header}.${payload}.`), 'LV_ERR_SESSION_INVALID');
    });

    it('refuses a token signed with HS512, even with the right key', async () => {
      const { tokens, keyring } = setup();
      const token = await handSigned(keyring.key('view-session'), { ...wireClaims, v: VIEW_TOKEN_VERSION }, 'HS512');
      await expectLiveError(tokens.verifySession(token), 'LV_ERR_SESSION_INVALID');
    });

    it('refuses a token without an issue time', async () => {
      const { tokens, keyring } = setup();
      const token = await new SignJWT({ ...wireClaims, v: VIEW_TOKEN_VERSION })
        .setProtectedHeader({ alg: 'HS256' })
        .setExpirationTime(T0 / 1000 + 60)
        .sign(keyring.key('view-session'));
      await expectLiveError(tokens.verifySession(token), 'LV_ERR_SESSION_INVALID');
    });

    it('refuses a token whose claims have the wrong shape', async () => {
      const { tokens, keyring } = setup();
      const key = keyring.key('view-session');
      for (const bad of [{ ls: undefined }, { sid: 1 }, { ext: [] }, { ext: null }, { view: {} }]) {
        const token = await handSigned(key, { ...wireClaims, v: VIEW_TOKEN_VERSION, ...bad });
        await expectLiveError(tokens.verifySession(token), 'LV_ERR_SESSION_INVALID');
      }
    });

    it('reports a missing token as missing', async () => {
      const { tokens } = setup();
      for (const missing of [undefined, null, '', 42, {}]) {
        await expectLiveError(tokens.verifySession(missing), 'LV_ERR_SESSION_MISSING');
      }
    });

    it('refuses a string that is not a JWS', async () => {
      const { tokens } = setup();
      await expectLiveError(tokens.verifySession('not-a-token'), 'LV_ERR_SESSION_INVALID');
    });
  });

  describe('#verifyStatic', () => {
    it('returns the claims a static token was signed with', async () => {
      const { tokens } = setup();
      const token = await tokens.signStatic({ id: claims.id, assignNew: ['user', 'theme'] });
      await expect(tokens.verifyStatic(token)).resolves.toEqual({ id: claims.id, assignNew: ['user', 'theme'] });
    });

    it('refuses a session token', async () => {
      const { tokens } = setup();
      await expectLiveError(tokens.verifyStatic(await tokens.signSession(claims)), 'LV_ERR_SESSION_INVALID');
    });

    it('refuses an expired static token', async () => {
      const { tokens, clock } = setup();
      const token = await tokens.signStatic({ id: claims.id, assignNew: [] });
      clock.set(T0 + MAX_AGE_S * 1000 + 1000);
      await expectLiveError(tokens.verifyStatic(token), 'LV_ERR_SESSION_EXPIRED');
    });
  });
});

describe('ViewTokens remembering the tokens it signed', () => {
  function cached() {
    const keyring = new Keyring(SECRET);
    const clock = manualClock(T0);
    const hmacKey = vi.spyOn(keyring, 'hmacKey');
    return { keyring, clock, hmacKey, tokens: new ViewTokens(keyring, clock, MAX_AGE_S, 4) };
  }

  it('verifies a token it signed without an HMAC, once: presented again, it is verified in full', async () => {
    const { tokens, hmacKey } = cached();
    const token = await tokens.signSession(claims);
    const signing = hmacKey.mock.calls.length;

    await expect(tokens.verifySession(token)).resolves.toEqual(claims);
    expect(hmacKey.mock.calls.length).toBe(signing);
    await expect(tokens.verifySession(token)).resolves.toEqual(claims);
    expect(hmacKey.mock.calls.length).toBe(signing + 1);
  });

  it('returns claims of its own for each verification (nothing shared with the signer)', async () => {
    const { tokens } = cached();
    const session = { nested: { role: 'reader' } };
    const token = await tokens.signSession({ ...claims, session });
    session.nested.role = 'admin';
    const verified = await tokens.verifySession(token);
    expect(verified.session).toEqual({ nested: { role: 'reader' } });
  });

  it('still refuses a token it signed once it is past its maximum age', async () => {
    const { tokens, clock } = cached();
    const token = await tokens.signSession(claims);
    clock.set(T0 + MAX_AGE_S * 1000 + 1000);
    await expectLiveError(tokens.verifySession(token), 'LV_ERR_SESSION_EXPIRED');
  });

  it('still refuses a token it signed when the clock says it was issued in the future', async () => {
    const { tokens, clock } = cached();
    clock.set(T0 + 3600_000);
    const token = await tokens.signSession(claims);
    clock.set(T0);
    await expectLiveError(tokens.verifySession(token), 'LV_ERR_SESSION_INVALID');
  });

  it('refuses a token whose payload was changed under a signature it made (the cache key is the whole string)', async () => {
    const { tokens } = cached();
    const token = await tokens.signSession(claims);
    const [header, , signature] = token.split('.');
    const forged = base64url.encode(JSON.stringify({ ...decodePayload(token), view: 'AdminView' }));
    await expectLiveError(tokens.verifySession(`${header}.${forged}.${signature}`), 'LV_ERR_SESSION_INVALID');
    // The genuine token is still the one it remembers.
    await expect(tokens.verifySession(token)).resolves.toEqual(claims);
  });

  it('verifies in full a token another node signed with the same secret', async () => {
    const { tokens, hmacKey } = cached();
    const other = new ViewTokens(new Keyring(SECRET), manualClock(T0), MAX_AGE_S, 4);
    const token = await other.signSession(claims);
    await expect(tokens.verifySession(token)).resolves.toEqual(claims);
    expect(hmacKey).toHaveBeenCalledTimes(1);
  });

  it('forgets the oldest token past its bound, which is then verified in full', async () => {
    const { tokens, hmacKey } = cached();
    const first = await tokens.signSession({ ...claims, id: 'phx-first' });
    for (let i = 0; i < 4; i++) await tokens.signStatic({ id: `phx-${i}`, assignNew: [] });
    const signing = hmacKey.mock.calls.length;
    await expect(tokens.verifySession(first)).resolves.toMatchObject({ id: 'phx-first' });
    expect(hmacKey.mock.calls.length).toBe(signing + 1);
  });
});

describe('HmacJws remembering the tokens it signed', () => {
  it('does not let a token signed for one purpose verify for another from the cache', async () => {
    const keyring = new Keyring(SECRET);
    const clock = manualClock(T0);
    const jws = new HmacJws(keyring, clock, MAX_AGE_S, new VerifiedCache<MintedToken>(4));
    const token = await jws.sign('view-static', { v: VIEW_TOKEN_VERSION, ...wireClaims });
    await expect(jws.verify('view-session', token)).rejects.toBeInstanceOf(joseErrors.JWSSignatureVerificationFailed);
  });
});
