// CSRF tokens as Plug makes them (`Plug.CSRFProtection`): the cookie session holds an 18-byte secret;
// each page gets the secret XOR a fresh mask, followed by the mask, so the token differs on every
// render (no BREACH-style compression oracle) while any of them validates against the session.

import { randomBytes, timingSafeEqual } from 'node:crypto';

const SECRET_BYTES = 18;
const PART_LENGTH = 24; // base64url of 18 bytes

/** The session key the secret lives under. */
export const CSRF_SESSION_KEY = '_csrf_token';

export function generateCsrfSecret(): string {
  return randomBytes(SECRET_BYTES).toString('base64url');
}

/** A masked token for one page, valid for the session holding `secret`. */
export function maskCsrfToken(secret: string): string {
  const secretBytes = Buffer.from(secret, 'base64url');
  const mask = randomBytes(SECRET_BYTES);
  return xor(secretBytes, mask).toString('base64url') + mask.toString('base64url');
}

/** Constant-time check of a masked token against the session's secret. */
export function isValidCsrfToken(secret: unknown, token: unknown): boolean {
  if (typeof secret !== 'string' || typeof token !== 'string') return false;
  if (secret.length !== PART_LENGTH || token.length !== PART_LENGTH * 2) return false;
  const masked = Buffer.from(token.slice(0, PART_LENGTH), 'base64url');
  const mask = Buffer.from(token.slice(PART_LENGTH), 'base64url');
  const expected = Buffer.from(secret, 'base64url');
  if (masked.length !== SECRET_BYTES || mask.length !== SECRET_BYTES || expected.length !== SECRET_BYTES) {
    return false;
  }
  return timingSafeEqual(xor(masked, mask), expected);
}

function xor(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}
