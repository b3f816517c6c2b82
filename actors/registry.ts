// The registry actor: the root of the actor system. It spawns one connection actor per socket and
// maps live socket ids (e.g. `users_socket:42`) to them, so `disconnect(id)` can close every socket
// of a user at once. It is custom actor logic around Maps, not a machine: spawning thousands of
// children from one machine is quadratic in XState (XSTATE-NOTES.md §2.3).

import { createActor, type ActorLogic, type AnyActorRef, type Actor, type Snapshot } from 'xstate';
import { connectionLogic } from './connection-actor.ts';
import type { Connection } from './connection.ts';
import { logger } from '../runtime/logger.ts';
import type { RuntimeEvents } from '../runtime/runtime-events.ts';
import type { PubSub } from '../runtime/pubsub.ts';
import type { DisconnectResult } from '../runtime/disconnect-result.ts';
import type { Limits } from '../runtime/limits.ts';
import { v4 as uuidv4 } from 'uuid';

/** The PubSub topic on which nodes relay `disconnect` (and re-check requests) to each other. */
const DISCONNECT_TOPIC = 'registry:disconnect';
/** Each node's own topic for the answers to the disconnects it relayed. */
const replyTopic = (nodeId: string): string => `registry:disconnect-reply:${nodeId}`;
/** Where nodes announce themselves, so a disconnect knows whom to wait for. */
const PRESENCE_TOPIC = 'registry:presence';
/** A node not heard from for this many presence intervals is no longer expected to answer. */
const PRESENCE_MISSES = 3;
/**
 * Session checks of a re-check between two turns of the event loop. A synchronous check (SQLite:
 * about 50 µs) resumes its `await` in a microtask, so without a turn 10,000 sockets would hold the
 * loop for half a second, on every node at once, just as the cluster recovers.
 */
const CHECKS_PER_TURN = 100;

type ClusterMessage =
  | { type: 'disconnect'; id: string; origin: string; requestId: string }
  | { type: 'revalidate'; origin: string };

/** The app's answer to "is this login session still valid?" (see `LiveServerOptions.revalidateSession`). */
export type SessionCheck = (session: Readonly<Record<string, unknown>>) => boolean | Promise<boolean>;

export interface RegistryOptions {
  nodeId: string;
  limits: Pick<Limits, 'clusterReplyTimeoutMs' | 'clusterPresenceIntervalMs'>;
  revalidateSession?: SessionCheck;
}

interface PendingDisconnect {
  expected: Set<string>;
  answers: Map<string, number>;
  finish: () => void;
}

interface RegistryState {
  /** Connection actors by connection id. */
  connections: Map<string, { ref: AnyActorRef; connection: Connection }>;
  /** Connection ids by live socket id. */
  bySocketId: Map<string, Set<string>>;
}

type RegistrySnapshot = Snapshot<undefined> & { context: RegistryState };

type RegistryEvent =
  | { type: 'connection.open'; connection: Connection }
  | { type: 'disconnect'; liveSocketId: string; reply: (closed: number) => void }
  | { type: 'disconnect.all'; reply: (closed: number) => void }
  | { type: 'disconnect.where'; test: (connection: Connection) => boolean; reply: (closed: number) => void }
  | { type: 'drain' }
  | { type: 'terminate.all' }
  // What XState itself sends the registry: one of its connection actors ended or failed; the
  // system is stopping.
  | ChildDone
  | ChildError
  | { type: 'xstate.stop' };

type ChildDone = { type: `xstate.done.actor.${string}`; actorId: string };
type ChildError = { type: `xstate.error.actor.${string}`; actorId: string; error: unknown };

function isChildError(event: ChildDone | ChildError): event is ChildError {
  return event.type.startsWith('xstate.error.actor.');
}

