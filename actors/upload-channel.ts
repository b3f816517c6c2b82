// The upload channels of one connection: `lvu:<entry ref>` topics joined with an entry token,
// and the binary chunk frames written to the entry's temporary file. Size is counted from the
// bytes received, the content is sniffed when the last byte arrives, and every way out (error,
// timeout, leave, cancel, consume, the view or the socket ending) removes the partial file.

import type { RawData } from 'ws';
import { LiveError, isLiveError, reasonOf } from '../runtime/errors.ts';
import { encodeFrame, encodeReply, type Frame } from '../runtime/frame.ts';
import { logger } from '../runtime/logger.ts';
import { ByteRate } from '../runtime/uploads/byte-rate.ts';
import { decodeChunkFrame, type ChunkFrame } from '../runtime/uploads/chunk-frame.ts';
import { isContentAccepted } from '../runtime/uploads/accept-list.ts';
import { sniffContentType } from '../runtime/uploads/content-type.ts';
import type { UploadConfig, UploadEntry } from '../runtime/uploads/upload-config.ts';
import type { ViewUploads } from '../runtime/uploads/view-uploads.ts';
import type { Services } from './view-context.ts';

/** What the upload channels need of their connection. */
export interface UploadConnectionPort {
  readonly id: string;
  send(text: string): void;
  /** A warning within the socket's log budget. */
  warn(event: string, fields: Record<string, unknown>): void;
}

interface Channel {
  topic: string;
  joinRef: string;
  uploads: ViewUploads;
  config: UploadConfig;
  entry: UploadEntry;
  /** Chunks are written strictly in order. */
  chain: Promise<void>;
  queued: number;
  timer: unknown;
  /** Every byte is in (the channel stays, holding no slot, until consume or cancel closes it). */
  finished: boolean;
  closed: boolean;
}

export function isUploadTopic(topic: string): boolean {
  return topic.startsWith('lvu:');
}

export class UploadChannels {
  readonly #port: UploadConnectionPort;
  readonly #services: Services;
  readonly #channels = new Map<string, Channel>();
  /** Joins verifying their token: they count against the in-flight limit too. */
  readonly #joining = new Set<string>();
  #rate: ByteRate | null = null;
  #closed = false;

  constructor(port: UploadConnectionPort, services: Services) {
    this.#port = port;
    this.#services = services;
  }

