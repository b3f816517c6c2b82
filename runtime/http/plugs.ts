// Plugs every app wants. `protectFromForgery` guards every state-changing request: the form field
// `_csrf_token` (or the `x-csrf-token` header) must be a valid masked token of the session's secret.

import type { Conn, Plug } from './conn.ts';
import { CSRF_SESSION_KEY, isValidCsrfToken } from '../security/csrf.ts';
import { BROWSER_HEADERS } from './security-headers.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export const protectFromForgery: Plug = async (conn: Conn) => {
  if (SAFE_METHODS.has(conn.method) || conn.authenticatedByHeader) return;
  const form = await conn.form();
  const header = conn.req.headers['x-csrf-token'];
  const token = form.get('_csrf_token') ?? (typeof header === 'string' ? header : null);
  if (!isValidCsrfToken(conn.getSession(CSRF_SESSION_KEY), token)) {
    conn.text(403, 'Forbidden: invalid CSRF token');
  }
};

/**
 * Headers that cost nothing and close common holes. The server already sets them (and the CSP) on
 * every response; the plug is for an app that wants them stated in its own pipeline.
 */
export const putSecureBrowserHeaders: Plug = (conn: Conn) => {
  for (const [name, value] of BROWSER_HEADERS) conn.headers.set(name, value);
};
