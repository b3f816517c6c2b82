// The registry actor: the root of the actor system. It holds every connection (a plain object
// whose lifecycle is `connection-lifecycle.ts`), maps live socket ids (e.g. `users_socket:42`) to
// them, so `disconnect(id)` can close every socket of a user at once, and supervises every view
// actor (their parent: a view's done or error event is handed to its connection). It is custom
// actor logic around Maps, not a machine: spawning thousands of children from one machine is
// quadratic in XState (each `spawnChild`/`stopChild` copies the parent's `children` record; 8,000
// children took 26 s to spawn on XState 5.33).

import { createActor, type ActorLogic, type AnyActorRef, type Actor, type Snapshot } from 'xstate';
import type { Connection } from './connection.ts';
import { logger } from '../runtime/logger.ts';
import type { RuntimeEvents } from '../runtime/runtime-events.ts';
import type { PubSub } from '../runtime/pubsub.ts';
import type { DisconnectResult } from '../runtime/disconnect-result.ts';
import type { ClusterDescription, ServerDescription } from '../runtime/server-description.ts';
import { readServerDescription } from '../runtime/read-server-description.ts';
import type { WatchedCluster } from '../runtime/server-description.ts';
import { broadcastDescription, describedConnections } from './description-broadcast.ts';
import { ClusterWatch, LEASE_TOPIC } from './cluster-watch.ts';
import { DescriptionPublisher } from './description-publisher.ts';
import type { Limits } from '../runtime/limits.ts';
import { v4 as uuidv4 } from 'uuid';
import { viewOwnerOf } from './spawn-view.ts';

/**
 * The PubSub topic on which nodes send each other their requests: `disconnect`, `describe` (and
 * re-check, which has no answer). Named after its first use; the wire name stays.
 */
const DISCONNECT_TOPIC = 'registry:disconnect';
/** Each node's own topic for the answers to the requests it sent. */
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
  | { type: 'describe'; maxConnections: number; origin: string; requestId: string }
  | { type: 'revalidate'; origin: string };

/** A request as sent: the registry adds who asks and the request's id. */
type ClusterRequest = { type: 'disconnect'; id: string } | { type: 'describe'; maxConnections: number };

/** The app's answer to "is this login session still valid?" (see `LiveServerOptions.revalidateSession`). */
export type SessionCheck = (session: Readonly<Record<string, unknown>>) => boolean | Promise<boolean>;

export interface RegistryOptions {
  nodeId: string;
  limits: Pick<Limits, 'clusterReplyTimeoutMs' | 'clusterPresenceIntervalMs' | 'clusterWatchLeaseMs' | 'clusterWatchPublishMs'>;
  revalidateSession?: SessionCheck;
  /** This node's description, for another node's `describeCluster` (the server's `describe`). */
  describeNode?: (maxConnections: number) => ServerDescription;
}

/** A request sent to the other nodes, waiting for their answers. */
interface PendingRequest {
  expected: Set<string>;
  /** Each answer as `read` made it from the reply, by node id. */
  answers: Map<string, unknown>;
  /** The answer in a reply, or undefined for a malformed one (that node counts as silent). */
  read: (reply: Record<string, unknown>) => unknown;
  finish: () => void;
}

/** What the other nodes answered to one request. */
interface ClusterAnswers<T> {
  /** By node id, in id order. */
  answers: [nodeId: string, answer: T][];
  unanswered: string[];
}

interface RegistryState {
  /** Connections by id. */
  connections: Map<string, Connection>;
  /** Connection ids by live socket id. */
  bySocketId: Map<string, Set<string>>;
}

type RegistrySnapshot = Snapshot<undefined> & { context: RegistryState };

