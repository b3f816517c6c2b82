// `GET /login`, `POST /login`, `POST /logout`: plain HTTP, CSRF-protected by the pipeline.
// Logging in renews the session (no fixation) and gives it a live socket id; logging out deletes
// the login token (so a copied cookie stops working) and disconnects every live socket of the user.

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
import { USER_TOKEN_KEY } from './auth.ts';

export interface SessionController {
  showLogin: Handler;
  login: Handler;
  logout: Handler;
}

/** `disconnect` is the running server's `disconnect`. */
export function createSessionController(
  accounts: Accounts,
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
      const user = accounts.authenticate(email, form.get('password') ?? '');
      if (!user) return render(conn, 401, 'Invalid email or password.', email);
      if (!user.confirmed) return render(conn, 403, 'Please confirm your email address first.', email);
      const returnTo = conn.getSession('return_to');
      // Renew the session: nothing from before the login survives, and the CSRF secret is new.
      conn.clearSession();
      conn.putSession(USER_TOKEN_KEY, accounts.createSessionToken(user));
      conn.putSession('live_socket_id', liveSocketIdFor(user));
      conn.putFlash('info', 'Welcome back');
      conn.redirect(isLocalPath(returnTo) ? returnTo : '/posts');
    },

    logout: async (conn) => {
      accounts.deleteSessionToken(conn.getSession(USER_TOKEN_KEY));
      const liveSocketId = conn.getSession('live_socket_id');
      if (typeof liveSocketId === 'string') {
        // This node's sockets are closed before the redirect; the browser need not wait for the
        // other nodes' answers. A node that misses the relay re-checks the (now deleted) login
        // session after its outage.
        void disconnect(liveSocketId).then((result) => {
          if (result.unanswered.length > 0) logger.warn('logout.disconnect_unanswered', { message: describeDisconnectResult(result) });
        });
      }
      conn.clearSession();
      conn.putFlash('info', 'Logged out');
      conn.redirect('/login');
    },
  };
}
