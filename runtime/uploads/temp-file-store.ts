// Where upload chunks land: one private directory per server (owner-only), one file per entry,
// named at random (a client's file name is never a path). Every file the store made and has not
// removed is tracked, so a shutdown removes what a crashed path might have left.

import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PRIVATE_FILE_MODE, ensurePrivateDir } from '../private-files.ts';

/** One upload's temporary file: written in order, then closed; removed exactly once. */
export class TempFile {
  readonly path: string;
  #handle: FileHandle | null;
  #removed = false;
  readonly #store: TempFileStore;

  constructor(path: string, handle: FileHandle, store: TempFileStore) {
    this.path = path;
    this.#handle = handle;
    this.#store = store;
  }

  get removed(): boolean {
    return this.#removed;
  }

  async write(bytes: Uint8Array): Promise<void> {
    if (!this.#handle) throw new Error('temporary file already closed');
    await this.#handle.write(bytes);
  }

  /** Closes the handle (idempotent); the file stays until `remove`. */
  async close(): Promise<void> {
    const handle = this.#handle;
    this.#handle = null;
    await handle?.close();
  }

  /**
   * Deletes the file at once (the name goes before this returns; an open handle only keeps the
   * bytes until it closes), then closes the handle. Idempotent; never throws: a clean-up path
   * must not fail.
   */
  async remove(): Promise<void> {
    if (this.#removed) return;
    this.#removed = true;
    this.#store.forget(this);
    try {
      rmSync(this.path, { force: true });
    } catch {
      // already gone, or the directory went first (shutdown)
    }
    await this.close().catch(() => {});
  }
}

export class TempFileStore {
  readonly #files = new Set<TempFile>();
  /** The directory given, or null until the first upload makes a private one (most servers never do). */
  #dir: string | null;
  /** The store made its directory (and removes it at shutdown); a given one is left in place. */
  readonly #ownsDir: boolean;

  /** `dir` is made owner-only (or, at first use, a fresh private directory under the OS's temp dir). */
  constructor(dir?: string) {
    this.#ownsDir = dir === undefined;
    this.#dir = dir ?? null;
    if (dir !== undefined) ensurePrivateDir(dir);
  }

  get dir(): string {
    if (this.#dir === null) {
      this.#dir = mkdtempSync(join(tmpdir(), 'liveward-uploads-'));
      ensurePrivateDir(this.#dir);
    }
    return this.#dir;
  }

  /** A new empty owner-only file with a random name; fails rather than reuse an existing one. */
  async create(): Promise<TempFile> {
    const path = join(this.dir, `${randomUUID()}.part`);
    const handle = await open(path, 'wx', PRIVATE_FILE_MODE);
    const file = new TempFile(path, handle, this);
    this.#files.add(file);
    return file;
  }

  /** Files made and not removed yet. */
  get count(): number {
    return this.#files.size;
  }

  forget(file: TempFile): void {
    this.#files.delete(file);
  }

  /** Removes every file still held (shutdown), synchronously, so nothing outlives the process. */
  removeAll(): void {
    for (const file of this.#files) {
      void file.close().catch(() => {});
      rmSync(file.path, { force: true });
    }
    this.#files.clear();
    if (this.#ownsDir && this.#dir !== null) rmSync(this.#dir, { recursive: true, force: true });
  }
}
