// The work of one WebSocket connection: decoding frames, answering the socket-level ones
// (heartbeat, errors), the rate limits, and routing each topic's frames to the view serving it
// through that topic's ordered queue (`topic-queue.ts`). Its lifecycle (`open` → `draining` →
// `closed`) is decided by `connection-lifecycle.ts`; the registry actor holds it and supervises
// its views, which are spawned by `spawn-view.ts` and described for the inspector by
// `describe-view.ts`.

import type { AnyActorRef } from 'xstate';
import type { RawData, WebSocket } from 'ws';
import { LiveError, reasonOf } from '../runtime/errors.ts';
import { decodeFrame, encodeFrame, encodeReply, type Frame } from '../runtime/frame.ts';
import { LogBudget } from '../runtime/log-budget.ts';
import { SmallMap } from '../runtime/small-map.ts';
import { logger } from '../runtime/logger.ts';
import { afterIo } from './after-io.ts';
import { nextLifecycle, type ConnectionState, type LifecycleEvent } from './connection-lifecycle.ts';
import type { SocketEvents } from '../runtime/routed-web-socket.ts';
import type { CookieSession } from '../runtime/security/cookie-session.ts';
import type { Watched } from './silence-watch.ts';
import type { ViewDescription } from '../runtime/server-description.ts';
import { describeView } from './describe-view.ts';
import { createView, isLive, startView, type ViewEntry } from './spawn-view.ts';
import { TokenBucket } from './token-bucket.ts';
import { TopicQueue, type TopicWorker } from './topic-queue.ts';
import { ViewContext, type ConnectionPort, type Services } from './view-context.ts';
import type { HandOff } from './view-channel.ts';
import type { ViewEvent } from './view.machine.ts';
// uploads: lvu: topics and binary chunk frames (actors/upload-channel.ts)
import { UploadChannels, isUploadTopic, refuseBinary } from './upload-channel.ts';

type Job = { kind: 'join'; frame: Frame } | { kind: 'frame'; frame: Frame } | { kind: 'info'; joinRef: string; message: unknown };

/** One topic's ordered work: the view serving it (if any) and the jobs waiting for it. */
class TopicSlot extends TopicQueue<Job> {
  view: ViewEntry | null = null;
  /** join_ref of the newest join queued or served on this topic; frames of older joins are stale. */
  joinRef: string | null = null;
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

export class Connection implements ConnectionPort, Watched, SocketEvents, TopicWorker<TopicSlot, Job> {
  readonly id: string;
  readonly cookieSession: CookieSession | null;
  readonly liveSocketId: string | null;
  readonly #socket: WebSocket;
  readonly #services: Services;
  /** One slot per topic: almost always one (`SmallMap`). */
  readonly #slots = new SmallMap<string, TopicSlot>();
  /** The registry actor, once it holds this connection: the parent of its views. */
  #registry: AnyActorRef | null = null;
  #state: ConnectionState = 'open';
  /** The registry stopped: it forgot this connection already and hears nothing more from it. */
  #halted = false;
  #lastSeen: number;
  readonly #sessionKey: string | null;
  /** Rate limits, made on the first event and the first join: a bucket made then is as full as one made at connect. */
  #events: TokenBucket | null = null;
  #joins: TokenBucket | null = null;
  /** Made on the first warning: most sockets never write one. */
  #log: LogBudget | null = null;
  /**
   * The client stopped reading (its send buffer went over the limit): frames are no longer
   * served. The one reason to stop serving that the lifecycle's state does not show.
   */
  #stalled = false;
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

  /** Called once by the registry as it takes the connection: views are spawned as its children. */
  bind(registry: AnyActorRef): void {
    this.#registry = registry;
    this.#services.silence.watch(this);
  }

  /** Where the lifecycle is: `open`, `draining` (kicked or drained) or `closed`. */
  get state(): ConnectionState {
    return this.#state;
  }