  /** Uploads joined and not finished, plus joins being verified. */
  get inFlight(): number {
    let count = this.#joining.size;
    for (const channel of this.#channels.values()) if (!channel.finished) count++;
    return count;
  }

  /** A text frame on an `lvu:` topic: a join, a leave, or something an upload channel does not take. */
  onFrame(frame: Frame): void {
    if (frame.event === 'phx_join') {
      this.#join(frame).catch((err: unknown) => logger.error('upload.join_failed', { connectionId: this.#port.id, error: err }));
      return;
    }
    const channel = this.#channels.get(frame.topic);
    if (frame.event === 'phx_leave') {
      if (channel && channel.joinRef === frame.joinRef) this.#end(channel, 'left', false);
      this.#port.send(encodeReply(frame.joinRef, frame.ref, frame.topic, 'ok', {}));
      return;
    }
    const error = channel
      ? new LiveError('LV_ERR_UNKNOWN_EVENT', `upload channels take binary chunk frames, not ${frame.event.slice(0, 64)}`)
      : new LiveError('LV_ERR_UNMATCHED_TOPIC', `${frame.topic} was never joined`);
    this.#reply(frame.joinRef, frame.ref, frame.topic, error);
  }

  /** A binary frame: a chunk for a joined upload channel, or refused. */
  onBinary(data: RawData): void {
    const decoded = decodeChunkFrame(toBuffer(data));
    if (!decoded.ok) {
      refuseBinary(this.#port, null, decoded.detail, this.#services.limits.maxFrameFieldChars);
      return;
    }
    const { frame } = decoded;
    const channel = this.#channels.get(frame.topic);
    if (!channel || channel.joinRef !== frame.joinRef) {
      const error = isUploadTopic(frame.topic)
        ? new LiveError(
            'LV_ERR_UNMATCHED_TOPIC',
            `${frame.topic.slice(0, 64)} has no upload in progress (never joined, finished or cancelled)`,
          )
        : new LiveError('LV_ERR_BINARY_NOT_UPLOAD', 'binary frames are accepted only on a joined upload (lvu:) topic');
      this.#port.warn('frame.rejected', { code: error.code, detail: error.message });
      this.#reply(frame.joinRef, frame.ref, frame.topic.slice(0, this.#services.limits.maxFrameFieldChars), error);
      return;
    }
    if (frame.event !== 'chunk') {
      this.#reply(
        frame.joinRef,
        frame.ref,
        frame.topic,
        new LiveError('LV_ERR_UNKNOWN_EVENT', `binary ${frame.event.slice(0, 64)} is not a chunk`),
      );
      return;
    }
    if (channel.finished) {
      this.#reply(frame.joinRef, frame.ref, frame.topic, new LiveError('LV_ERR_UPLOAD_DISALLOWED', 'chunk for a finished entry'));
      return;
    }
    if (channel.queued >= this.#services.limits.maxQueuedChunksPerUpload) {
      this.#reply(
        frame.joinRef,
        frame.ref,
        frame.topic,
        new LiveError('LV_ERR_OVERLOADED', 'chunks sent without waiting for their replies'),
      );
      return;
    }
    const { clock, limits } = this.#services;
    const now = clock.now();
    // The time this chunk may be written, fixed on arrival: chunks queued behind it wait for their
    // own turn, not for the turn plus the time the ones before took.
    const notBefore = now + (this.#rate ??= new ByteRate(limits.maxUploadBytesPerSecond, now)).take(frame.payload.length, now);
    // The payload is a view of ws's buffer for this message only; keep it as it is (no copy).
    channel.queued++;
    channel.chain = channel.chain
      .then(() => {
        const wait = notBefore - clock.now();
        return wait > 0 ? new Promise<void>((resolve) => clock.setTimeout(resolve, wait)) : undefined;
      })
      .then(() => this.#writeChunk(channel, frame))
      .catch((err: unknown) => {
        logger.error('upload.chunk_failed', { connectionId: this.#port.id, topic: channel.topic, error: err });
        this.#reply(frame.joinRef, frame.ref, channel.topic, new LiveError('LV_ERR_UPLOAD_WRITE_FAILED', 'chunk could not be written'));
        this.#failEntry(channel, 'failed');
      })
      .finally(() => {
        channel.queued--;
      });
  }

  /** The socket is going: every upload not finished is dropped with its partial file. */
  closeAll(): void {
    this.#closed = true;
    for (const channel of [...this.#channels.values()]) this.#end(channel, 'socket closed', false);
  }

  async #join(frame: Frame): Promise<void> {
    const { topic, joinRef, ref } = frame;
    if (joinRef === null) {
      this.#reply(null, ref, topic, new LiveError('LV_ERR_MESSAGE_MALFORMED', 'phx_join needs a join_ref'));
      return;
    }
    if (this.#channels.has(topic) || this.#joining.has(topic)) {
      this.#reply(joinRef, ref, topic, new LiveError('LV_ERR_UPLOAD_ALREADY_REGISTERED', `${topic} is already joined`));
      return;
    }
    if (this.inFlight >= this.#services.limits.maxUploadsInFlightPerSocket) {
      this.#reply(joinRef, ref, topic, new LiveError('LV_ERR_TOO_MANY_UPLOADS', 'uploads in flight per socket exceeded'));
      return;
    }
    this.#joining.add(topic);
    try {
      const { service, entry, config, uploads } = await this.#admit(topic, frame.payload.token);
      // Claimed before the file is made, so a second join with the same token finds it taken.
      entry.claimed = true;
      const file = await service.store.create();
      if (entry.gone || uploads.disposed || this.#closed) {
        await file.remove();
        throw new LiveError('LV_ERR_UPLOAD_DISALLOWED', 'the entry ended while its channel was joining');
      }
      entry.file = file;
      const channel: Channel = {
        topic,
        joinRef,
        uploads,
        config,
        entry,
        chain: Promise.resolve(),
        queued: 0,
        timer: null,
        finished: false,
        closed: false,
      };
      entry.channel = { close: () => this.#end(channel, 'closed by the view', true) };
      this.#channels.set(topic, channel);
      this.#armTimer(channel);
      this.#port.send(encodeReply(joinRef, ref, topic, 'ok', {}));
    } catch (err) {
      if (!isLiveError(err)) throw err;
      this.#port.warn('upload.join_refused', { code: err.code, detail: err.message });
      this.#reply(joinRef, ref, topic, err);
    } finally {
      this.#joining.delete(topic);
    }
  }

  /** Checks the token against this node, this socket, a live view, and an entry waiting for its bytes. */
  async #admit(topic: string, token: unknown) {
    const service = this.#services.uploads;
    const claims = await service.tokens.verify(token);
    if (claims.node !== service.nodeId) {
      logger.warn('upload.other_node', { connectionId: this.#port.id, viewNode: claims.node, thisNode: service.nodeId });
      throw new LiveError(
        'LV_ERR_UPLOAD_OTHER_NODE',
        'the view of this upload lives on another node of the cluster; uploads are taken only by the node holding the view',
      );
    }
    if (claims.conn !== this.#port.id) throw new LiveError('LV_ERR_UPLOAD_DISALLOWED', 'token made for another socket');
    if (topic !== `lvu:${claims.entry}`) throw new LiveError('LV_ERR_UPLOAD_DISALLOWED', 'token made for another entry');
    const uploads = service.view(claims.view);
    if (!uploads || uploads.disposed || uploads.connectionId !== this.#port.id)
      throw new LiveError('LV_ERR_UPLOAD_DISALLOWED', 'the view of this upload has ended');
    const config = uploads.byRef(claims.upload);
    const entry = config?.entry(claims.entry);
    if (!config || !entry || entry.gone || !entry.preflighted || entry.errors.length > 0) {
      throw new LiveError('LV_ERR_UPLOAD_DISALLOWED', 'no such entry waiting for its bytes');
    }
    if (entry.claimed) throw new LiveError('LV_ERR_UPLOAD_ALREADY_REGISTERED', 'entry already has an upload channel');
    return { service, entry, config, uploads };
  }

  async #writeChunk(channel: Channel, frame: ChunkFrame): Promise<void> {
    const { entry, config } = channel;
    if (channel.closed || !entry.file) {
      this.#reply(frame.joinRef, frame.ref, frame.topic, new LiveError('LV_ERR_UPLOAD_DISALLOWED', 'chunk after the entry ended'));
      return;
    }
    this.#armTimer(channel);
    const size = frame.payload.length;
    // Counted from what arrives: past the upload's limit, or past what the client declared.
    const limit = Math.min(config.maxFileSize, entry.clientSize);
    if (entry.received + size > limit) {
      this.#port.send(encodeReply(frame.joinRef, frame.ref, frame.topic, 'error', { reason: reasonOf('LV_ERR_UPLOAD_TOO_LARGE'), limit }));
      this.#failEntry(channel, 'too_large');
      return;
    }
    await entry.file.write(frame.payload);
    entry.received += size;
    if (entry.received < entry.clientSize) {
      this.#port.send(encodeReply(frame.joinRef, frame.ref, frame.topic, 'ok', {}));
      return;
    }
    // The last byte: what the content is decides, not the name or the type the client gave.
    const file = entry.file;
    await file.close();
    const sniffed = await sniffContentType(file.path);
    if (channel.closed || entry.gone) return;
    if (!isContentAccepted(config.accept, sniffed)) {
      this.#reply(
        frame.joinRef,
        frame.ref,
        frame.topic,
        new LiveError('LV_ERR_UPLOAD_NOT_ACCEPTED', `content is ${sniffed?.mime ?? 'of an unknown type'}`),
      );
      this.#failEntry(channel, 'not_accepted');
      return;
    }
    entry.sniffed = sniffed;
    entry.complete = true;
    channel.finished = true;
    this.#disarmTimer(channel);
    this.#port.send(encodeReply(frame.joinRef, frame.ref, frame.topic, 'ok', {}));
  }

  /** The entry keeps its error for the page to show; its file goes and its channel closes. */
  #failEntry(channel: Channel, reason: 'too_large' | 'not_accepted' | 'failed'): void {
    if (!channel.entry.errors.includes(reason)) channel.entry.errors.push(reason);
    this.#end(channel, reason, true);
    channel.uploads.publish();
  }

  /**
   * Ends a channel: its file is removed unless every byte is in (then the view owns it until
   * consume, cancel or its end), an unfinished entry is dropped from its upload, and the
   * client hears `phx_close` when it is still connected and did not leave itself.
   */
  #end(channel: Channel, why: string, notify: boolean): void {
    if (channel.closed) return;
    channel.closed = true;
    this.#disarmTimer(channel);
    this.#channels.delete(channel.topic);
    const { entry, config, uploads } = channel;
    if (entry.channel) entry.channel = null;
    if (!entry.complete) {
      void entry.file?.remove();
      entry.file = null;
      // Abandoned (left, timed out, socket gone): the entry leaves the upload, so its client
      // stops tracking it. An entry with an error stays to show it.
      if (entry.errors.length === 0 && !entry.gone && !uploads.disposed) {
        config.remove(entry);
        uploads.publish();
      }
    }
    if (notify && !this.#closed) this.#port.send(encodeFrame(channel.joinRef, channel.joinRef, channel.topic, 'phx_close', {}));
    if (why !== 'closed by the view' && !entry.complete)
      logger.info('upload.ended', { connectionId: this.#port.id, topic: channel.topic, why });
  }

  #armTimer(channel: Channel): void {
    this.#disarmTimer(channel);
    const { clock } = this.#services;
    channel.timer = clock.setTimeout(() => {
      channel.timer = null;
      this.#port.warn('upload.chunk_timeout', { topic: channel.topic, received: channel.entry.received });
      this.#end(channel, 'chunk timeout', true);
    }, channel.config.chunkTimeout);
  }

  #disarmTimer(channel: Channel): void {
    if (channel.timer !== null) this.#services.clock.clearTimeout(channel.timer);
    channel.timer = null;
  }

  #reply(joinRef: string | null, ref: string | null, topic: string, error: LiveError): void {
    if (ref === null) return;
    const fields: Record<string, unknown> = { reason: error.reason };
    if (error.code === 'LV_ERR_UPLOAD_OTHER_NODE' || error.code === 'LV_ERR_BINARY_NOT_UPLOAD' || error.code === 'LV_ERR_UNMATCHED_TOPIC')
      fields.detail = error.message;
    this.#port.send(encodeReply(joinRef, ref, topic, 'error', fields));
  }
}

/**
 * A binary frame on a socket with no upload channel, or one that is not a push: refused, the
 * socket stays. Answered on its ref when the frame can be read, else on the socket's topic.
 */
export function refuseBinary(
  port: Pick<UploadConnectionPort, 'send' | 'warn'>,
  data: RawData | null,
  detail: string,
  maxFieldChars: number,
): void {
  const decoded = data === null ? null : decodeChunkFrame(toBuffer(data));
  const error =
    decoded?.ok && isUploadTopic(decoded.frame.topic)
      ? new LiveError(
          'LV_ERR_UNMATCHED_TOPIC',
          `${decoded.frame.topic.slice(0, 64)} has no upload in progress (never joined, finished or cancelled)`,
        )
      : new LiveError('LV_ERR_BINARY_NOT_UPLOAD', detail);
  port.warn('frame.rejected', { code: error.code, detail: error.message });
  if (decoded?.ok && decoded.frame.ref !== '') {
    const { joinRef, ref, topic } = decoded.frame;
    port.send(
      encodeReply(joinRef.slice(0, maxFieldChars), ref.slice(0, maxFieldChars), topic.slice(0, maxFieldChars), 'error', {
        reason: error.reason,
        detail: error.message,
      }),
    );
    return;
  }
  port.send(encodeFrame(null, null, 'phoenix', 'phx_error', { reason: error.reason, detail: error.message }));
}

function toBuffer(data: RawData): Buffer {
  return Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}
