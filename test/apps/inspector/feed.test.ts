// The inspector's feed costs nothing while nobody watches, and a burst while someone does turns
// into exact counts, a bounded sample of event objects, one push and a bounded memory, however
// many events arrive.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InspectorFeed, INSPECTOR_TOPIC, SAMPLED_PER_SECOND } from '../../../apps/inspector/feed.ts';
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

/**
 * What a view's hot path does per allowed event: note it, and build the event (and its handling)
 * only when a watcher wants it. Returns whether it was built.
 */
function handleEvent(events: RuntimeEvents, i: number, view = 'counter'): boolean {
  const event = { ...allowed(i), view };
  if (!events.note('event.allowed', event.topic, view)) return false;
  events.emit(event);
  events.emit({ type: 'event.handled', connectionId: 'c1', topic: event.topic, view, event: 'increment', durationMs: 0.1 });
  return true;
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

  it('counts a burst of 10,000 events exactly, builds only a sample of them, and pushes once', () => {
    const { server, events, broadcasts } = fakeServer();
    const feed = new InspectorFeed(500);
    feed.attach(server);
    const stop = feed.watch();

    let built = 0;
    for (let i = 0; i < 10_000; i++) if (handleEvent(events, i)) built++;
    expect(built).toBe(SAMPLED_PER_SECOND);
    expect(feed.entries()).toHaveLength(2 * SAMPLED_PER_SECOND); // allowed + handled, sampled
    expect(feed.history('lv:7')!.handled).toBe(200);
    expect(feed.history('lv:7')!.transitions.length).toBeLessThanOrEqual(12);
    // Sampled reports wait for the tick: a steady load re-renders the inspectors once a second.
    vi.advanceTimersByTime(250);
    expect(broadcasts).toEqual([]);
    vi.advanceTimersByTime(750);
    expect(broadcasts).toEqual([INSPECTOR_TOPIC]);
    expect(feed.series().at(-1)!.events).toBe(10_000);

    // A new second, a new sample.
    for (let i = 0; i < 10_000; i++) if (handleEvent(events, i)) built++;
    expect(built).toBe(2 * SAMPLED_PER_SECOND);
    expect(feed.history('lv:7')!.handled).toBe(400);
    stop();
  });

  it('keeps every denial (rare, security-relevant) within its ring, and pushes them once, at once', () => {
    const { server, events, broadcasts } = fakeServer();
    const feed = new InspectorFeed(500);
    feed.attach(server);
    const stop = feed.watch();

    for (let i = 0; i < 10_000; i++) {
      events.emit({ ...allowed(i), type: 'event.denied', policy: 'adminsOnly', why: 'policy adminsOnly refused' });
    }
    vi.advanceTimersByTime(250);

    expect(broadcasts).toEqual([INSPECTOR_TOPIC]);
    expect(feed.entries()).toHaveLength(500);
    expect(feed.entries().every((e) => e.type === 'event.denied')).toBe(true);
    expect(feed.history('lv:7')!.denied).toBe(200);
    vi.advanceTimersByTime(750);
    expect(feed.series().at(-1)).toMatchObject({ events: 10_000, denials: 10_000 });
    stop();
  });

  it('traces every event of a view an inspector follows, and pushes it at once', () => {
    const { server, events, broadcasts } = fakeServer();
    const feed = new InspectorFeed(5_000);
    feed.attach(server);
    const stop = feed.watch();

    // lv:7 is every 50th event; the budget is spent on the others long before.
    feed.follow('lv:7');
    const builtOf7 = Array.from({ length: 10_000 }, (_, i) => handleEvent(events, i)).filter((b, i) => b && i % 50 === 7).length;
    expect(builtOf7).toBe(200);
    expect(events.note('view.callback', 'lv:7', 'counter')).toBe(true);
    vi.advanceTimersByTime(250);
    expect(broadcasts).toEqual([INSPECTOR_TOPIC]);

    // Drawn no more, it is sampled again after a few ticks.
    vi.advanceTimersByTime(5_000);
    for (let i = 0; i < 1_000; i++) handleEvent(events, i);
    expect(events.note('event.allowed', 'lv:7', 'counter')).toBe(false);
    stop();
  });

  it('keeps the inspector’s own views out of its timeline, so watching does not feed itself', () => {
    const { server, events, broadcasts } = fakeServer();
    const feed = new InspectorFeed(10);
    feed.attach(server);
    const stop = feed.watch();

    events.emit({ ...allowed(1), view: 'inspector' });
    events.emit({ type: 'view.callback', connectionId: 'c1', topic: 'lv:i', view: 'inspector', callback: 'render', durationMs: 1 });
    expect(events.note('event.allowed', 'lv:i', 'inspector')).toBe(false);
    expect(events.note('view.callback', 'lv:i', 'inspector')).toBe(false);
    vi.advanceTimersByTime(250);

    expect(feed.entries()).toEqual([]);
    expect(feed.history('lv:i')).toBeNull();
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
