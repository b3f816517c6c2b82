/**
 * A token bucket: `rate` tokens a second, holding at most `rate` (so a burst of one second's worth
 * passes at once). Time comes from the caller, so an injected clock drives it in tests.
 */
export class TokenBucket {
  #tokens: number;
  #at: number;
  readonly #rate: number;

  constructor(rate: number, now: number) {
    this.#rate = rate;
    this.#tokens = rate;
    this.#at = now;
  }

  /** Takes one token if there is one. */
  take(now: number): boolean {
    // A clock that steps back (NTP, a test's clock) must not drain the bucket: elapsed time is never negative.
    const elapsed = Math.max(0, now - this.#at);
    this.#tokens = Math.min(this.#rate, this.#tokens + (elapsed / 1000) * this.#rate);
    this.#at = Math.max(this.#at, now);
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
