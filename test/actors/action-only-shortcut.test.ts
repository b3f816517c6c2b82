// The action-only shortcut must be indistinguishable from XState's macrostep: the same actions
// in the same order with the same arguments, the same state, context and status after every
// event, and the same failure when a guard throws. Generated event sequences run through an actor
// on the machine and one on the shortcut; a machine mixing every case the shortcut must leave to
// XState (targets, `reenter`, `assign`, `raise`, built-in guards, lists ending in a guard, nested
// states) makes sure falling back is exercised too.

import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { and, assign, createActor, raise, setup } from 'xstate';
import { withActionOnlyShortcut } from '../../actors/action-only-shortcut.ts';
import { viewMachine } from '../../actors/view.machine.ts';

type TestEvent = {
  type: 'hit' | 'maybe' | 'move' | 'back' | 'count' | 'bounce' | 'again' | 'both' | 'deep' | 'finish';
  pass: Record<string, boolean>;
};

const GUARDS = ['g1', 'g2', 'g3'] as const;

/** Every action call, as `action:event#seq@state`, shared by the two actors in turn. */
let log: string[] = [];
let seq = 0;

const record =
  (name: string) =>
  ({ context, event }: { context: { n: number }; event: TestEvent }) =>
    void log.push(`${name}:${event.type}#${seq}@n=${context.n}`);

const testMachine = setup({
  types: { context: {} as { n: number }, events: {} as TestEvent },
  guards: {
    g1: ({ event }) => event.pass.g1 === true,
    g2: ({ event }) => event.pass.g2 === true,
    g3: ({ event }) => event.pass.g3 === true,
    both: and(['g1', 'g2']),
  },
  actions: {
    a1: record('a1'),
    a2: record('a2'),
    a3: record('a3'),
    bump: assign({ n: ({ context }) => context.n + 1 }),
    echo: raise({ type: 'hit', pass: {} }),
  },
}).createMachine({
  id: 'test',
  context: { n: 0 },
  initial: 'idle',
  states: {
    idle: {
      // so a reentry (exit, then entry) shows in the log
      entry: 'a2',
      exit: 'a3',
      on: {
        // taken by the shortcut: guarded, targetless, ends unguarded
        hit: [{ guard: 'g1', actions: 'a1' }, { guard: 'g2', actions: ['a2', 'a1'] }, { actions: 'a3' }],
        // left to XState: the list may choose nothing, and then the root's transition applies
        maybe: [
          { guard: 'g1', actions: 'a1' },
          { guard: 'g3', actions: 'a2' },
        ],
        // left to XState: a target, a reentry, an assign, a raise, a built-in guard
        move: { target: 'busy', actions: 'a1' },
        again: { reenter: true, actions: 'a2' },
        count: { actions: ['bump', 'a1'] },
        bounce: { actions: ['echo', 'a2'] },
        both: [{ guard: 'both', actions: 'a1' }, { actions: 'a3' }],
        deep: 'nested',
      },
    },
    busy: {
      entry: 'a2',
      exit: 'a3',
      on: {
        hit: [{ guard: 'g3', actions: 'a1' }, { actions: 'a2' }],
        back: 'idle',
        finish: 'done',
      },
    },
    nested: {
      initial: 'inner',
      states: { inner: { on: { hit: { actions: 'a1' }, back: '#test.idle' } } },
    },
    done: { type: 'final' },
  },
  on: { maybe: { actions: 'a3' } },
});

const eventArb = fc.record({
  type: fc.constantFrom<TestEvent['type']>(
    'hit',
    'hit',
    'hit',
    'maybe',
    'move',
    'back',
    'count',
    'bounce',
    'again',
    'both',
    'deep',
    'finish',
  ),
  pass: fc.record(Object.fromEntries(GUARDS.map((g) => [g, fc.boolean()])) as Record<(typeof GUARDS)[number], fc.Arbitrary<boolean>>),
});

/** Runs `events` through an actor on `logic`: what it did and where it ended. */
function run(logic: typeof testMachine, events: TestEvent[]) {
  log = [];
  seq = -1;
  const actor = createActor(logic).start();
  const states: unknown[] = [];
  for (const [i, event] of events.entries()) {
    if (actor.getSnapshot().status !== 'active') break;
    seq = i;
    actor.send(event);
    const snapshot = actor.getSnapshot();
    states.push([snapshot.value, snapshot.status, snapshot.context.n]);
  }
  return { log, states };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the action-only shortcut', () => {
  it('does what XState does, event for event, on generated sequences', () => {
    const shortcut = withActionOnlyShortcut(testMachine);
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 40 }), (events) => {
        const expected = run(testMachine, events);
        const actual = run(shortcut, events);
        expect(actual.states).toEqual(expected.states);
        expect(actual.log).toEqual(expected.log);
      }),
      { numRuns: 300 },
    );
  });

  it('takes the shortcut only for the transitions it can prove equivalent', () => {
    // XState binds `transition` to the machine: the spy goes on the instance.
    const transition = vi.spyOn(testMachine, 'transition');
    const actor = createActor(withActionOnlyShortcut(testMachine)).start();
    const calls = () => transition.mock.calls.length;
    const before = calls();
    actor.send({ type: 'hit', pass: { g2: true } });
    expect(calls()).toBe(before);
    for (const type of ['maybe', 'count', 'bounce', 'again', 'both'] as const) {
      const was = calls();
      actor.send({ type, pass: {} });
      expect(calls(), type).toBe(was + 1);
    }
  });

  it('fails the step as XState does when a guard throws', () => {
    const failing = testMachine.provide({
      guards: {
        g1: () => {
          throw new Error('guard bug');
        },
      },
    });
    const errors = [failing, withActionOnlyShortcut(failing)].map((logic) => {
      const actor = createActor(logic);
      actor.subscribe({ error: () => {} });
      actor.start();
      actor.send({ type: 'hit', pass: {} });
      const snapshot = actor.getSnapshot();
      return [snapshot.status, (snapshot.error as Error).message];
    });
    expect(errors[0]?.[0]).toBe('error');
    expect(errors[1]).toEqual(errors[0]);
  });

  it('covers the view machine’s live events and leaves every state change to XState', () => {
    // The view machine's own transitions, with guards that decide without a real view.
    const machine = viewMachine.provide({
      guards: {
        isClearFlash: () => false,
        isAllowed: ({ event }) => (event as unknown as { payload: { event: string } }).payload.event === 'ok',
      },
    });
    const transition = vi.spyOn(machine, 'transition');
    const logic = withActionOnlyShortcut(machine);
    expect(logic).not.toBe(machine);
    const live = machine.resolveState({ value: 'live', context: { view: null as never, why: 'leave' } });
    const ran: string[] = [];
    const scope = { actionExecutor: ({ type }: { type: string }) => void ran.push(type), self: null, system: null } as never;
    const events = [
      { type: 'client.event', payload: { event: 'ok' } },
      { type: 'client.event', payload: { event: 'forged' } },
      { type: 'client.live_patch' },
      { type: 'client.cids' },
      { type: 'client.upload' },
      { type: 'info' },
    ];
    for (const event of events) expect(logic.transition(live, event as never, scope), event.type).toBe(live);
    expect(ran).toEqual(['runEvent', 'denyEvent', 'runPatch', 'runCids', 'runUpload', 'runInfo']);
    expect(transition).not.toHaveBeenCalled();
  });
});
