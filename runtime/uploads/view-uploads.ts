// One view's uploads: the configs it allowed, the entries its client registers (change events
// and preflights), the tokens it hands out, progress, cancel and consume. Everything the client
// says is re-checked here; what the bytes are is decided by the upload channel
// (`actors/upload-channel.ts`), which writes into the entries held here.

import { randomUUID } from 'node:crypto';
import { LiveError } from '../errors.ts';
import { extensionOf, isAccepted } from './accept-list.ts';
import {
  UploadConfig,
  UploadEntry,
  type UploadedFile,
  type UploadEntryView,
  type UploadOptions,
  type UploadView,
} from './upload-config.ts';
import type { UploadService } from './upload-service.ts';

/** What a connected view gives its uploads: the server's service and the socket it is joined on. */
export interface UploadHost {
  readonly service: UploadService;
  readonly connectionId: string;
  /** Runs `dispose` when the view ends, however it ends. */
  onCleanup(dispose: () => void): void;
}

const ENTRY_REF = /^[A-Za-z0-9_-]{1,32}$/;
/** Longest client file name or type kept (display only). */
const MAX_CLIENT_TEXT = 255;

export class ViewUploads {
  /** One per mount: a token made for an earlier mount of the same page finds nothing. */
  readonly instanceId = randomUUID();
  readonly #host: UploadHost | null;
  readonly #publish: (uploads: Record<string, UploadView>) => void;
  readonly #byName = new Map<string, UploadConfig>();
  #disposed = false;

  constructor(host: UploadHost | null, publish: (uploads: Record<string, UploadView>) => void) {
    this.#host = host;
    this.#publish = publish;
    if (host) {
      host.service.register(this);
      host.onCleanup(() => this.dispose());
    }
  }

  get connectionId(): string | null {
    return this.#host?.connectionId ?? null;
  }

