// One sweep timer finds every silent connection: due ones are told once, fresh ones are kept, and
// the timer exists only while something is watched.

import { describe, expect, it } from 'vitest';
import { SilenceWatch, type Watched } from '../../actors/silence-watch.ts';
import { ManualClock } from '../support/manual-clock.ts';

const TIMEOUT_MS = 60_000;

class FakeConnection implements Watched {
  lastSeen: number;
  expired = 0;
  constructor(now: number) {
    this.lastSeen = now;
  }
  silenceExpired(): void {
    this.expired++;
  }
}

describe('SilenceWatch', () => {
  it('tells a silent connection once, within a quarter of the timeout past it, and keeps a talking one', () => {
    const clock = new ManualClock();
    const watch = new SilenceWatch(clock, TIMEOUT_MS);
    const silent = new FakeConnection(clock.now());
    const talking = new FakeConnection(clock.now());
    watch.watch(silent);
    watch.watch(talking);
    expect(clock.pending).toBe(1);

    for (let i = 0; i < 5; i++) {
      clock.advance(10_000);
      talking.lastSeen = clock.now();
    }
    clock.advance(9_999);
    expect(silent.expired).toBe(0); // swept three times, never silent for the whole timeout

    clock.advance(TIMEOUT_MS / 4);
    talking.lastSeen = clock.now();
    expect(silent.expired).toBe(1);

    clock.advance(TIMEOUT_MS / 2);
    expect(silent.expired).toBe(1);
    expect(talking.expired).toBe(0);
    expect(clock.pending).toBe(1);
  });

  it('runs no timer when nothing is watched', () => {
    const clock = new ManualClock();
    const watch = new SilenceWatch(clock, TIMEOUT_MS);
    const a = new FakeConnection(clock.now());
    const b = new FakeConnection(clock.now());
    watch.watch(a);
    watch.watch(b);
    watch.unwatch(a);
    expect(clock.pending).toBe(1);
    watch.unwatch(b);
    expect(clock.pending).toBe(0);

    watch.watch(a);
    clock.advance(TIMEOUT_MS + TIMEOUT_MS / 4);
    expect(a.expired).toBe(1);
    expect(clock.pending).toBe(0);
  });
});
