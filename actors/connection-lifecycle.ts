// A connection's lifecycle, decided in one place: `open` serves frames; `draining` means the
// server asked the client to go (a kick by `registry.disconnect`, or a shutdown): no more frames
// are served, the socket is closed with 1001 and the views end when the closing handshake
// completes; `closed` ends every view. A pure transition function over three states that
// `Connection` steps through: an XState actor per socket (a mailbox, an observer set, a scope of
// closures: ~1.5 KiB whatever its logic) bought nothing here, since the views it parented are
// supervised by the registry actor just as well (see `spawn-view.ts`).

export type ConnectionState = 'open' | 'draining' | 'closed';

export type LifecycleEvent = 'socket.closed' | 'heartbeat.timeout' | 'kick' | 'drain';

/**
 * What the connection does on a transition: nothing; send the close frame (1001, with the
 * reason); end its views and release what it holds; or drop the socket first, then end them.
 */
export type LifecycleEffect = { kind: 'none' } | { kind: 'close'; code: number; reason: string } | { kind: 'terminate' } | { kind: 'drop' };

/** Kicked by `registry.disconnect` or drained at shutdown: the client reconnects and remounts. */
export const GOING_AWAY = 1001;

/** Why the server closes a socket: the reason travels in the close frame. */
const CLOSE_REASONS = { kick: 'disconnected', drain: 'server shutting down' } as const;

const NONE: LifecycleEffect = { kind: 'none' };
const TERMINATE: LifecycleEffect = { kind: 'terminate' };
const DROP: LifecycleEffect = { kind: 'drop' };
const CLOSE = {
  kick: { kind: 'close', code: GOING_AWAY, reason: CLOSE_REASONS.kick },
  drain: { kind: 'close', code: GOING_AWAY, reason: CLOSE_REASONS.drain },
} as const satisfies Record<string, LifecycleEffect>;

/**
 * The next state and the effect of `event` in `state`. `closed` is final. A kick or a drain
 * only sends the close frame: a disconnect of a thousand sockets reaches every client first and
 * the views are torn down as each handshake completes. No timer of our own: ws drops a peer
 * that does not answer the close frame within its close timeout (30 s), and a shutdown
 * terminates whatever is left after `shutdownTimeoutMs`.
 */
export function nextLifecycle(state: ConnectionState, event: LifecycleEvent): [ConnectionState, LifecycleEffect] {
  if (state === 'closed') return [state, NONE];
  switch (event) {
    case 'socket.closed':
      return ['closed', TERMINATE];
    case 'heartbeat.timeout':
      return state === 'open' ? ['closed', DROP] : [state, NONE];
    case 'kick':
    case 'drain':
      return state === 'open' ? ['draining', CLOSE[event]] : [state, NONE];
  }
}
