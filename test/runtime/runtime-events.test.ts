// The runtime event stream: nothing built without a subscriber, every event for a plain
// subscriber, and for samplers a note per high-rate report that decides whether it is built.

import { describe, expect, it } from 'vitest';
import { RuntimeEvents, type RuntimeEvent } from '../../runtime/runtime-events.ts';

const mounted: RuntimeEvent = { type: 'view.mounted', connectionId: 'c1', topic: 'lv:1', view: 'counter', userId: null };

describe('RuntimeEvents', () => {
  it('is watched only while someone subscribes, and unsubscribing twice is harmless', () => {
    const events = new RuntimeEvents();
    const stop = events.subscribe(() => {});
    expect(events.watched).toBe(true);
    stop();
    stop();
    expect(events.watched).toBe(false);
  });

  it('wants every noted report built for a subscriber that does not sample', () => {
    const events = new RuntimeEvents();
    events.subscribe(() => {});
    expect(events.note('event.allowed', 'lv:1', 'counter')).toBe(true);
  });

  it('asks every sampler, and builds a report when any of them wants it', () => {
    const events = new RuntimeEvents();
    const noted: string[] = [];
    const heard: string[] = [];
    let wanted = false;
    events.subscribe((e) => void heard.push(`a ${e.type}`), {
      note: (type, topic, view) => {
        noted.push(`a ${type} ${topic} ${view}`);
        return false;
      },
    });
    events.subscribe((e) => void heard.push(`b ${e.type}`), { note: () => wanted });

    expect(events.note('view.callback', 'lv:1', 'counter')).toBe(false);
    wanted = true;
    expect(events.note('event.allowed', 'lv:1', 'counter')).toBe(true);
    events.emit(mounted);

    expect(noted).toEqual(['a view.callback lv:1 counter', 'a event.allowed lv:1 counter']);
    // A built event reaches every subscriber, samplers included.
    expect(heard).toEqual(['a view.mounted', 'b view.mounted']);
  });

  it('ignores a sampler that throws, as it ignores a listener that throws', () => {
    const events = new RuntimeEvents();
    const heard: RuntimeEvent['type'][] = [];
    events.subscribe(
      () => {
        throw new Error('observer bug');
      },
      {
        note: () => {
          throw new Error('observer bug');
        },
      },
    );
    events.subscribe((e) => void heard.push(e.type), { note: () => true });

    expect(events.note('event.allowed', 'lv:1', 'counter')).toBe(true);
    events.emit(mounted);
    expect(heard).toEqual(['view.mounted']);
  });

  it('stamps each event with the time it was emitted', () => {
    const events = new RuntimeEvents();
    let at = 0;
    events.subscribe((e) => void (at = e.at));
    const before = Date.now();
    events.emit(mounted);
    expect(at).toBeGreaterThanOrEqual(before);
  });
});
