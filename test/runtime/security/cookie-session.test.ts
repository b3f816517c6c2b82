import { EncryptJWT } from 'jose';
import { describe, expect, it, vi } from 'vitest';
import type { Clock } from '../../../runtime/clock.ts';
import { CookieSessionStore, parseCookies, serializeCookie, type CookieSessionOptions } from '../../../runtime/security/cookie-session.ts';
import { Keyring } from '../../../runtime/security/keyring.ts';

const SECRET = 'cookie-session-test-secret-key-base-0123456789';
const T0 = Date.UTC(2025, 0, 15, 12, 0, 0);
const OPTIONS: CookieSessionOptions = { name: '_liveward_key', maxAgeS: 3600, secure: false };

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

function setup(options: Partial<CookieSessionOptions> = {}, secret = SECRET) {
  const keyring = new Keyring(secret);
  const clock = manualClock(T0);
  return { keyring, clock, store: new CookieSessionStore(keyring, clock, { ...OPTIONS, ...options }) };
}

/** Splits a Set-Cookie header into its name, value and attributes. */
function parseSetCookie(header: string): { name: string; value: string; attributes: string[] } {
  const [pair, ...attributes] = header.split(';').map((part) => part.trim());
  const eq = pair!.indexOf('=');
  return { name: pair!.slice(0, eq), value: pair!.slice(eq + 1), attributes };
}

describe('CookieSessionStore', () => {
  describe('#write', () => {
    it('returns a Set-Cookie header for the configured cookie name', async () => {
      const { store } = setup();
      const { name, value } = parseSetCookie(await store.write({ user_id: 1 }));
      expect(name).toBe('_liveward_key');
      expect(value.split('.')).toHaveLength(5); // compact JWE
    });

    it('marks the cookie HttpOnly and SameSite=Lax with the path and max age', async () => {
      const { store } = setup();
      const { attributes } = parseSetCookie(await store.write({}));
      expect(attributes).toContain('HttpOnly');
      expect(attributes).toContain('SameSite=Lax');
      expect(attributes).toContain('Path=/');
      expect(attributes).toContain('Max-Age=3600');
      expect(attributes).not.toContain('Secure');
    });

    it('adds Secure when configured', async () => {
      const { store } = setup({ secure: true });
      expect(parseSetCookie(await store.write({})).attributes).toContain('Secure');
    });

    it('encrypts the session so the value does not reveal it', async () => {
      const { store } = setup();
      const { value } = parseSetCookie(await store.write({ user_id: 'ada@example.com' }));
      const decoded = value
        .split('.')
        .map((part) => Buffer.from(part, 'base64url').toString('latin1'))
        .join('');
      expect(decoded).not.toContain('ada@example.com');
      expect(decoded).not.toContain('user_id');
    });

    it('produces a different value each time for the same session', async () => {
      const { store } = setup();
      expect(await store.write({ a: 1 })).not.toBe(await store.write({ a: 1 }));
    });
  });

  describe('#read', () => {
    it('returns the session that was written', async () => {
      const { store } = setup();
      const session = { user_id: 42, _csrf_token: 'abc', nested: { list: [1, 'two'] } };
      const { value } = parseSetCookie(await store.write(session));
      await expect(store.read(value)).resolves.toEqual(session);
    });

    it('reads a value that went through a Cookie header', async () => {
      const { store } = setup();
      const { name, value } = parseSetCookie(await store.write({ user_id: 1 }));
      const cookies = parseCookies(`other=1; ${name}=${value}; last=2`);
      await expect(store.read(cookies.get(name))).resolves.toEqual({ user_id: 1 });
    });

    it('returns null for a tampered value', async () => {
      const { store } = setup();
      const { value } = parseSetCookie(await store.write({ user_id: 1 }));
      const parts = value.split('.');
      const ciphertext = parts[3]!;
      parts[3] = (ciphertext[0] === 'A' ? 'B' : 'A') + ciphertext.slice(1);
      await expect(store.read(parts.join('.'))).resolves.toBeNull();
      await expect(store.read(value.slice(0, -2))).resolves.toBeNull();
    });

    it('returns null for a value written with another secret', async () => {
      const other = setup({}, 'another-cookie-secret-key-base-0123456789-xyz');
      const { store } = setup();
      const { value } = parseSetCookie(await other.store.write({ user_id: 1 }));
      await expect(store.read(value)).resolves.toBeNull();
    });

    it('returns null once the session is older than its max age', async () => {
      const { store, clock } = setup();
      const { value } = parseSetCookie(await store.write({ user_id: 1 }));
      clock.set(T0 + 3599_000);
      await expect(store.read(value)).resolves.toEqual({ user_id: 1 });
      clock.set(T0 + 3601_000);
      await expect(store.read(value)).resolves.toBeNull();
    });

    it('returns null for a missing, empty or garbage value', async () => {
      const { store } = setup();
      await expect(store.read(undefined)).resolves.toBeNull();
      await expect(store.read('')).resolves.toBeNull();
      await expect(store.read('not-a-jwe')).resolves.toBeNull();
    });

    it('returns null when the decrypted payload holds no session object', async () => {
      const { store, keyring } = setup();
      for (const s of [[1, 2], 'text', null, undefined]) {
        const value = await new EncryptJWT({ s })
          .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
          .setIssuedAt(T0 / 1000)
          .setExpirationTime(T0 / 1000 + 60)
          .encrypt(keyring.key('cookie-session'));
        await expect(store.read(value)).resolves.toBeNull();
      }
    });
  });
});

