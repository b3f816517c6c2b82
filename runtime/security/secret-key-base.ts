// One secret, `SECRET_KEY_BASE`, from which every key is derived. In development a secret is
// generated once and kept in the data directory, so tokens and cookies survive restarts; a fresh
// random key per process would log everyone out and make every open page `stale`. Nodes sharing
// a data directory and starting together must end up with the same secret: the file is written
// whole under a private name and then linked into place, which fails if another node got there
// first (then its secret is read and used).

import { randomBytes } from 'node:crypto';
import { linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PRIVATE_FILE_MODE, ensurePrivateDir, restrictToOwner } from '../private-files.ts';

const MIN_LENGTH = 32;
const FILE_NAME = 'secret_key_base';

/** Reads `SECRET_KEY_BASE`, or the development secret in `dataDir`, creating it on first use. */
export function loadSecretKeyBase(dataDir: string, env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.SECRET_KEY_BASE;
  if (fromEnv !== undefined) {
    if (fromEnv.length < MIN_LENGTH) {
      throw new TypeError(`SECRET_KEY_BASE must be at least ${MIN_LENGTH} characters`);
    }
    return fromEnv;
  }
  const file = join(dataDir, FILE_NAME);
  const stored = readSecret(file);
  if (stored !== null) return stored;
  ensurePrivateDir(dataDir);
  const generated = randomBytes(48).toString('base64url');
  const draft = join(dataDir, `.${FILE_NAME}.${process.pid}.${randomBytes(4).toString('hex')}`);
  writeFileSync(draft, generated + '\n', { mode: PRIVATE_FILE_MODE, flag: 'wx' });
  try {
    // link(2) is atomic and never replaces: readers see no file or the whole secret, never a part.
    linkSync(draft, file);
    return generated;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const winner = readSecret(file);
    if (winner === null) throw new TypeError(`${file} holds no valid secret (at least ${MIN_LENGTH} characters)`);
    return winner;
  } finally {
    unlinkSync(draft);
  }
}

/** The secret in `file`, or null when there is none. */
function readSecret(file: string): string | null {
  try {
    const stored = readFileSync(file, 'utf8').trim();
    if (stored.length >= MIN_LENGTH) {
      // A file left readable by others (an older version, a copy) is narrowed, not trusted as is.
      restrictToOwner(file);
      return stored;
    }
    throw new TypeError(`${file} holds no valid secret (at least ${MIN_LENGTH} characters): delete it to generate one`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}
