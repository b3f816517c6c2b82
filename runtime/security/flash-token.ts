// The flash token: flash messages signed (jose JWS, HS256, their own HKDF key) for the trip across
// a redirect. The client keeps it in the `__phoenix_flash__` cookie for a `redirect` and sends it
// in the next join for a live navigation. It lives `flashMaxAgeS` (60 s, as Phoenix); anything
// forged, expired or of the wrong shape reads as no flash at all, never as an error.

import type { Clock } from '../clock.ts';
import type { Flash } from '../live-view.ts';
import { HmacJws } from './hmac-jws.ts';
import type { Keyring } from './keyring.ts';

/** The cookie the official client sets from a redirect's `flash` (60 s, readable by the page). */
export const FLASH_COOKIE = '__phoenix_flash__';

const VERSION = 1;
/** A flash is a few short messages; a token carrying more is refused rather than read. */
const MAX_TOKEN_CHARS = 4096;

export class FlashTokens {
  readonly #jws: HmacJws;

  constructor(keyring: Keyring, clock: Clock, maxAgeS: number) {
    this.#jws = new HmacJws(keyring, clock, maxAgeS);
  }

  sign(flash: Flash): Promise<string> {
    return this.#jws.sign('flash', { v: VERSION, f: { ...flash } });
  }

  /** The flash in `token`, or `{}` when it is missing, forged, expired or malformed. */
  async verify(token: unknown): Promise<Flash> {
    if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_CHARS) return {};
    try {
      const payload = await this.#jws.verify('flash', token);
      return payload.v === VERSION ? toFlash(payload.f) : {};
    } catch {
      return {};
    }
  }
}

/** Keeps only string messages under plain keys: a flash from anywhere is data, never trusted shape. */
export function toFlash(value: unknown): Flash {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  const flash: Record<string, string> = {};
  for (const [kind, message] of Object.entries(value)) {
    if (typeof message === 'string' && kind !== '__proto__') flash[kind] = message;
  }
  return flash;
}