const registryLogic: ActorLogic<RegistrySnapshot, RegistryEvent> = {
  getInitialSnapshot: () => ({
    status: 'active',
    output: undefined,
    error: undefined,
    context: { connections: new Map(), bySocketId: new Map() },
  }),
  transition: (snapshot, event, scope) => {
    const state = snapshot.context;
    // An error here would orphan every connection: contain it and keep the registry running.
    try {
      switch (event.type) {
        case 'connection.open': {
          const { connection } = event;
          const ref = createActor(connectionLogic, { parent: scope.self, id: connection.id, input: connection });
          state.connections.set(connection.id, { ref, connection });
          if (connection.liveSocketId !== null) {
            let ids = state.bySocketId.get(connection.liveSocketId);
            if (!ids) state.bySocketId.set(connection.liveSocketId, (ids = new Set()));
            ids.add(connection.id);
          }
          ref.start();
          return snapshot;
        }
        case 'disconnect': {
          const { liveSocketId, reply } = event;
          const ids = state.bySocketId.get(liveSocketId);
          let closed = 0;
          for (const id of ids ?? []) {
            const entry = state.connections.get(id);
            if (!entry) continue;
            entry.ref.send({ type: 'kick' });
            closed++;
          }
          reply(closed);
          return snapshot;
        }
        case 'disconnect.all': {
          const { reply } = event;
          for (const { ref } of state.connections.values()) ref.send({ type: 'kick' });
          reply(state.connections.size);
          return snapshot;
        }
        case 'disconnect.where': {
          const { test, reply } = event;
          let closed = 0;
          for (const { ref, connection } of state.connections.values()) {
            if (!test(connection)) continue;
            ref.send({ type: 'kick' });
            closed++;
          }
          reply(closed);
          return snapshot;
        }
        case 'drain': {
          for (const { ref } of state.connections.values()) ref.send({ type: 'drain' });
          return snapshot;
        }
        case 'terminate.all': {
          for (const { connection } of state.connections.values()) connection.terminateSocket();
          return snapshot;
        }
        case 'xstate.stop': {
          for (const { ref } of state.connections.values()) scope.stopChild(ref);
          state.connections.clear();
          state.bySocketId.clear();
          return { status: 'stopped', output: undefined, error: undefined, context: snapshot.context };
        }
        default: {
          const { actorId } = event;
          if (typeof actorId === 'string' && (event.type.startsWith('xstate.done.actor.') || event.type.startsWith('xstate.error.actor.'))) {
            if (isChildError(event)) {
              logger.error('connection.crashed', { connectionId: actorId, error: event.error });
              state.connections.get(actorId)?.connection.terminate();
            }
            forget(state, actorId);
          }
          return snapshot;
        }
      }
    } catch (err) {
      logger.error('registry.transition_failed', { event: event.type, error: err });
      return snapshot;
    }
  },
  getPersistedSnapshot: (snapshot) => snapshot,
};

function forget(state: RegistryState, connectionId: string): void {
  const entry = state.connections.get(connectionId);
  if (!entry) return;
  state.connections.delete(connectionId);
  const socketId = entry.connection.liveSocketId;
  if (socketId === null) return;
  const ids = state.bySocketId.get(socketId);
  ids?.delete(connectionId);
  if (ids && ids.size === 0) state.bySocketId.delete(socketId);
}

export interface RegistryCounts {
  connections: number;
  liveSocketIds: number;
  views: number;
}

/**
 * The registry's public face. `disconnect(id)` closes every connection of a live socket id with
 * 1001, so the clients reconnect and every view mounts again under the current session. In a
 * cluster (a distributed PubSub) it also relays the disconnect to every node, collects how many
 * each closed, and after every PubSub outage re-checks each live socket's login session, so a
 * disconnect lost in the outage still takes effect.
 */
