// A shortcut through XState's macrostep for the transitions a view takes on almost every frame:
// in `live`, an event picks one of a few guarded, targetless, action-only transitions
// (authorize, then run the handler or deny). XState resolves those with its general SCXML
// algorithm (conflict removal, exit and entry sets, a new state-node set, the eventless check
// after it: ~6 µs per event with 1,000 actors), although the answer is known in advance: the
// state does not change, the context is not reassigned, only the chosen transition's actions
// run. The shortcut reads the same transitions, guards and actions from the machine definition
// and takes that answer directly; any event it cannot prove equivalent goes through XState's own
// `transition`. The chart drawn by the inspector is the machine's; nothing here duplicates it.
//
// Equivalent when, for the current state and the event's type:
// - the machine has no eventless (`always`) transitions, so none can follow the step;
// - the state is atomic and a direct child of the root, and has transitions for exactly that
//   event type (XState then ignores wildcard descriptors and the root's transitions);
// - every candidate is targetless and not `reenter`, so no state is exited or entered;
// - every guard is by name and implemented by a plain function (not `and`/`or`/`not`/`stateIn`);
// - every action is by name and implemented by a plain function: no built-in action (`assign`,
//   `raise`, `sendTo`, …) that could change the context or queue an internal event;
// - the last candidate has no guard, so one transition is always chosen within the state.
// Then XState's macrostep returns the very snapshot it was given, after running the chosen
// transition's actions in order through the actor's executor, as the shortcut does. A guard that
// throws fails the step with XState's own message. What the shortcut does not emit is XState's
// `@xstate.microstep` inspection event (its emitter is not public API); the actor still emits
// `@xstate.event`, `@xstate.action` and `@xstate.snapshot`. The equivalence is checked against
// XState with generated event sequences in `test/actors/action-only-shortcut.test.ts`.

import type { AnyActorScope, AnyEventObject, AnyMachineSnapshot, AnyStateMachine, AnyStateNode } from 'xstate';

type GuardFunction = (args: { context: unknown; event: AnyEventObject }, params: undefined) => boolean;
type ActionFunction = (args: { context: unknown; event: AnyEventObject; self: unknown; system: unknown }, params: unknown) => void;

/** One candidate transition, resolved to its implementations. */
interface Candidate {
  guardName: string | undefined;
  guard: GuardFunction | undefined;
  actions: readonly { name: string; run: ActionFunction }[];
}

/** Per state name, per event type: the candidates in document order, when the shortcut holds. */
type Plans = Map<string, Map<string, readonly Candidate[]>>;

/**
 * The machine as actor logic whose action-only transitions skip XState's macrostep (see the
 * header for when that is equivalent). Everything but `transition` is the machine's own.
 */
export function withActionOnlyShortcut<TMachine extends AnyStateMachine>(machine: TMachine): TMachine {
  const plans = plansOf(machine);
  if (plans.size === 0) return machine;
  const logic: TMachine = Object.create(machine);
  logic.transition = (snapshot: AnyMachineSnapshot, event: AnyEventObject, scope: AnyActorScope) => {
    const candidates =
      snapshot.status === 'active' && typeof snapshot.value === 'string' ? plans.get(snapshot.value)?.get(event.type) : undefined;
    if (candidates === undefined) return machine.transition(snapshot, event, scope);
    runChosen(candidates, snapshot, event, scope);
    return snapshot;
  };
  return logic;
}

function runChosen(candidates: readonly Candidate[], snapshot: AnyMachineSnapshot, event: AnyEventObject, scope: AnyActorScope): void {
  const { context } = snapshot;
  for (const candidate of candidates) {
    if (candidate.guard !== undefined && !passes(candidate, context, event, snapshot)) continue;
    for (const action of candidate.actions) {
      scope.actionExecutor({
        type: action.name,
        info: { context, event, self: scope.self, system: scope.system },
        params: undefined,
        exec: action.run,
      });
    }
    return;
  }
}

function passes(candidate: Candidate, context: unknown, event: AnyEventObject, snapshot: AnyMachineSnapshot): boolean {
  try {
    return Boolean((candidate.guard as GuardFunction)({ context, event }, undefined));
  } catch (error) {
    // XState's wording, so a failing guard reads the same with and without the shortcut.
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(
      `Unable to evaluate guard '${candidate.guardName}' in transition for event '${event.type}' in state node '${snapshot.machine.id}.${String(snapshot.value)}':\n${message}`,
    );
  }
}

function plansOf(machine: AnyStateMachine): Plans {
  const plans: Plans = new Map();
  const root = machine.root;
  if (hasEventless(root)) return plans;
  for (const [name, state] of Object.entries(root.states as Record<string, AnyStateNode>)) {
    if (Object.keys(state.states).length > 0) continue;
    const byEvent = new Map<string, readonly Candidate[]>();
    for (const [eventType, transitions] of state.transitions) {
      const candidates = resolveCandidates(machine, transitions);
      if (candidates !== null) byEvent.set(eventType, candidates);
    }
    if (byEvent.size > 0) plans.set(name, byEvent);
  }
  return plans;
}

function hasEventless(node: AnyStateNode): boolean {
  if (node.always !== undefined && node.always.length > 0) return true;
  return Object.values(node.states as Record<string, AnyStateNode>).some(hasEventless);
}

type TransitionDefinition = AnyStateNode['transitions'] extends Map<string, infer T> ? T : never;

function resolveCandidates(machine: AnyStateMachine, transitions: TransitionDefinition): Candidate[] | null {
  const candidates: Candidate[] = [];
  for (const transition of transitions) {
    if (transition.target !== undefined || transition.reenter) return null;
    const guard = resolveGuard(machine, transition.guard);
    if (guard === null) return null;
    const actions: { name: string; run: ActionFunction }[] = [];
    for (const action of transition.actions) {
      if (typeof action !== 'string') return null;
      const run: unknown = machine.implementations.actions[action];
      if (!isPlainFunction(run)) return null;
      actions.push({ name: action, run: run as ActionFunction });
    }
    candidates.push({ guardName: typeof transition.guard === 'string' ? transition.guard : undefined, guard: guard.run, actions });
  }
  if (candidates.length === 0 || candidates[candidates.length - 1]?.guard !== undefined) return null;
  return candidates;
}

/** `{ run: undefined }` for no guard, null for a guard the shortcut does not take. */
function resolveGuard(machine: AnyStateMachine, guard: unknown): { run: GuardFunction | undefined } | null {
  if (guard === undefined) return { run: undefined };
  if (typeof guard !== 'string') return null;
  const run: unknown = machine.implementations.guards[guard];
  // Built-in guards (`and`, `or`, `not`, `stateIn`) carry a `check`; they read the snapshot.
  return isPlainFunction(run) && !('check' in run) ? { run: run as GuardFunction } : null;
}

/** A custom implementation: built-in actions carry `resolve` (they may assign or raise). */
function isPlainFunction(value: unknown): value is (...args: never[]) => unknown {
  return typeof value === 'function' && !('resolve' in value);
}
