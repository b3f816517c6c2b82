// The Blog context. Every function takes the user and checks again, whatever the caller already
// checked: the event policy is one guard, the domain is the second (defence in depth).

import type { PubSub } from 'liveward';
import type { Accounts, User } from '../auth/accounts.ts';
import { prepared, type Db } from '../database.ts';

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

export interface Comment {
  id: number;
  postId: number;
  authorId: number;
  authorEmail: string;
  body: string;
  createdAt: string;
}

export const MAX_COMMENT = 500;

export type CommentResult = { ok: true; comment: Comment } | { ok: false; error: 'forbidden' | 'not_found' | 'invalid'; message: string };

export type PostMessage =
  | { type: 'post_updated'; post: Post }
  | { type: 'comment_added'; comment: Comment }
  | { type: 'comment_deleted'; postId: number; commentId: number };

interface PostRow {
  id: number;
  title: string;
  body: string;
  updated_at: string;
}

interface CommentRow {
  id: number;
  post_id: number;
  author_id: number;
  author_email: string;
  body: string;
  created_at: string;
}

const COMMENT_COLUMNS = 'c.id, c.post_id, c.author_id, u.email AS author_email, c.body, c.created_at';

const toComment = (row: CommentRow): Comment => ({
  id: row.id,
  postId: row.post_id,
  authorId: row.author_id,
  authorEmail: row.author_email,
  body: row.body,
  createdAt: row.created_at,
});

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
    return (prepared(this.#db, 'SELECT * FROM posts ORDER BY id').all() as PostRow[]).map(toPost);
  }

  getPostForUser(user: User | null, id: number): Post | null {
    if (!this.canRead(user) || !Number.isSafeInteger(id)) return null;
    const row = prepared(this.#db, 'SELECT * FROM posts WHERE id = ?').get(id) as PostRow | undefined;
    return row ? toPost(row) : null;
  }

  listComments(user: User | null, postId: number): Comment[] {
    if (!this.canRead(user)) return [];
    return (
      prepared(
        this.#db,
        `SELECT ${COMMENT_COLUMNS} FROM comments c JOIN users u ON u.id = c.author_id WHERE c.post_id = ? ORDER BY c.id`,
      ).all(postId) as CommentRow[]
    ).map(toComment);
  }

  /** Any confirmed reader may comment; the body is 1 to `MAX_COMMENT` characters. */
  addComment(user: User | null, post: Pick<Post, 'id'>, params: Record<string, unknown>): CommentResult {
    const author = user ? this.#accounts.getUser(user.id) : null;
    if (!this.canRead(author)) return { ok: false, error: 'forbidden', message: 'Sign in to comment.' };
    const body = typeof params.body === 'string' ? params.body.trim() : '';
    if (body.length === 0 || body.length > MAX_COMMENT) {
      return { ok: false, error: 'invalid', message: `A comment is 1 to ${MAX_COMMENT} characters.` };
    }
    const createdAt = new Date().toISOString();
    const inserted = prepared(
      this.#db,
      'INSERT INTO comments (post_id, author_id, body, created_at) SELECT id, ?, ?, ? FROM posts WHERE id = ?',
    ).run(author.id, body, createdAt, post.id);
    if (inserted.changes === 0) return { ok: false, error: 'not_found', message: 'That post no longer exists.' };
    const comment: Comment = {
      id: Number(inserted.lastInsertRowid),
      postId: post.id,
      authorId: author.id,
      authorEmail: author.email,
      body,
      createdAt,
    };
    this.#pubsub().broadcast(postTopic(post.id), { type: 'comment_added', comment } satisfies PostMessage);
    return { ok: true, comment };
  }

  /** Its author or an editor may delete a comment; re-reads both the user and the comment. */
  deleteComment(user: User | null, commentId: number): CommentResult {
    const current = user ? this.#accounts.getUser(user.id) : null;
    if (!Number.isSafeInteger(commentId)) return { ok: false, error: 'not_found', message: 'No such comment.' };
    const row = prepared(this.#db, `SELECT ${COMMENT_COLUMNS} FROM comments c JOIN users u ON u.id = c.author_id WHERE c.id = ?`).get(
      commentId,
    ) as CommentRow | undefined;
    if (!row) return { ok: false, error: 'not_found', message: 'No such comment.' };
    const comment = toComment(row);
    if (!canDeleteComment(current, comment)) {
      return { ok: false, error: 'forbidden', message: 'Only its author or an editor may delete a comment.' };
    }
    prepared(this.#db, 'DELETE FROM comments WHERE id = ?').run(commentId);
    const message: PostMessage = { type: 'comment_deleted', postId: comment.postId, commentId };
    this.#pubsub().broadcast(postTopic(comment.postId), message);
    return { ok: true, comment };
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
    const { changes } = prepared(this.#db, 'UPDATE posts SET title = ?, body = ?, updated_at = ?, updated_by = ? WHERE id = ?').run(
      title,
      body,
      updatedAt,
      user!.id,
      post.id,
    );
    if (changes === 0) return { ok: false, error: 'not_found', message: 'That post no longer exists.' };
    const updated: Post = { id: post.id, title, body, updatedAt };
    const message: PostMessage = { type: 'post_updated', post: updated };
    this.#pubsub().broadcast(postTopic(post.id), message);
    return { ok: true, post: updated };
  }
}

/** Who may delete a comment: its author, or an editor (for a user read just now). */
export function canDeleteComment(user: User | null, comment: Pick<Comment, 'authorId'>): boolean {
  return user !== null && user.confirmed && (user.id === comment.authorId || user.role === 'editor');
}

/** The rule itself, for a user read just now (a policy or a mount that loaded it already). */
export function isEditor(user: User | null): boolean {
  return user !== null && user.confirmed && user.role === 'editor';
}
