// One upload a view allowed (`socket.allowUpload(name, options)`) and the entries the client
// registered for it: their claims (name, type, size), what the server measured (bytes received,
// sniffed type), their errors, and a read-only picture of it all for templates (`assigns.uploads`).

import { randomBytes } from 'node:crypto';
import type { Policy } from '../live-view.ts';
import { parseAccept, type Accept } from './accept-list.ts';
import type { SniffedType } from './content-type.ts';
import type { TempFile } from './temp-file-store.ts';

/** What `allowUpload` takes. Sizes in bytes, times in ms. */
export interface UploadOptions {
  /** Extensions (`.png`) and MIME types (`image/png`, `image/*`), or `'any'` (the default). Checked on the name and type the client declares and again on the content received. */
  accept?: readonly string[] | 'any';
  /** Files at once (default 1). */
  maxEntries?: number;
  /** Bytes per file, counted as they arrive (default 8,000,000). */
  maxFileSize?: number;
  /** Bytes per chunk the client sends (default 64,000; at most what fits a WebSocket message). */
  chunkSize?: number;
  /** A joined upload with no chunk for this long is dropped, its partial file removed (default 10,000). */
  chunkTimeout?: number;
  /** Upload as soon as files are chosen, instead of on submit. */
  autoUpload?: boolean;
  /**
   * Who may preflight and report progress for this upload (`allow_upload`, `progress`). Default:
   * whoever the view mounted for, since the view opened the upload itself. The change and submit
   * events that carry the form are authorized by their own declarations, as every event.
   */
  // biome-ignore lint/suspicious/noExplicitAny: an upload's policy is declared for the view's assigns, whatever they are
  policy?: Policy<any>;
  /** Called after each progress report of an entry (e.g. to show it). */
  progress?: (upload: UploadView, entry: UploadEntryView) => void;
}

/** An entry as templates and handlers see it. */
export interface UploadEntryView {
  readonly ref: string;
  readonly uploadRef: string;
  /** What the client calls the file: display only, never a path. */
  readonly clientName: string;
  readonly clientType: string;
  readonly clientSize: number;
  /** 0–100, as the client reports it. */
  readonly progress: number;
  readonly preflighted: boolean;
  /** Every byte arrived, the content was accepted, and the client reported 100. */
  readonly done: boolean;
  readonly valid: boolean;
  readonly errors: readonly UploadErrorReason[];
}

/** An upload as templates see it (`assigns.uploads[name]`), rendered by `liveFileInput`. */
export interface UploadView {
  readonly name: string;
  readonly ref: string;
  readonly accept: Accept;
  readonly maxEntries: number;
  readonly maxFileSize: number;
  readonly autoUpload: boolean;
  readonly entries: readonly UploadEntryView[];
  /** `[ref, reason]`: the upload's ref for `too_many_files`, an entry's ref for its own errors. */
  readonly errors: readonly (readonly [string, UploadErrorReason])[];
}

export type UploadErrorReason = 'too_large' | 'too_many_files' | 'not_accepted' | 'failed';

/** What `consumeUploadedEntries` hands the view for each completed file. */
export interface UploadedFile {
  /** The temporary file (private directory, random name); removed after the callback. */
  readonly path: string;
  readonly clientName: string;
  readonly clientType: string;
  readonly clientSize: number;
  /** The type read from the content (magic bytes), or `null` when unknown. */
  readonly type: string | null;
  /** The extension of that type (`png`), or `null`. */
  readonly ext: string | null;
}

/** Closes an entry's upload channel (sends `phx_close` to the client when it is still there). */
export interface ChannelHandle {
  close(): void;
}

const DEFAULTS = { maxEntries: 1, maxFileSize: 8_000_000, chunkSize: 64_000, chunkTimeout: 10_000 };
/** A chunk plus its frame header must fit one WebSocket message (`maxMessageBytes`, 64 KiB). */
const MAX_CHUNK_SIZE = 64_000;

