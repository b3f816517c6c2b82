// The registry actor: the root of the actor system. It spawns one connection actor per socket and
// maps live socket ids (e.g. `users_socket:42`) to them, so `disconnect(id)` can close every socket
// of a user at once. It is custom actor logic around Maps, not a machine: spawning thousands of
// children from one machine is quadratic in XState (XSTATE-NOTES.md §2.3).

import { createActor, type ActorLogic, type AnyActorRef, type Actor, type EventObject, type Snapshot } from 'xstate';
import { connectionLogic } from './connection-actor.ts';
import type { Connection } from './connection.ts';
import { logger } from '../runtime/logger.ts';
import type { RuntimeEvents } from '../runtime/runtime-events.ts';
import type { PubSub } from '../runtime/pubsub.ts';
import { v4 as uuidv4 } from 'uuid';

/** The PubSub topic on which nodes relay `disconnect` to each other. */
const DISCONNECT_TOPIC = 'liveward:registry:disconnect';

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
  | { type: 'drain' }
  | { type: 'terminate.all' }
  | EventObject;

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
          const { connection } = event as Extract<RegistryEvent, { type: 'connection.open' }>;
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
          const { liveSocketId, reply } = event as Extract<RegistryEvent, { type: 'disconnect' }>;
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
          const { reply } = event as Extract<RegistryEvent, { type: 'disconnect.all' }>;
          for (const { ref } of state.connections.values()) ref.send({ type: 'kick' });
          reply(state.connections.size);
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
          const actorId = (event as { actorId?: unknown }).actorId;
          if (typeof actorId === 'string' && (event.type.startsWith('xstate.done.actor.') || event.type.startsWith('xstate.error.actor.'))) {
            if (event.type.startsWith('xstate.error.actor.')) {
              logger.error('connection.crashed', { connectionId: actorId, error: (event as { error?: unknown }).error });
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
 * 1001, so the clients reconnect and every view mounts again under the current session.
 */
export class Registry {
  readonly #actor: Actor<typeof registryLogic>;
  readonly #events: RuntimeEvents;
  readonly #pubsub: PubSub;
  /** This node's id: a disconnect relayed through PubSub names the node it came from. */
  readonly nodeId: string = uuidv4();
  readonly #stopRelay: (() => void) | null = null;

  /**
   * With a distributed PubSub (Redis), `disconnect` is relayed to every node through it, so a
   * logout on one node closes the user's sockets on all of them.
   */
  constructor(events: RuntimeEvents, pubsub: PubSub) {
    this.#events = events;
    this.#pubsub = pubsub;
    if (pubsub.distributed) {
      this.#stopRelay = pubsub.subscribe(DISCONNECT_TOPIC, (message) => {
        const { id, origin } = (message ?? {}) as { id?: unknown; origin?: unknown };
        if (typeof id === 'string' && origin !== this.nodeId) this.#kick(id);
      });
    }
    this.#actor = createActor(registryLogic, { id: 'registry', systemId: 'registry' });
    this.#actor.subscribe({ error: (err) => logger.error('registry.failed', { error: err }) });
    this.#actor.start();
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
   * Closes every live connection of `liveSocketId` (logout, ban, password change) and returns how
   * many it closed on this node.
   *
   * @example
   *   registry.disconnect(`users_socket:${user.id}`); // → 3
   */
  disconnect(liveSocketId: string): number {
    const closed = this.#kick(liveSocketId);
    if (this.#pubsub.distributed) this.#pubsub.broadcast(DISCONNECT_TOPIC, { id: liveSocketId, origin: this.nodeId });
    return closed;
  }

  /** PubSub subscriptions the registry itself holds (the cluster relay), not any view's. */
  get ownSubscriptions(): number {
    return this.#stopRelay ? 1 : 0;
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
    this.#stopRelay?.();
    this.#actor.stop();
  }
}
