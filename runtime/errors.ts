// The catalogue of runtime errors. Two audiences: `reason` is the tiny vocabulary the client may
// see (Phoenix's `stale`, `unauthorized`, …); `code` and `message` are for the server log.
// Never reuse a retired code: add a new one. Retired: LV_ERR_UNAUTHORIZED (never raised; an
// unauthorized join is LV_ERR_ROUTE_MISMATCH or LV_ERR_CROSS_LIVE_SESSION, a denied event
// LV_ERR_EVENT_DENIED).

/** Every error code the runtime can raise. */
export type LiveErrorCode =
  | 'LV_ERR_MESSAGE_MALFORMED'
  | 'LV_ERR_MESSAGE_TOO_LARGE'
  | 'LV_ERR_UNMATCHED_TOPIC'
  | 'LV_ERR_UNKNOWN_EVENT'
  | 'LV_ERR_TOO_MANY_VIEWS'
  | 'LV_ERR_OVERLOADED'
  | 'LV_ERR_SESSION_MISSING'
  | 'LV_ERR_SESSION_INVALID'
  | 'LV_ERR_SESSION_EXPIRED'
  | 'LV_ERR_SESSION_OUTDATED'
  | 'LV_ERR_SESSION_TOPIC_MISMATCH'
  | 'LV_ERR_STATIC_MISMATCH'
  | 'LV_ERR_NO_COOKIE_SESSION'
  | 'LV_ERR_ROUTE_MISMATCH'
  | 'LV_ERR_CROSS_LIVE_SESSION'
  | 'LV_ERR_EVENT_DENIED'
  | 'LV_ERR_UNKNOWN_COMPONENT'
  | 'LV_ERR_CRASH_LOOP'
  | 'LV_ERR_HOOK_RESULT'
  | 'LV_ERR_UNSAFE_REDIRECT'
  | 'LV_ERR_VIEW_CRASHED'
  | 'LV_ERR_FIELD_TOO_LONG'
  | 'LV_ERR_TOO_MANY_SOCKETS'
  | 'LV_ERR_TOO_MANY_SESSION_VIEWS'
  | 'LV_ERR_TOO_MANY_JOINS'
  | 'LV_ERR_SEND_BUFFER_FULL'
  | 'LV_ERR_TOO_MANY_COMPONENTS'
  // uploads (runtime/uploads/, actors/upload-channel.ts)
  | 'LV_ERR_UPLOAD_TOKEN_INVALID'
  | 'LV_ERR_UPLOAD_DISALLOWED'
  | 'LV_ERR_UPLOAD_OTHER_NODE'
  | 'LV_ERR_UPLOAD_ALREADY_REGISTERED'
  | 'LV_ERR_TOO_MANY_UPLOADS'
  | 'LV_ERR_UPLOAD_UNKNOWN'
  | 'LV_ERR_UPLOAD_TOO_LARGE'
  | 'LV_ERR_UPLOAD_NOT_ACCEPTED'
  | 'LV_ERR_UPLOAD_WRITE_FAILED'
  | 'LV_ERR_BINARY_NOT_UPLOAD';

interface CatalogueEntry {
  /** What the client is told (a join refusal `reason`, or an event error reply `reason`). */
  reason: string;
}

const CATALOGUE: Record<LiveErrorCode, CatalogueEntry> = {
  LV_ERR_MESSAGE_MALFORMED: { reason: 'malformed message' },
  LV_ERR_MESSAGE_TOO_LARGE: { reason: 'message too large' },
  LV_ERR_UNMATCHED_TOPIC: { reason: 'unmatched topic' },
  LV_ERR_UNKNOWN_EVENT: { reason: 'unknown event' },
  LV_ERR_TOO_MANY_VIEWS: { reason: 'too many channels joined' },
  LV_ERR_OVERLOADED: { reason: 'overloaded' },
  LV_ERR_SESSION_MISSING: { reason: 'stale' },
  LV_ERR_SESSION_INVALID: { reason: 'stale' },
  LV_ERR_SESSION_EXPIRED: { reason: 'stale' },
  LV_ERR_SESSION_OUTDATED: { reason: 'stale' },
  LV_ERR_SESSION_TOPIC_MISMATCH: { reason: 'stale' },
  LV_ERR_STATIC_MISMATCH: { reason: 'stale' },
  LV_ERR_NO_COOKIE_SESSION: { reason: 'stale' },
  LV_ERR_ROUTE_MISMATCH: { reason: 'unauthorized' },
  LV_ERR_CROSS_LIVE_SESSION: { reason: 'unauthorized' },
  LV_ERR_EVENT_DENIED: { reason: 'unauthorized' },
  LV_ERR_UNKNOWN_COMPONENT: { reason: 'unknown component' },
  LV_ERR_CRASH_LOOP: { reason: 'crash loop' },
  LV_ERR_HOOK_RESULT: { reason: 'join crashed' },
  LV_ERR_UNSAFE_REDIRECT: { reason: 'join crashed' },
  LV_ERR_VIEW_CRASHED: { reason: 'join crashed' },
  LV_ERR_FIELD_TOO_LONG: { reason: 'malformed message' },
  LV_ERR_TOO_MANY_SOCKETS: { reason: 'too many sockets' },
  LV_ERR_TOO_MANY_SESSION_VIEWS: { reason: 'too many channels joined' },
  LV_ERR_TOO_MANY_JOINS: { reason: 'overloaded' },
  LV_ERR_SEND_BUFFER_FULL: { reason: 'send buffer full' },
  LV_ERR_TOO_MANY_COMPONENTS: { reason: 'join crashed' },
  // Upload channel joins answer with the official client's vocabulary (Phoenix's upload channel).
  LV_ERR_UPLOAD_TOKEN_INVALID: { reason: 'invalid_token' },
  LV_ERR_UPLOAD_DISALLOWED: { reason: 'disallowed' },
  LV_ERR_UPLOAD_OTHER_NODE: { reason: 'disallowed' },
  LV_ERR_UPLOAD_ALREADY_REGISTERED: { reason: 'already_registered' },
  LV_ERR_TOO_MANY_UPLOADS: { reason: 'too many uploads' },
  LV_ERR_UPLOAD_UNKNOWN: { reason: 'unknown upload' },
  LV_ERR_UPLOAD_TOO_LARGE: { reason: 'file_size_limit_exceeded' },
  LV_ERR_UPLOAD_NOT_ACCEPTED: { reason: 'not_accepted' },
  LV_ERR_UPLOAD_WRITE_FAILED: { reason: 'writer_error' },
  LV_ERR_BINARY_NOT_UPLOAD: { reason: 'malformed message' },
};

/**
 * An operational error with a stable `code` and a client-safe `reason`.
 *
 * @example
 *   throw new LiveError('LV_ERR_SESSION_EXPIRED', 'view token older than 14 days');
 *   // the join is answered {"reason":"stale"}; the log gets the code and the detail
 */
export class LiveError extends Error {
  readonly code: LiveErrorCode;
  constructor(code: LiveErrorCode, detail: string) {
    super(detail);
    this.name = 'LiveError';
    this.code = code;
  }
  /** The only part of this error that may reach the client. */
  get reason(): string {
    return reasonOf(this.code);
  }
}

/** What the client is told for `code`, for a reply that needs no `LiveError` (nothing to log). */
export function reasonOf(code: LiveErrorCode): string {
  return CATALOGUE[code].reason;
}

/** True when `err` is a `LiveError` with `code`. */
export function isLiveError(err: unknown, code?: LiveErrorCode): err is LiveError {
  return err instanceof LiveError && (code === undefined || err.code === code);
}
