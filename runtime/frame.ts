// The Phoenix channel V2 frame: `[join_ref, ref, topic, event, payload]` as a JSON text frame
// (Phoenix's `V2.JSONSerializer`). Decoding validates the shape completely, so nothing past this
// file ever sees a frame of the wrong arity or types.

import { LiveError, type LiveErrorCode } from './errors.ts';
import { DEFAULT_LIMITS } from './limits.ts';

export interface Frame {
  joinRef: string | null;
  ref: string | null;
  topic: string;
  event: string;
  payload: Record<string, unknown>;
}

/** What could be salvaged from a frame that failed validation, to address the error reply. */
export interface MalformedFrame {
  error: LiveError;
  ref: string | null;
  joinRef: string | null;
  topic: string | null;
}

export type DecodeResult = { ok: true; frame: Frame } | ({ ok: false } & MalformedFrame);

function isRef(value: unknown): value is string | null {
  return value === null || typeof value === 'string';
}

/**
 * Decodes one text frame. Never throws: a bad frame comes back as `{ ok: false }`. A join_ref,
 * ref, topic or event longer than `maxFieldChars` refuses the frame, and only fields within the
 * bound are salvaged for the reply, so an error reply never echoes unbounded input.
 */
export function decodeFrame(text: string, maxFieldChars: number = DEFAULT_LIMITS.maxFrameFieldChars): DecodeResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return malformed('frame is not valid JSON', null, null, null);
  }
  if (!Array.isArray(parsed)) return malformed('frame must be a JSON array', null, null, null);
  // Salvage the addressing fields first, so a frame that is wrong elsewhere can still be answered.
  const [joinRef, ref, topic, event, payload] = parsed as unknown[];
  const safeRef = salvage(ref, maxFieldChars);
  const safeJoinRef = salvage(joinRef, maxFieldChars);
  const safeTopic = salvage(topic, maxFieldChars);
  // Every frame passes here (heartbeats included): plain comparisons, nothing allocated.
  const tooLong = isLong(joinRef, maxFieldChars)
    ? 'join_ref'
    : isLong(ref, maxFieldChars)
      ? 'ref'
      : isLong(topic, maxFieldChars)
        ? 'topic'
        : isLong(event, maxFieldChars)
          ? 'event'
          : null;
  if (tooLong !== null) {
    return malformed(`${tooLong} longer than ${maxFieldChars} characters`, safeRef, safeJoinRef, safeTopic, 'LV_ERR_FIELD_TOO_LONG');
  }
  if (parsed.length !== 5) {
    return malformed(`frame must have 5 elements, got ${parsed.length}`, safeRef, safeJoinRef, safeTopic);
  }
  if (!isRef(joinRef)) return malformed('join_ref must be a string or null', safeRef, null, safeTopic);
  if (!isRef(ref)) return malformed('ref must be a string or null', null, safeJoinRef, safeTopic);
  if (typeof topic !== 'string') return malformed('topic must be a string', safeRef, safeJoinRef, null);
  if (typeof event !== 'string') return malformed('event must be a string', safeRef, safeJoinRef, topic);
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    return malformed('payload must be a JSON object', safeRef, safeJoinRef, topic);
  }
  return {
    ok: true,
    frame: { joinRef, ref, topic, event, payload: payload as Record<string, unknown> },
  };
}

function isLong(value: unknown, max: number): boolean {
  return typeof value === 'string' && value.length > max;
}

/** The field if it is a string within `max` characters (safe to echo in a reply), else null. */
function salvage(value: unknown, max: number): string | null {
  return typeof value === 'string' && value.length <= max ? value : null;
}

function malformed(
  detail: string,
  ref: string | null,
  joinRef: string | null,
  topic: string | null,
  code: LiveErrorCode = 'LV_ERR_MESSAGE_MALFORMED',
): DecodeResult {
  return { ok: false, error: new LiveError(code, detail), ref, joinRef, topic };
}

/** Encodes a server frame. */
export function encodeFrame(joinRef: string | null, ref: string | null, topic: string, event: string, payload: unknown): string {
  return JSON.stringify([joinRef, ref, topic, event, payload]);
}

/** Encodes a `phx_reply`. */
export function encodeReply(joinRef: string | null, ref: string | null, topic: string, status: 'ok' | 'error', response: unknown): string {
  return JSON.stringify([joinRef, ref, topic, 'phx_reply', { status, response }]);
}
