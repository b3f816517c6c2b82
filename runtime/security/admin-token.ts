// Short-lived admin tokens for operator tools (`npm run disconnect`): a jose JWS signed with a key
// derived from SECRET_KEY_BASE for this purpose only. Whoever can read the secret administers the
// server anyway; the token never travels in a cookie, so it carries no CSRF risk.

import { SignJWT, jwtVerify } from 'jose';
import type { Clock } from '../clock.ts';
import type { Keyring } from './keyring.ts';

const AUDIENCE = 'liveward-admin';
const MAX_AGE_S = 60;

export class AdminTokens {
  readonly #keyring: Keyring;
  readonly #clock: Clock;

  constructor(keyring: Keyring, clock: Clock) {
    this.#keyring = keyring;
    this.#clock = clock;
  }

  async sign(action: string): Promise<string> {
    const nowS = Math.floor(this.#clock.now() / 1000);
    return new SignJWT({ act: action })
      .setProtectedHeader({ alg: 'HS256' })
      .setAudience(AUDIENCE)
      .setIssuedAt(nowS)
      .setExpirationTime(nowS + MAX_AGE_S)
      .sign(await this.#keyring.hmacKey('admin-cli'));
  }

  /** True when `token` is a valid, fresh admin token for `action`. */
  async verify(token: string, action: string): Promise<boolean> {
    try {
      const { payload } = await jwtVerify(token, await this.#keyring.hmacKey('admin-cli'), {
        algorithms: ['HS256'],
        audience: AUDIENCE,
        maxTokenAge: MAX_AGE_S,
        currentDate: new Date(this.#clock.now()),
      });
      return payload.act === action;
    } catch {
      return false;
    }
  }
}

