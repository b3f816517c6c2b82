import { describe, expect, it } from 'vitest';
import { VerifiedCache } from '../../../runtime/security/verified-cache.ts';

describe('VerifiedCache', () => {
  it('finds an entry by the exact string only', () => {
    const cache = new VerifiedCache<number>(4);
    cache.set('abc', 1);
    expect(cache.get('abc')).toBe(1);
    expect(cache.get('abc ')).toBeUndefined();
    expect(cache.get('ab')).toBeUndefined();
  });

  it('holds at most its limit, dropping the least recently used first', () => {
    const cache = new VerifiedCache<number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.get('a');
    cache.set('c', 3);
    expect(cache.size).toBe(2);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(1);
    expect(cache.get('c')).toBe(3);
  });

  it('hands an entry out once with take', () => {
    const cache = new VerifiedCache<number>(2);
    cache.set('a', 1);
    expect(cache.take('a')).toBe(1);
    expect(cache.take('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('prints no entry', () => {
    const cache = new VerifiedCache<string>(2);
    cache.set('cookie', 'secret session');
    expect(JSON.stringify({ cache })).not.toContain('secret');
  });
});
