// The data directory holds the development secret and the database (password hashes, login
// tokens): readable by the server's user only, whatever the process's umask.

import { chmodSync, existsSync, mkdirSync } from 'node:fs';

/** Directory mode: owner only (rwx------). */
export const PRIVATE_DIR_MODE = 0o700;
/** File mode: owner only (rw-------). */
export const PRIVATE_FILE_MODE = 0o600;

/**
 * Creates `dir` (and missing parents) as owner-only, and narrows it to owner-only if it existed:
 * `mkdir`'s mode is filtered by the umask and leaves an existing directory as it was.
 */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  chmodSync(dir, PRIVATE_DIR_MODE);
}

/** Narrows each of `files` that exists to owner-only. */
export function restrictToOwner(...files: string[]): void {
  for (const file of files) {
    if (existsSync(file)) chmodSync(file, PRIVATE_FILE_MODE);
  }
}
