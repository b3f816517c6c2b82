// The inspector's feed costs nothing while nobody watches, and a burst while someone does turns
// into one push and a bounded memory, however many events arrive.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InspectorFeed, INSPECTOR_TOPIC } from '../../../apps/inspector/feed.ts';
import { RuntimeEvents } from '../../../runtime/runtime-events.ts';
import type { LiveServer } from '../../../server/index.ts';

function fakeServer() {
  const events = new RuntimeEvents();
  const broadcasts: string[] = [];
  const server = {
    events,
    pubsub: { broadcast: (topic: string) => void broadcasts.push(topic) },
    counts: () => ({ connections: 0, liveSocketIds: 0, views: 3, subscriptions: 0 }),
  } as unknown as LiveServer;
  return { server, events, broadcasts };
}

const allowed = (i: number) => ({
  type: 'event.allowed' as const,
  connectionId: 'c1',
  topic: `lv:${i % 50}`,
  view: 'counter',
  event: 'increment',
  policy: 'anyone',
  userId: '2',
});

describe('the inspector feed', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('subscribes to the runtime events only while an inspector watches', () => {
    const { server, events } = fakeServer();
    const feed = new InspectorFeed(100);
    feed.attach(server);
    expect(events.watched).toBe(false);

    const stop = feed.watch();
    const stopSecond = feed.watch();
    expect(events.watched).toBe(true);
    stop();
    stop(); // idempotent: the second watcher still holds the subscription
    expect(events.watched).toBe(true);
    stopSecond();

    expect(events.watched).toBe(false);
    expect(vi.getTimerCount()).toBe(0); // no tick left behind
  });

  it('turns a burst of 10,000 events into one push, and keeps only its capacity', () => {
    const { server, events, broadcasts } = fakeServer();
    const feed = new InspectorFeed(500);
    feed.attach(server);
    const stop = feed.watch();

    for (let i = 0; i < 10_000; i++) events.emit(allowed(i));
    expect(broadcasts).toEqual([]);
    vi.advanceTimersByTime(250);

    expect(broadcasts).toEqual([INSPECTOR_TOPIC]);
    expect(feed.entries()).toHaveLength(500);
    expect(feed.history('lv:7')!.handled).toBe(200);
    expect(feed.history('lv:7')!.transitions.length).toBeLessThanOrEqual(12);
    expect(feed.series().reduce((sum, p) => sum + p.events, 0)).toBe(10_000);
    stop();
  });

  it('keeps the inspector’s own views out of its timeline, so watching does not feed itself', () => {
    const { server, events, broadcasts } = fakeServer();
    const feed = new InspectorFeed(10);
    feed.attach(server);
    const stop = feed.watch();

    events.emit({ ...allowed(1), view: 'inspector' });
    events.emit({ type: 'view.callback', connectionId: 'c1', topic: 'lv:i', view: 'inspector', callback: 'render', durationMs: 1 });
    vi.advanceTimersByTime(250);

    expect(feed.entries()).toEqual([]);
    expect(broadcasts).toEqual([]);
    stop();
  });

  it('ticks once a second for uptimes and the open-views chart, while watched', () => {
    const { server, broadcasts } = fakeServer();
    const feed = new InspectorFeed(10);
    feed.attach(server);
    const stop = feed.watch();

    vi.advanceTimersByTime(3_000);
    expect(broadcasts).toHaveLength(3);
    expect(feed.series().at(-1)!.views).toBe(3);

    stop();
    vi.advanceTimersByTime(3_000);
    expect(broadcasts).toHaveLength(3);
  });
});
