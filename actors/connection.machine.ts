// The connection actor: one per WebSocket, a child of the registry. It owns the socket and its
// views (created with the connection as their parent, `view.machine.ts`), and decides the
// connection's lifecycle: `open` serves frames; `draining` is a shutdown in progress (the socket
// told to go elsewhere with 1001); `closed` ends every view. Frames themselves are decoded and
// queued by `Connection.dispatch` straight from the socket while the actor is `open`: routing each
// one through the machine would cost a macrostep per frame and buy nothing, since ordering lives in
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

export const connectionMachine = setup({
  types: {
    context: {} as { connection: Connection },
    input: {} as Connection,
    events: {} as ConnectionEvent,
  },
  delays: {
    drainTimeout: ({ context }) => context.connection.drainTimeoutMs,
  },
  actions: {
    bind: ({ context, self }) => context.connection.bind(self),
    stopServing: ({ context }) => context.connection.stopServing(),
    kickSocket: ({ context, event }) => {
      const { code, reason } = event as { code: number; reason: string };
      context.connection.closeSocket(code, reason);
    },
    drainSocket: ({ context }) => context.connection.closeSocket(CLOSE_CODES.goingAway, 'server shutting down'),
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
        kick: { target: 'closed', actions: 'kickSocket' },
        drain: { target: 'draining' },
        'xstate.done.actor.*': { actions: 'forgetView' },
        'xstate.error.actor.*': { actions: 'viewFailed' },
      },
    },
    draining: {
      entry: ['stopServing', 'drainSocket'],
      after: { drainTimeout: { target: 'closed', actions: 'terminateSocket' } },
      on: {
        'socket.closed': { target: 'closed' },
        'xstate.done.actor.*': { actions: 'forgetView' },
        'xstate.error.actor.*': { actions: 'viewFailed' },
      },
    },
    closed: { type: 'final', entry: 'terminate' },
  },
});
