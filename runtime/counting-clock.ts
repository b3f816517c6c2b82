// Wraps a clock to count the timers it has pending, so leak checks can assert that every timer a
// view or connection started was cleared when it ended.

import type { Clock } from './clock.ts';

export class CountingClock implements Clock {
  readonly #inner: Clock;
  readonly #pending = new Set<unknown>();

  constructor(inner: Clock) {
    this.#inner = inner;
  }

  get pendingTimers(): number {
    return this.#pending.size;
  }

  now(): number {
    return this.#inner.now();
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const token = {};
    const handle = this.#inner.setTimeout(() => {
      this.#pending.delete(token);
      fn();
    }, ms);
    this.#pending.add(token);
    return { token, handle };
  }

  clearTimeout(wrapped: unknown): void {
    const { token, handle } = (wrapped ?? {}) as { token?: unknown; handle?: unknown };
    if (token === undefined) return;
    this.#pending.delete(token);
    this.#inner.clearTimeout(handle);
  }
}
