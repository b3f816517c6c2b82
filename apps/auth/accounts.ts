// Accounts and login sessions. A login session is a random token kept hashed in the database;
// the cookie only refers to it, so deleting the row (logout, ban) revokes every copy of the cookie.

import { createHash, randomBytes } from 'node:crypto';
import { prepared, type Db } from '../database.ts';
import { burnPasswordCheck, verifyPassword } from './password.ts';

export type Role = 'reader' | 'editor' | 'admin';

export interface User {
  id: number;
  email: string;
  role: Role;
  confirmed: boolean;
}

interface UserRow {
  id: number;
  email: string;
  password_hash: string;
  role: Role;
  confirmed_at: string | null;
}

/** Login sessions older than this are refused (and swept). */
export const SESSION_VALIDITY_S = 60 * 60 * 24 * 30;

function toUser(row: UserRow): User {
  return { id: row.id, email: row.email, role: row.role, confirmed: row.confirmed_at !== null };
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/** The live socket id of a user: every socket of theirs carries it, so all can be disconnected. */
export function liveSocketIdFor(user: Pick<User, 'id'>): string {
  return `users_socket:${user.id}`;
}

const LIVE_SOCKET_ID = /^[\w:.-]{1,128}$/;

/** Whether `id` has the shape of a live socket id: checked wherever an admin names one. */
export function isLiveSocketId(id: unknown): id is string {
  return typeof id === 'string' && LIVE_SOCKET_ID.test(id);
}

export class Accounts {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  getUser(id: number): User | null {
    const row = prepared(this.#db, 'SELECT * FROM users WHERE id = ?').get(id) as UserRow | undefined;
    return row ? toUser(row) : null;
  }

  listUsers(): User[] {
    return (prepared(this.#db, 'SELECT * FROM users ORDER BY id').all() as UserRow[]).map(toUser);
  }

  /** The user for an email and password, or null; takes the same time either way. */
  async authenticate(email: string, password: string): Promise<User | null> {
    const row = prepared(this.#db, 'SELECT * FROM users WHERE email = ?').get(email) as UserRow | undefined;
    if (!row) {
      await burnPasswordCheck(password);
      return null;
    }
    return (await verifyPassword(password, row.password_hash)) ? toUser(row) : null;
  }

  /** Starts a login session; returns the token for the cookie session (stored hashed). */
  createSessionToken(user: User): string {
    const token = randomBytes(32).toString('base64url');
    prepared(this.#db, 'INSERT INTO user_tokens (token_hash, user_id, created_at) VALUES (?, ?, ?)').run(
      hashToken(token),
      user.id,
      Math.floor(Date.now() / 1000),
    );
    return token;
  }

  /** The user of a valid, unexpired login session, or null. */
  getUserBySessionToken(token: unknown): User | null {
    if (typeof token !== 'string' || token.length === 0) return null;
    const row = prepared(
      this.#db,
      `SELECT users.* FROM user_tokens JOIN users ON users.id = user_tokens.user_id
         WHERE user_tokens.token_hash = ? AND user_tokens.created_at > ?`,
    ).get(hashToken(token), Math.floor(Date.now() / 1000) - SESSION_VALIDITY_S) as UserRow | undefined;
    return row ? toUser(row) : null;
  }

  deleteSessionToken(token: unknown): void {
    if (typeof token !== 'string') return;
    prepared(this.#db, 'DELETE FROM user_tokens WHERE token_hash = ?').run(hashToken(token));
  }

  /** Ends every login session of a user (ban, password change). */
  deleteAllSessionTokens(userId: number): void {
    prepared(this.#db, 'DELETE FROM user_tokens WHERE user_id = ?').run(userId);
  }

  setRole(userId: number, role: Role): void {
    prepared(this.#db, 'UPDATE users SET role = ? WHERE id = ?').run(role, userId);
  }

  deleteUser(userId: number): void {
    prepared(this.#db, 'DELETE FROM users WHERE id = ?').run(userId);
  }
}
