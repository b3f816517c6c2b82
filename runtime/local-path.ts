// Open-redirect protection: the client navigates wherever a redirect says, so every redirect,
// navigate and patch target is checked to be a local path before anything is sent
// (PROTOCOL.md §6.3, Phoenix's `valid_string_destination!`).

import { LiveError } from './errors.ts';

const UNSAFE = /[\\\r\n\t]|\/%09/i;

/** Returns `to` if it is a safe local path, throws `LV_ERR_UNSAFE_REDIRECT` otherwise. */
export function validateLocalPath(to: string): string {
  if (typeof to !== 'string' || !to.startsWith('/') || to.startsWith('//') || UNSAFE.test(to)) {
    throw new LiveError('LV_ERR_UNSAFE_REDIRECT', `not a local path: ${JSON.stringify(String(to)).slice(0, 100)}`);
  }
  return to;
}
