// What the inspector's Disconnect does, in one place: today `registry.disconnect` on this node, whose
// count is this node's alone. A cluster-wide disconnect that hears back from every node replaces
// the body of this function and nothing else.

import type { DisconnectResult, LiveServer } from '../../runtime/index.ts';

export async function disconnectLiveSocketId(server: LiveServer, liveSocketId: string): Promise<DisconnectResult> {
  const closed = server.registry.disconnect(liveSocketId);
  return { liveSocketId, closed, nodes: [{ nodeId: server.registry.nodeId, closed }], unanswered: [] };
}

/** "closed 3 connection(s) on 1 node(s)". */
export function describeDisconnect(result: DisconnectResult): string {
  return `closed ${result.closed} connection(s) on ${result.nodes.length} node(s)` +
    (result.unanswered.length > 0 ? `; ${result.unanswered.length} node(s) did not answer` : '');
}
