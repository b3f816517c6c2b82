// Reads a `ServerDescription` another node sent over PubSub (its answer to `describeCluster`),
// field by field: whatever arrives from another node is data to check, never a value to trust
// by shape. A malformed answer reads as none, and the node is reported as not answering.

import type { PubSubHealth } from './pubsub.ts';
import type { ConnectionDescription, ServerCounts, ServerDescription, ViewDescription } from './server-description.ts';

type Fields = Record<string, unknown>;

const isObject = (value: unknown): value is Fields => typeof value === 'object' && value !== null && !Array.isArray(value);
const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0;
const isStringOrNull = (value: unknown): value is string | null => value === null || typeof value === 'string';
const HEALTH_STATES: ReadonlySet<unknown> = new Set(['local', 'connecting', 'up', 'down']);

/**
 * The description in `value`, with at most `maxConnections` connections, or null if any field
 * is missing or of the wrong type.
 *
 * @example
 *   readServerDescription(JSON.parse(JSON.stringify(server.describe())), 200); // → the same description
 *   readServerDescription({ nodeId: 7 }, 200); // → null
 */
export function readServerDescription(value: unknown, maxConnections: number): ServerDescription | null {
  if (!isObject(value) || typeof value.nodeId !== 'string') return null;
  const pubsub = readHealth(value.pubsub);
  const counts = readCounts(value.counts);
  if (!pubsub || !counts || !Array.isArray(value.peers) || !Array.isArray(value.connections)) return null;
  if (!value.peers.every((peer) => typeof peer === 'string')) return null;
  const connections: ConnectionDescription[] = [];
  for (const item of value.connections.slice(0, maxConnections)) {
    const connection = readConnection(item);
    if (!connection) return null;
    connections.push(connection);
  }
  return { nodeId: value.nodeId, pubsub, peers: value.peers as string[], counts, connections };
}

function readHealth(value: unknown): PubSubHealth | null {
  if (!isObject(value) || !HEALTH_STATES.has(value.state) || typeof value.since !== 'string') return null;
  const { outages, reconnectAttempts, notRelayed } = value;
  if (!isCount(outages) || !isCount(reconnectAttempts) || !isCount(notRelayed)) return null;
  return { state: value.state as PubSubHealth['state'], since: value.since, outages, reconnectAttempts, notRelayed };
}

function readCounts(value: unknown): ServerCounts | null {
  if (!isObject(value)) return null;
  const { connections, liveSocketIds, views, subscriptions, timers } = value;
  if (!isCount(connections) || !isCount(liveSocketIds) || !isCount(views) || !isCount(subscriptions) || !isCount(timers)) return null;
  return { connections, liveSocketIds, views, subscriptions, timers };
}

function readConnection(value: unknown): ConnectionDescription | null {
  if (!isObject(value) || !isStringOrNull(value.liveSocketId) || typeof value.connectionId !== 'string') return null;
  if (typeof value.state !== 'string' || !Array.isArray(value.views)) return null;
  const views: ViewDescription[] = [];
  for (const item of value.views) {
    const view = readView(item);
    if (!view) return null;
    views.push(view);
  }
  return { liveSocketId: value.liveSocketId, connectionId: value.connectionId, state: value.state, views };
}

function readView(value: unknown): ViewDescription | null {
  if (!isObject(value)) return null;
  const { topic, view, state, liveSession, userId, mountedAt, assigns } = value;
  if (typeof topic !== 'string' || typeof view !== 'string' || typeof state !== 'string') return null;
  if (!isStringOrNull(liveSession) || !isStringOrNull(userId) || !isCount(mountedAt) || !isObject(assigns)) return null;
  return { topic, view, state, liveSession, userId, mountedAt, assigns };
}
