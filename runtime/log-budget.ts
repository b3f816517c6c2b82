// A per-socket allowance of warning lines: a client that sends a flood of bad frames must not
// write the log at its own rate. Within `perSecond` lines a second each line is written; beyond
// it lines are only counted, and the count is written as one `log.suppressed` line when the next
// second's first line arrives (or when the socket goes, through `flush`).

import type { Clock } from './clock.ts';
import { logger } from './logger.ts';

export class LogBudget {
  readonly #perSecond: number;
  readonly #clock: Clock;
  /** Fields every line of this budget carries (the connection id), and its summary too. */
  readonly #context: Record<string, unknown>;
  #windowStart = -Infinity;
  #written = 0;
  #suppressed = 0;

  constructor(perSecond: number, clock: Clock, context: Record<string, unknown>) {
    this.#perSecond = perSecond;
    this.#clock = clock;
    this.#context = context;
  }

  /** Lines counted and not written since the last summary. */
  get suppressed(): number {
    return this.#suppressed;
  }

  warn(event: string, fields: Record<string, unknown> = {}): void {
    const now = this.#clock.now();
    if (now - this.#windowStart >= 1000) {
      this.flush();
      this.#windowStart = now;
      this.#written = 0;
    }
    if (this.#written >= this.#perSecond) {
      this.#suppressed++;
      return;
    }
    this.#written++;
    logger.warn(event, { ...this.#context, ...fields });
  }

  /** Writes the count of suppressed lines, if any ("N more suppressed"). */
  flush(): void {
    if (this.#suppressed === 0) return;
    logger.warn('log.suppressed', { ...this.#context, suppressed: this.#suppressed });
    this.#suppressed = 0;
  }
}
