import { current, isDraft, produce } from 'immer';
import { describe, expect, it } from 'vitest';
import { updateAssigns } from '../../runtime/assigns-update.ts';

// biome-ignore lint/suspicious/noExplicitAny: the recipes reach into values of every shape, as an app's do
type Assigns = Record<string, any>;

/** Runs `recipe` through immer's `produce` and through `updateAssigns` on equal bases. */
function both(base: () => Assigns, recipe: (draft: Assigns) => unknown) {
  const immerBase = base();
  const ourBase = base();
  const immer = produce(immerBase, recipe as (d: Assigns) => void);
  const ours = updateAssigns(ourBase, recipe);
  return { immer, ours, immerBase, ourBase };
}

const cases: [string, () => Assigns, (draft: Assigns) => unknown][] = [
  ['top-level numbers', () => ({ count: 1, step: 2, flash: {} }), (a) => void (a.count += a.step)],
  ['a new key', () => ({ count: 1 }), (a) => void (a.label = 'x')],
  ['a nested push', () => ({ count: 1, items: [1, 2] }), (a) => void a.items.push(3)],
  [
    'a number, then a nested write',
    () => ({ n: 1, user: { name: 'a' } }),
    (a) => {
      a.n = 2;
      a.user.name = 'b';
    },
  ],
  ['a move between keys', () => ({ todo: [{ id: 1 }], done: [] }), (a) => void a.done.push(a.todo.pop())],
  ['an object written at the top', () => ({ n: 1, user: null }), (a) => void (a.user = { name: 'c' })],
  [
    'a delete after a write',
    () => ({ n: 1, gone: 2 }),
    (a) => {
      a.n = 5;
      delete a.gone;
    },
  ],
  ['a spread of the draft', () => ({ n: 1, m: 2 }), (a) => void (a.copy = { ...a })],
  ['a key test and a key list', () => ({ n: 1 }), (a) => void (a.keys = `${'n' in a}:${Object.keys(a).join()}`)],
  ['a replacement value', () => ({ n: 1 }), () => ({ replaced: true })],
  [
    'returning the draft',
    () => ({ n: 1 }),
    (a) => {
      a.n = 3;
      return a;
    },
  ],
];

describe('updateAssigns', () => {
  it.each(cases)('gives what produce gives: %s', (_name, base, recipe) => {
    const { immer, ours, immerBase, ourBase } = both(base, recipe);
    expect(ours).toEqual(immer);
    expect(ours === ourBase).toBe(immer === immerBase);
    expect(Object.isFrozen(ours)).toBe(Object.isFrozen(immer));
    for (const key of Object.keys(ours)) expect(Object.isFrozen(ours[key])).toBe(Object.isFrozen(immer[key]));
  });

  it('returns the base itself when nothing changed, frozen as immer leaves it', () => {
    const base = { n: 1, s: 'a', items: [1] };
    const next = updateAssigns(base, (a) => {
      a.n = 1;
      a.s = `${a.s}`;
    });
    expect(next).toBe(base);
    expect(Object.isFrozen(base.items)).toBe(true);
  });

  it('makes a new, deep-frozen object for a top-level change and leaves the base alone', () => {
    const base = { count: 1, list: [1, 2] };
    const next = updateAssigns(base, (a) => void a.count++);
    expect(next).toEqual({ count: 2, list: [1, 2] });
    expect(base.count).toBe(1);
    expect(next.list).toBe(base.list);
    expect(Object.isFrozen(next) && Object.isFrozen(next.list)).toBe(true);
  });

  it('refuses a recipe that changes the draft and returns another value, as immer does', () => {
    const recipe = (a: Assigns) => a.n++;
    expect(() => produce({ n: 1 }, recipe as (d: Assigns) => void)).toThrow();
    expect(() => updateAssigns({ n: 1 }, recipe)).toThrow(/returned a new value \*and\* modified its draft/);
  });

  it('keeps what a throwing recipe wrote out of the assigns', () => {
    const base = { n: 1 };
    expect(() =>
      updateAssigns(base, (a) => {
        a.n = 2;
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(base).toEqual({ n: 1 });
  });

  it('revokes the draft once the recipe returns', () => {
    let leaked: Assigns | null = null;
    updateAssigns({ n: 1 }, (a) => {
      leaked = a;
    });
    expect(() => leaked!.n).toThrow(TypeError);
  });

  it('is an immer draft to immer helpers', () => {
    const seen: unknown[] = [];
    updateAssigns({ n: 1 }, (a) => {
      a.n = 2;
      seen.push(isDraft(a), current(a));
    });
    expect(seen).toEqual([true, { n: 2 }]);
  });
});
