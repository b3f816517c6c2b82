// The blog's SQLite file: accounts, login session tokens and posts. Seeded on first start with
// the users of the brief (§5).

import Database from 'better-sqlite3';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { PRIVATE_FILE_MODE, ensurePrivateDir, restrictToOwner } from '../../runtime/index.ts';
import { hashPasswordSync } from './password.ts';

export type Db = Database.Database;

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
`;

export const SEED_USERS = [
  { email: 'alice@example.com', password: 'alice-password', role: 'editor', confirmed: true },
  { email: 'bob@example.com', password: 'bob-password', role: 'reader', confirmed: true },
  { email: 'carol@example.com', password: 'carol-password', role: 'reader', confirmed: false },
  { email: 'admin@example.com', password: 'admin-password', role: 'admin', confirmed: true },
] as const;

const SEED_POSTS = [
  { title: 'Hello, live views', body: 'This page is rendered over HTTP first, then goes live over a WebSocket.' },
  { title: 'Authorization on every event', body: 'Readers may read. Only editors may change a post, and the server checks each time.' },
  { title: 'Actors all the way down', body: 'Each socket is an actor; each view it joins is an actor too.' },
];

/** Opens (and on first use creates and seeds) the database in `dataDir`. */
export function openDatabase(dataDir: string, fileName = 'liveward.sqlite'): Db {
  ensurePrivateDir(dataDir);
  const file = join(dataDir, fileName);
  // The file is created owner-only before SQLite opens it: SQLite gives its -wal and -shm files
  // the mode of the database file. Files from before are narrowed too.
  closeSync(openSync(file, 'a', PRIVATE_FILE_MODE));
  restrictToOwner(file, `${file}-wal`, `${file}-shm`);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.exec(SCHEMA);
  seed(db);
  return db;
}

function seed(db: Db): void {
  const { n } = db.prepare('SELECT count(*) AS n FROM users').get() as { n: number };
  if (n > 0) return;
  const now = new Date().toISOString();
  const insertUser = db.prepare(
    'INSERT INTO users (email, password_hash, role, confirmed_at) VALUES (?, ?, ?, ?)',
  );
  const insertPost = db.prepare('INSERT INTO posts (title, body, updated_at) VALUES (?, ?, ?)');
  const hashed = SEED_USERS.map((u) => ({ ...u, hash: hashPasswordSync(u.password) }));
  db.transaction(() => {
    for (const u of hashed) insertUser.run(u.email, u.hash, u.role, u.confirmed ? now : null);
    for (const p of SEED_POSTS) insertPost.run(p.title, p.body, now);
  })();
}
