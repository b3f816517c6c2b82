// Keys derived from `SECRET_KEY_BASE` with HKDF, one per purpose, so a token made for one purpose
// (say a static token) can never verify as another (a session token): salt separation, as
// Phoenix's signing salts.

import { hkdfSync } from 'node:crypto';

export type KeyPurpose = 'view-session' | 'view-static' | 'cookie-session' | 'flash' | 'admin-cli';

export class Keyring {
  readonly #secretKeyBase: string;
  readonly #cache = new Map<KeyPurpose, Uint8Array>();

  constructor(secretKeyBase: string) {
    this.#secretKeyBase = secretKeyBase;
  }

  /** The 32-byte key for `purpose`. */
  key(purpose: KeyPurpose): Uint8Array {
    let key = this.#cache.get(purpose);
    if (!key) {
      key = new Uint8Array(hkdfSync('sha256', this.#secretKeyBase, 'liveward', purpose, 32));
      this.#cache.set(purpose, key);
    }
    return key;
  }

  /** Never print the secret. */
  toJSON(): string {
    return '[Keyring]';
  }
}