  /**
   * Kicks the connection if it is still open (`registry.disconnect`): sends the close frame
   * (1001) and stops serving. One the server is already closing is not kicked again: false.
   */
  kick(): boolean {
    if (this.#state !== 'open') return false;
    this.#step('kick');
    return true;
  }

  /** Tells the client to go elsewhere (1001) at shutdown; its views end with the handshake. */
  drain(): void {
    this.#step('drain');
  }

  /**
   * The registry is stopping: end the views and release what the connection holds without
   * telling the registry (it forgets every connection at once).
   */
  halt(): void {
    this.#halted = true;
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.terminate();
  }

  /**
   * One step of the lifecycle (`connection-lifecycle.ts`) and its effect. An effect that throws
   * still leaves the connection closed and released: it would otherwise hold its views forever.
   */
  #step(event: LifecycleEvent): void {
    const [next, effect] = nextLifecycle(this.#state, event);
    if (effect.kind === 'none') return;
    this.#state = next;
    // The socket closed: nothing is served from now on (the state says so), and the views end
    // once the other sockets ready in this turn are served (`after-io.ts`): a disconnect of many
    // sockets completes their closing handshakes before any teardown.
    if (effect.kind === 'terminate') {
      afterIo(() => this.#release());
      return;
    }
    try {
      if (effect.kind === 'close') this.closeSocket(effect.code, effect.reason);
      if (effect.kind === 'drop') this.terminateSocket();
    } catch (err) {
      logger.error('connection.crashed', { connectionId: this.id, error: err });
      this.#state = 'closed';
    }
    if (this.#state === 'closed') this.#release();
  }

  /** Ends the views, releases what the connection holds, and lets the registry forget it. */
  #release(): void {
    if (this.#halted) return;
    try {
      this.terminate();
    } finally {
      this.#registry?.send({ type: 'connection.closed', connectionId: this.id });
    }
  }

  /** When the last frame arrived: heartbeats and every other frame keep a socket alive. */
  get lastSeen(): number {
    return this.#lastSeen;
  }

  /** Nothing arrived for `heartbeatTimeoutMs`: the socket is dropped and the views end. */
  silenceExpired(): void {
    this.#step('heartbeat.timeout');
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
    for (const [topic, slot] of this.#slots) if (slot.view) out.push(describeView(topic, slot.view));
    return out;
  }

  /** Frames are served only while the connection is `open`, held by the registry, and the client reads. */
  #serving(): boolean {
    return !this.#stalled && this.#state === 'open' && this.#registry !== null;
  }

  /** The connection is closed or was never taken by the registry: nothing runs any more. */
  #done(): boolean {
    return this.#state === 'closed' || this.#registry === null;
  }

  send(text: string): void {
    if (this.#done() || this.#socket.readyState !== this.#socket.OPEN) return;
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
    this.#stalled = true;
    this.#warn('socket.send_buffer_full', { bufferedBytes: this.#socket.bufferedAmount });
    this.#emitRejected('LV_ERR_SEND_BUFFER_FULL', 'send buffer over maxSendBufferBytes');
    this.#socket.close(1013, 'send buffer full');
    const socket = this.#socket;
    setTimeout(() => socket.terminate(), this.#services.limits.sendBufferCloseGraceMs).unref();
  }

  /** Timers and PubSub messages enter here: whatever fails is this view's, never the caller's. */
  deliverInfo(topic: string, joinRef: string, message: unknown): void {
    if (this.#done()) return;
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
    // Not `open` (draining, closed) or stalled: the frame is not served.
    if (!this.#serving()) return;
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
    // After a heartbeat timeout the connection is closed already (the step does nothing).
    this.#step('socket.closed');
    const { events } = this.#services;
    if (!events.watched) return;
    const closed = { type: 'connection.closed', connectionId: this.id, code, reason: reason.toString() } as const;
    // Said once the teardown queued by the step has run: whoever hears it finds the registry's
    // counts without this connection.
    afterIo(() => events.emit(closed));
  }

  onError(error: Error): void {
    // ws refuses a message over `maxMessageBytes` with this error, then closes the socket with 1009.
    if ((error as NodeJS.ErrnoException).code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
      this.#emitRejected('LV_ERR_MESSAGE_TOO_LARGE', `message over maxMessageBytes (${this.#services.limits.maxMessageBytes})`);
    }
    this.#warn('socket.error', { error });
  }

  // ------------------------------------------------------------------------------------ frames

  // uploads: binary frames are upload chunks, taken only on a joined lvu: topic; refused elsewhere
  #onBinary(data: RawData): void {
    if (this.#uploads) this.#uploads.onBinary(data);
    else
      refuseBinary(
        this.#uploadPort(),
        data,
        'binary frames are accepted only on a joined upload (lvu:) topic',
        this.#services.limits.maxFrameFieldChars,
      );
  }

  /** What the upload side may do with this connection: send a frame, log a warning within budget. */
  #uploadPort(): { send(text: string): void; warn(event: string, fields: Record<string, unknown>): void } {
    return { send: (text) => this.send(text), warn: (event, fields) => this.#warn(event, fields) };
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
    if (isUploadTopic(frame.topic)) {
      this.#uploads ??= new UploadChannels({ id: this.id, ...this.#uploadPort() }, this.#services);
      this.#uploads.onFrame(frame);
      return;
    }
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
        if (!slot || (slot.view === null && slot.idle)) {
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
    const { limits, sessions } = this.#services;
    if (!this.#withinRate('joins')) {
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
    if (!slot) this.#slots.set(topic, (slot = new TopicSlot(topic)));
    slot.joinRef = frame.joinRef;
    this.#enqueue(topic, slot, { kind: 'join', frame });
  }

  #routeToTopic(frame: Frame, slot: TopicSlot): void {
    // A frame of an earlier join of this topic is stale (the client has rejoined since).
    if (frame.joinRef !== null && frame.joinRef !== slot.joinRef) {
      this.#replyError(frame, new LiveError('LV_ERR_UNMATCHED_TOPIC', `stale join_ref ${frame.joinRef} on ${frame.topic}`));
      return;
    }
    if (frame.event === 'event' && !this.#withinRate('events')) {
      this.#replyError(frame, new LiveError('LV_ERR_OVERLOADED', 'events per second exceeded'));
      return;
    }
    this.#enqueue(frame.topic, slot, { kind: 'frame', frame });
  }

  #enqueue(topic: string, slot: TopicSlot, job: Job): void {
    if (slot.length >= this.#services.limits.maxQueuedFramesPerView) {
      if (job.kind !== 'info') {
        this.#replyError(job.frame, new LiveError('LV_ERR_OVERLOADED', `${topic} has too many frames waiting`));
      } else {
        this.#warn('view.info_dropped', { topic });
      }
      return;
    }
    slot.push(job, this);
  }

  // ------------------------------------------------------------- the topic queues' work (TopicWorker)

  /** Runs one job of the topic queue `slot`: a join, a frame for its view, a `handleInfo` message. */
  runJob(slot: TopicSlot, job: Job): Promise<void> | null {
    return this.#run(slot.topic, slot, job);
  }

  jobFailed(slot: TopicSlot, error: unknown): void {
    logger.error('connection.job_failed', { connectionId: this.id, topic: slot.topic, error });
  }

  queueIdle(slot: TopicSlot): void {
    this.#forgetSlotIfIdle(slot.topic, slot);
  }

  #run(topic: string, slot: TopicSlot, job: Job): Promise<void> | null {
    if (this.#done()) return null;
    if (job.kind === 'join') return this.#startView(topic, slot, job.frame);
    const entry = slot.view;
    if (job.kind === 'info') {
      if (!entry || entry.joinRef !== job.joinRef || !isLive(entry.self)) return null;
      return sendHandingOff(entry, { type: 'info', message: job.message });
    }
    const { frame } = job;
    if (!entry || !isLive(entry.self) || (frame.joinRef !== null && frame.joinRef !== entry.joinRef)) {
      if (frame.event === 'phx_leave') this.send(encodeReply(frame.joinRef, frame.ref, topic, 'ok', {}));
      else this.#replyError(frame, new LiveError('LV_ERR_UNMATCHED_TOPIC', `${topic} has no live view`));
      return null;
    }
    switch (frame.event) {
      case 'event':
        return sendHandingOff(entry, { type: 'client.event', ref: frame.ref, payload: frame.payload });
      case 'live_patch':
        return sendHandingOff(entry, { type: 'client.live_patch', ref: frame.ref, payload: frame.payload });
      case 'phx_leave':
        entry.self.send({ type: 'client.leave', ref: frame.ref });
        return null;
      case 'allow_upload': // uploads: the preflight and progress reports go to the view
      case 'progress':
        return sendHandingOff(entry, { type: 'client.upload', ref: frame.ref, event: frame.event, payload: frame.payload });
      case 'cids_will_destroy':
      case 'cids_destroyed':
        entry.self.send({ type: 'client.cids', ref: frame.ref, event: frame.event, payload: frame.payload });
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
      this.send(encodeFrame(previous.joinRef, previous.joinRef, topic, 'phx_close', {}));
      // Detach it first: the close ends it at once (this runs outside any actor's step), and its
      // done event reaching `forgetView` must not drop this slot with the view about to join.
      slot.view = null;
      previous.self.send({ type: 'close', why: 'rejoined' });
    }
    const context = new ViewContext(topic, frame.joinRef!, this, this.#services, frame.payload);
    const entry = createView(this.#registry!, context);
    slot.view = entry;
    return startView(entry);
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
    if (topic !== null) this.#services.supervisor.viewCrashed(this.#slots.get(topic)!.view!, error, 'internal');
    this.forgetView(actorId);
  }

  /** The topic whose slot holds the view actor `actorId` (at most `maxViewsPerSocket` to look at). */
  #topicOf(actorId: string): string | null {
    for (const [topic, slot] of this.#slots) if (slot.view?.self.id === actorId) return topic;
    return null;
  }

  #forgetSlotIfIdle(topic: string, slot: TopicSlot): void {
    if (slot.view === null && slot.idle && this.#slots.get(topic) === slot) {
      this.#slots.delete(topic);
    }
  }

  // -------------------------------------------------------------------------------- lifecycle

  /**
   * Ends every view and releases the connection's own resources. Run once as the lifecycle
   * reaches `closed` (or the registry stops); safe to run again.
   */
  terminate(): void {
    for (const { view } of this.#slots.values()) {
      if (!view) continue;
      view.self.send({ type: 'close', why: 'socket closed' });
      // The view actor is done now; run its cleanup even if the close arrived mid-mount.
      view.cleanup.dispose();
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

  /**
   * Takes a token of this socket's join or event rate limit (`maxJoinsPerSecond`,
   * `maxEventsPerSecond`). Each bucket is made on first use, as full as one made at connect:
   * most sockets never need one of them.
   */
  #withinRate(kind: 'joins' | 'events'): boolean {
    const { limits, clock } = this.#services;
    const now = clock.now();
    const bucket =
      kind === 'joins'
        ? (this.#joins ??= new TokenBucket(limits.maxJoinsPerSecond, now))
        : (this.#events ??= new TokenBucket(limits.maxEventsPerSecond, now));
    return bucket.take(now);
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

/** A view event before the connection gives it its `handOff`. */
type WithoutHandOff<E> = E extends unknown ? Omit<E, 'handOff'> : never;

/**
 * Sends the view an event whose callback may be asynchronous, and returns the end of that
 * callback (the topic's queue waits for it), or null when it ran to the end synchronously. The
 * view hands the promise over through the event's `handOff` while it handles the event.
 */
function sendHandingOff(entry: ViewEntry, event: WithoutHandOff<Extract<ViewEvent, { handOff?: HandOff }>>): Promise<void> | null {
  let work: Promise<void> | null = null;
  // Each caller builds the event fresh for this call: it gets its `handOff` in place, not a copy.
  (event as Extract<ViewEvent, { handOff?: HandOff }>).handOff = (started) => (work = started);
  entry.self.send(event as Extract<ViewEvent, { handOff?: HandOff }>);
  return work;
}