export class UploadEntry {
  readonly ref: string;
  readonly clientName: string;
  readonly clientType: string;
  readonly clientSize: number;
  progress = 0;
  preflighted = false;
  done = false;
  errors: UploadErrorReason[] = [];
  /** Bytes written so far (the server's count, never the client's). */
  received = 0;
  /** Every declared byte arrived and the content was accepted. */
  complete = false;
  sniffed: SniffedType | null = null;
  file: TempFile | null = null;
  channel: ChannelHandle | null = null;
  /** Set once an upload channel has claimed this entry (a token admits one channel, once). */
  claimed = false;
  /** Removed from its upload (cancelled, consumed, abandoned): a late chunk finds it gone. */
  gone = false;

  constructor(ref: string, clientName: string, clientType: string, clientSize: number) {
    this.ref = ref;
    this.clientName = clientName;
    this.clientType = clientType;
    this.clientSize = clientSize;
  }

  /** Ends the channel and deletes the file, on every path out of the upload. */
  release(): void {
    this.gone = true;
    const channel = this.channel;
    this.channel = null;
    channel?.close();
    const file = this.file;
    this.file = null;
    void file?.remove();
  }
}

export class UploadConfig {
  readonly name: string;
  readonly ref: string;
  readonly accept: Accept;
  readonly maxEntries: number;
  readonly maxFileSize: number;
  readonly chunkSize: number;
  readonly chunkTimeout: number;
  readonly autoUpload: boolean;
  // biome-ignore lint/suspicious/noExplicitAny: as `UploadOptions.policy`
  readonly policy: Policy<any> | undefined;
  readonly onProgress: UploadOptions['progress'];
  entries: UploadEntry[] = [];
  /** Set when the client declared more files than `maxEntries`. */
  tooMany = false;

  constructor(name: string, options: UploadOptions) {
    if (typeof name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_-]{0,63}$/.test(name))
      throw new TypeError(`allowUpload: ${JSON.stringify(name)} is not an upload name (letters, digits, _ and -)`);
    this.name = name;
    this.ref = `phx-${randomBytes(9).toString('base64url')}`;
    this.accept = parseAccept(options.accept);
    this.maxEntries = positiveInteger('maxEntries', options.maxEntries ?? DEFAULTS.maxEntries);
    this.maxFileSize = positiveInteger('maxFileSize', options.maxFileSize ?? DEFAULTS.maxFileSize);
    this.chunkSize = positiveInteger('chunkSize', options.chunkSize ?? DEFAULTS.chunkSize);
    if (this.chunkSize > MAX_CHUNK_SIZE)
      throw new TypeError(`allowUpload: chunkSize is at most ${MAX_CHUNK_SIZE} bytes (one WebSocket message)`);
    this.chunkTimeout = positiveInteger('chunkTimeout', options.chunkTimeout ?? DEFAULTS.chunkTimeout);
    this.autoUpload = options.autoUpload === true;
    this.policy = options.policy;
    this.onProgress = options.progress;
  }

  entry(ref: unknown): UploadEntry | undefined {
    return typeof ref === 'string' ? this.entries.find((entry) => entry.ref === ref) : undefined;
  }

  remove(entry: UploadEntry): void {
    entry.release();
    this.entries = this.entries.filter((other) => other !== entry);
    if (this.entries.length <= this.maxEntries) this.tooMany = false;
  }

  view(): UploadView {
    const entries = this.entries.map(entryView(this.ref));
    const errors: [string, UploadErrorReason][] = [];
    if (this.tooMany) errors.push([this.ref, 'too_many_files']);
    for (const entry of this.entries) for (const reason of entry.errors) errors.push([entry.ref, reason]);
    return Object.freeze({
      name: this.name,
      ref: this.ref,
      accept: this.accept,
      maxEntries: this.maxEntries,
      maxFileSize: this.maxFileSize,
      autoUpload: this.autoUpload,
      entries: Object.freeze(entries),
      errors: Object.freeze(errors),
    });
  }
}

function entryView(uploadRef: string): (entry: UploadEntry) => UploadEntryView {
  return (entry) =>
    Object.freeze({
      ref: entry.ref,
      uploadRef,
      clientName: entry.clientName,
      clientType: entry.clientType,
      clientSize: entry.clientSize,
      progress: entry.progress,
      preflighted: entry.preflighted,
      done: entry.done,
      valid: entry.errors.length === 0,
      errors: Object.freeze([...entry.errors]),
    });
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value <= 0)
    throw new TypeError(`allowUpload: ${name} must be a positive integer, got ${String(value)}`);
  return value;
}
