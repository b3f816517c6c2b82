// Decodes the url-encoded `value` of a form event into nested params with Plug's rules
// (`user[email]=a` → `{ user: { email: 'a' } }`, `tags[]=a&tags[]=b` → `{ tags: ['a', 'b'] }`).
// Keys that would reach the prototype are dropped.

export type FormParams = { [key: string]: string | string[] | FormParams };

const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);
/** Nesting a form param name may have; deeper names are dropped. */
export const MAX_PARAM_DEPTH = 16;

/** True for a key that could reach an object's prototype if assigned (`__proto__`, …). */
export function isForbiddenKey(key: string): boolean {
  return FORBIDDEN.has(key);
}

export function decodeFormParams(encoded: string): FormParams {
  const root: FormParams = Object.create(null);
  for (const [name, value] of new URLSearchParams(encoded)) {
    const path = parseParamName(name);
    if (path.length <= MAX_PARAM_DEPTH) put(root, path, value);
  }
  return root;
}

/**
 * `user[address][city]` → `["user", "address", "city"]`; `tags[]` → `["tags", ""]`; a name whose
 * brackets do not parse is one segment, whole.
 */
export function parseParamName(name: string): string[] {
  const open = name.indexOf('[');
  if (open < 0) return [name];
  const path = [name.slice(0, open)];
  const rest = name.slice(open);
  const pattern = /\[([^\]]*)\]/gy;
  let match: RegExpExecArray | null;
  let consumed = 0;
  while ((match = pattern.exec(rest)) !== null) {
    path.push(match[1]!);
    consumed = pattern.lastIndex;
  }
  return consumed === rest.length ? path : [name];
}

function put(target: FormParams, path: string[], value: string): void {
  let node = target;
  for (let i = 0; i < path.length; i++) {
    const key = path[i]!;
    const last = i === path.length - 1;
    if (FORBIDDEN.has(key)) return;
    const nextIsList = path[i + 1] === '';
    if (last) {
      if (key === '') return;
      node[key] = value;
      return;
    }
    if (nextIsList) {
      const existing = node[key];
      const list = Array.isArray(existing) ? existing : [];
      if (i + 2 === path.length) {
        list.push(value);
        node[key] = list;
      }
      return;
    }
    const existing = node[key];
    if (typeof existing === 'object' && existing !== null && !Array.isArray(existing)) {
      node = existing;
    } else {
      const child: FormParams = Object.create(null);
      node[key] = child;
      node = child;
    }
  }
}
