// The demo's SQLite file: accounts, login session tokens, posts and their comments. Seeded on first
// start with the demo users. Several nodes may open the same file at the same moment (a cluster's
// first start): the seed runs in one IMMEDIATE transaction that re-checks, so exactly one node seeds.

import Database from 'better-sqlite3';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { PRIVATE_FILE_MODE, ensurePrivateDir, restrictToOwner } from 'liveward';
import { hashPasswordSync } from './auth/password.ts';

export type Db = Database.Database;

/** Statements compiled once per database: the policies read the user back on every event. */
const statements = new WeakMap<Db, Map<string, Database.Statement>>();

/**
 * `db.prepare(sql)`, compiled at the first call for this database and reused after: compiling is
 * most of a small query's cost (a policy's per-event user lookup). The SQL strings are the code's
 * own constants, so the cache holds as many statements as the code has.
 */
export function prepared(db: Db, sql: string): Database.Statement {
  let byText = statements.get(db);
  if (!byText) statements.set(db, (byText = new Map()));
  let statement = byText.get(sql);
  if (!statement) byText.set(sql, (statement = db.prepare(sql)));
  return statement;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS users (
  id INTEGER PRIMARY KEY,
  email TEXT NOT NULL UNIQUE COLLATE NOCASE,
  password_hash TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('reader', 'editor', 'admin')),
  confirmed_at TEXT
);
CREATE TABLE IF NOT EXISTS user_tokens (
  token_hash TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS user_tokens_user ON user_tokens(user_id);
CREATE TABLE IF NOT EXISTS posts (
  id INTEGER PRIMARY KEY,
  title TEXT NOT NULL,
  body TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  updated_by INTEGER REFERENCES users(id)
);
CREATE TABLE IF NOT EXISTS comments (
  id INTEGER PRIMARY KEY,
  post_id INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
  author_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  body TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS comments_post ON comments(post_id, id);
`;

export const SEED_USERS = [
  { email: 'alice@example.com', password: 'alice-password', role: 'editor', confirmed: true },
  { email: 'bob@example.com', password: 'bob-password', role: 'reader', confirmed: true },
  { email: 'carol@example.com', password: 'carol-password', role: 'reader', confirmed: false },
  { email: 'admin@example.com', password: 'admin-password', role: 'admin', confirmed: true },
] as const;

/** Comments on the first post: one by alice (an editor), one by bob (a reader). */
const SEED_COMMENTS = [
  { post: 1, author: 'alice@example.com', body: 'First! Editors may delete any comment.' },
  { post: 1, author: 'bob@example.com', body: 'Readers may delete only their own.' },
];

const SEED_POSTS = [
  { title: 'Hello, live views', body: 'This page is rendered over HTTP first, then goes live over a WebSocket.' },
  { title: 'Authorization on every event', body: 'Readers may read. Only editors may change a post, and the server checks each time.' },
  { title: 'Actors all the way down', body: 'Each socket is an actor; each view it joins is an actor too.' },
];

/** How long a statement waits for another connection's write lock (another node starting). */
const BUSY_TIMEOUT_MS = 10_000;

/** Opens (and on first use creates and seeds) the database in `dataDir`. */
export function openDatabase(dataDir: string, fileName = 'liveward.sqlite'): Db {
  ensurePrivateDir(dataDir);
  const file = join(dataDir, fileName);
  // The file is created owner-only before SQLite opens it: SQLite gives its -wal and -shm files
  // the mode of the database file. Files from before are narrowed too.
  closeSync(openSync(file, 'a', PRIVATE_FILE_MODE));
  restrictToOwner(file, `${file}-wal`, `${file}-shm`);
  // Wait for a node holding the write lock (its seed, its schema) instead of failing with SQLITE_BUSY.
  const db = new Database(file, { timeout: BUSY_TIMEOUT_MS });
  enableWal(db);
  db.pragma('foreign_keys = ON');
  db.exec(SCHEMA);
  seed(db);
  return db;
}

/**
 * Switches the file to WAL. On a fresh file the switch needs an exclusive lock, and when several
 * nodes start at the same instant SQLite can answer SQLITE_BUSY at once instead of waiting out the
 * busy timeout (seen with three nodes on one fresh data dir): retry within the same timeout.
 */
function enableWal(db: Db): void {
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      db.pragma('journal_mode = WAL');
      return;
    } catch (err) {
      if ((err as { code?: unknown }).code !== 'SQLITE_BUSY' || Date.now() >= deadline) throw err;
      // better-sqlite3 is synchronous, and so is start-up: wait 10 ms without spinning.
      Atomics.wait(pause, 0, 0, 10);
    }
  }
}

function seed(db: Db): void {
  const countUsers = db.prepare('SELECT count(*) AS n FROM users');
  const isEmpty = (): boolean => (countUsers.get() as { n: number }).n === 0;
  if (!isEmpty()) return;
  const now = new Date().toISOString();
  const insertUser = db.prepare('INSERT OR IGNORE INTO users (email, password_hash, role, confirmed_at) VALUES (?, ?, ?, ?)');
  const insertPost = db.prepare('INSERT INTO posts (title, body, updated_at) VALUES (?, ?, ?)');
  const insertComment = db.prepare(
    'INSERT INTO comments (post_id, author_id, body, created_at) SELECT ?, id, ?, ? FROM users WHERE email = ?',
  );
  // Hashing is slow (scrypt): done outside the lock, and wasted only by a node that lost the race.
  const hashed = SEED_USERS.map((u) => ({ ...u, hash: hashPasswordSync(u.password) }));
  // IMMEDIATE takes the write lock first, so the re-check and the inserts see no other seeder.
  db.transaction(() => {
    if (!isEmpty()) return;
    for (const u of hashed) insertUser.run(u.email, u.hash, u.role, u.confirmed ? now : null);
    for (const p of SEED_POSTS) insertPost.run(p.title, p.body, now);
    for (const c of SEED_COMMENTS) insertComment.run(c.post, c.body, now, c.author);
  }).immediate();
}
