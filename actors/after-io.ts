// Work deferred until the event loop has read what is waiting on the sockets: tasks queued in one
// turn run together in its check phase (`setImmediate`), after the poll phase has handled every
// socket that was ready. A disconnect of a thousand sockets of one user closes them all at once;
// tearing each one's views down as its handshake completed put that work between the other
// sockets' closing handshakes, so the last client heard its close only after every view before
// it was gone. Deferred, the handshakes that are ready complete first; and at most
// `TASKS_PER_TURN` tasks run per check phase, the rest in the next turn's, so a thousand
// teardowns queued at once do not hold back the handshakes that become ready meanwhile.

import { logger } from '../runtime/logger.ts';

/**
 * Tasks run in one check phase: about a millisecond of view teardowns (each ends a view actor and
 * releases its connection's resources), after which the loop serves its sockets again.
 */
export const TASKS_PER_TURN = 64;

const pending: (() => void)[] = [];
let scheduled = false;

/** Runs `task` once the sockets ready in this turn have been served; a task that throws is logged. */
export function afterIo(task: () => void): void {
  pending.push(task);
  if (scheduled) return;
  scheduled = true;
  setImmediate(runPending);
}

function runPending(): void {
  const batch = pending.splice(0, TASKS_PER_TURN);
  // What is left (and whatever these tasks queue) runs in the next turn's check phase.
  if (pending.length > 0) setImmediate(runPending);
  else scheduled = false;
  for (const task of batch) {
    try {
      task();
    } catch (err) {
      logger.error('after_io.task_failed', { error: err });
    }
  }
}
