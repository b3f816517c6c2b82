// Users' avatars: one picture per user in the app's data directory (owner-only, like the
// database), named by the user's id and the type read from its content (never the client's file
// name), and served back with that type and `nosniff`.

import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { UploadedFile } from 'liveward';

/** The pictures an avatar may be, by the extension `file-type` gives their content. */
const TYPES: Readonly<Record<string, string>> = { png: 'image/png', jpg: 'image/jpeg', webp: 'image/webp' };

export const AVATAR_MAX_BYTES = 2_000_000;
export const AVATAR_ACCEPT = ['.png', '.jpg', '.jpeg', '.webp', 'image/png', 'image/jpeg', 'image/webp'];

export class Avatars {
  readonly #dir: string;

  constructor(dataDir: string) {
    this.#dir = join(dataDir, 'avatars');
    mkdirSync(this.#dir, { recursive: true, mode: 0o700 });
    chmodSync(this.#dir, 0o700);
  }

  /** Keeps `file` (a completed upload) as the avatar of `userId`; returns its URL. */
  save(userId: number, file: UploadedFile): string {
    // The runtime accepted the content already; this store takes its own three types only.
    if (file.ext === null || !(file.ext in TYPES) || file.type !== TYPES[file.ext])
      throw new Error(`not an avatar picture: ${file.type ?? 'unknown'}`);
    const target = this.#path(userId, file.ext);
    const partial = `${target}.part`;
    copyFileSync(file.path, partial);
    chmodSync(partial, 0o600);
    for (const ext of Object.keys(TYPES)) if (ext !== file.ext) rmSync(this.#path(userId, ext), { force: true });
    renameSync(partial, target);
    return this.urlOf(userId)!;
  }

  /** The avatar's URL (changing with each new picture, so browsers fetch it again), or null. */
  urlOf(userId: number): string | null {
    const found = this.#find(userId);
    return found ? `/avatars/${userId}?v=${Math.floor(statSync(found.path).mtimeMs)}` : null;
  }

  /** The avatar's bytes and content type, or null. */
  read(userId: number): { type: string; bytes: Buffer } | null {
    const found = this.#find(userId);
    return found ? { type: found.type, bytes: readFileSync(found.path) } : null;
  }

  #find(userId: number): { path: string; type: string } | null {
    for (const [ext, type] of Object.entries(TYPES)) {
      const path = this.#path(userId, ext);
      if (existsSync(path)) return { path, type };
    }
    return null;
  }

  #path(userId: number, ext: string): string {
    if (!Number.isSafeInteger(userId) || userId <= 0) throw new Error('avatars belong to users');
    return join(this.#dir, `${userId}.${ext}`);
  }
}
