// The watch lease, on both of its sides, with fake timers and a PubSub that records: a node pushes
// its description only while leased (at once when a lease starts, then at most once per
// `clusterWatchPublishMs` however many changes), does nothing at all without a lease, and the
// watching node keeps the latest description per node, marks the silent ones and lets go.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ClusterWatch, DESCRIBED_TOPIC, LEASE_TOPIC } from '../../actors/cluster-watch.ts';
import { DescriptionPublisher } from '../../actors/description-publisher.ts';
import { RuntimeEvents } from '../../runtime/runtime-events.ts';
import type { PubSub, PubSubListener } from '../../runtime/pubsub.ts';
import type { ServerDescription, WatchedCluster } from '../../runtime/server-description.ts';

const limits = { clusterWatchLeaseMs: 3_000, clusterWatchPublishMs: 500, clusterReplyTimeoutMs: 1_000 };

/** A synchronous PubSub shared by the nodes of a test, which records what was sent. */
function bus() {
  const listeners = new Map<string, Set<PubSubListener>>();
  const sent: { topic: string; message: Record<string, unknown> }[] = [];
  const pubsub = (nodeId: string) =>
    ({
      distributed: true,
      nodeId,
      health: () => ({ state: 'up', since: '', outages: 0, reconnectAttempts: 0, notRelayed: 0 }),
      onUp: () => () => {},
      subscribe(topic: string, listener: PubSubListener) {
        let set = listeners.get(topic);
        if (!set) listeners.set(topic, (set = new Set()));
        set.add(listener);
        return () => void set.delete(listener);
      },
      broadcast(topic: string, message: unknown) {
        sent.push({ topic, message: message as Record<string, unknown> });
        for (const listener of listeners.get(topic) ?? []) listener(message);
      },
      subscriptionCount: () => 0,
      close: async () => {},
    }) as PubSub;
  return { pubsub, sent, listeners };
}

const describeAs = (nodeId: string, connections = 0): ServerDescription => ({
  nodeId,
  pubsub: { state: 'up', since: '2026-01-01T00:00:00.000Z', outages: 0, reconnectAttempts: 0, notRelayed: 0 },
  peers: [],
  counts: { connections, liveSocketIds: 0, views: 0, subscriptions: 0, timers: 0 },
  connections: [],
});

const mounted = { type: 'view.mounted' as const, connectionId: 'c1', topic: 'lv:1', view: 'counter', userId: null };

beforeEach(() => void vi.useFakeTimers());
afterEach(() => void vi.useRealTimers());

