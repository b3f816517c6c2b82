// Secrets never reach the client, the logs or the inspector. Redaction works on copies and is
// bounded (depth, keys, string length), so a huge or cyclic value cannot stall a log line.

const SECRET_KEY = /token|secret|password|passwd|authorization|cookie|session|api[-_]?key|private|csrf/i;
const MAX_DEPTH = 5;
const MAX_KEYS = 50;
const MAX_STRING = 256;

/** A JSON-safe copy of `value` with secret-looking keys masked and sizes bounded. */
export function redact(value: unknown, depth = 0): unknown {
  if (value === null || value === undefined) return value;
  if (typeof value === 'string') return value.length > MAX_STRING ? value.slice(0, MAX_STRING) + '…' : value;
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'function') return '[function]';
  if (value instanceof Error) return { name: value.name, message: redact(value.message, depth + 1) };
  if (depth >= MAX_DEPTH) return '[truncated]';
  if (Array.isArray(value)) return value.slice(0, MAX_KEYS).map((item) => redact(item, depth + 1));
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    let count = 0;
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      if (count++ >= MAX_KEYS) {
        out['…'] = 'truncated';
        break;
      }
      out[key] = SECRET_KEY.test(key) ? '[redacted]' : redact(item, depth + 1);
    }
    return out;
  }
  return String(value);
}
