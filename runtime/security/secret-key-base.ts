// One secret, `SECRET_KEY_BASE`, from which every key is derived (brief §3). In development a
// secret is generated once and kept in the data directory, so tokens and cookies survive restarts;
// a fresh random key per process would log everyone out and make every open page `stale`.

import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
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
  try {
    const stored = readFileSync(file, 'utf8').trim();
    if (stored.length >= MIN_LENGTH) {
      // A file left readable by others (an older version, a copy) is narrowed, not trusted as is.
      restrictToOwner(file);
      return stored;
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  ensurePrivateDir(dataDir);
  const generated = randomBytes(48).toString('base64url');
  writeFileSync(file, generated + '\n', { mode: PRIVATE_FILE_MODE });
  restrictToOwner(file); // the file existed (too short): writeFileSync kept its mode
  return generated;
}
