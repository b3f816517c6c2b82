// One line an operator reads after a disconnect: the CLI prints it, `POST /admin/disconnect`
// returns it next to the figures.

import type { DisconnectResult } from './disconnect-result.ts';

/**
 * @example
 *   describeDisconnectResult(result); // → "closed 3 connection(s) on 2 node(s); no answer from: web-3"
 */
export function describeDisconnectResult(result: DisconnectResult): string {
  const line = `closed ${result.closed} connection(s) on ${result.nodes.length} node(s)`;
  return result.unanswered.length === 0 ? line : `${line}; no answer from: ${result.unanswered.join(', ')}`;
}
