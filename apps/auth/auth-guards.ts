// Who the user is, checked on both paths. The plugs guard the HTTP request; the onMount hooks run
// the same checks again at the live mount (and on every live navigation), reading the user from
// the cookie session and the database as they are *now*.

import { CSRF_SESSION_KEY, cont, halt, maskCsrfToken, policy, type Conn, type OnMountHook, type Plug, type Policy } from 'liveward';
import type { Accounts, User } from './accounts.ts';

/** Session key holding the login session token (the cookie session is encrypted). */
export const USER_TOKEN_KEY = 'user_token';
export const LOGIN_PATH = '/login';

export interface AuthGuards {
  /** Plug: loads `currentUser` from the login session (or null). */
  fetchCurrentUser: Plug;
  /** Plug: anonymous or unconfirmed → /login. */
  requireConfirmedUser: Plug;
  /** Plug: not an admin → /login. */
  requireAdmin: Plug;
  /**
   * Plug: accepts an operator token (`Authorization: Bearer …`, see `npm run disconnect`) for
   * `action`; `verify` is the server's `adminTokens.verify`.
   */
  acceptAdminToken(action: string, verify: (token: string, action: string) => Promise<boolean>): Plug;
  /** Plug: an admin user, or a request carrying a valid operator token. */
  requireAdminOrToken: Plug;
  /** Hook: assigns `currentUser`, reusing what the HTTP pipeline loaded. */
  mountCurrentUser: OnMountHook;
  /** Hook: halts to /login unless a confirmed user is signed in. */
  ensureConfirmedUser: OnMountHook;
  /** Hook: halts to /login unless an admin is signed in. */
  ensureAdmin: OnMountHook;
}

/** Confirmed admins. */
export function isAdmin(user: User | null): boolean {
  return user !== null && user.confirmed && user.role === 'admin';
}

/**
 * An event policy for signed-in users, re-checked on every event against the database as it is
 * now: the login session must still exist (a logout elsewhere revokes it), still belong to the user
 * the view mounted for, and that user must still satisfy `allowed` (a revoked role counts at once).
 */
export function signedInPolicy<A extends { currentUser: User }>(
  name: string,
  accounts: Accounts,
  allowed: (user: User, assigns: Readonly<A>) => boolean,
): Policy<A> {
  return policy<A>(name, ({ assigns, session }) => {
    const user = accounts.getUserBySessionToken(session[USER_TOKEN_KEY]);
    return user !== null && user.id === assigns.currentUser.id && allowed(user, assigns);
  });
}

export function createAuthGuards(accounts: Accounts): AuthGuards {
  const userOf = (conn: Conn): User | null => (conn.assigns.currentUser as User | null | undefined) ?? null;
  const redirectToLogin = (conn: Conn): void => {
    if (conn.method === 'GET') conn.putSession('return_to', conn.path);
    conn.redirect(LOGIN_PATH);
  };
  const currentUser = (socket: { assigns: { currentUser?: User | null } }): User | null => socket.assigns.currentUser ?? null;

  const requireAdmin: Plug = (conn) => {
    if (!isAdmin(userOf(conn))) redirectToLogin(conn);
  };

  return {
    acceptAdminToken: (action, verify) => async (conn) => {
      const header = conn.req.headers.authorization;
      if (!header?.startsWith('Bearer ')) return;
      if (await verify(header.slice('Bearer '.length), action)) {
        // The request speaks for the token alone: CSRF does not apply to it, so no cookie
        // identity may ride along (a valid token must not turn off CSRF for a signed-in user).
        conn.session = {};
        conn.authenticatedByHeader = true;
        conn.assign('operatorToken', action);
      } else {
        conn.json(401, { error: 'invalid or expired operator token' });
      }
    },
    requireAdminOrToken: (conn) => {
      if (conn.assigns.operatorToken) return;
      if (!isAdmin(userOf(conn))) conn.json(403, { error: 'admins only' });
    },
    fetchCurrentUser: (conn) => {
      conn.assign('currentUser', accounts.getUserBySessionToken(conn.getSession(USER_TOKEN_KEY)));
    },
    requireConfirmedUser: (conn) => {
      const user = userOf(conn);
      if (!user || !user.confirmed) redirectToLogin(conn);
    },
    requireAdmin,
    mountCurrentUser: (_params, session, socket) => {
      socket.assignNew('currentUser', () => accounts.getUserBySessionToken(session[USER_TOKEN_KEY]));
      // Forms that post over HTTP (logout) need a token valid for this session, as Phoenix's
      // `load_csrf_token`; a masked token, never the secret itself.
      const secret = session[CSRF_SESSION_KEY];
      socket.assign({ csrfToken: typeof secret === 'string' ? maskCsrfToken(secret) : '' });
      return cont();
    },
    ensureConfirmedUser: (_params, _session, socket) => {
      const user = currentUser(socket);
      return user && user.confirmed ? cont() : halt(LOGIN_PATH);
    },
    ensureAdmin: (_params, _session, socket) => {
      return isAdmin(currentUser(socket)) ? cont() : halt(LOGIN_PATH);
    },
  };
}
