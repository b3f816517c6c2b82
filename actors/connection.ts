// The work of one WebSocket connection: decoding frames, the heartbeat, the topic table, and one
// ordered queue per topic, so frames of a topic are handled strictly in order even when a join or
// a handler is asynchronous and the client pipelines. The connection actor
// (`connection-actor.ts`) owns an instance and drives its lifecycle.

import { createActor, type AnyActorRef, type Actor } from 'xstate';
import type { RawData, WebSocket } from 'ws';
import { LiveError, reasonOf } from '../runtime/errors.ts';
import { decodeFrame, encodeFrame, encodeReply, type Frame } from '../runtime/frame.ts';
import { flatString } from '../runtime/flat-string.ts';
import { LogBudget } from '../runtime/log-budget.ts';
import { logger } from '../runtime/logger.ts';
import type { SocketEvents } from '../runtime/routed-web-socket.ts';
import type { CookieSession } from '../runtime/security/cookie-session.ts';
import type { Watched } from './silence-watch.ts';
import type { ViewDescription } from '../runtime/server-description.ts';
import { TokenBucket } from './token-bucket.ts';
import { ViewContext, userIdOf, type ConnectionPort, type Services } from './view-context.ts';
import { viewMachine } from './view.machine.ts';
// uploads: lvu: topics and binary chunk frames (actors/upload-channel.ts)
import { UploadChannels, isUploadTopic, refuseBinary } from './upload-channel.ts';

type ViewActor = Actor<typeof viewMachine>;

interface ViewEntry {
  actor: ViewActor;
  context: ViewContext;
}

type Job =
  | { kind: 'join'; frame: Frame }
  | { kind: 'frame'; frame: Frame }
  | { kind: 'info'; joinRef: string; message: unknown };

/** One topic's ordered work: the view serving it (if any) and the jobs waiting for it. */
interface TopicSlot {
  view: ViewEntry | null;
  /** join_ref of the newest join queued or served on this topic; frames of older joins are stale. */
  joinRef: string | null;
  queue: Job[];
  busy: boolean;
}

export interface ConnectionOptions {
  id: string;
  socket: WebSocket;
  cookieSession: CookieSession | null;
  liveSocketId: string | null;
  /** What the session tally counts this socket under (`SessionTally.keyOf`), or null. */
  sessionKey?: string | null;
  services: Services;
}

export class Connection implements ConnectionPort, Watched, SocketEvents {
  readonly id: string;
  readonly cookieSession: CookieSession | null;
  readonly liveSocketId: string | null;
  readonly #socket: WebSocket;
  readonly #services: Services;
  readonly #slots = new Map<string, TopicSlot>();
  #self: AnyActorRef | null = null;
  #lastSeen: number;
  readonly #sessionKey: string | null;
  /** Rate limits, made on the first event and the first join: a bucket made then is as full as one made at connect. */
  #events: TokenBucket | null = null;
  #joins: TokenBucket | null = null;
  /** Made on the first warning: most sockets never write one. */
  #log: LogBudget | null = null;
  /** Frames are served only while the connection actor is `open`. */
  #serving = true;
  #closed = false;
  // uploads: made at the first lvu: frame (most sockets never upload)
  #uploads: UploadChannels | null = null;

