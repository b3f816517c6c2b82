// A node's name in a cluster: in every log line, in `server.describe()`, on every message it
// publishes (so it can drop its own echo) and in a disconnect's result. Readable first (host and
// pid tell an operator which process it is), unique second (a short random tail: pids are reused).

import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

export function generateNodeId(): string {
  return `${hostname()}-${process.pid}-${randomBytes(2).toString('hex')}`;
}
