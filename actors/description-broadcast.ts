// Sends this node's `describe()` to other nodes over PubSub: the answer to a `describe` request
// and the pushes to a watching inspector carry the same payload, capped and redacted alike.

import { logger } from '../runtime/logger.ts';
import type { PubSub } from '../runtime/pubsub.ts';
import type { ServerDescription } from '../runtime/server-description.ts';

/** Connections a node describes to another at most, whatever the other asks for. */
export const MAX_DESCRIBED_CONNECTIONS = 1_000;

/** `requested` connections, as a whole number within 0 and `MAX_DESCRIBED_CONNECTIONS`. */
export function describedConnections(requested: number): number {
  return Math.max(0, Math.min(Math.floor(requested), MAX_DESCRIBED_CONNECTIONS));
}

/**
 * Broadcasts `{ ...fields, nodeId, description }` on `topic`. The description holds only what
 * `describe()` shows on this node (ids, names, states, and the assigns each view lists in
 * `inspect`), so nothing leaves the node that its own inspector would not show. An inspectable
 * assign that cannot be serialized (a cycle, a BigInt) would fail the whole message: then the
 * assigns are left out.
 */
export function broadcastDescription(pubsub: PubSub, topic: string, fields: Record<string, unknown>, description: ServerDescription): void {
  const send = (d: ServerDescription): void => pubsub.broadcast(topic, { ...fields, nodeId: description.nodeId, description: d });
  try {
    send(description);
  } catch (err) {
    logger.warn('registry.describe_unserializable', { error: err });
    send({
      ...description,
      connections: description.connections.map((c) => ({ ...c, views: c.views.map((v) => ({ ...v, assigns: {} })) })),
    });
  }
}
