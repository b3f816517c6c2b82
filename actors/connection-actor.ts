// The connection actor: one per WebSocket, a child of the registry. It owns the socket and its
// views (created with the connection as their parent, `view.machine.ts`), and decides the
// connection's lifecycle: `open` serves frames; `draining` means the server asked the client to go
// (a kick by `registry.disconnect`, or a shutdown): no more frames are served, the socket is
// closed with 1001 and the views end when the closing handshake completes; `closed` ends every
// view. Frames themselves are decoded and queued by `Connection.dispatch` straight from the socket
// while the actor is `open`: routing each one through the actor would cost a step per frame and
// buy nothing, since ordering lives in the per-topic queues.
//
// It is custom actor logic (a transition function over three states), not a machine: there is one
// per socket, and a machine snapshot's bookkeeping (`_nodes`, `tags`, `children`, `historyValue`)
// would cost every idle connection about half a kilobyte for a lifecycle this small.

import type { ActorLogic, AnyActorRef, Snapshot } from 'xstate';
import type { Connection } from './connection.ts';

/** Kicked by `registry.disconnect` or drained at shutdown: the client reconnects and remounts. */
const GOING_AWAY = 1001;

type ConnectionState = 'open' | 'draining' | 'closed';

export type ConnectionEvent =
  | { type: 'socket.closed'; code: number }
  | { type: 'heartbeat.timeout' }
  | { type: 'kick' }
  | { type: 'drain' };

/** Events XState sends a parent when a child view ends. */
type ChildEvent = { type: `xstate.done.actor.${string}` | `xstate.error.actor.${string}`; actorId: string; error?: unknown };

/** Why the server closes a socket: the reason travels in the close frame. */
const CLOSE_REASONS = { kick: 'disconnected', drain: 'server shutting down' } as const;

type ConnectionSnapshot = Snapshot<undefined> & { value: ConnectionState; context: { connection: Connection } };

const DONE_PREFIX = 'xstate.done.actor.';
const ERROR_PREFIX = 'xstate.error.actor.';

function isChildEvent(event: ConnectionEvent | ChildEvent): event is ChildEvent {
  return event.type.startsWith(DONE_PREFIX) || event.type.startsWith(ERROR_PREFIX);
}

/** The same snapshot in another state; `closed` is final (the actor is done). */
function moveTo(snapshot: ConnectionSnapshot, value: ConnectionState): ConnectionSnapshot {
  const { context } = snapshot;
  return value === 'closed'
    ? { status: 'done', value, output: undefined, error: undefined, context }
    : { status: 'active', value, output: undefined, error: undefined, context };
}

function close(snapshot: ConnectionSnapshot): ConnectionSnapshot {
  snapshot.context.connection.terminate();
  return moveTo(snapshot, 'closed');
}

/** Stops serving and sends the close frame: all a kick or a drain does at once (see `draining`). */
function drain(snapshot: ConnectionSnapshot, reason: string): ConnectionSnapshot {
  const { connection } = snapshot.context;
  // Frames stop being served as the state leaves `open` (the connection reads it). A disconnect of a thousand sockets reaches every client first; the views are torn down as each
  // handshake completes. No timer of our own: ws drops a peer that does not answer the close frame
  // within its close timeout (30 s), and a shutdown terminates whatever is left after
  // `shutdownTimeoutMs`.
  connection.closeSocket(GOING_AWAY, reason);
  return moveTo(snapshot, 'draining');
}

export const connectionLogic: ActorLogic<ConnectionSnapshot, ConnectionEvent | ChildEvent, Connection> = {
  getInitialSnapshot: (_scope, connection) => ({
    status: 'active',
    value: 'open',
    output: undefined,
    error: undefined,
    context: { connection },
  }),
  start: (snapshot, scope) => {
    snapshot.context.connection.bind(scope.self as AnyActorRef);
  },
  transition: (snapshot, event) => {
    if (snapshot.status !== 'active') return snapshot;
    const { connection } = snapshot.context;
    if (isChildEvent(event)) {
      if (event.type.startsWith(ERROR_PREFIX)) connection.viewFailed(event.actorId, event.error);
      else connection.forgetView(event.actorId);
      return snapshot;
    }
    switch (event.type) {
      case 'socket.closed':
        return close(snapshot);
      case 'heartbeat.timeout':
        if (snapshot.value !== 'open') return snapshot;
        connection.terminateSocket();
        return close(snapshot);
      case 'kick':
      case 'drain':
        if (snapshot.value !== 'open') return snapshot;
        return drain(snapshot, CLOSE_REASONS[event.type]);
      default:
        return snapshot;
    }
  },
  getPersistedSnapshot: (snapshot) => snapshot,
};