export class Registry {
  readonly #actor: Actor<typeof registryLogic>;
  readonly #events: RuntimeEvents;
  readonly #pubsub: PubSub;
  readonly #options: RegistryOptions;
  readonly #stops: (() => void)[] = [];
  /** Other nodes by id, with when they were last heard from (ms). */
  readonly #peers = new Map<string, number>();
  readonly #pending = new Map<string, PendingDisconnect>();
  #presenceTimer: NodeJS.Timeout | null = null;
  #stopOnUp: (() => void) | null = null;
  /** A disconnect was made while the link was down: ask every node to re-check once it is back. */
  #relayMissed = false;

  constructor(events: RuntimeEvents, pubsub: PubSub, options: RegistryOptions) {
    this.#events = events;
    this.#pubsub = pubsub;
    this.#options = options;
    this.#actor = createActor(registryLogic, { id: 'registry', systemId: 'registry' });
    this.#actor.subscribe({ error: (err) => logger.error('registry.failed', { error: err }) });
    this.#actor.start();
    if (pubsub.distributed) this.#joinCluster();
  }

  get nodeId(): string {
    return this.#options.nodeId;
  }

  /** Spawns the connection actor for a new socket. */
  open(connection: Connection): void {
    this.#actor.send({ type: 'connection.open', connection });
    // The registry contains its own failures (see `transition`): say so to the caller here.
    if (!this.#actor.getSnapshot().context.connections.has(connection.id)) {
      throw new Error('registry did not spawn the connection actor');
    }
  }

