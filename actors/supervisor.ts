// The supervisor of view actors. Views are temporary: a crash is never restarted in place. The
// supervisor releases what the view held (through its cleanup stack), logs the error under an
// opaque id, tells the client `phx_error` for that topic only, and bounds crash loops with a
// budget per (user, view) within a time window.

import { createHash } from 'node:crypto';
import { v4 as uuidv4 } from 'uuid';
import { LiveError } from '../runtime/errors.ts';
import { encodeFrame } from '../runtime/frame.ts';
import { logger } from '../runtime/logger.ts';
import type { Clock } from '../runtime/clock.ts';
import type { Limits } from '../runtime/limits.ts';
import type { RuntimeEvents } from '../runtime/runtime-events.ts';
import type { Session } from '../runtime/live-view.ts';
import { userIdOf, type ViewContext } from './view-context.ts';

/** Budgets idle longer than this many windows are forgotten, so the map cannot grow forever. */
const BUDGET_SWEEP_EVERY = 256;

export interface CrashRecord {
  errorId: string;
  view: string;
  topic: string;
  phase: string;
  userId: string | null;
  at: number;
  message: string;
}

export class Supervisor {
  readonly #limits: Limits;
  readonly #clock: Clock;
  readonly #events: RuntimeEvents;
  readonly #crashTimes = new Map<string, number[]>();
  readonly #recent: CrashRecord[] = [];
  #crashCount = 0;

  constructor(limits: Limits, clock: Clock, events: RuntimeEvents) {
    this.#limits = limits;
    this.#clock = clock;
    this.#events = events;
  }

  /** Total crashes seen since start. */
  get crashCount(): number {
    return this.#crashCount;
  }

  /** The last crashes (newest last), for the inspector; messages only, never stacks. */
  recentCrashes(): readonly CrashRecord[] {
    return this.#recent;
  }

  /**
   * Handles a crashed view. Idempotent in effect: disposal runs once; the client is told once
   * per crash. Returns the opaque error id.
   */
  viewCrashed(view: ViewContext, error: unknown, phase: string): string {
    const errorId = uuidv4();
    const userId = userIdOf(view);
    view.cleanup.dispose();
    logger.error('view.crashed', {
      errorId,
      view: view.viewName,
      topic: view.topic,
      connectionId: view.connection.id,
      phase,
      error: error instanceof Error ? error : new Error(String(error)),
    });
    if (phase !== 'mount') {
      view.connection.send(
        encodeFrame(view.joinRef, view.joinRef, view.topic, 'phx_error', { reason: 'channel_crash', error_id: errorId }),
      );
    }
    this.#crashCount++;
    const record: CrashRecord = {
      errorId,
      view: view.viewName,
      topic: view.topic,
      phase,
      userId,
      at: this.#clock.now(),
      message: error instanceof Error ? error.message : String(error),
    };
    this.#recent.push(record);
    if (this.#recent.length > 100) this.#recent.shift();
    if (view.connection.cookieSession) this.#recordCrash(budgetKey(view.connection.cookieSession, view.viewName));
    this.#events.emit({
      type: 'view.crashed',
      connectionId: view.connection.id,
      topic: view.topic,
      view: view.viewName,
      errorId,
      phase,
    });
    return errorId;
  }

  /** A `LiveError` when this (user, view) crashed too often lately; `null` when it may mount. */
  checkCrashBudget(session: Session, viewName: string): LiveError | null {
    const times = this.#crashTimes.get(budgetKey(session, viewName));
    if (!times) return null;
    const recent = this.#prune(times);
    if (recent.length < this.#limits.crashBudget) return null;
    logger.warn('view.crash_loop', { view: viewName, crashes: recent.length, windowMs: this.#limits.crashWindowMs });
    return new LiveError('LV_ERR_CRASH_LOOP', `${viewName} crashed ${recent.length} times within ${this.#limits.crashWindowMs} ms`);
  }

  logPolicyFailure(view: ViewContext, event: string, error: unknown): void {
    logger.error('policy.failed', {
      view: view.viewName,
      event,
      error: error instanceof Error ? error : new Error(String(error)),
    });
  }

  /**
   * How many (user, view) pairs hold a crash budget: what the sweep keeps bounded. Crashes are rare,
   * so nothing polls it; the supervisor's unit test reads it to show idle budgets are forgotten.
   */
  budgetKeyCount(): number {
    return this.#crashTimes.size;
  }

  #recordCrash(key: string): void {
    const times = this.#prune(this.#crashTimes.get(key) ?? []);
    times.push(this.#clock.now());
    this.#crashTimes.set(key, times);
    if (this.#crashCount % BUDGET_SWEEP_EVERY === 0) this.#sweep();
  }

  #prune(times: number[]): number[] {
    const horizon = this.#clock.now() - this.#limits.crashWindowMs;
    while (times.length > 0 && times[0]! < horizon) times.shift();
    return times;
  }

  #sweep(): void {
    for (const [key, times] of this.#crashTimes) {
      if (this.#prune(times).length === 0) this.#crashTimes.delete(key);
    }
  }
}

/**
 * A crash budget is per (user, view). Before the hooks run the user is not known yet, so the
 * browser session stands for it: its live socket id when logged in, else its CSRF secret —
 * hashed, so no secret sits in a map the inspector could show.
 */
function budgetKey(session: Session, viewName: string): string {
  const who = String(session.live_socket_id ?? session._csrf_token ?? 'anonymous');
  return `${viewName}:${createHash('sha256').update(who).digest('base64url').slice(0, 16)}`;
}
