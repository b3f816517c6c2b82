// A machine's states and transitions read from its XState definition (`machine.root`), so the
// inspector draws the machine that actually runs, not a picture kept by hand beside it.

import type { AnyStateMachine } from 'xstate';
import { viewMachine } from './view.machine.ts';

export interface MachineGraph {
  readonly id: string;
  readonly initial: string;
  readonly states: readonly MachineState[];
  /** Transitions that change state (`from` ≠ `to`). */
  readonly transitions: readonly MachineTransition[];
}

export interface MachineState {
  readonly name: string;
  readonly final: boolean;
  readonly entry: readonly string[];
  /** Transitions without a target: the state handles the event and stays (an event, a patch). */
  readonly internal: readonly Omit<MachineTransition, 'from' | 'to'>[];
}

export interface MachineTransition {
  readonly from: string;
  readonly to: string;
  readonly event: string;
  /** The guard's name, or null when the transition is unguarded. */
  readonly guard: string | null;
  readonly actions: readonly string[];
}

/** Walks a flat machine's top-level states (the view machine has no nested states). */
export function describeMachine(machine: AnyStateMachine): MachineGraph {
  const root = machine.root;
  const states: MachineState[] = [];
  const transitions: MachineTransition[] = [];
  for (const [name, node] of Object.entries(root.states)) {
    const internal: Omit<MachineTransition, 'from' | 'to'>[] = [];
    for (const [event, candidates] of node.transitions) {
      for (const candidate of candidates) {
        const edge = {
          event,
          guard: nameOf(candidate.guard),
          actions: candidate.actions.map(nameOf).filter((a): a is string => a !== null),
        };
        const targets = candidate.target ?? [];
        if (targets.length === 0 || (targets.length === 1 && targets[0]!.key === name)) internal.push(edge);
        else for (const target of targets) transitions.push({ from: name, to: target.key, ...edge });
      }
    }
    states.push({
      name,
      final: node.type === 'final',
      entry: node.entry.map(nameOf).filter((a): a is string => a !== null),
      internal,
    });
  }
  const initial = root.initial?.target[0]?.key ?? states[0]?.name ?? '';
  return { id: root.id, initial, states, transitions };
}

let viewGraph: MachineGraph | null = null;

/** The view actor's machine, as the inspector draws it (read once). */
export function viewMachineGraph(): MachineGraph {
  return (viewGraph ??= describeMachine(viewMachine));
}

function nameOf(item: unknown): string | null {
  if (typeof item === 'string') return item;
  if (item && typeof item === 'object' && typeof (item as { type?: unknown }).type === 'string') return (item as { type: string }).type;
  if (typeof item === 'function') return item.name || 'inline';
  return null;
}
