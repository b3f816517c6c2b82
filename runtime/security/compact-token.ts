// Writes the two compact JOSE forms this server issues, with node:crypto in the calling thread:
// an HS256 JWS (view, flash, admin and upload tokens) and a `dir` + A256GCM JWE (the session
// cookie). jose's `SignJWT` and `EncryptJWT` make the same strings through WebCrypto, whose every
// call is a round trip to libuv's thread pool: measured per page, ~70 µs of CPU per signature and
// ~100 µs per encryption against ~10 and ~15 here (`bench/join-crypto.ts`). Only producing tokens
// is done here; every token and cookie a client sends back is still verified or decrypted by jose
// (`jwtVerify`, `jwtDecrypt`) with its algorithm, header and claim checks.

import { createCipheriv, createHmac, randomBytes, type KeyObject } from 'node:crypto';

/** `{"alg":"HS256"}`, the protected header jose writes for `setProtectedHeader({ alg: 'HS256' })`. */
const HS256_HEADER = Buffer.from(JSON.stringify({ alg: 'HS256' })).toString('base64url');
/** `{"alg":"dir","enc":"A256GCM"}`, likewise; it is also the JWE's additional authenticated data. */
const DIR_A256GCM_HEADER = Buffer.from(JSON.stringify({ alg: 'dir', enc: 'A256GCM' })).toString('base64url');
const DIR_A256GCM_AAD = Buffer.from(DIR_A256GCM_HEADER, 'ascii');
/** A256GCM's 96-bit initialization vector, fresh and random for every encryption (as jose's). */
const IV_BYTES = 12;

/** The compact JWS of `claims` (a JSON object) signed with HMAC-SHA-256 under `key`: what jose's `SignJWT` writes. */
export function signCompactHs256(claims: Record<string, unknown>, key: KeyObject): string {
  const signingInput = `${HS256_HEADER}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return `${signingInput}.${createHmac('sha256', key).update(signingInput).digest('base64url')}`;
}

/** The compact JWE (`dir`, A256GCM) of `claims` under the 256-bit `key`: what jose's `EncryptJWT` writes. */
export function encryptCompactA256Gcm(claims: Record<string, unknown>, key: KeyObject): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(DIR_A256GCM_AAD);
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(claims), 'utf8'), cipher.final()]);
  // The encrypted key is empty with `dir`: hence the two dots.
  return `${DIR_A256GCM_HEADER}..${iv.toString('base64url')}.${ciphertext.toString('base64url')}.${cipher.getAuthTag().toString('base64url')}`;
}
