// Which connections each session holds, so one user (live socket id) or one cookie session
// cannot open sockets and views without bound. A connection without a session has no key and is
// not counted here: it can join nothing (every join is `stale`).

import { CSRF_SESSION_KEY } from '../runtime/security/csrf.ts';
import type { CookieSession } from '../runtime/security/cookie-session.ts';

/** What the tally needs of a connection. */
export interface Tallied {
  readonly viewCount: number;
}

export class SessionTally {
  readonly #bySession = new Map<string, Set<Tallied>>();

  /**
   * The key a socket's session is counted under: its live socket id (every browser of a user
   * shares it), else its cookie session's CSRF secret (one browser), else none.
   */
  static keyOf(liveSocketId: string | null, session: CookieSession | null): string | null {
    if (liveSocketId !== null) return `user:${liveSocketId}`;
    const secret = session?.[CSRF_SESSION_KEY];
    return typeof secret === 'string' ? `session:${secret}` : null;
  }

  add(key: string, connection: Tallied): void {
    let set = this.#bySession.get(key);
    if (!set) this.#bySession.set(key, (set = new Set()));
    set.add(connection);
  }

  remove(key: string, connection: Tallied): void {
    const set = this.#bySession.get(key);
    if (!set) return;
    set.delete(connection);
    if (set.size === 0) this.#bySession.delete(key);
  }

  sockets(key: string): number {
    return this.#bySession.get(key)?.size ?? 0;
  }

  /** Views across the session's sockets (at most `maxSocketsPerSession` of them to add up). */
  views(key: string): number {
    let count = 0;
    for (const connection of this.#bySession.get(key) ?? []) count += connection.viewCount;
    return count;
  }
}
