// The cookie session: a string-keyed map encrypted as a jose JWE (dir + A256GCM), so the browser
// can neither read nor forge it. It is read on every HTTP request and again at every WebSocket
// connect; it is never copied into a view token.

import { EncryptJWT, jwtDecrypt } from 'jose';
import type { Clock } from '../clock.ts';
import type { Keyring } from './keyring.ts';

export type CookieSession = Record<string, unknown>;

export interface CookieSessionOptions {
  /** Cookie name. */
  name: string;
  /** Seconds the cookie (and the encrypted payload) stays valid. */
  maxAgeS: number;
  /** Add `Secure` (set when served over https). */
  secure: boolean;
}

export class CookieSessionStore {
  readonly options: CookieSessionOptions;
  readonly #keyring: Keyring;
  readonly #clock: Clock;

  constructor(keyring: Keyring, clock: Clock, options: CookieSessionOptions) {
    this.#keyring = keyring;
    this.#clock = clock;
    this.options = options;
  }

  /** Decrypts a cookie value; anything tampered, expired or unreadable is `null`. */
  async read(cookieValue: string | undefined): Promise<CookieSession | null> {
    if (!cookieValue) return null;
    try {
      const { payload } = await jwtDecrypt(cookieValue, await this.#keyring.aesKey('cookie-session'), {
        keyManagementAlgorithms: ['dir'],
        contentEncryptionAlgorithms: ['A256GCM'],
        currentDate: new Date(this.#clock.now()),
      });
      const session = payload.s;
      return typeof session === 'object' && session !== null && !Array.isArray(session) ? (session as CookieSession) : null;
    } catch {
      return null;
    }
  }

  /** Encrypts a session into a `Set-Cookie` header value. */
  async write(session: CookieSession): Promise<string> {
    const nowS = Math.floor(this.#clock.now() / 1000);
    const value = await new EncryptJWT({ s: session })
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
      .setIssuedAt(nowS)
      .setExpirationTime(nowS + this.options.maxAgeS)
      .encrypt(await this.#keyring.aesKey('cookie-session'));
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
