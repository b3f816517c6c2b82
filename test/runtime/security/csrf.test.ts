import { describe, expect, it } from 'vitest';
import { CSRF_SESSION_KEY, generateCsrfSecret, isValidCsrfToken, maskCsrfToken } from '../../../runtime/security/csrf.ts';

const BASE64URL_24 = /^[A-Za-z0-9_-]{24}$/;

/** Flips one base64url character of `token` at `index` into another valid one. */
function flip(token: string, index: number): string {
  const ch = token[index] === 'A' ? 'B' : 'A';
  return token.slice(0, index) + ch + token.slice(index + 1);
}

describe('CSRF_SESSION_KEY', () => {
  it('is the key Plug uses in the session', () => {
    expect(CSRF_SESSION_KEY).toBe('_csrf_token');
  });
});

describe('generateCsrfSecret', () => {
  it('returns 18 random bytes as 24 url-safe base64 characters', () => {
    const secret = generateCsrfSecret();
    expect(secret).toMatch(BASE64URL_24);
    expect(Buffer.from(secret, 'base64url')).toHaveLength(18);
  });

  it('returns a different secret on each call', () => {
    expect(generateCsrfSecret()).not.toBe(generateCsrfSecret());
  });
});

describe('maskCsrfToken', () => {
  it('returns the masked secret followed by the mask, 48 characters', () => {
    const token = maskCsrfToken(generateCsrfSecret());
    expect(token).toHaveLength(48);
    expect(token.slice(0, 24)).toMatch(BASE64URL_24);
    expect(token.slice(24)).toMatch(BASE64URL_24);
  });

  it('returns a different token on every call for the same secret', () => {
    const secret = generateCsrfSecret();
    const tokens = new Set(Array.from({ length: 20 }, () => maskCsrfToken(secret)));
    expect(tokens.size).toBe(20);
  });

  it('never contains the secret in clear', () => {
    const secret = generateCsrfSecret();
    expect(maskCsrfToken(secret)).not.toContain(secret);
  });
});

describe('isValidCsrfToken', () => {
  it('accepts a masked token for its own secret', () => {
    const secret = generateCsrfSecret();
    expect(isValidCsrfToken(secret, maskCsrfToken(secret))).toBe(true);
  });

  it('accepts every masked token made for the secret', () => {
    const secret = generateCsrfSecret();
    for (let i = 0; i < 10; i++) expect(isValidCsrfToken(secret, maskCsrfToken(secret))).toBe(true);
  });

  it('refuses a token made for another secret', () => {
    const token = maskCsrfToken(generateCsrfSecret());
    expect(isValidCsrfToken(generateCsrfSecret(), token)).toBe(false);
  });

  it('refuses a tampered token', () => {
    const secret = generateCsrfSecret();
    const token = maskCsrfToken(secret);
    expect(isValidCsrfToken(secret, flip(token, 0))).toBe(false);
    expect(isValidCsrfToken(secret, flip(token, 30))).toBe(false);
  });

  it('refuses the bare secret as a token', () => {
    const secret = generateCsrfSecret();
    expect(isValidCsrfToken(secret, secret)).toBe(false);
  });

  it('refuses tokens of the wrong length', () => {
    const secret = generateCsrfSecret();
    const token = maskCsrfToken(secret);
    expect(isValidCsrfToken(secret, token.slice(0, 47))).toBe(false);
    expect(isValidCsrfToken(secret, token + 'A')).toBe(false);
    expect(isValidCsrfToken(secret, '')).toBe(false);
  });

  it('refuses a secret of the wrong length', () => {
    const secret = generateCsrfSecret();
    const token = maskCsrfToken(secret);
    expect(isValidCsrfToken(secret.slice(0, 23), token)).toBe(false);
    expect(isValidCsrfToken(secret + 'A', token)).toBe(false);
  });

  it('refuses characters outside url-safe base64', () => {
    const secret = generateCsrfSecret();
    const token = maskCsrfToken(secret);
    expect(isValidCsrfToken(secret, '!' + token.slice(1))).toBe(false);
  });

  it('refuses a token or secret that is not a string', () => {
    const secret = generateCsrfSecret();
    const token = maskCsrfToken(secret);
    for (const bad of [undefined, null, 42, ['x'], { token }, Buffer.from(token)]) {
      expect(isValidCsrfToken(secret, bad)).toBe(false);
      expect(isValidCsrfToken(bad, token)).toBe(false);
    }
  });
});
