// What a handler receives as an event's value, decoded as Phoenix does: a form event's url-encoded
// `value` becomes nested params (`form-params.ts`), its `meta` (the form's `phx-value-*`, a
// `JS.push` value) is merged over them, and `_target` (the input that changed, `"post[title]"`)
// becomes a key path (`["post", "title"]`). Any other event's object value is handed over as is.

import { decodeFormParams, isForbiddenKey, parseParamName } from './form-params.ts';

/** Decodes the `value` of an `event` frame's payload; never throws, whatever the payload holds. */
export function decodeEventValue(payload: Record<string, unknown>): Record<string, unknown> {
  const { value, meta } = payload;
  const hasMeta = isRecord(meta);
  let decoded: Record<string, unknown>;
  if (payload.type === 'form' && typeof value === 'string') decoded = decodeFormParams(value);
  // The frame was parsed for this event alone: its value can be handed over without a copy,
  // unless the form meta must be merged into it.
  else if (isRecord(value)) decoded = hasMeta ? Object.assign(Object.create(null), value) : value;
  else decoded = value === undefined ? {} : { value };
  if (hasMeta) {
    // Own keys only, and never one that would reach a prototype if assigned.
    for (const key of Object.keys(meta)) if (!isForbiddenKey(key)) decoded[key] = meta[key];
  }
  if (payload.type === 'form' && '_target' in decoded) {
    const target = targetPath(decoded._target);
    if (target) decoded._target = target;
    else delete decoded._target;
  }
  return decoded;
}

/**
 * `"post[title]"` → `["post", "title"]`; `"tags[]"` → `["tags"]`. The client sends the string
 * `"undefined"` when no input started the event: that stays one segment, as in Phoenix.
 */
function targetPath(target: unknown): string[] | null {
  if (Array.isArray(target)) return target.every((k) => typeof k === 'string') ? (target as string[]) : null;
  if (typeof target !== 'string') return null;
  return parseParamName(target).filter((segment) => segment !== '');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