  allow(name: string, options: UploadOptions): UploadView {
    if (this.#byName.has(name)) throw new TypeError(`allowUpload: ${name} is already allowed`);
    const config = new UploadConfig(name, options);
    this.#byName.set(name, config);
    this.publish();
    return config.view();
  }

  byRef(ref: unknown): UploadConfig | undefined {
    for (const config of this.#byName.values()) if (config.ref === ref) return config;
    return undefined;
  }

  /** Re-renders `assigns.uploads` from the current state. */
  publish(): void {
    if (this.#disposed) return;
    const out: Record<string, UploadView> = {};
    for (const [name, config] of this.#byName) out[name] = config.view();
    this.#publish(Object.freeze(out));
  }

  /**
   * The `uploads` of a change event (`{"<upload ref>": [entries]}`): registers and checks the
   * entries. Unknown refs and malformed entries are ignored (they can only come from a forged frame).
   */
  registerFromChange(uploads: unknown): void {
    if (typeof uploads !== 'object' || uploads === null || Array.isArray(uploads)) return;
    let changed = false;
    for (const [ref, entries] of Object.entries(uploads)) {
      const config = this.byRef(ref);
      if (config && Array.isArray(entries)) changed = this.#putEntries(config, entries) || changed;
    }
    if (changed) this.publish();
  }

  /** The `allow_upload` preflight: tokens for the valid entries, or the errors the client shows. */
  async preflight(payload: Record<string, unknown>): Promise<Record<string, unknown>> {
    const config = this.byRef(payload.ref);
    if (!config) throw new LiveError('LV_ERR_UPLOAD_UNKNOWN', `no upload ${String(payload.ref).slice(0, 40)}`);
    const requested = Array.isArray(payload.entries) ? payload.entries : [];
    this.#putEntries(config, requested);
    this.publish();
    const errors = config.view().errors;
    if (config.tooMany || (!config.autoUpload && errors.length > 0)) {
      return { ref: config.ref, error: errors.map(([ref, reason]) => [ref, reason]) };
    }
    const refs = new Set(requested.map((entry) => (entry as { ref?: unknown } | null)?.ref));
    const host = this.#host!;
    const tokens: Record<string, string> = {};
    const entryErrors: Record<string, string[]> = {};
    for (const [index, entry] of config.entries.entries()) {
      if (index >= config.maxEntries || !refs.has(entry.ref) || entry.preflighted) continue;
      entry.preflighted = true;
      if (entry.errors.length > 0) {
        entryErrors[entry.ref] = [...entry.errors];
        continue;
      }
      tokens[entry.ref] = await host.service.tokens.sign({
        node: host.service.nodeId,
        conn: host.connectionId,
        view: this.instanceId,
        upload: config.ref,
        entry: entry.ref,
      });
    }
    this.publish();
    return {
      ref: config.ref,
      config: {
        max_file_size: config.maxFileSize,
        max_entries: config.maxEntries,
        chunk_size: config.chunkSize,
        chunk_timeout: config.chunkTimeout,
      },
      entries: tokens,
      errors: entryErrors,
    };
  }

  /** A `progress` report. At 100 an entry is done only if the server holds every byte of it. */
  progress(payload: Record<string, unknown>): { config: UploadConfig; entry: UploadEntry } | null {
    const config = this.byRef(payload.ref);
    const entry = config?.entry(payload.entry_ref);
    if (!config || !entry) return null;
    const { progress } = payload;
    if (typeof progress === 'number' && Number.isInteger(progress) && progress >= 0 && progress <= 100) {
      entry.progress = Math.max(entry.progress, progress);
      if (progress === 100 && entry.complete && entry.errors.length === 0) entry.done = true;
    } else if (typeof progress === 'object' && progress !== null) {
      // The client gave up on the entry (its chunk was refused, or it failed to read the file):
      // the server already recorded its own reason when it refused; otherwise say it failed.
      if (entry.errors.length === 0) entry.errors.push('failed');
      const channel = entry.channel;
      entry.channel = null;
      channel?.close();
      void entry.file?.remove();
      entry.file = null;
    }
    this.publish();
    return { config, entry };
  }

  /** Cancels an entry (the server's `cancelUpload`): its channel ends and its file is removed. */
  cancel(name: string, entryRef: string): void {
    const config = this.#config(name);
    const entry = config.entry(entryRef);
    if (!entry) return;
    config.remove(entry);
    this.publish();
  }

  /**
   * Hands each completed entry of `name` to `consume`, then removes its file (also when
   * `consume` throws). Returns what `consume` returned, in entry order.
   */
  async consume<T>(name: string, consume: (file: UploadedFile, entry: UploadEntryView) => T | Promise<T>): Promise<T[]> {
    const config = this.#config(name);
    // Re-checked here, whatever was said before: done, complete, content accepted, within the count.
    const ready = config.entries
      .filter((entry) => entry.done && entry.complete && entry.file !== null && entry.errors.length === 0)
      .slice(0, config.maxEntries);
    const results: T[] = [];
    const views = config.view().entries;
    try {
      for (const entry of ready) {
        const file: UploadedFile = Object.freeze({
          path: entry.file!.path,
          clientName: entry.clientName,
          clientType: entry.clientType,
          clientSize: entry.clientSize,
          type: entry.sniffed?.mime ?? null,
          ext: entry.sniffed?.ext ?? null,
        });
        results.push(await consume(file, views.find((view) => view.ref === entry.ref)!));
        config.remove(entry);
      }
    } finally {
      for (const entry of ready) if (!entry.gone) config.remove(entry);
      this.publish();
    }
    return results;
  }

  /** The view ended (leave, crash, navigation, disconnect, shutdown): every channel and file goes. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const config of this.#byName.values()) {
      for (const entry of config.entries) entry.release();
      config.entries = [];
    }
    this.#host?.service.unregister(this);
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  #config(name: string): UploadConfig {
    const config = this.#byName.get(name);
    if (!config) throw new TypeError(`no upload named ${name}: call allowUpload in mount first`);
    return config;
  }

  /** Adds the entries not yet known and checks each; returns whether anything changed. */
  #putEntries(config: UploadConfig, entries: unknown[]): boolean {
    const fresh = entries.filter((raw) => {
      const ref = (raw as { ref?: unknown } | null)?.ref;
      return typeof ref === 'string' && ENTRY_REF.test(ref) && !config.entry(ref);
    }) as Record<string, unknown>[];
    if (fresh.length === 0) return false;
    // One file allowed: a new choice replaces the one before, as Phoenix does.
    if (config.maxEntries === 1 && fresh.length === 1) for (const entry of [...config.entries]) config.remove(entry);
    for (const raw of fresh) {
      // Never more entries held than allowed: the rest only set the error (a client declaring a
      // million files costs one flag).
      if (config.entries.length >= config.maxEntries) {
        config.tooMany = true;
        break;
      }
      const entry = new UploadEntry(
        String(raw.ref),
        clientText(raw.name),
        clientText(raw.type),
        typeof raw.size === 'number' && Number.isSafeInteger(raw.size) && raw.size >= 0 ? raw.size : -1,
      );
      if (entry.clientSize < 0 || entry.clientSize > config.maxFileSize) entry.errors.push('too_large');
      if (!isAccepted(config.accept, extensionOf(entry.clientName), entry.clientType)) entry.errors.push('not_accepted');
      config.entries.push(entry);
    }
    return true;
  }
}

function clientText(value: unknown): string {
  return typeof value === 'string' ? value.slice(0, MAX_CLIENT_TEXT) : '';
}
