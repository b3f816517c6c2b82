// Password hashing with node:crypto scrypt. The stored form names its parameters, so they can be
// raised later without breaking existing hashes.
//
// Every hash runs on libuv's thread pool (the async `scrypt`), never on the event loop: one check
// costs ~50 ms of CPU, and a flood of logins must slow the logins down, not every live socket of
// the node (their heartbeats, events and PubSub pushes share the loop).

import { randomBytes, scrypt, scryptSync, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const N = 16384;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;

function scryptAsync(password: string, salt: Buffer | string, keyLength: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, keyLength, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/**
 * A new hash, computed on the calling thread: only for seeding the database when it is
 * created, before the server listens (nobody is connected whose loop it could block).
 */
export function hashPasswordSync(password: string): string {
  const salt = randomBytes(16);
  const hash = scryptSync(password, salt, KEY_LENGTH, { N, r: R, p: P });
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await scryptAsync(password, Buffer.from(salt, 'base64url'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  // Constant-time: the comparison takes the same time whichever byte differs.
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** Spends the same time as a real check, so a wrong email and a wrong password look alike. */
export async function burnPasswordCheck(password: string): Promise<void> {
  await scryptAsync(password, 'no-such-user-salt', KEY_LENGTH, { N, r: R, p: P });
}