describe('DescriptionPublisher', () => {
  function leasedNode() {
    const { pubsub, sent } = bus();
    const events = new RuntimeEvents();
    let connections = 0;
    const publisher = new DescriptionPublisher({
      nodeId: 'b',
      pubsub: pubsub('b'),
      events,
      limits,
      describeNode: () => describeAs('b', connections),
    });
    const descriptions = () => sent.filter((m) => m.topic === DESCRIBED_TOPIC && m.message.type === 'description');
    return { publisher, events, sent, descriptions, change: () => connections++ };
  }

  it('does nothing without a lease: no runtime events, no timer, nothing sent', () => {
    const { publisher, events, sent } = leasedNode();
    publisher.onLeaseMessage({ type: 'watching', origin: 'b', maxConnections: 200 }); // its own
    publisher.onLeaseMessage({ type: 'watching', origin: 'a' }); // no maxConnections
    publisher.onLeaseMessage('watching');
    events.emit(mounted);
    vi.advanceTimersByTime(10_000);

    expect(events.watched).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
    expect(sent).toEqual([]);
  });

  it('describes itself when a lease starts, then once per interval however many changes, not on renewals', () => {
    const { publisher, events, descriptions, change } = leasedNode();
    publisher.onLeaseMessage({ type: 'watching', origin: 'a', maxConnections: 200 });
    expect(descriptions()).toHaveLength(1);
    expect(events.watched).toBe(true);

    change();
    for (let i = 0; i < 10_000; i++) events.emit(mounted);
    expect(descriptions()).toHaveLength(1);
    vi.advanceTimersByTime(limits.clusterWatchPublishMs - 1);
    expect(descriptions()).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(descriptions()).toHaveLength(2);
    expect((descriptions()[1]!.message.description as ServerDescription).counts.connections).toBe(1);

    publisher.onLeaseMessage({ type: 'watching', origin: 'a', maxConnections: 200 });
    vi.advanceTimersByTime(limits.clusterWatchPublishMs);
    expect(descriptions()).toHaveLength(2);
    publisher.stop();
  });

  it('says it is alive while nothing changes, and lets go when the lease runs out or is given up', () => {
    const { publisher, events, sent } = leasedNode();
    publisher.onLeaseMessage({ type: 'watching', origin: 'a', maxConnections: 200 });
    vi.advanceTimersByTime(limits.clusterWatchLeaseMs / 3);
    expect(sent.at(-1)!.message).toEqual({ type: 'alive', nodeId: 'b' });

    vi.advanceTimersByTime(limits.clusterWatchLeaseMs);
    expect(events.watched).toBe(false);
    expect(vi.getTimerCount()).toBe(0);

    publisher.onLeaseMessage({ type: 'watching', origin: 'a', maxConnections: 200 });
    publisher.onLeaseMessage({ type: 'stopped', origin: 'a' });
    expect(events.watched).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('ClusterWatch', () => {
  function watchingNode(peers: string[]) {
    const { pubsub, sent, listeners } = bus();
    const watch = new ClusterWatch({ nodeId: 'a', pubsub: pubsub('a'), limits, peers: () => peers });
    const seen: WatchedCluster[] = [];
    const other = pubsub('b');
    return { watch, sent, listeners, seen, onChange: (c: WatchedCluster) => seen.push(c), other };
  }

  it("takes the lease, keeps each node's latest description from that node only, and marks the silent", () => {
    const { watch, sent, seen, onChange, other } = watchingNode(['b', 'c']);
    const stop = watch.watch(200, onChange);
    expect(sent[0]).toEqual({ topic: LEASE_TOPIC, message: { type: 'watching', origin: 'a', maxConnections: 200 } });

    other.broadcast(DESCRIBED_TOPIC, { type: 'description', nodeId: 'b', description: describeAs('b', 1) });
    other.broadcast(DESCRIBED_TOPIC, { type: 'description', nodeId: 'b', description: describeAs('c', 9) }); // not its own
    other.broadcast(DESCRIBED_TOPIC, { type: 'description', nodeId: 'b', description: { nodeId: 'b' } }); // malformed
    expect(seen.at(-1)).toEqual({ nodes: [describeAs('b', 1)], unanswered: [] });

    vi.advanceTimersByTime(limits.clusterReplyTimeoutMs);
    expect(seen.at(-1)!.unanswered).toEqual(['c']);

    // b falls silent: dropped after the lease and the reply timeout, then drawn as unanswered.
    vi.advanceTimersByTime(limits.clusterWatchLeaseMs + limits.clusterReplyTimeoutMs);
    expect(seen.at(-1)).toEqual({ nodes: [], unanswered: ['b', 'c'] });
    expect(sent.filter((m) => m.message.type === 'watching').length).toBeGreaterThan(3);

    stop();
    expect(sent.at(-1)).toEqual({ topic: LEASE_TOPIC, message: { type: 'stopped', origin: 'a' } });
    expect(vi.getTimerCount()).toBe(0);
    expect(watch.ownSubscriptions).toBe(0);
  });

  it('keeps a node that says it is alive, and forgets one that says it is gone', () => {
    const { watch, seen, onChange, other } = watchingNode(['b']);
    const stop = watch.watch(200, onChange);
    other.broadcast(DESCRIBED_TOPIC, { type: 'description', nodeId: 'b', description: describeAs('b') });
    for (let i = 0; i < 6; i++) {
      vi.advanceTimersByTime(limits.clusterWatchLeaseMs / 3);
      other.broadcast(DESCRIBED_TOPIC, { type: 'alive', nodeId: 'b' });
    }
    expect(seen.at(-1)).toEqual({ nodes: [describeAs('b')], unanswered: [] });

    other.broadcast(DESCRIBED_TOPIC, { type: 'gone', nodeId: 'b' });
    expect(seen.at(-1)).toEqual({ nodes: [], unanswered: [] });
    stop();
  });
});
