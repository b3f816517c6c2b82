// Compact JWS with HS256 only, signed with the keyring's key for one purpose, stamped with the
// server's clock and refused past a max age: what view tokens and flash tokens share. Each token
// kind puts its own claims in and checks their shape (and version) itself.

import { SignJWT, jwtVerify, type JWTPayload } from 'jose';
import type { Clock } from '../clock.ts';
import type { KeyPurpose, Keyring } from './keyring.ts';

const ALGORITHMS = ['HS256'];

export class HmacJws {
  readonly #keyring: Keyring;
  readonly #clock: Clock;
  readonly #maxAgeS: number;

  constructor(keyring: Keyring, clock: Clock, maxAgeS: number) {
    this.#keyring = keyring;
    this.#clock = clock;
    this.#maxAgeS = maxAgeS;
  }

  /** Signs `claims` with `iat` (now) and `exp` (now + the max age). */
  async sign(purpose: KeyPurpose, claims: JWTPayload): Promise<string> {
    const nowS = Math.floor(this.#clock.now() / 1000);
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt(nowS)
      .setExpirationTime(nowS + this.#maxAgeS)
      .sign(await this.#keyring.hmacKey(purpose));
  }

  /** The payload of `token`; rejects with jose's error when it is forged, expired or malformed. */
  async verify(purpose: KeyPurpose, token: string): Promise<JWTPayload> {
    const { payload } = await jwtVerify(token, await this.#keyring.hmacKey(purpose), {
      algorithms: ALGORITHMS,
      maxTokenAge: this.#maxAgeS,
      currentDate: new Date(this.#clock.now()),
    });
    return payload;
  }
}