describe('CookieSessionStore remembering the cookies it wrote or decrypted', () => {
  function cached(size = 4) {
    const s = setup({ cachedSessions: size });
    return { ...s, aesKey: vi.spyOn(s.keyring, 'aesKey') };
  }

  it('reads a cookie it wrote, and reads it again, without decrypting', async () => {
    const { store, aesKey } = cached();
    const { value } = parseSetCookie(await store.write({ user_id: 1 }));
    const writing = aesKey.mock.calls.length;
    await expect(store.read(value)).resolves.toEqual({ user_id: 1 });
    await expect(store.read(value)).resolves.toEqual({ user_id: 1 });
    expect(aesKey.mock.calls.length).toBe(writing);
  });

  it('decrypts a cookie it did not write once, then remembers it', async () => {
    const other = setup();
    const { store, aesKey } = cached();
    const { value } = parseSetCookie(await other.store.write({ user_id: 2 }));
    await expect(store.read(value)).resolves.toEqual({ user_id: 2 });
    await expect(store.read(value)).resolves.toEqual({ user_id: 2 });
    expect(aesKey).toHaveBeenCalledTimes(1);
  });

  it('gives each read its own session object', async () => {
    const { store } = cached();
    const { value } = parseSetCookie(await store.write({ nested: { role: 'reader' } }));
    const first = (await store.read(value)) as { nested: { role: string } };
    first.nested.role = 'admin';
    await expect(store.read(value)).resolves.toEqual({ nested: { role: 'reader' } });
  });

  it('still refuses a remembered cookie once it is past its max age', async () => {
    const { store, clock } = cached();
    const { value } = parseSetCookie(await store.write({ user_id: 1 }));
    await expect(store.read(value)).resolves.toEqual({ user_id: 1 });
    clock.set(T0 + 3600_000);
    await expect(store.read(value)).resolves.toBeNull();
  });

  it('still refuses a tampered copy of a remembered cookie', async () => {
    const { store } = cached();
    const { value } = parseSetCookie(await store.write({ user_id: 1 }));
    await expect(store.read(value)).resolves.toEqual({ user_id: 1 });
    const parts = value.split('.');
    parts[3] = (parts[3]![0] === 'A' ? 'B' : 'A') + parts[3]!.slice(1);
    await expect(store.read(parts.join('.'))).resolves.toBeNull();
  });

  it('forgets the least recently used cookie past its bound, which is then decrypted again', async () => {
    const { store, aesKey } = cached(2);
    const [a, b, c] = await Promise.all([1, 2, 3].map(async (n) => parseSetCookie(await store.write({ n })).value));
    const writing = aesKey.mock.calls.length;
    await expect(store.read(a)).resolves.toEqual({ n: 1 });
    expect(aesKey.mock.calls.length).toBe(writing + 1);
    await expect(store.read(c)).resolves.toEqual({ n: 3 });
    await expect(store.read(a)).resolves.toEqual({ n: 1 });
    expect(aesKey.mock.calls.length).toBe(writing + 1);
    void b;
  });
});

describe('serializeCookie', () => {
  it('writes the name, value and default attributes', () => {
    expect(serializeCookie('a', 'b', { maxAgeS: 10 })).toBe('a=b; Path=/; Max-Age=10; SameSite=Lax; HttpOnly');
  });

  it('leaves out HttpOnly only when asked', () => {
    expect(serializeCookie('a', 'b', { maxAgeS: 0, httpOnly: false, secure: true })).toBe('a=b; Path=/; Max-Age=0; SameSite=Lax; Secure');
  });
});

describe('parseCookies', () => {
  it('parses every name and value of a Cookie header', () => {
    expect(Object.fromEntries(parseCookies('a=1; b=two;c=3'))).toEqual({ a: '1', b: 'two', c: '3' });
  });

  it('returns an empty map for a missing or empty header', () => {
    expect(parseCookies(undefined).size).toBe(0);
    expect(parseCookies('').size).toBe(0);
  });

  it('keeps the first occurrence of a name', () => {
    expect(parseCookies('a=first; a=second').get('a')).toBe('first');
  });

  it('keeps "=" inside a value', () => {
    expect(parseCookies('token=abc==; x=1').get('token')).toBe('abc==');
  });

  it('removes surrounding quotes and percent-decodes values', () => {
    const cookies = parseCookies('q="quoted value"; p=a%20b%3Bc');
    expect(cookies.get('q')).toBe('quoted value');
    expect(cookies.get('p')).toBe('a b;c');
  });

  it('keeps a value with a broken percent escape as it is', () => {
    expect(parseCookies('bad=100%zz').get('bad')).toBe('100%zz');
  });

  it('skips parts without a name or without "="', () => {
    expect(Object.fromEntries(parseCookies('=nameless; flag; ok=1'))).toEqual({ ok: '1' });
  });
});
