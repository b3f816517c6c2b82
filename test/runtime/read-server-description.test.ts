// Another node's answer to `describeCluster` is read field by field: a well-formed description
// comes through as it was sent (cut to the connections asked for), anything else reads as none.

import { describe, expect, it } from 'vitest';
import { readServerDescription } from '../../runtime/read-server-description.ts';
import type { ServerDescription } from '../../runtime/server-description.ts';

const view = {
  topic: 'lv:phx-1',
  view: 'counter',
  state: 'live',
  liveSession: 'public',
  userId: null,
  mountedAt: 1,
  assigns: { count: 3 },
};
const connection = (id: string) => ({ liveSocketId: 'users_socket:2', connectionId: id, state: 'open', views: [view] });
const description: ServerDescription = {
  nodeId: 'web-2',
  pubsub: { state: 'up', since: '2026-01-01T00:00:00.000Z', outages: 0, reconnectAttempts: 0, notRelayed: 0 },
  peers: ['web-1'],
  counts: { connections: 3, liveSocketIds: 1, views: 3, subscriptions: 3, timers: 0 },
  connections: [connection('c1'), connection('c2'), connection('c3')],
};
/** As it arrives: through JSON, like every PubSub message between nodes. */
const sent = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

describe('readServerDescription', () => {
  it('reads a description as it was sent', () => {
    expect(readServerDescription(sent(description), 10)).toEqual(description);
  });

  it('keeps the first connections asked for, and the whole counts', () => {
    const read = readServerDescription(sent(description), 2);

    expect(read?.connections.map((c) => c.connectionId)).toEqual(['c1', 'c2']);
    expect(read?.counts.connections).toBe(3);
  });

  it('reads anything malformed as none', () => {
    const broken: unknown[] = [
      null,
      'web-2',
      [],
      { ...description, nodeId: 7 },
      { ...description, pubsub: { ...description.pubsub, state: 'sideways' } },
      { ...description, peers: [1] },
      { ...description, counts: { ...description.counts, views: -1 } },
      { ...description, connections: {} },
      { ...description, connections: [{ ...connection('c1'), connectionId: null }] },
      { ...description, connections: [{ ...connection('c1'), views: [{ ...view, assigns: [] }] }] },
      { ...description, connections: [{ ...connection('c1'), views: [{ ...view, userId: 2 }] }] },
    ];
    for (const value of broken) expect(readServerDescription(sent(value), 10), JSON.stringify(value)).toBeNull();
  });
});
