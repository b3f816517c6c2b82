import { describe, expect, it } from 'vitest';
import { SessionTally } from '../../actors/session-tally.ts';

const connection = (viewCount: number) => ({ viewCount });

describe('SessionTally', () => {
  it('counts the sockets and views of a session as connections come and go', () => {
    const tally = new SessionTally();
    const [a, b, c] = [connection(1), connection(2), connection(4)];
    expect(tally.sockets('k')).toBe(0);
    expect(tally.views('k')).toBe(0);

    tally.add('k', a);
    expect([tally.sockets('k'), tally.views('k')]).toEqual([1, 1]);
    tally.add('k', b);
    tally.add('k', c);
    expect([tally.sockets('k'), tally.views('k')]).toEqual([3, 7]);

    tally.remove('k', b);
    expect([tally.sockets('k'), tally.views('k')]).toEqual([2, 5]);
    tally.remove('k', a);
    expect([tally.sockets('k'), tally.views('k')]).toEqual([1, 4]);
    // Back to one connection, then more again.
    tally.add('k', a);
    expect([tally.sockets('k'), tally.views('k')]).toEqual([2, 5]);
    tally.remove('k', c);
    tally.remove('k', a);
    expect([tally.sockets('k'), tally.views('k')]).toEqual([0, 0]);
  });

  it('counts a connection added twice once, and ignores removing one it does not hold', () => {
    const tally = new SessionTally();
    const [a, b] = [connection(1), connection(1)];
    tally.add('k', a);
    tally.add('k', a);
    expect(tally.sockets('k')).toBe(1);
    tally.remove('k', b);
    tally.remove('other', a);
    expect(tally.sockets('k')).toBe(1);
    tally.add('k', b);
    tally.add('k', b);
    expect(tally.sockets('k')).toBe(2);
    tally.remove('k', a);
    tally.remove('k', a);
    expect(tally.sockets('k')).toBe(1);
    tally.remove('k', b);
    expect(tally.sockets('k')).toBe(0);
  });

  it('keeps sessions apart', () => {
    const tally = new SessionTally();
    tally.add('user:1', connection(3));
    tally.add('session:x', connection(5));
    expect([tally.views('user:1'), tally.views('session:x')]).toEqual([3, 5]);
  });
});