  constructor(options: ConnectionOptions) {
    this.id = options.id;
    this.#socket = options.socket;
    this.cookieSession = options.cookieSession;
    this.liveSocketId = options.liveSocketId;
    this.#services = options.services;
    this.#lastSeen = this.#services.clock.now();
    this.#sessionKey = options.sessionKey ?? null;
    if (this.#sessionKey !== null) this.#services.sessions.add(this.#sessionKey, this);
  }

  /** Called once by the connection actor on entry: views are spawned as its children. */
  bind(self: AnyActorRef): void {
    this.#self = self;
    this.#services.silence.watch(this);
  }

  /** When the last frame arrived: heartbeats and every other frame keep a socket alive. */
  get lastSeen(): number {
    return this.#lastSeen;
  }

  /** Nothing arrived for `heartbeatTimeoutMs`: the connection actor drops the socket. */
  silenceExpired(): void {
    this.#self?.send({ type: 'heartbeat.timeout' });
  }

  /** Views currently held (joined or joining): each lives in its topic's slot. */
  get viewCount(): number {
    let count = 0;
    for (const slot of this.#slots.values()) if (slot.view) count++;
    return count;
  }

  /** A read-only picture of this connection's views, for the inspector (built only when asked). */
  describeViews(): ViewDescription[] {
    const out: ViewDescription[] = [];
    for (const [topic, slot] of this.#slots) {
      if (!slot.view) continue;
      const { context } = slot.view;
      const snapshot = slot.view.actor.getSnapshot();
      out.push({
        topic,
        view: context.viewName,
        state: snapshot.status === 'active' ? String(snapshot.value) : snapshot.status,
        liveSession: context.route?.liveSession.name ?? null,
        userId: userIdOf(context),
        mountedAt: context.mountedAt,
        assigns: inspectableAssigns(context),
      });
    }
    return out;
  }

  send(text: string): void {
    if (this.#closed || this.#socket.readyState !== this.#socket.OPEN) return;
    // Checked before sending: what is still queued from earlier sends is what the client has not
    // read, so one large reply to a reading client never trips it; the bound is the limit plus
    // one message.
    if (this.#socket.bufferedAmount > this.#services.limits.maxSendBufferBytes) {
      this.#sendBufferFull();
      return;
    }
    this.#socket.send(text);
  }

  /**
   * The client stopped reading: stop serving it and close with 1013 (try again later), which the
   * official client answers by reconnecting with backoff. The close frame waits behind the data
   * the client has not read, so after `sendBufferCloseGraceMs` the socket is dropped outright,
   * which frees its buffer.
   */
  #sendBufferFull(): void {
    this.#serving = false;
    this.#warn('socket.send_buffer_full', { bufferedBytes: this.#socket.bufferedAmount });
    this.#emitRejected('LV_ERR_SEND_BUFFER_FULL', 'send buffer over maxSendBufferBytes');
    this.#socket.close(1013, 'send buffer full');
    const socket = this.#socket;
    setTimeout(() => socket.terminate(), this.#services.limits.sendBufferCloseGraceMs).unref();
  }

  /** Timers and PubSub messages enter here: whatever fails is this view's, never the caller's. */
  deliverInfo(topic: string, joinRef: string, message: unknown): void {
    if (this.#closed) return;
    try {
      const slot = this.#slots.get(topic);
      if (!slot || slot.joinRef !== joinRef) return;
      this.#enqueue(topic, slot, { kind: 'info', joinRef, message });
    } catch (err) {
      logger.error('connection.info_failed', { connectionId: this.id, topic, error: err });
    }
  }

  // ---------------------------------------------------------------------------- socket events

  onMessage(data: RawData, isBinary: boolean): void {
    // `terminate` stops serving too, so this one flag covers a draining and a closed connection.
    if (!this.#serving) return;
    this.#lastSeen = this.#services.clock.now();
    // The boundary of a socket message: nothing a frame does may reach ws's emitter.
    try {
      if (isBinary) this.#onBinary(data);
      else this.#dispatch(data.toString());
    } catch (err) {
      logger.error('connection.message_failed', { connectionId: this.id, error: err });
    }
  }

  onClose(code: number, reason: Buffer): void {
    // After a heartbeat timeout (or a crash of the connection actor) the actor is already done.
    if (this.#self?.getSnapshot().status === 'active') this.#self.send({ type: 'socket.closed', code });
    const { events } = this.#services;
    if (events.watched) events.emit({ type: 'connection.closed', connectionId: this.id, code, reason: reason.toString() });
  }

  onError(error: Error): void {
    this.#warn('socket.error', { error });
  }

  // ------------------------------------------------------------------------------------ frames

  // uploads: binary frames are upload chunks, taken only on a joined lvu: topic; refused elsewhere
  #onBinary(data: RawData): void {
    if (this.#uploads) this.#uploads.onBinary(data);
    else refuseBinary({ send: (text) => this.send(text), warn: (event, fields) => this.#warn(event, fields) }, data, 'binary frames are accepted only on a joined upload (lvu:) topic', this.#services.limits.maxFrameFieldChars);
  }

  /** The connection actor left `open` (draining): frames are no longer served. */
  stopServing(): void {
    this.#serving = false;
  }

  /** Handles one text frame from the socket. Never throws. */
  #dispatch(text: string): void {
    const decoded = decodeFrame(text, this.#services.limits.maxFrameFieldChars);
    if (!decoded.ok) {
      this.#rejectFrame(decoded.error, decoded.ref, decoded.joinRef, decoded.topic);
      return;
    }
    const { frame } = decoded;
    // uploads: lvu: topics belong to the upload channels, not to views
    if (isUploadTopic(frame.topic)) return (this.#uploads ??= new UploadChannels({ id: this.id, send: (text) => this.send(text), warn: (event, fields) => this.#warn(event, fields) }, this.#services)).onFrame(frame);
    if (frame.topic === 'phoenix') {
      if (frame.event === 'heartbeat') this.send(encodeReply(null, frame.ref, 'phoenix', 'ok', {}));
      else this.#replyError(frame, new LiveError('LV_ERR_UNKNOWN_EVENT', `unknown socket event ${frame.event}`));
      return;
    }
    switch (frame.event) {
      case 'phx_join':
        this.#join(frame);
        return;
      case 'phx_leave': {
        const slot = this.#slots.get(frame.topic);
        if (!slot || (slot.view === null && slot.queue.length === 0 && !slot.busy)) {
          // The client leaves topics it never joined (the dead view "lv:"): answer, as Phoenix does.
          this.send(encodeReply(frame.joinRef, frame.ref, frame.topic, 'ok', {}));
          return;
        }
        this.#routeToTopic(frame, slot);
        return;
      }
      default: {
        const slot = this.#slots.get(frame.topic);
        if (!slot) {
          this.#replyError(frame, new LiveError('LV_ERR_UNMATCHED_TOPIC', `${frame.topic} was never joined`));
          return;
        }
        this.#routeToTopic(frame, slot);
      }
    }
  }

  #join(frame: Frame): void {
    const { topic } = frame;
    if (!topic.startsWith('lv:') || topic.length <= 3) {
      // As Phoenix answers an unmatched topic: with no join_ref, since no channel took the join.
      this.send(encodeReply(null, frame.ref, topic, 'error', { reason: reasonOf('LV_ERR_UNMATCHED_TOPIC') }));
      this.#emitRejected('LV_ERR_UNMATCHED_TOPIC', `join of ${topic.slice(0, 64)}`);
      return;
    }
    if (frame.joinRef === null) {
      this.#replyError(frame, new LiveError('LV_ERR_MESSAGE_MALFORMED', 'phx_join needs a join_ref'));
      return;
    }
    const { limits, sessions, clock } = this.#services;
    const now = clock.now();
    if (!(this.#joins ??= new TokenBucket(limits.maxJoinsPerSecond, now)).take(now)) {
      this.#replyError(frame, new LiveError('LV_ERR_TOO_MANY_JOINS', 'joins per second exceeded'));
      return;
    }
    let slot = this.#slots.get(topic);
    if (!slot && this.#slots.size >= limits.maxViewsPerSocket) {
      this.#replyError(frame, new LiveError('LV_ERR_TOO_MANY_VIEWS', 'views per socket exceeded'));
      return;
    }
    if (!slot && this.#sessionKey !== null && sessions.views(this.#sessionKey) >= limits.maxViewsPerSession) {
      this.#replyError(frame, new LiveError('LV_ERR_TOO_MANY_SESSION_VIEWS', 'views per session exceeded'));
      return;
    }
    if (!slot) this.#slots.set(topic, (slot = { view: null, joinRef: null, queue: [], busy: false }));
    slot.joinRef = frame.joinRef;
    this.#enqueue(topic, slot, { kind: 'join', frame });
  }

  #routeToTopic(frame: Frame, slot: TopicSlot): void {
    // A frame of an earlier join of this topic is stale (the client has rejoined since).
    if (frame.joinRef !== null && frame.joinRef !== slot.joinRef) {
      this.#replyError(frame, new LiveError('LV_ERR_UNMATCHED_TOPIC', `stale join_ref ${frame.joinRef} on ${frame.topic}`));
      return;
    }
    if (frame.event === 'event' && !this.#takeEventToken()) {
      this.#replyError(frame, new LiveError('LV_ERR_OVERLOADED', 'events per second exceeded'));
      return;
    }
    this.#enqueue(frame.topic, slot, { kind: 'frame', frame });
  }

  #enqueue(topic: string, slot: TopicSlot, job: Job): void {
    if (slot.queue.length >= this.#services.limits.maxQueuedFramesPerView) {
      if (job.kind !== 'info') {
        this.#replyError(job.frame, new LiveError('LV_ERR_OVERLOADED', `${topic} has too many frames waiting`));
      } else {
        this.#warn('view.info_dropped', { topic });
      }
      return;
    }
    slot.queue.push(job);
    this.#drain(topic, slot);
  }

  #drain(topic: string, slot: TopicSlot): void {
    while (!slot.busy && slot.queue.length > 0) {
      const job = slot.queue.shift()!;
      let pending: Promise<void> | null = null;
      try {
        pending = this.#run(topic, slot, job);
      } catch (err) {
        logger.error('connection.job_failed', { connectionId: this.id, topic, error: err });
      }
      if (pending) {
        slot.busy = true;
        pending
          .catch((err: unknown) => logger.error('connection.job_failed', { connectionId: this.id, topic, error: err }))
          .finally(() => {
            slot.busy = false;
            this.#drain(topic, slot);
          });
        return;
      }
    }
    this.#forgetSlotIfIdle(topic, slot);
  }

  #run(topic: string, slot: TopicSlot, job: Job): Promise<void> | null {
    if (this.#closed) return null;
    if (job.kind === 'join') return this.#startView(topic, slot, job.frame);
    const entry = slot.view;
    if (job.kind === 'info') {
      if (!entry || entry.context.joinRef !== job.joinRef || !isLive(entry.actor)) return null;
      entry.actor.send({ type: 'info', message: job.message });
      return takePending(entry);
    }
    const { frame } = job;
    if (!entry || !isLive(entry.actor) || (frame.joinRef !== null && frame.joinRef !== entry.context.joinRef)) {
      if (frame.event === 'phx_leave') this.send(encodeReply(frame.joinRef, frame.ref, topic, 'ok', {}));
      else this.#replyError(frame, new LiveError('LV_ERR_UNMATCHED_TOPIC', `${topic} has no live view`));
      return null;
    }
    switch (frame.event) {
      case 'event':
        entry.actor.send({ type: 'client.event', ref: frame.ref, payload: frame.payload });
        return takePending(entry);
      case 'live_patch':
        entry.actor.send({ type: 'client.live_patch', ref: frame.ref, payload: frame.payload });
        return takePending(entry);
      case 'phx_leave':
        entry.actor.send({ type: 'client.leave', ref: frame.ref });
        return null;
      case 'allow_upload': // uploads: the preflight and progress reports go to the view
      case 'progress':
        entry.actor.send({ type: 'client.upload', ref: frame.ref, event: frame.event, payload: frame.payload });
        return takePending(entry);
      case 'cids_will_destroy':
      case 'cids_destroyed':
        entry.actor.send({ type: 'client.cids', ref: frame.ref, event: frame.event, payload: frame.payload });
        return null;
      default:
        this.#replyError(frame, new LiveError('LV_ERR_UNKNOWN_EVENT', `unknown event ${frame.event.slice(0, 64)}`));
        return null;
    }
  }

  #startView(topic: string, slot: TopicSlot, frame: Frame): Promise<void> {
    const previous = slot.view;
    if (previous) {
      // A second join of a joined topic replaces the first (live navigation rejoins the topic).
      this.send(encodeFrame(previous.context.joinRef, previous.context.joinRef, topic, 'phx_close', {}));
      // Detach it first: the close ends it at once (this runs outside any actor's step), and its
      // done event reaching `forgetView` must not drop this slot with the view about to join.
      slot.view = null;
      previous.actor.send({ type: 'close', why: 'rejoined' });
    }
    const joinRef = frame.joinRef!;
    const context = new ViewContext(topic, joinRef, this, this.#services, frame.payload);
    // The actor id lives as long as the view: one flat string, not a chain of three fragments.
    const actorId = flatString(`${topic}#${joinRef}`);
    const actor = createActor(viewMachine, { parent: this.#self!, id: actorId, input: context });
    context.self = actor;
    const entry: ViewEntry = { actor, context };
    slot.view = entry;
    return new Promise<void>((resolve) => {
      const subscription = actor.subscribe({
        next: (snapshot) => {
          if (snapshot.status !== 'active' || snapshot.value !== 'mount') {
            subscription.unsubscribe();
            resolve();
          }
        },
        error: () => resolve(),
        complete: () => resolve(),
      });
      actor.start();
    });
  }

  /** The view actor reached `terminated` (or failed): drop it from its slot (if still there). */
  forgetView(actorId: string): void {
    const topic = this.#topicOf(actorId);
    if (topic === null) return;
    const slot = this.#slots.get(topic)!;
    slot.view = null;
    this.#forgetSlotIfIdle(topic, slot);
  }

  /** The view actor failed inside XState itself (not in a callback): supervise it the same way. */
  viewFailed(actorId: string, error: unknown): void {
    const topic = this.#topicOf(actorId);
    if (topic !== null) this.#services.supervisor.viewCrashed(this.#slots.get(topic)!.view!.context, error, 'internal');
    this.forgetView(actorId);
  }

  /** The topic whose slot holds the view actor `actorId` (at most `maxViewsPerSocket` to look at). */
  #topicOf(actorId: string): string | null {
    for (const [topic, slot] of this.#slots) if (slot.view?.actor.id === actorId) return topic;
    return null;
  }

  #forgetSlotIfIdle(topic: string, slot: TopicSlot): void {
    if (slot.view === null && slot.queue.length === 0 && !slot.busy && this.#slots.get(topic) === slot) {
      this.#slots.delete(topic);
    }
  }

  // -------------------------------------------------------------------------------- lifecycle

  /** Ends every view and releases the connection's own resources. Idempotent. */
  terminate(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#serving = false;
    for (const { view } of this.#slots.values()) {
      if (!view) continue;
      view.actor.send({ type: 'close', why: 'socket closed' });
      // The view actor is done now; run its cleanup even if the close arrived mid-mount.
      view.context.cleanup.dispose();
    }
    this.#slots.clear();
    this.#uploads?.closeAll(); // uploads: unfinished transfers end with the socket
    this.#services.silence.unwatch(this);
    if (this.#sessionKey !== null) this.#services.sessions.remove(this.#sessionKey, this);
    this.#log?.flush();
  }

  /** Closes the socket with `code` (1001 makes the official client reconnect and remount). */
  closeSocket(code: number, reason: string): void {
    if (this.#socket.readyState === this.#socket.OPEN || this.#socket.readyState === this.#socket.CONNECTING) {
      this.#socket.close(code, reason);
    }
  }

  /** Drops the socket without a closing handshake (the peer is gone). */
  terminateSocket(): void {
    this.#socket.terminate();
  }

  // ---------------------------------------------------------------------------------- helpers

  #takeEventToken(): boolean {
    const now = this.#services.clock.now();
    return (this.#events ??= new TokenBucket(this.#services.limits.maxEventsPerSecond, now)).take(now);
  }

  /** A warning about this socket, within its `maxLogLinesPerSecond` (the rest are summarised). */
  #warn(event: string, fields: Record<string, unknown>): void {
    this.#log ??= new LogBudget(this.#services.limits.maxLogLinesPerSecond, this.#services.clock, { connectionId: this.id });
    this.#log.warn(event, fields);
  }

  #replyError(frame: Frame, error: LiveError): void {
    this.#emitRejected(error.code, error.message);
    if (frame.ref === null) return;
    this.send(encodeReply(frame.joinRef, frame.ref, frame.topic, 'error', { reason: error.reason }));
  }

  #rejectFrame(error: LiveError, ref: string | null, joinRef: string | null, topic: string | null): void {
    this.#emitRejected(error.code, error.message);
    this.#warn('frame.rejected', { code: error.code, detail: error.message });
    // Answer the ref when one could be read; otherwise say so on the socket-level topic, which
    // the official client ignores and a raw client can read.
    if (ref !== null) {
      this.send(encodeReply(joinRef, ref, topic ?? 'phoenix', 'error', { reason: error.reason, detail: error.message }));
    } else {
      this.send(encodeFrame(null, null, 'phoenix', 'phx_error', { reason: error.reason, detail: error.message }));
    }
  }

  #emitRejected(code: string, detail: string): void {
    // Rejections come at the client's rate: build nothing unless someone watches.
    const { events } = this.#services;
    if (events.watched) events.emit({ type: 'frame.rejected', connectionId: this.id, code, detail });
  }
}

function isLive(actor: ViewActor): boolean {
  const snapshot = actor.getSnapshot();
  return snapshot.status === 'active' && snapshot.value === 'live';
}

function takePending(entry: ViewEntry): Promise<void> | null {
  const pending = entry.context.pending;
  entry.context.pending = null;
  return pending;
}

/** The assigns a view lists in its `inspect`, for the inspector. */
function inspectableAssigns(context: ViewContext): Record<string, unknown> {
  const socket = context.socket;
  const out: Record<string, unknown> = {};
  if (!socket) return out;
  const assigns = socket.assigns as Record<string, unknown>;
  for (const key of socket.view.inspect ?? []) if (Object.hasOwn(assigns, key)) out[key] = assigns[key];
  return out;
}
