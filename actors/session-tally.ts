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
  /**
   * A session's one connection itself, or a Set once it has more: most sessions hold one socket,
   * and a Set is ~150 bytes for each of them.
   */
  readonly #bySession = new Map<string, Tallied | Set<Tallied>>();

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
    const held = this.#bySession.get(key);
    if (held === undefined) this.#bySession.set(key, connection);
    else if (held instanceof Set) held.add(connection);
    else if (held !== connection) this.#bySession.set(key, new Set([held, connection]));
  }

  remove(key: string, connection: Tallied): void {
    const held = this.#bySession.get(key);
    if (held === undefined) return;
    if (!(held instanceof Set)) {
      if (held === connection) this.#bySession.delete(key);
      return;
    }
    held.delete(connection);
    if (held.size === 1) this.#bySession.set(key, held.values().next().value!);
  }

  sockets(key: string): number {
    const held = this.#bySession.get(key);
    return held === undefined ? 0 : held instanceof Set ? held.size : 1;
  }

  /** Views across the session's sockets (at most `maxSocketsPerSession` of them to add up). */
  views(key: string): number {
    const held = this.#bySession.get(key);
    if (held === undefined) return 0;
    if (!(held instanceof Set)) return held.viewCount;
    let count = 0;
    for (const connection of held) count += connection.viewCount;
    return count;
  }
}
