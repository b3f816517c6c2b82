// Short-lived admin tokens for operator tools (`npm run disconnect`): a jose JWS signed with a key
// derived from SECRET_KEY_BASE for this purpose only. Whoever can read the secret administers the
// server anyway; the token never travels in a cookie, so it carries no CSRF risk.

import type { Clock } from '../clock.ts';
import { HmacJws } from './hmac-jws.ts';
import type { Keyring } from './keyring.ts';

const AUDIENCE = 'liveward-admin';
const MAX_AGE_S = 60;

export class AdminTokens {
  readonly #jws: HmacJws;

  constructor(keyring: Keyring, clock: Clock) {
    this.#jws = new HmacJws(keyring, clock, MAX_AGE_S);
  }

  sign(action: string): Promise<string> {
    return this.#jws.sign('admin-cli', { act: action, aud: AUDIENCE });
  }

  /** True when `token` is a valid, fresh admin token for `action`. */
  async verify(token: string, action: string): Promise<boolean> {
    try {
      const payload = await this.#jws.verify('admin-cli', token);
      return payload.aud === AUDIENCE && payload.act === action;
    } catch {
      return false;
    }
  }
}
