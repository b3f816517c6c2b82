// Deferred teardown: tasks queued in one turn run together after the turn's I/O, in order, and
// one that throws does not keep the others from running; a long queue is served a batch per turn.

import { describe, expect, it } from 'vitest';
import { TASKS_PER_TURN, afterIo } from '../../actors/after-io.ts';

const nextCheckPhase = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('afterIo', () => {
  it('runs nothing at once, then every queued task in order', async () => {
    const ran: number[] = [];
    afterIo(() => ran.push(1));
    afterIo(() => {
      throw new Error('teardown failed');
    });
    afterIo(() => ran.push(3));
    expect(ran).toEqual([]);
    await nextCheckPhase();
    expect(ran).toEqual([1, 3]);
  });

  it('schedules again after a batch has run', async () => {
    const ran: string[] = [];
    afterIo(() => ran.push('first'));
    await nextCheckPhase();
    afterIo(() => ran.push('second'));
    await nextCheckPhase();
    expect(ran).toEqual(['first', 'second']);
  });

  it('runs at most a batch per check phase and the rest in the next turns, in order', async () => {
    const ran: number[] = [];
    const queued = 2 * TASKS_PER_TURN + 1;
    for (let i = 0; i < queued; i++) afterIo(() => ran.push(i));
    // Queued during the first batch: it waits behind everything queued before it.
    afterIo(() => afterIo(() => ran.push(-1)));
    await nextCheckPhase();
    expect(ran).toHaveLength(TASKS_PER_TURN);
    await nextCheckPhase();
    expect(ran).toHaveLength(2 * TASKS_PER_TURN);
    await nextCheckPhase();
    await nextCheckPhase();
    expect(ran).toEqual([...Array.from({ length: queued }, (_, i) => i), -1]);
  });
});
