/**
 * A token bucket of bytes: `rate` bytes a second, holding at most one second's worth. Unlike a
 * refusing bucket it says how long to wait: an upload past the rate is slowed, not failed (the
 * official client sends its next chunk only after the reply to the last).
 */
export class ByteRate {
  readonly #rate: number;
  #tokens: number;
  #at: number;

  constructor(bytesPerSecond: number, now: number) {
    this.#rate = bytesPerSecond;
    this.#tokens = bytesPerSecond;
    this.#at = now;
  }

  /** Takes `bytes`; returns how many ms to wait before the bucket would have held them (0: none). */
  take(bytes: number, now: number): number {
    const elapsed = Math.max(0, now - this.#at);
    this.#tokens = Math.min(this.#rate, this.#tokens + (elapsed / 1000) * this.#rate);
    this.#at = Math.max(this.#at, now);
    this.#tokens -= bytes;
    return this.#tokens >= 0 ? 0 : Math.ceil((-this.#tokens / this.#rate) * 1000);
  }
}
