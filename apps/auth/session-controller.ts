// `GET /login`, `POST /login`, `POST /logout`: plain HTTP, CSRF-protected by the pipeline.
// Logging in is throttled per account and client address (`LoginThrottle`), renews the session
// (no fixation) and gives it a live socket id; logging out deletes the login token (so a copied
// cookie stops working) and disconnects every live socket of the user, but only for a login
// session that is still valid: a copy of a cookie logged out before must not disconnect the
// sockets the user opened since.

import {
  CSRF_SESSION_KEY,
  defaultLayout,
  isLocalPath,
  html,
  logger,
  maskCsrfToken,
  describeDisconnectResult,
  type Conn,
  type DisconnectResult,
  type Handler,
} from 'liveward';
import { liveSocketIdFor, type Accounts } from './accounts.ts';
import { flashGroup } from '../flash-group.ts';
import { USER_TOKEN_KEY } from './auth-guards.ts';
import { isLoginRefusal, type LoginRefusal, type LoginThrottle } from './login-throttle.ts';

export interface SessionController {
  showLogin: Handler;
  login: Handler;
  logout: Handler;
}

/** The client address a login attempt is counted against: the TCP peer (no proxy is trusted). */
function clientAddress(conn: Conn): string {
  return conn.req.socket.remoteAddress ?? 'unknown';
}

function refusalMessage(refusal: LoginRefusal): string {
  const wait = refusal.retryAfterS === 1 ? '1 second' : `${refusal.retryAfterS} seconds`;
  return refusal.reason === 'delay'
    ? `Too many failed attempts. Please wait ${wait} before trying again.`
    : `Too many failed attempts: logging in from here is locked. Try again in ${wait}.`;
}

/** `disconnect` is the running server's `disconnect`. */
export function createSessionController(
  accounts: Accounts,
  throttle: LoginThrottle,
  disconnect: (liveSocketId: string) => Promise<DisconnectResult>,
): SessionController {
  const render = (conn: Conn, status: number, error: string | null, email = ''): void => {
    const csrfToken = maskCsrfToken(String(conn.getSession(CSRF_SESSION_KEY)));
    const page = html`${flashGroup(conn.flash)}<main class="login">
  <h1>Log in</h1>
  ${error ? html`<p id="login-error" class="error">${error}</p>` : ''}
  <form id="login-form" method="post" action="/login">
    <input type="hidden" name="_csrf_token" value="${csrfToken}">
    <label>Email <input id="email" name="email" type="email" value="${email}" required></label>
    <label>Password <input id="password" name="password" type="password" required></label>
    <button id="login" type="submit">Log in</button>
  </form>
</main>`;
    conn.html(status, defaultLayout({ title: 'Log in', csrfToken, content: page.toString() }));
  };

  return {
    showLogin: (conn) => render(conn, 200, null),

    login: async (conn) => {
      const form = await conn.form();
      const email = form.get('email') ?? '';
      const attempt = await throttle.attempt(email, clientAddress(conn));
      if (isLoginRefusal(attempt)) {
        conn.headers.set('retry-after', String(attempt.retryAfterS));
        return render(conn, 429, refusalMessage(attempt), email);
      }
      const user = await accounts.authenticate(email, form.get('password') ?? '');
      if (!user) {
        await attempt.failed();
        return render(conn, 401, 'Invalid email or password.', email);
      }
      await attempt.succeeded();
      if (!user.confirmed) return render(conn, 403, 'Please confirm your email address first.', email);
      const returnTo = conn.getSession('return_to');
      // Renew the session: nothing from before the login survives, and the CSRF secret is new.
      conn.clearSession();
      conn.putSession(USER_TOKEN_KEY, accounts.createSessionToken(user));
      conn.putSession('live_socket_id', liveSocketIdFor(user));
      conn.putFlash('info', 'Welcome back');
      conn.redirect(isLocalPath(returnTo) ? returnTo : '/posts');
    },

    logout: (conn) => {
      const token = conn.getSession(USER_TOKEN_KEY);
      // Checked first: only a login session that still exists speaks for its user. The live socket
      // id disconnected is the user's own, never one read from the cookie.
      const user = accounts.getUserBySessionToken(token);
      if (user) {
        accounts.deleteSessionToken(token);
        // This node's sockets are closed before the redirect; the browser need not wait for the
        // other nodes' answers. A node that misses the relay re-checks the (now deleted) login
        // session after its outage.
        void disconnect(liveSocketIdFor(user)).then((result) => {
          if (result.unanswered.length > 0) logger.warn('logout.disconnect_unanswered', { message: describeDisconnectResult(result) });
        });
      }
      conn.clearSession();
      conn.putFlash('info', 'Logged out');
      conn.redirect('/login');
    },
  };
}
