// The connection actor: one per WebSocket, a child of the registry. It owns the socket and its
// views (created with the connection as their parent, `view.machine.ts`), and decides the
// connection's lifecycle: `open` serves frames; `draining` means the server asked the client to go
// (a kick by `registry.disconnect`, or a shutdown): no more frames are served, the socket is
// closed with 1001 and the views end when the closing handshake completes; `closed` ends every
// view. Frames themselves are decoded and queued by
// `Connection.dispatch` straight from the socket while the actor is `open`: routing each one
// through the machine would cost a macrostep per frame and buy nothing, since ordering lives in
// the per-topic queues.

import { setup } from 'xstate';
import type { Connection } from './connection.ts';

/** Why the socket was closed, and with which code. */
export const CLOSE_CODES = {
  /** Kicked by `registry.disconnect` or drained at shutdown: the client reconnects and remounts. */
  goingAway: 1001,
} as const;

export type ConnectionEvent =
  | { type: 'socket.closed'; code: number }
  | { type: 'heartbeat.timeout' }
  | { type: 'kick'; code: number; reason: string }
  | { type: 'drain' };

/** Why the server closes a socket: the reason travels in the close frame. */
const CLOSE_REASONS = { kick: 'disconnected', drain: 'server shutting down' } as const;

export const connectionMachine = setup({
  types: {
    context: {} as { connection: Connection },
    input: {} as Connection,
    events: {} as ConnectionEvent,
  },
  actions: {
    bind: ({ context, self }) => context.connection.bind(self),
    stopServing: ({ context }) => context.connection.stopServing(),
    // Sending the close frame is all a kick does at once: a disconnect of a thousand sockets
    // reaches every client first, and the views are torn down as each handshake completes.
    closeSocket: ({ context, event }) => {
      const reason = event.type === 'kick' ? event.reason || CLOSE_REASONS.kick : CLOSE_REASONS.drain;
      context.connection.closeSocket(CLOSE_CODES.goingAway, reason);
    },
    terminateSocket: ({ context }) => context.connection.terminateSocket(),
    forgetView: ({ context, event }) => context.connection.forgetView((event as unknown as { actorId: string }).actorId),
    viewFailed: ({ context, event }) => {
      const { actorId, error } = event as unknown as { actorId: string; error: unknown };
      context.connection.viewFailed(actorId, error);
    },
    terminate: ({ context }) => context.connection.terminate(),
  },
}).createMachine({
  id: 'connection',
  context: ({ input }) => ({ connection: input }),
  entry: 'bind',
  initial: 'open',
  states: {
    open: {
      on: {
        'socket.closed': { target: 'closed' },
        'heartbeat.timeout': { target: 'closed', actions: 'terminateSocket' },
        kick: { target: 'draining' },
        drain: { target: 'draining' },
        'xstate.done.actor.*': { actions: 'forgetView' },
        'xstate.error.actor.*': { actions: 'viewFailed' },
      },
    },
    // No timer of our own here: ws drops a peer that does not answer the close frame within its
    // close timeout (30 s), and a shutdown terminates whatever is left after `shutdownTimeoutMs`.
    draining: {
      entry: ['stopServing', 'closeSocket'],
      on: {
        'socket.closed': { target: 'closed' },
        'xstate.done.actor.*': { actions: 'forgetView' },
        'xstate.error.actor.*': { actions: 'viewFailed' },
      },
    },
    closed: { type: 'final', entry: 'terminate' },
  },
});
