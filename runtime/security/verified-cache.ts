// What this node already verified (or produced itself), remembered by the exact string: a cookie
// it decrypted or wrote, a token it signed. Only the cryptography is skipped on a hit: the caller
// still checks the expiry it stored with the entry, and everything the string says (the session's
// contents, the token's claims) is validated as if it had just been decrypted. Keys are whole
// strings, so anything not byte-identical to what was verified misses and is verified in full.
// Bounded: past `limit` entries the least recently used goes first. Keys are kept flat: a cookie or
// token built by concatenation is a chain of fragments in V8, ~1.5× its length in heap.

import { flatString } from '../flat-string.ts';

export class VerifiedCache<V> {
  readonly #limit: number;
  readonly #entries = new Map<string, V>();

  constructor(limit: number) {
    this.#limit = limit;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The entry for exactly `key`, now the most recently used. */
  get(key: string): V | undefined {
    const value = this.#entries.get(key);
    if (value !== undefined) {
      // Re-inserted under `key`, the caller's string (often a slice of a request's whole Cookie
      // header): flattened as `set` does, so the entry does not keep that header alive.
      this.#entries.delete(key);
      this.#entries.set(flatString(key), value);
    }
    return value;
  }

  /** The entry for exactly `key`, removed: for strings expected to be presented once. */
  take(key: string): V | undefined {
    const value = this.#entries.get(key);
    if (value !== undefined) this.#entries.delete(key);
    return value;
  }

  set(key: string, value: V): void {
    this.#entries.delete(key);
    this.#entries.set(flatString(key), value);
    if (this.#entries.size > this.#limit) this.#entries.delete(this.#entries.keys().next().value!);
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  /** Never print what a cache holds (decrypted sessions). */
  toJSON(): string {
    return `[VerifiedCache of ${this.#entries.size}]`;
  }
}
