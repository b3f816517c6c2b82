// Logs in over HTTP as a browser does: GET /login for the session cookie and the masked CSRF
// token of its form, then POST the form (without following the redirect) and keep the cookie the
// server sets. The login renews the session, so the cookie returned is a new one.

import type { User } from '../../apps/auth/accounts.ts';
import { csrfInputOf } from '../../testing/html-query.ts';
import { mergeCookies } from './live-client.ts';
import type { DemoUser } from './sign-in.ts';

export { csrfInputOf };

/**
 * The masked `_csrf_token` of the login form for the cookie session `cookie` (any token of that
 * session is valid for its POST forms), and the cookie as it stands after the GET.
 */
export async function fetchCsrfToken(baseUrl: string, cookie = ''): Promise<{ csrfToken: string; cookie: string }> {
  const response = await fetch(new URL('/login', baseUrl), {
    redirect: 'manual',
    headers: cookie ? { cookie } : {},
  });
  const html = await response.text();
  const csrfToken = csrfInputOf(html);
  if (response.status !== 200 || !csrfToken) throw new Error(`GET /login answered ${response.status} without a CSRF token`);
  return { csrfToken, cookie: mergeCookies(cookie, response.headers.getSetCookie()) };
}

/**
 * Logs `email` in and returns the `Cookie` header of the logged-in browser; throws when the
 * server does not redirect (wrong password, unconfirmed account).
 *
 * @example
 *   const cookie = await logIn(s.baseUrl, 'alice@example.com', 'alice-password');
 *   const page = await fetchLivePage(s.baseUrl, '/posts', { cookie });
 */
export async function logIn(baseUrl: string, email: string, password: string): Promise<string> {
  const form = await fetchCsrfToken(baseUrl);
  const response = await fetch(new URL('/login', baseUrl), {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: form.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf_token: form.csrfToken, email, password }).toString(),
  });
  await response.text();
  if (response.status !== 302) throw new Error(`POST /login for ${email} answered ${response.status}, not a redirect`);
  return mergeCookies(form.cookie, response.headers.getSetCookie());
}

/** A seeded demo account, logged in in a cookie session of its own. */
export interface LoggedIn {
  user: User;
  /** The `Cookie` header of its logged-in browser. */
  cookie: string;
}

/**
 * Logs the seeded accounts `names` in (password `<name>-password`), each in its own session.
 *
 * @example
 *   [{ user: alice, cookie: aliceCookie }, { user: bob, cookie: bobCookie }] = await logInSeeded(s, 'alice', 'bob');
 */
export async function logInSeeded<const Names extends readonly DemoUser[]>(
  lab: { baseUrl: string; app: { accounts: { listUsers(): User[] } } },
  ...names: Names
): Promise<{ [K in keyof Names]: LoggedIn }> {
  const users = lab.app.accounts.listUsers();
  const loggedIn = await Promise.all(
    names.map(async (name) => {
      const user = users.find((u) => u.email === `${name}@example.com`);
      if (!user) throw new Error(`no seeded account ${name}`);
      return { user, cookie: await logIn(lab.baseUrl, user.email, `${name}-password`) };
    }),
  );
  return loggedIn as { [K in keyof Names]: LoggedIn };
}
