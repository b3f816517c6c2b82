import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LogBudget } from '../../runtime/log-budget.ts';
import { ManualClock } from '../support/manual-clock.ts';

describe('LogBudget', () => {
  let lines: Record<string, unknown>[];
  beforeEach(() => {
    process.env.LOG_LEVEL = 'warn';
    lines = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      return true;
    });
  });
  afterEach(() => {
    vi.restoreAllMocks();
    delete process.env.LOG_LEVEL;
  });

  it('writes perSecond lines a second, counts the rest and writes the count when the next second begins', () => {
    const clock = new ManualClock();
    const budget = new LogBudget(3, clock, { connectionId: 'c1' });

    for (let i = 0; i < 10; i++) budget.warn('frame.rejected', { i });
    expect(lines.map((l) => l.i)).toEqual([0, 1, 2]);
    expect(budget.suppressed).toBe(7);

    clock.advance(1_000);
    budget.warn('frame.rejected', { i: 10 });

    expect(lines.slice(3)).toMatchObject([
      { event: 'log.suppressed', connectionId: 'c1', suppressed: 7 },
      { event: 'frame.rejected', connectionId: 'c1', i: 10 },
    ]);
  });

  it('writes the count at flush, and nothing when nothing was suppressed', () => {
    const budget = new LogBudget(1, new ManualClock(), {});
    budget.warn('a');
    budget.flush();
    budget.warn('b');
    budget.flush();
    expect(lines.map((l) => [l.event, l.suppressed])).toEqual([
      ['a', undefined],
      ['log.suppressed', 1],
    ]);
  });
});
