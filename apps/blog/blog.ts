// The Blog context. Every function takes the user and checks again, whatever the caller already
// checked: the event policy is one guard, the domain is the second (brief §3).

import type { PubSub } from 'liveward';
import type { Accounts, User } from './accounts.ts';
import type { Db } from './database.ts';

export interface Post {
  id: number;
  title: string;
  body: string;
  updatedAt: string;
}

export type UpdateResult = { ok: true; post: Post } | { ok: false; error: 'forbidden' | 'not_found' | 'invalid'; message: string };

export const MAX_TITLE = 200;
export const MAX_BODY = 20_000;

/** The PubSub topic of one post: every open view of it subscribes. */
export function postTopic(id: number): string {
  return `post:${id}`;
}

export type PostMessage = { type: 'post_updated'; post: Post };

interface PostRow {
  id: number;
  title: string;
  body: string;
  updated_at: string;
}

const toPost = (row: PostRow): Post => ({ id: row.id, title: row.title, body: row.body, updatedAt: row.updated_at });

export class Blog {
  readonly #db: Db;
  readonly #accounts: Accounts;
  readonly #pubsub: () => PubSub;

  constructor(db: Db, accounts: Accounts, pubsub: () => PubSub) {
    this.#db = db;
    this.#accounts = accounts;
    this.#pubsub = pubsub;
  }

  /** Confirmed users may read. */
  canRead(user: User | null): user is User {
    return user !== null && user.confirmed;
  }

  /** Confirmed editors may edit. Re-reads the user, so a revoked role counts at once. */
  canEdit(user: Pick<User, 'id'> | null): boolean {
    return isEditor(user ? this.#accounts.getUser(user.id) : null);
  }

  listPosts(user: User | null): Post[] {
    if (!this.canRead(user)) return [];
    return (this.#db.prepare('SELECT * FROM posts ORDER BY id').all() as PostRow[]).map(toPost);
  }

  getPostForUser(user: User | null, id: number): Post | null {
    if (!this.canRead(user) || !Number.isSafeInteger(id)) return null;
    const row = this.#db.prepare('SELECT * FROM posts WHERE id = ?').get(id) as PostRow | undefined;
    return row ? toPost(row) : null;
  }

  updatePost(user: User | null, post: Post, params: Record<string, unknown>): UpdateResult {
    if (!this.canEdit(user)) return { ok: false, error: 'forbidden', message: 'Only editors may change posts.' };
    const title = typeof params.title === 'string' ? params.title.trim() : '';
    const body = typeof params.body === 'string' ? params.body : '';
    if (title.length === 0 || title.length > MAX_TITLE) {
      return { ok: false, error: 'invalid', message: `Title must be 1 to ${MAX_TITLE} characters.` };
    }
    if (body.length > MAX_BODY) return { ok: false, error: 'invalid', message: `Body must be at most ${MAX_BODY} characters.` };
    const updatedAt = new Date().toISOString();
    const { changes } = this.#db
      .prepare('UPDATE posts SET title = ?, body = ?, updated_at = ?, updated_by = ? WHERE id = ?')
      .run(title, body, updatedAt, user!.id, post.id);
    if (changes === 0) return { ok: false, error: 'not_found', message: 'That post no longer exists.' };
    const updated: Post = { id: post.id, title, body, updatedAt };
    const message: PostMessage = { type: 'post_updated', post: updated };
    this.#pubsub().broadcast(postTopic(post.id), message);
    return { ok: true, post: updated };
  }
}

/** The rule itself, for a user read just now (a policy or a mount that loaded it already). */
export function isEditor(user: User | null): boolean {
  return user !== null && user.confirmed && user.role === 'editor';
}