  /**
   * Closes every live connection of `liveSocketId` (logout, ban, password change) on every node.
   * This node's sockets get their close frame before the call returns; the promise resolves with
   * what each node closed, once every node believed up has answered or `clusterReplyTimeoutMs`
   * has passed (the silent ones are listed in `unanswered`).
   *
   * @example
   *   const result = await registry.disconnect(`users_socket:${user.id}`);
   *   result.closed; // → 3, on every node that answered
   */
  disconnect(liveSocketId: string): Promise<DisconnectResult> {
    const local = { nodeId: this.nodeId, closed: this.#kick(liveSocketId) };
    if (!this.#pubsub.distributed) {
      return Promise.resolve({ liveSocketId, closed: local.closed, nodes: [local], unanswered: [] });
    }
    const expected = new Set(this.peers());
    if (this.#pubsub.health().state !== 'up') {
      // Nothing reaches the other nodes now; they re-check their sockets when the link is back.
      this.#relayMissed = true;
      return Promise.resolve({ liveSocketId, closed: local.closed, nodes: [local], unanswered: [...expected] });
    }
    const requestId = uuidv4();
    const result = new Promise<DisconnectResult>((resolve) => {
      const timer = setTimeout(() => finish(), this.#options.limits.clusterReplyTimeoutMs);
      const finish = (): void => {
        clearTimeout(timer);
        this.#pending.delete(requestId);
        // This node first, then the others by id: the same cluster prints the same lines.
        const others = [...pending.answers].map(([nodeId, closed]) => ({ nodeId, closed }));
        others.sort((x, y) => (x.nodeId < y.nodeId ? -1 : x.nodeId > y.nodeId ? 1 : 0));
        const nodes = [local, ...others];
        resolve({
          liveSocketId,
          closed: nodes.reduce((sum, node) => sum + node.closed, 0),
          nodes,
          unanswered: [...expected].filter((id) => !pending.answers.has(id)),
        });
      };
      const pending: PendingDisconnect = { expected, answers: new Map(), finish };
      this.#pending.set(requestId, pending);
      if (expected.size === 0) finish();
    });
    const message: ClusterMessage = { type: 'disconnect', id: liveSocketId, origin: this.nodeId, requestId };
    this.#pubsub.broadcast(DISCONNECT_TOPIC, message);
    return result;
  }

  /** Ids of the other nodes heard from recently: those a disconnect waits for. */
  peers(): string[] {
    this.#forgetSilentPeers();
    return [...this.#peers.keys()].sort();
  }

  /** Drops the nodes not heard from for `PRESENCE_MISSES` intervals (gone, or restarted under a new id). */
  #forgetSilentPeers(): void {
    const horizon = Date.now() - PRESENCE_MISSES * this.#options.limits.clusterPresenceIntervalMs;
    for (const [id, seenAt] of this.#peers) if (seenAt < horizon) this.#peers.delete(id);
  }

  /**
   * Closes (1001) every connection whose login session the app no longer accepts: run after every
   * PubSub outage, since a logout on another node meanwhile could not reach this one. The clients
   * reconnect, and their new mount meets the revoked session.
   */
  async #revalidate(): Promise<void> {
    const check = this.#options.revalidateSession;
    if (!check) return;
    const revoked = new Set<string>();
    let checked = 0;
    for (const { connection } of this.#actor.getSnapshot().context.connections.values()) {
      if (!connection.cookieSession || connection.liveSocketId === null) continue;
      if (++checked % CHECKS_PER_TURN === 0) await new Promise((resolve) => setImmediate(resolve));
      try {
        if (!(await check(connection.cookieSession))) revoked.add(connection.id);
      } catch (err) {
        // A store that cannot answer keeps the socket: the next outage's re-check tries again.
        logger.error('registry.revalidate_failed', { connectionId: connection.id, error: err });
      }
    }
    let closed = 0;
    if (revoked.size > 0) {
      this.#actor.send({ type: 'disconnect.where', test: (c) => revoked.has(c.id), reply: (n: number) => (closed = n) });
    }
    logger.info('registry.revalidated', { checked, closed });
  }

  /** PubSub subscriptions the registry itself holds (the cluster relay), not any view's. */
  get ownSubscriptions(): number {
    return this.#stops.length;
  }

  #joinCluster(): void {
    const pubsub = this.#pubsub;
    this.#stops.push(
      pubsub.subscribe(DISCONNECT_TOPIC, (message) => this.#onClusterMessage(message)),
      pubsub.subscribe(replyTopic(this.nodeId), (message) => this.#onReply(message)),
      pubsub.subscribe(PRESENCE_TOPIC, (message) => this.#onPresence(message)),
    );
    this.#stopOnUp = pubsub.onUp(() => this.#onLinkUp());
    // A PubSub made ready before the server was built came up unseen: say hello now.
    if (pubsub.health().state === 'up') this.#announce(true);
    // Each tick also forgets silent nodes: every restart of a peer comes back under a new id, so a
    // node that is never asked for its peers would otherwise keep every id it ever heard.
    this.#presenceTimer = setInterval(() => {
      this.#announce(false);
      this.#forgetSilentPeers();
    }, this.#options.limits.clusterPresenceIntervalMs);
    this.#presenceTimer.unref();
  }

  #onLinkUp(): void {
    this.#announce(true);
    if (this.#relayMissed) {
      this.#relayMissed = false;
      const message: ClusterMessage = { type: 'revalidate', origin: this.nodeId };
      this.#pubsub.broadcast(DISCONNECT_TOPIC, message);
    }
    void this.#revalidate();
  }

  /** `hello` asks the others to answer at once, so a new node learns its peers without waiting. */
  #announce(hello: boolean): void {
    this.#pubsub.broadcast(PRESENCE_TOPIC, { nodeId: this.nodeId, hello });
  }

