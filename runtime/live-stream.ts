// Streams: collections the server sends and forgets. A view streams rows into a
// `phx-update="stream"` container; the client keeps them in its DOM, the server keeps only what
// it has not sent yet (inserts, deletes, a reset), and drops that after each render. A view that
// streamed ten thousand rows holds what one that streamed ten does.
//
// On the wire a stream is a list (`"k"`) holding only this render's rows, plus
// `"stream": [ref, inserts, deleteDomIds]` (a fourth element `true` on reset), each insert
// `[domId, at, limit, updateOnly]`. The client empties the list after patching, so every stream
// diff carries its rows in full.

/** Where `streamInsert` puts a row and how many rows the container keeps. */
export interface StreamInsertOptions {
  /** -1 appends (the default), 0 prepends, n inserts at index n. */
  at?: number;
  /** Rows the client keeps after inserting: a positive limit trims from the end, a negative one from the start. */
  limit?: number;
  /** Only update the row if the client shows it; never add it. */
  updateOnly?: boolean;
}

/** `streamConfigure(name, config)`: how an item becomes its row's DOM id. */
// biome-ignore lint/suspicious/noExplicitAny: the default stands for a stream of any item type (item parameters are contravariant)
export interface StreamConfig<T = any> {
  /** The row's DOM id; by default `${name}-${item.id}`. */
  domId?: (item: T) => string;
}

/**
 * `stream(name, items, options)`: the insert options for every item, `reset`, and (read when
 * the call creates the stream, as `streamConfigure` would set it) `domId`.
 */
// biome-ignore lint/suspicious/noExplicitAny: as `StreamConfig`
export interface StreamOptions<T = any> extends StreamInsertOptions, StreamConfig<T> {
  /** Remove every row the client shows for this stream before inserting `items`. */
  reset?: boolean;
}

/** One insert as it travels: `[domId, at, limit, updateOnly]`. */
export type StreamInsertWire = [domId: string, at: number, limit: number | null, updateOnly: boolean];

interface PendingInsert<T> {
  readonly domId: string;
  readonly item: T;
  readonly at: number;
  readonly limit: number | null;
  readonly updateOnly: boolean;
}

/**
 * This render's part of a stream, as its template placed it: the rows to send and the
 * `"stream"` entry that says where they go. Made by `LiveStream.map`, read by the diff and by the
 * dead render, never kept.
 */
export class StreamRows {
  readonly ref: string;
  /** The rendered rows, in insert order (one per DOM id: the latest insert wins). */
  readonly rows: readonly unknown[];
  readonly inserts: readonly StreamInsertWire[];
  readonly deletes: readonly string[];
  readonly reset: boolean;
  constructor(ref: string, rows: readonly unknown[], inserts: readonly StreamInsertWire[], deletes: readonly string[], reset: boolean) {
    this.ref = ref;
    this.rows = rows;
    this.inserts = inserts;
    this.deletes = deletes;
    this.reset = reset;
  }

  /** The `"stream"` entry of the list's diff. */
  toWire(): unknown[] {
    const entry: unknown[] = [this.ref, this.inserts, this.deletes];
    if (this.reset) entry.push(true);
    return entry;
  }
}

/**
 * One stream of a view, found in its assigns as `streams.<name>`. A template renders it with
 * `map`, into a container with an `id` and `phx-update="stream"`; each row's root tag carries
 * the DOM id `map` passes.
 *
 * @example
 *   html`<ul id="comments" phx-update="stream">${streams.comments.map((comment, domId) =>
 *     html`<li id="${domId}">${comment.body}</li>`)}</ul>`
 */
export class LiveStream<T = unknown> {
  readonly name: string;
  /** Tells this stream's rows apart from another's on the client (a reset removes only its own). */
  readonly ref: string;
  readonly #domId: (item: T) => string;
  #inserts: PendingInsert<T>[] = [];
  #deletes: string[] = [];
  #reset = false;

  /** @internal made by the view socket's `stream` */
  constructor(name: string, ref: string, config: StreamConfig<T> = {}) {
    this.name = name;
    this.ref = ref;
    this.#domId = config.domId ?? ((item) => defaultDomId(name, item));
  }

  /** The DOM id of an item's row. */
  domId(item: T): string {
    const id = this.#domId(item);
    if (typeof id !== 'string' || id === '') throw new TypeError(`stream "${this.name}": a row's DOM id must be a non-empty string`);
    return id;
  }

  /** Renders the rows not sent yet. `row` gets each item and its DOM id (its root tag's `id`). */
  map(row: (item: T, domId: string) => unknown): StreamRows {
    // The latest insert of a DOM id wins, at the place of that latest insert.
    const seen = new Set<string>();
    const kept: PendingInsert<T>[] = [];
    for (let i = this.#inserts.length - 1; i >= 0; i--) {
      const insert = this.#inserts[i]!;
      if (seen.has(insert.domId)) continue;
      seen.add(insert.domId);
      kept.push(insert);
    }
    kept.reverse();
    const rows = kept.map((insert) => row(insert.item, insert.domId));
    const inserts = kept.map((insert): StreamInsertWire => [insert.domId, insert.at, insert.limit, insert.updateOnly]);
    return new StreamRows(this.ref, rows, inserts, [...this.#deletes], this.#reset);
  }

  /** @internal */
  insert(item: T, options: StreamInsertOptions): void {
    const at = options.at ?? -1;
    if (!Number.isSafeInteger(at) || at < -1) throw new TypeError(`stream "${this.name}": at must be -1, 0 or a positive index`);
    const limit = options.limit ?? null;
    if (limit !== null && !Number.isSafeInteger(limit)) throw new TypeError(`stream "${this.name}": limit must be an integer`);
    this.#inserts.push({ domId: this.domId(item), item, at, limit, updateOnly: options.updateOnly === true });
  }

  /** @internal */
  delete(domId: string): void {
    if (typeof domId !== 'string' || domId === '') throw new TypeError(`stream "${this.name}": a DOM id must be a non-empty string`);
    this.#deletes.push(domId);
  }

  /** @internal the client drops every row it shows of this stream, then adds this render's. */
  markReset(): void {
    this.#reset = true;
  }

  /** @internal after a render: what was sent is forgotten. */
  prune(): void {
    if (this.#inserts.length > 0) this.#inserts = [];
    if (this.#deletes.length > 0) this.#deletes = [];
    this.#reset = false;
  }
}

function defaultDomId(name: string, item: unknown): string {
  const id = typeof item === 'object' && item !== null ? (item as { id?: unknown }).id : undefined;
  if (typeof id === 'string' || typeof id === 'number' || typeof id === 'bigint') return `${name}-${id}`;
  throw new TypeError(`stream "${name}": an item needs an id (string or number), or configure the stream's domId`);
}

/**
 * The streams a view's assigns declare: `streams: Streams<{ comments: Comment }>` makes
 * `socket.stream('comments', …)` take comments and `assigns.streams.comments` render them.
 */
export type Streams<S extends object> = { readonly [K in keyof S]: LiveStream<S[K]> };

/** The item type of each stream an assigns type declares (any name and item when it declares none). */
export type StreamItems<A> = A extends { streams: infer S }
  ? { [K in keyof S]: S[K] extends LiveStream<infer T> ? T : never }
  : // biome-ignore lint/suspicious/noExplicitAny: a view that declares no streams may stream items of any type
    Record<string, any>;
