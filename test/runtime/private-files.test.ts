// The data directory holds the development secret and the database (password hashes, login
// tokens): owner-only, for a directory created now and for one left readable by an older version.

import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadSecretKeyBase } from '../../server/index.ts';
import { openDatabase } from '../../apps/database.ts';

const modeOf = (path: string): number => statSync(path).mode & 0o777;

describe('the data directory', () => {
  const roots: string[] = [];
  afterEach(() => {
    for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
  });
  function freshRoot(): string {
    const root = mkdtempSync(join(tmpdir(), 'liveward-perms-'));
    roots.push(root);
    return root;
  }

  it('is created 0700 with the secret, the SQLite file and its -wal and -shm files 0600', () => {
    const dataDir = join(freshRoot(), 'nested', 'data');

    loadSecretKeyBase(dataDir, {});
    const db = openDatabase(dataDir);
    db.prepare('UPDATE posts SET title = title').run(); // a write: the WAL is in use
    try {
      expect(modeOf(dataDir)).toBe(0o700);
      expect(modeOf(join(dataDir, 'secret_key_base'))).toBe(0o600);
      for (const file of ['liveward.sqlite', 'liveward.sqlite-wal', 'liveward.sqlite-shm']) {
        expect({ file, mode: modeOf(join(dataDir, file)) }).toEqual({ file, mode: 0o600 });
      }
    } finally {
      db.close();
    }
  });

  it('narrows a directory, secret and database left readable by others', () => {
    const dataDir = join(freshRoot(), 'data');
    mkdirSync(dataDir, { mode: 0o755 });
    chmodSync(dataDir, 0o755);
    const secretFile = join(dataDir, 'secret_key_base');
    writeFileSync(secretFile, 'x'.repeat(48) + '\n');
    chmodSync(secretFile, 0o644);
    openDatabase(dataDir).close();
    chmodSync(join(dataDir, 'liveward.sqlite'), 0o644);

    const secret = loadSecretKeyBase(dataDir, {});
    openDatabase(dataDir).close();

    expect(secret).toBe('x'.repeat(48));
    expect(modeOf(dataDir)).toBe(0o700);
    expect(modeOf(secretFile)).toBe(0o600);
    expect(modeOf(join(dataDir, 'liveward.sqlite'))).toBe(0o600);
  });
});
