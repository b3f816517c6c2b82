// Finds sockets that fell silent (no heartbeat, no frame for `heartbeatTimeoutMs`) with one timer
// for the whole server instead of one per connection: a timer per socket costs a `Timeout`, its
// closures and a clean-up entry on every idle connection, and idle connections are most of them.
// A sweep runs every quarter of the timeout, so a silent socket is dropped between 1× and 1.25×
// the timeout after its last frame. The timer runs only while some connection is watched.

import type { Clock } from '../runtime/clock.ts';
import { logger } from '../runtime/logger.ts';

/** What the watch needs of a connection. */
export interface Watched {
  /** When the last frame arrived (clock milliseconds). */
  readonly lastSeen: number;
  /** Called once the connection has been silent for the whole timeout. */
  silenceExpired(): void;
}

/** How many sweeps per timeout: the bound on how late past the timeout a silent socket goes. */
const SWEEPS_PER_TIMEOUT = 4;

export class SilenceWatch {
  readonly #clock: Clock;
  readonly #timeoutMs: number;
  readonly #watched = new Set<Watched>();
  #timer: unknown = null;

  constructor(clock: Clock, timeoutMs: number) {
    this.#clock = clock;
    this.#timeoutMs = timeoutMs;
  }

  get #sweepIntervalMs(): number {
    return Math.max(1, Math.ceil(this.#timeoutMs / SWEEPS_PER_TIMEOUT));
  }

  watch(connection: Watched): void {
    this.#watched.add(connection);
    if (this.#timer === null) this.#arm();
  }

  unwatch(connection: Watched): void {
    this.#watched.delete(connection);
    if (this.#watched.size === 0 && this.#timer !== null) {
      this.#clock.clearTimeout(this.#timer);
      this.#timer = null;
    }
  }

  #arm(): void {
    this.#timer = this.#clock.setTimeout(() => this.#sweep(), this.#sweepIntervalMs);
  }

  #sweep(): void {
    this.#timer = null;
    const now = this.#clock.now();
    const expired: Watched[] = [];
    for (const connection of this.#watched) {
      if (now - connection.lastSeen >= this.#timeoutMs) expired.push(connection);
    }
    // Unwatched first: `silenceExpired` ends the connection, which unwatches it again (harmless).
    for (const connection of expired) {
      this.#watched.delete(connection);
      try {
        connection.silenceExpired();
      } catch (err) {
        logger.error('connection.silence_failed', { error: err });
      }
    }
    if (this.#watched.size > 0 && this.#timer === null) this.#arm();
  }
}
