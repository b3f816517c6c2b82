// Work deferred until the event loop has read what is waiting on the sockets: tasks queued in one
// turn run together in its check phase (`setImmediate`), after the poll phase has handled every
// socket that was ready. A disconnect of a thousand sockets of one user closes them all at once;
// tearing each one's views down as its handshake completed put that work between the other
// sockets' closing handshakes, so the last client heard its close only after every view before
// it was gone. Deferred, the handshakes that are ready complete first.

import { logger } from '../runtime/logger.ts';

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
  scheduled = false;
  for (const task of pending.splice(0)) {
    try {
      task();
    } catch (err) {
      logger.error('after_io.task_failed', { error: err });
    }
  }
}
