// Keys derived from `SECRET_KEY_BASE` with HKDF, one per purpose, so a token made for one purpose
// (say a static token) can never verify as another (a session token): salt separation, as
// Phoenix's signing salts.

import { createSecretKey, hkdfSync, type KeyObject } from 'node:crypto';

export type KeyPurpose = 'view-session' | 'view-static' | 'cookie-session' | 'flash' | 'admin-cli' | 'upload-entry';

export class Keyring {
  readonly #secretKeyBase: string;
  readonly #cache = new Map<KeyPurpose, Uint8Array>();
  readonly #importedKeys = new Map<string, Promise<CryptoKey>>();
  readonly #secretKeys = new Map<KeyPurpose, KeyObject>();

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

  /** The key for `purpose` as a node:crypto secret key (what `compact-token.ts` signs and encrypts with), made once. */
  secretKey(purpose: KeyPurpose): KeyObject {
    let key = this.#secretKeys.get(purpose);
    if (!key) this.#secretKeys.set(purpose, (key = createSecretKey(this.key(purpose))));
    return key;
  }

  /**
   * The key for `purpose` as a WebCrypto HMAC-SHA-256 key, imported once. jose would otherwise
   * import the raw bytes again on every sign and verify (a measurable share of a join).
   */
  hmacKey(purpose: KeyPurpose): Promise<CryptoKey> {
    return this.#imported(`hmac:${purpose}`, () =>
      crypto.subtle.importKey('raw', this.#rawKey(purpose), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']),
    );
  }

  /** The key for `purpose` as a WebCrypto AES-256-GCM key (JWE `dir` + `A256GCM`), imported once. */
  aesKey(purpose: KeyPurpose): Promise<CryptoKey> {
    return this.#imported(`aes:${purpose}`, () =>
      crypto.subtle.importKey('raw', this.#rawKey(purpose), { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']),
    );
  }

  #rawKey(purpose: KeyPurpose): ArrayBuffer {
    const bytes = this.key(purpose);
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }

  #imported(name: string, importKey: () => Promise<CryptoKey>): Promise<CryptoKey> {
    let key = this.#importedKeys.get(name);
    if (!key) this.#importedKeys.set(name, (key = importKey()));
    return key;
  }

  /** Never print the secret. */
  toJSON(): string {
    return '[Keyring]';
  }
}
