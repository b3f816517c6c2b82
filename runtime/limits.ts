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
  /**
   * Session cookies whose decryption this node remembers (exact cookie string → session and
   * expiry; least recently used out first): a hit skips the AES-GCM decryption only, never the
   * expiry or the app's checks of the session's contents. About 0.45 KiB each for a small session.
   */
  maxCachedCookieSessions: number;
  /**
   * View tokens this node signed and no join presented yet (exact token → purpose and times;
   * oldest out first): the join that presents one skips its HMAC, once. About 0.3 KiB each.
   */
  maxMintedViewTokens: number;
  /** Crashes of one (user, view) allowed inside `crashWindowMs` before joins are refused. */
  crashBudget: number;
  crashWindowMs: number;
  /** Time `SIGTERM` gives sockets to close before the process exits. */
  shutdownTimeoutMs: number;
  /** Chained `pushPatch` calls allowed in one callback, as Phoenix's 20. */
  maxChainedPatches: number;
  /**
   * Bytes a socket may have queued for sending (ws's `bufferedAmount`) before it is closed with
   * 1013 (try again later; the official client reconnects with backoff): a client that stops
   * reading costs at most this much plus one message, not whatever the server would have sent it.
   * Checked before each send, so a single reply larger than this does not trip it.
   */
  maxSendBufferBytes: number;
  /** Time a socket closed for a full send buffer gets to take its close frame before it is dropped. */
  sendBufferCloseGraceMs: number;
  /** Characters of a frame's join_ref, ref, topic or event; a longer one is refused unread, never echoed. */
  maxFrameFieldChars: number;
  /** Sockets open at once for one live socket id (a user) or, without one, one cookie session. Beyond: 429 at upgrade. */
  maxSocketsPerSession: number;
  /** Views held at once across all sockets of one live socket id or cookie session. Beyond: the join is refused. */
  maxViewsPerSession: number;
  /**
   * Joins per second per socket (token bucket, burst of the same size, so a socket can fill its
   * `maxViewsPerSocket` at once); beyond it joins are refused with `overloaded`.
   */
  maxJoinsPerSecond: number;
  /** Warning lines one socket may write to the log per second; the rest are counted and summarised. */
  maxLogLinesPerSecond: number;
  /**
   * How long `registry.disconnect` waits for the other nodes of a cluster to say how many sockets
   * they closed; a node silent past it is reported as unanswered (its sockets are still closed
   * when the message reaches it, or by the session re-check after an outage).
   */
  clusterReplyTimeoutMs: number;
  /**
   * Every node announces itself on PubSub this often; a node not heard from for three intervals
   * is no longer expected to answer a disconnect.
   */
  clusterPresenceIntervalMs: number;
  /**
   * How long a node keeps pushing its description to a node whose inspector watches it after the
   * last "watching" message; the watcher renews every third of it, and drops a node it has not
   * heard from for this plus `clusterReplyTimeoutMs`. The same on every node.
   */
  clusterWatchLeaseMs: number;
  /** A watched node publishes its changed description at most once per this many ms (changes in between are coalesced). */
  clusterWatchPublishMs: number;
  /**
   * Stateful components one view may hold at once. The client removes them (`cids_destroyed`);
   * one that never does would keep every component ever rendered, so past this the view crashes
   * and its client rejoins with an empty table.
   */
  maxComponentsPerView: number;
  /** Upload channels (`lvu:`) one socket may have open at once; beyond, the join is refused `too many uploads`. */
  maxUploadsInFlightPerSocket: number;
  /**
   * Upload bytes per second per socket (token bucket, burst of one second's worth): past it the
   * reply to a chunk is delayed, and the official client waits for it before sending the next.
   */
  maxUploadBytesPerSecond: number;
  /** Chunks one upload channel holds waiting to be written (the official client sends one at a time); beyond, `overloaded`. */
  maxQueuedChunksPerUpload: number;
  /** Maximum age of an upload entry token (the preflight's answer); an older one is `invalid_token`. */
  uploadTokenMaxAgeS: number;
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
  maxCachedCookieSessions: 1_000,
  maxMintedViewTokens: 2_000, // the two tokens of 1,000 pages rendered and not joined yet
  crashBudget: 5,
  crashWindowMs: 30_000,
  shutdownTimeoutMs: 5_000,
  maxChainedPatches: 20,
  maxSendBufferBytes: 1024 * 1024,
  sendBufferCloseGraceMs: 1_000,
  maxFrameFieldChars: 512,
  maxSocketsPerSession: 50,
  maxViewsPerSession: 500,
  maxJoinsPerSecond: 100,
  maxLogLinesPerSecond: 5,
  clusterReplyTimeoutMs: 1_000,
  clusterPresenceIntervalMs: 5_000,
  clusterWatchLeaseMs: 10_000,
  clusterWatchPublishMs: 500,
  maxComponentsPerView: 10_000,
  maxUploadsInFlightPerSocket: 10,
  maxUploadBytesPerSecond: 8 * 1024 * 1024,
  maxQueuedChunksPerUpload: 4,
  uploadTokenMaxAgeS: 300,
});

/**
 * Longest wait between two attempts to reach Redis again (`RedisPubSub`): the back-off doubles
 * from 50 ms up to this and the node never gives up, however long the outage. Not part of
 * `Limits` because the PubSub is built before the server (override it with the adapter's
 * `maxReconnectDelayMs` option).
 */
export const REDIS_MAX_RECONNECT_DELAY_MS = 2_000;

export function resolveLimits(overrides: Partial<Limits> = {}): Limits {
  const limits = { ...DEFAULT_LIMITS, ...overrides };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isFinite(value) || value <= 0) {
      throw new TypeError(`limit ${name} must be a positive number, got ${String(value)}`);
    }
  }
  return limits;
}
