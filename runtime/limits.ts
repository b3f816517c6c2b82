// Every bounded resource has a named limit with its unit. Defaults first; `resolveLimits`
// merges the user's overrides and validates them.

export interface Limits {
  /** Largest WebSocket message accepted; bigger ones close the socket with 1009. */
  maxMessageBytes: number;
  /** Views (channels) one socket may hold, as Phoenix's `max_channels_per_transport`. */
  maxViewsPerSocket: number;
  /** Frames waiting behind a busy view before further ones are refused with `overloaded`. */
  maxQueuedFramesPerView: number;
  /** Client events per second per socket (token bucket); beyond it events are refused. */
  maxEventsPerSecond: number;
  /** A socket silent for this long (no heartbeat, no frame) is closed. */
  heartbeatTimeoutMs: number;
  /** Maximum age of a view token (`data-phx-session`), as Phoenix's 14 days. */
  sessionMaxAgeS: number;
  /** Maximum age of a flash token (a redirect's flash, carried by the client), as Phoenix's 60 s. */
  flashMaxAgeS: number;
  /** Maximum age of a login session. */
  loginMaxAgeS: number;
  /** Runtime events kept by the inspector's ring buffer. */
  inspectorBufferEvents: number;
  /** Crashes of one (user, view) allowed inside `crashWindowMs` before joins are refused. */
  crashBudget: number;
  crashWindowMs: number;
  /** Time `SIGTERM` gives sockets to close before the process exits. */
  shutdownTimeoutMs: number;
  /** Chained `pushPatch` calls allowed in one callback, as Phoenix's 20. */
  maxChainedPatches: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxMessageBytes: 64 * 1024,
  maxViewsPerSocket: 100,
  maxQueuedFramesPerView: 256,
  maxEventsPerSecond: 200,
  heartbeatTimeoutMs: 60_000, // two client heartbeat intervals (30 s each)
  sessionMaxAgeS: 1_209_600, // 14 days
  flashMaxAgeS: 60, // the client's flash cookie lives 60 s too
  loginMaxAgeS: 60 * 60 * 24 * 30, // 30 days
  inspectorBufferEvents: 2_000,
  crashBudget: 5,
  crashWindowMs: 30_000,
  shutdownTimeoutMs: 5_000,
  maxChainedPatches: 20,
});

export function resolveLimits(overrides: Partial<Limits> = {}): Limits {
  const limits = { ...DEFAULT_LIMITS, ...overrides };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isFinite(value) || value <= 0) {
      throw new TypeError(`limit ${name} must be a positive number, got ${String(value)}`);
    }
  }
  return limits;
}
