// The state chart is drawn from the machine definition itself: a state or transition added to a
// machine appears in its SVG without anyone updating a picture.

import { setup } from 'xstate';
import { describe, expect, it } from 'vitest';
import { describeMachine, viewMachineGraph } from '../../../server/index.ts';
import { stateChartSvg } from '../../../apps/inspector/state-chart.ts';

const door = setup({ guards: { hasKey: () => true }, actions: { creak: () => {} } }).createMachine({
  id: 'door',
  initial: 'closed',
  states: {
    closed: { on: { open: { target: 'open', actions: 'creak' }, lock: { guard: 'hasKey', target: 'locked' }, knock: {} } },
    open: { on: { close: 'closed' } },
    locked: { on: { unlock: { guard: 'hasKey', target: 'closed' } } },
    gone: { type: 'final' },
  },
});

const statesIn = (svg: string): string[] => [...svg.matchAll(/<g class="state[^"]*" data-state="([^"]+)"/g)].map((m) => m[1]!);

describe('the state chart', () => {
  it('reads states, transitions and guards by name from a machine definition', () => {
    const graph = describeMachine(door);

    expect(graph.initial).toBe('closed');
    expect(graph.states.map((s) => s.name)).toEqual(['closed', 'open', 'locked', 'gone']);
    expect(graph.states.find((s) => s.name === 'gone')!.final).toBe(true);
    expect(graph.transitions).toEqual([
      { from: 'closed', to: 'open', event: 'open', guard: null, actions: ['creak'] },
      { from: 'closed', to: 'locked', event: 'lock', guard: 'hasKey', actions: [] },
      { from: 'open', to: 'closed', event: 'close', guard: null, actions: [] },
      { from: 'locked', to: 'closed', event: 'unlock', guard: 'hasKey', actions: [] },
    ]);
    expect(graph.states[0]!.internal).toEqual([{ event: 'knock', guard: null, actions: [] }]);
  });

  it('draws one element per state and per transition, with the current state marked', () => {
    const svg = stateChartSvg(describeMachine(door), 'locked', { from: 'closed', to: 'locked', event: 'lock', guard: 'hasKey' });

    expect(svg.startsWith('<svg')).toBe(true);
    expect(statesIn(svg)).toEqual(['closed', 'open', 'locked', 'gone']);
    expect(svg.match(/data-transition=/g)).toHaveLength(4);
    expect(svg).toContain('lock [hasKey]');
    expect(svg).toMatch(/data-state="locked" aria-current="true"/);
    expect(svg.match(/aria-current/g)).toHaveLength(1);
    expect(svg).toMatch(/class="transition lit" data-transition="closed-&gt;locked"/);
  });

  it('draws the view machine as it runs: mount, live, terminated, with the isAllowed guard', () => {
    const graph = viewMachineGraph();
    const svg = stateChartSvg(graph, 'live');

    expect(statesIn(svg)).toEqual(['mount', 'live', 'terminated']);
    expect(graph.transitions.map((t) => `${t.from}->${t.to}`)).toEqual(
      expect.arrayContaining(['mount->live', 'mount->terminated', 'live->terminated']),
    );
    expect(svg).toContain('mount.done [joined]');
    expect(svg).toContain('client.event [isAllowed] / runEvent');
    expect(svg).toMatch(/data-state="live" aria-current="true"/);
  });

  it('lights a transition that keeps the state inside its box: an allowed event in `live`', () => {
    const allowed = { from: 'live', to: 'live', event: 'client.event', guard: 'isAllowed' };

    const svg = stateChartSvg(viewMachineGraph(), 'live', allowed);

    expect(svg.match(/class="detail lit"[^>]*>([^<]*)</)?.[1]).toBe('client.event [isAllowed] / runEvent');
    expect(svg).not.toContain('transition lit');
  });
});