type RegistryEvent =
  | { type: 'connection.open'; connection: Connection }
  | { type: 'connection.closed'; connectionId: string }
  | { type: 'disconnect'; liveSocketId: string; reply: (closed: number) => void }
  | { type: 'disconnect.all'; reply: (closed: number) => void }
  | { type: 'disconnect.where'; test: (connection: Connection) => boolean; reply: (closed: number) => void }
  | { type: 'drain' }
  | { type: 'terminate.all' }
  // What XState itself sends the registry: one of its view actors ended or failed; the system is
  // stopping.
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
          state.connections.set(connection.id, connection);
          if (connection.liveSocketId !== null) {
            let ids = state.bySocketId.get(connection.liveSocketId);
            if (!ids) state.bySocketId.set(connection.liveSocketId, (ids = new Set()));
            ids.add(connection.id);
          }
          connection.bind(scope.self as AnyActorRef);
          return snapshot;
        }
        case 'connection.closed':
          forget(state, event.connectionId);
          return snapshot;
        case 'disconnect': {
          const { liveSocketId, reply } = event;
          const ids = state.bySocketId.get(liveSocketId);
          let closed = 0;
          for (const id of ids ?? []) if (state.connections.get(id)?.kick()) closed++;
          reply(closed);
          return snapshot;
        }
        case 'disconnect.all': {
          const { reply } = event;
          let closed = 0;
          for (const connection of state.connections.values()) if (connection.kick()) closed++;
          reply(closed);
          return snapshot;
        }
        case 'disconnect.where': {
          const { test, reply } = event;
          let closed = 0;
          for (const connection of state.connections.values()) if (test(connection) && connection.kick()) closed++;
          reply(closed);
          return snapshot;
        }
        case 'drain': {
          // A drained connection that closes at once tells the registry so: iterate a copy.
          for (const connection of [...state.connections.values()]) connection.drain();
          return snapshot;
        }
        case 'terminate.all': {
          for (const connection of state.connections.values()) connection.terminateSocket();
          return snapshot;
        }
        case 'xstate.stop': {
          // End every view and release what each connection holds here, or a socket that closes
          // after the stop leaves them running.
          for (const connection of state.connections.values()) connection.halt();
          state.connections.clear();
          state.bySocketId.clear();
          return { status: 'stopped', output: undefined, error: undefined, context: snapshot.context };
        }
        default: {
          const { actorId } = event;
          if (
            typeof actorId === 'string' &&
            (event.type.startsWith('xstate.done.actor.') || event.type.startsWith('xstate.error.actor.'))
          ) {
            // A view ended or failed: its connection supervises it (a closed one forgot it already).
            const owner = viewOwnerOf(actorId);
            const connection = owner === null ? undefined : state.connections.get(owner);
            if (isChildError(event)) connection?.viewFailed(actorId, event.error);
            else connection?.forgetView(actorId);
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
  const socketId = entry.liveSocketId;
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
  readonly #pending = new Map<string, PendingRequest>();
  #presenceTimer: NodeJS.Timeout | null = null;
  #stopOnUp: (() => void) | null = null;
  /** A disconnect was made while the link was down: ask every node to re-check once it is back. */
  #relayMissed = false;
  /** Watch leases this node holds on the others, and serves to them (a cluster only). */
  #watch: ClusterWatch | null = null;
  #publisher: DescriptionPublisher | null = null;

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

  /** Takes a new socket's connection: from now on it serves frames and can be disconnected. */
  open(connection: Connection): void {
    this.#actor.send({ type: 'connection.open', connection });
    // The registry contains its own failures (see `transition`): say so to the caller here.
    if (!this.#actor.getSnapshot().context.connections.has(connection.id)) {
      throw new Error('registry did not take the connection');
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
  async disconnect(liveSocketId: string): Promise<DisconnectResult> {
    const local = { nodeId: this.nodeId, closed: this.#kick(liveSocketId) };
    if (!this.#pubsub.distributed) return { liveSocketId, closed: local.closed, nodes: [local], unanswered: [] };
    // Nothing reaches the other nodes now; they re-check their sockets when the link is back.
    if (this.#pubsub.health().state !== 'up') this.#relayMissed = true;
    const { answers, unanswered } = await this.#ask<number>({ type: 'disconnect', id: liveSocketId }, (reply) =>
      typeof reply.closed === 'number' ? reply.closed : undefined,
    );
    // This node first, then the others by id: the same cluster prints the same lines.
    const nodes = [local, ...answers.map(([nodeId, closed]) => ({ nodeId, closed }))];
    return { liveSocketId, closed: nodes.reduce((sum, node) => sum + node.closed, 0), nodes, unanswered };
  }

  /**
   * Every node's description (`server.describe()`, at most `maxConnections` connections each):
   * this node's, then each other node's that answered within `clusterReplyTimeoutMs`, and the
   * nodes believed up that did not answer. The request and its answers travel like a disconnect's.
   *
   * @example
   *   const { nodes, unanswered } = await registry.describeCluster(200);
   *   nodes.map((n) => n.nodeId); // → ['web-1', 'web-2']; unanswered → []
   */
  async describeCluster(maxConnections: number): Promise<ClusterDescription> {
    const max = describedConnections(maxConnections);
    const local = this.#describeNode(max);
    if (!this.#pubsub.distributed) return { nodes: [local], unanswered: [] };
    const { answers, unanswered } = await this.#ask<ServerDescription>({ type: 'describe', maxConnections: max }, (reply) => {
      const description = readServerDescription(reply.description, max);
      // A node describes itself: a description under another id is no answer.
      return description !== null && description.nodeId === reply.nodeId ? description : undefined;
    });
    return { nodes: [local, ...answers.map(([, description]) => description)], unanswered };
  }

  /**
   * Calls `onChange` with the other nodes' trees each time one changes, pushed by them while this
   * watch lasts (a watch lease, see `cluster-watch.ts`); returns the function that ends it. On a
   * single node it never calls.
   *
   * @example
   *   const stop = registry.watchCluster(200, ({ nodes, unanswered }) => draw(nodes, unanswered));
   */
  watchCluster(maxConnections: number, onChange: (cluster: WatchedCluster) => void): () => void {
    return this.#watch?.watch(maxConnections, onChange) ?? (() => {});
  }

  #describeNode(maxConnections: number): ServerDescription {
    const describe = this.#options.describeNode;
    if (!describe) throw new Error('registry has no describeNode option');
    return describe(maxConnections);
  }

  /**
   * Sends `request` to every other node and collects their answers: once every node believed up
   * has answered, or after `clusterReplyTimeoutMs`, the silent ones listed in `unanswered`. While
   * the link is down nothing is sent and every node is unanswered.
   */
  #ask<T>(request: ClusterRequest, read: (reply: Record<string, unknown>) => T | undefined): Promise<ClusterAnswers<T>> {
    const expected = new Set(this.peers());
    if (this.#pubsub.health().state !== 'up') return Promise.resolve({ answers: [], unanswered: [...expected] });
    const requestId = uuidv4();
    const result = new Promise<ClusterAnswers<T>>((resolve) => {
      const timer = setTimeout(() => finish(), this.#options.limits.clusterReplyTimeoutMs);
      const finish = (): void => {
        clearTimeout(timer);
        this.#pending.delete(requestId);
        const answers = [...pending.answers].map(([nodeId, answer]) => [nodeId, answer as T] as [string, T]);
        answers.sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
        resolve({ answers, unanswered: [...expected].filter((id) => !pending.answers.has(id)) });
      };
      const pending: PendingRequest = { expected, answers: new Map(), read, finish };
      this.#pending.set(requestId, pending);
      if (expected.size === 0) finish();
    });
    const message: ClusterMessage = { ...request, origin: this.nodeId, requestId };
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
    for (const connection of this.#actor.getSnapshot().context.connections.values()) {
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
    return this.#stops.length + (this.#watch?.ownSubscriptions ?? 0);
  }

  #joinCluster(): void {
    const pubsub = this.#pubsub;
    this.#stops.push(
      pubsub.subscribe(DISCONNECT_TOPIC, (message) => this.#onClusterMessage(message)),
      pubsub.subscribe(replyTopic(this.nodeId), (message) => this.#onReply(message)),
      pubsub.subscribe(PRESENCE_TOPIC, (message) => this.#onPresence(message)),
    );
    const { nodeId, limits, describeNode } = this.#options;
    this.#watch = new ClusterWatch({ nodeId, pubsub, limits, peers: () => this.peers() });
    if (describeNode) {
      const publisher = (this.#publisher = new DescriptionPublisher({ nodeId, pubsub, events: this.#events, limits, describeNode }));
      this.#stops.push(pubsub.subscribe(LEASE_TOPIC, (message) => publisher.onLeaseMessage(message)));
    }
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
    const { type, id, origin, requestId, maxConnections } = (message ?? {}) as Partial<
      Record<'type' | 'id' | 'origin' | 'requestId' | 'maxConnections', unknown>
    >;
    if (typeof origin !== 'string' || origin === this.nodeId) return;
    if (type === 'revalidate') {
      void this.#revalidate();
      return;
    }
    if (typeof requestId !== 'string') return;
    if (type === 'disconnect' && typeof id === 'string') {
      const closed = this.#kick(id);
      this.#pubsub.broadcast(replyTopic(origin), { requestId, nodeId: this.nodeId, closed });
    } else if (type === 'describe' && typeof maxConnections === 'number' && this.#options.describeNode) {
      this.#answerDescribe(origin, requestId, maxConnections);
    }
  }

  /**
   * Answers another node's `describeCluster` with what this node's own inspector would show (see
   * `broadcastDescription`).
   */
  #answerDescribe(origin: string, requestId: string, maxConnections: number): void {
    broadcastDescription(this.#pubsub, replyTopic(origin), { requestId }, this.#describeNode(describedConnections(maxConnections)));
  }

  #onReply(message: unknown): void {
    if (typeof message !== 'object' || message === null) return;
    const reply = message as Record<string, unknown>;
    const { requestId, nodeId } = reply;
    if (typeof requestId !== 'string' || typeof nodeId !== 'string') return;
    const pending = this.#pending.get(requestId);
    if (!pending) return; // answered after the timeout
    const answer = pending.read(reply);
    if (answer === undefined) return;
    pending.answers.set(nodeId, answer);
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
    for (const connection of connections.values()) views += connection.viewCount;
    return { connections: connections.size, liveSocketIds: bySocketId.size, views };
  }

  /** A read-only picture for the inspector: the first `maxConnections` connections (all by default). */
  describe(
    maxConnections = Infinity,
  ): { liveSocketId: string | null; connectionId: string; state: string; views: ReturnType<Connection['describeViews']> }[] {
    const out = [];
    for (const connection of this.#actor.getSnapshot().context.connections.values()) {
      if (out.length >= maxConnections) break;
      out.push({
        liveSocketId: connection.liveSocketId,
        connectionId: connection.id,
        state: connection.state,
        views: connection.describeViews(),
      });
    }
    return out;
  }

  stop(): void {
    this.#publisher?.stop();
    this.#watch?.stop();
    for (const stop of this.#stops.splice(0)) stop();
    this.#stopOnUp?.();
    if (this.#presenceTimer) clearInterval(this.#presenceTimer);
    for (const pending of [...this.#pending.values()]) pending.finish();
    this.#actor.stop();
  }
}
