// Compact JWS with HS256 only, signed with the keyring's key for one purpose, stamped with the
// server's clock and refused past a max age: what view tokens and flash tokens share. Each token
// kind puts its own claims in and checks their shape (and version) itself. Given a cache, it
// remembers the tokens it signed until they are presented once: the exact string then needs no
// HMAC (this node made it), only the time checks jose would make; any other string, or one this
// node did not sign, is verified in full.

import { jwtVerify, type JWTPayload } from 'jose';
import type { Clock } from '../clock.ts';
import { signCompactHs256 } from './compact-token.ts';
import type { KeyPurpose, Keyring } from './keyring.ts';
import type { VerifiedCache } from './verified-cache.ts';

/** A token this node signed and nobody presented yet. */
export interface MintedToken {
  purpose: KeyPurpose;
  iatS: number;
  expS: number;
}

const ALGORITHMS = ['HS256'];

export class HmacJws {
  readonly #keyring: Keyring;
  readonly #clock: Clock;
  readonly #maxAgeS: number;
  readonly #minted: VerifiedCache<MintedToken> | null;

  constructor(keyring: Keyring, clock: Clock, maxAgeS: number, minted: VerifiedCache<MintedToken> | null = null) {
    this.#keyring = keyring;
    this.#clock = clock;
    this.#maxAgeS = maxAgeS;
    this.#minted = minted;
  }

  /** Signs `claims` with `iat` (now) and `exp` (now + the max age). */
  async sign(purpose: KeyPurpose, claims: JWTPayload): Promise<string> {
    const nowS = Math.floor(this.#clock.now() / 1000);
    // What jose's `SignJWT(claims).setIssuedAt(nowS).setExpirationTime(…)` signs, signed in this thread.
    const token = signCompactHs256({ ...claims, iat: nowS, exp: nowS + this.#maxAgeS }, this.#keyring.secretKey(purpose));
    this.#minted?.set(token, { purpose, iatS: nowS, expS: nowS + this.#maxAgeS });
    return token;
  }

  /** The payload of `token`; rejects with jose's error when it is forged, expired or malformed. */
  async verify(purpose: KeyPurpose, token: string): Promise<JWTPayload> {
    const minted = this.#minted?.take(token);
    if (minted && minted.purpose === purpose) {
      // jose's time checks (`exp` after now, `iat` not in the future, age within the max age);
      // a token failing one goes through jose below, which refuses it with the right error.
      const nowS = Math.floor(this.#clock.now() / 1000);
      if (minted.expS > nowS && minted.iatS <= nowS && nowS - minted.iatS <= this.#maxAgeS) return payloadOf(token);
    }
    const { payload } = await jwtVerify(token, await this.#keyring.hmacKey(purpose), {
      algorithms: ALGORITHMS,
      maxTokenAge: this.#maxAgeS,
      currentDate: new Date(this.#clock.now()),
    });
    return payload;
  }
}

/** The payload segment of a compact JWS, decoded as jose's `jwtVerify` returns it. */
function payloadOf(token: string): JWTPayload {
  const payload = token.slice(token.indexOf('.') + 1, token.lastIndexOf('.'));
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as JWTPayload;
}
