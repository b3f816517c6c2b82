import { describe, expect, it } from 'vitest';
import { SmallMap } from '../../runtime/small-map.ts';

/** Applies the same operations to a SmallMap and a Map and compares what both say. */
function same(ops: ((m: SmallMap<string, number> | Map<string, number>) => unknown)[]): void {
  const small = new SmallMap<string, number>();
  const map = new Map<string, number>();
  for (const op of ops) {
    const a = op(small);
    const b = op(map);
    expect(a === small ? 'self' : a).toEqual(b === map ? 'self' : b);
    expect(small.size).toBe(map.size);
    expect([...small]).toEqual([...map]);
    expect([...small.values()]).toEqual([...map.values()]);
  }
}

describe('SmallMap', () => {
  it('behaves as a Map with one entry', () => {
    same([
      (m) => m.get('a'),
      (m) => m.set('a', 1),
      (m) => m.get('a'),
      (m) => m.get('b'),
      (m) => m.has('a'),
      (m) => m.set('a', 2),
      (m) => m.delete('b'),
      (m) => m.delete('a'),
      (m) => m.has('a'),
      (m) => m.set('b', 3),
    ]);
  });

  it('behaves as a Map past one entry, and after clear', () => {
    same([
      (m) => m.set('a', 1),
      (m) => m.set('b', 2),
      (m) => m.set('c', 3),
      (m) => m.get('b'),
      (m) => m.delete('a'),
      (m) => m.get('a'),
      (m) => m.set('a', 4),
      (m) => m.clear(),
      (m) => m.get('b'),
      (m) => m.set('d', 5),
      (m) => m.get('d'),
    ]);
  });

  it('tells an undefined value from a missing key', () => {
    const m = new SmallMap<string, undefined>();
    m.set('a', undefined);
    expect(m.has('a')).toBe(true);
    expect(m.size).toBe(1);
  });
});
