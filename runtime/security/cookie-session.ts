// The cookie session: a string-keyed map encrypted as a jose JWE (dir + A256GCM), so the browser
// can neither read nor forge it. It is read on every HTTP request and again at every WebSocket
// connect; it is never copied into a view token. A node remembers the cookies it wrote or already
// decrypted (the exact string, with its expiry: `VerifiedCache`), so the socket that follows a page
// and every later request of the same browser skip the AES-GCM decryption; the session's contents
// are still validated by the app at every request and mount (its login token against the store).

import { jwtDecrypt } from 'jose';
import type { Clock } from '../clock.ts';
import { encryptCompactA256Gcm } from './compact-token.ts';
import type { Keyring } from './keyring.ts';
import { VerifiedCache } from './verified-cache.ts';

export type CookieSession = Record<string, unknown>;

export interface CookieSessionOptions {
  /** Cookie name. */
  name: string;
  /** Seconds the cookie (and the encrypted payload) stays valid. */
  maxAgeS: number;
  /** Add `Secure` (set when served over https). */
  secure: boolean;
  /** Cookies whose decrypted session this node remembers (`maxCachedCookieSessions`); none without it. */
  cachedSessions?: number;
}

/** A cookie this node wrote or decrypted: its session as JSON (each read parses its own copy) and `exp`. */
interface KnownCookie {
  json: string;
  expS: number;
}

export class CookieSessionStore {
  readonly options: CookieSessionOptions;
  readonly #keyring: Keyring;
  readonly #clock: Clock;
  readonly #known: VerifiedCache<KnownCookie> | null;

  constructor(keyring: Keyring, clock: Clock, options: CookieSessionOptions) {
    this.#keyring = keyring;
    this.#clock = clock;
    this.options = options;
    this.#known = options.cachedSessions ? new VerifiedCache(options.cachedSessions) : null;
  }

  /** Decrypts a cookie value; anything tampered, expired or unreadable is `null`. */
  async read(cookieValue: string | undefined): Promise<CookieSession | null> {
    if (!cookieValue) return null;
    const known = this.#known?.get(cookieValue);
    if (known) {
      // jose's rule: expired once `exp` is not after now (whole seconds).
      if (known.expS > Math.floor(this.#clock.now() / 1000)) return JSON.parse(known.json) as CookieSession;
      this.#known!.delete(cookieValue);
    }
    try {
      const { payload } = await jwtDecrypt(cookieValue, await this.#keyring.aesKey('cookie-session'), {
        keyManagementAlgorithms: ['dir'],
        contentEncryptionAlgorithms: ['A256GCM'],
        currentDate: new Date(this.#clock.now()),
      });
      const session = payload.s;
      if (typeof session !== 'object' || session === null || Array.isArray(session)) return null;
      if (typeof payload.exp === 'number') this.#known?.set(cookieValue, { json: JSON.stringify(session), expS: payload.exp });
      return session as CookieSession;
    } catch {
      return null;
    }
  }

  /** Encrypts a session into a `Set-Cookie` header value. */
  async write(session: CookieSession): Promise<string> {
    const nowS = Math.floor(this.#clock.now() / 1000);
    const expS = nowS + this.options.maxAgeS;
    // What jose's `EncryptJWT({ s: session })` with `dir` + A256GCM writes, encrypted in this thread.
    const value = encryptCompactA256Gcm({ s: session, iat: nowS, exp: expS }, this.#keyring.secretKey('cookie-session'));
    // What a read of this very string would decrypt: the session through JSON, and `exp`.
    this.#known?.set(value, { json: JSON.stringify(session), expS });
    return serializeCookie(this.options.name, value, {
      maxAgeS: this.options.maxAgeS,
      secure: this.options.secure,
    });
  }
}

export interface CookieAttributes {
  maxAgeS: number;
  secure?: boolean;
  httpOnly?: boolean;
}

export function serializeCookie(name: string, value: string, attrs: CookieAttributes): string {
  let header = `${name}=${value}; Path=/; Max-Age=${attrs.maxAgeS}; SameSite=Lax`;
  if (attrs.httpOnly !== false) header += '; HttpOnly';
  if (attrs.secure) header += '; Secure';
  return header;
}

/** Parses a `Cookie` header into a map (first occurrence of a name wins). */
export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  if (!header) return cookies;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (cookies.has(name)) continue;
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    try {
      cookies.set(name, decodeURIComponent(value));
    } catch {
      cookies.set(name, value);
    }
  }
  return cookies;
}
