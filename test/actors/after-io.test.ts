// Deferred teardown: tasks queued in one turn run together after the turn's I/O, in order, and
// one that throws does not keep the others from running.

import { describe, expect, it } from 'vitest';
import { afterIo } from '../../actors/after-io.ts';

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
});
