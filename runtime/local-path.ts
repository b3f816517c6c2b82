// Open-redirect protection: the client navigates wherever a redirect says, so every redirect,
// navigate and patch target is checked to be a local path before anything is sent
// (Phoenix's `valid_string_destination!`).

import { LiveError } from './errors.ts';

const UNSAFE = /[\\\r\n\t]|\/%09/i;

/** Whether `to` is a path on this site that is safe to redirect to. */
export function isLocalPath(to: unknown): to is string {
  return typeof to === 'string' && to.startsWith('/') && !to.startsWith('//') && !UNSAFE.test(to);
}

/** Returns `to` if it is a safe local path, throws `LV_ERR_UNSAFE_REDIRECT` otherwise. */
export function validateLocalPath(to: string): string {
  if (!isLocalPath(to)) {
    throw new LiveError('LV_ERR_UNSAFE_REDIRECT', `not a local path: ${JSON.stringify(String(to)).slice(0, 100)}`);
  }
  return to;
}