  #onPresence(message: unknown): void {
    const { nodeId, hello } = (message ?? {}) as { nodeId?: unknown; hello?: unknown };
    if (typeof nodeId !== 'string' || nodeId === this.nodeId) return;
    const known = this.#peers.has(nodeId);
    this.#peers.set(nodeId, Date.now());
    // A newcomer, or one that has not heard of this node yet, learns it at once.
    if (hello === true || !known) this.#announce(false);
  }

  /** Whatever arrives from another node is checked field by field, as `#onPresence` and `#onReply` do. */
  #onClusterMessage(message: unknown): void {
    const { type, id, origin, requestId } = (message ?? {}) as Partial<Record<'type' | 'id' | 'origin' | 'requestId', unknown>>;
    if (typeof origin !== 'string' || origin === this.nodeId) return;
    if (type === 'revalidate') {
      void this.#revalidate();
      return;
    }
    if (type !== 'disconnect' || typeof id !== 'string' || typeof requestId !== 'string') return;
    const closed = this.#kick(id);
    this.#pubsub.broadcast(replyTopic(origin), { requestId, nodeId: this.nodeId, closed });
  }

  #onReply(message: unknown): void {
    const { requestId, nodeId, closed } = (message ?? {}) as { requestId?: unknown; nodeId?: unknown; closed?: unknown };
    if (typeof requestId !== 'string' || typeof nodeId !== 'string' || typeof closed !== 'number') return;
    const pending = this.#pending.get(requestId);
    if (!pending) return; // answered after the timeout
    pending.answers.set(nodeId, closed);
    this.#peers.set(nodeId, Date.now());
    if ([...pending.expected].every((id) => pending.answers.has(id))) pending.finish();
  }

  #kick(liveSocketId: string): number {
    let closed = 0;
    this.#actor.send({ type: 'disconnect', liveSocketId, reply: (n: number) => (closed = n) });
    this.#events.emit({ type: 'socket.disconnected', liveSocketId, closed });
    return closed;
  }

  /**
   * Closes every live connection on this node with 1001 while the server keeps accepting new
   * ones, so every client reconnects and remounts (a deploy of new view code, a test of the
   * reconnect path). Returns how many it closed. Unlike `drain()`, the server is not closing.
   *
   * @example
   *   registry.disconnectAll(); // → 12
   */
  disconnectAll(): number {
    let closed = 0;
    this.#actor.send({ type: 'disconnect.all', reply: (n: number) => (closed = n) });
    return closed;
  }

  /** Tells every connection to go elsewhere (1001) and to end its views (shutdown). */
  drain(): void {
    this.#actor.send({ type: 'drain' });
  }

  /** Drops every socket still open without a handshake: the end of a shutdown's grace period. */
  terminateAll(): void {
    this.#actor.send({ type: 'terminate.all' });
  }

  /** Resolves once no connection is left (at once when none is open): the end of a shutdown's drain. */
  whenEmpty(): Promise<void> {
    return new Promise((resolve) => {
      if (this.#actor.getSnapshot().context.connections.size === 0) return resolve();
      const subscription = this.#actor.subscribe({
        next: (snapshot) => {
          if (snapshot.context.connections.size > 0) return;
          subscription.unsubscribe();
          resolve();
        },
        error: () => resolve(),
        complete: () => resolve(),
      });
    });
  }

  counts(): RegistryCounts {
    const { connections, bySocketId } = this.#actor.getSnapshot().context;
    let views = 0;
    for (const { connection } of connections.values()) views += connection.viewCount;
    return { connections: connections.size, liveSocketIds: bySocketId.size, views };
  }

  /** A read-only picture for the inspector. */
  describe(): { liveSocketId: string | null; connectionId: string; state: string; views: ReturnType<Connection['describeViews']> }[] {
    const out = [];
    for (const { ref, connection } of this.#actor.getSnapshot().context.connections.values()) {
      const snapshot = ref.getSnapshot() as { value?: unknown; status: string };
      out.push({
        liveSocketId: connection.liveSocketId,
        connectionId: connection.id,
        state: snapshot.status === 'active' ? String(snapshot.value) : snapshot.status,
        views: connection.describeViews(),
      });
    }
    return out;
  }

  stop(): void {
    for (const stop of this.#stops.splice(0)) stop();
    this.#stopOnUp?.();
    if (this.#presenceTimer) clearInterval(this.#presenceTimer);
    for (const pending of [...this.#pending.values()]) pending.finish();
    this.#actor.stop();
  }
}
