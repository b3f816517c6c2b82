import { describe, expect, it } from 'vitest';
import { createActor, createMachine } from 'xstate';
import { shareOptionsShape } from '../../actors/actor-options.ts';

const machine = createMachine({
  types: {} as { context: { input: unknown }; input: unknown },
  id: 'm',
  context: ({ input }) => ({ input }),
  initial: 'on',
  states: { on: {} },
});

describe('shareOptionsShape', () => {
  it('keeps every option XState resolved for a view actor, and the actor starts from them', () => {
    const parent = createActor(machine, { input: null }).start();
    const input = { view: 1 };
    const actor = createActor(machine, { parent, id: 'v1', input });
    const before = { ...actor.options };
    const original = actor.options;
    shareOptionsShape(actor);
    expect(actor.options).not.toBe(original);
    expect(actor.options).toEqual(before);
    expect(Object.keys(actor.options)).toEqual(Object.keys(before));
    actor.start();
    expect(actor.getSnapshot().context.input).toBe(input);
    expect(actor.getSnapshot().status).toBe('active');
  });

  it('leaves options of any other shape as they are', () => {
    const actor = createActor(machine, { id: 'root', systemId: 'root', input: null });
    const original = actor.options;
    shareOptionsShape(actor);
    expect(actor.options).toBe(original);
  });
});
