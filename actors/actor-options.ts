// XState keeps the options an actor was created with (`actor.options`) for the actor's whole life,
// built as `{ ...defaults, ...options }`. On Node 20's V8, once that spread has run a few times,
// every object it builds gets a hidden class (map) of its own, with its own descriptor array and
// property array: ~0.3 KiB per view actor, more than the view's own context (measured with
// bench/view-heap.ts, `%HaveSameMap` false from the tenth actor on). The same values in one object
// literal of a fixed shape share one hidden class. XState reads `options` only while it creates and
// starts the actor (`input`, `devTools`), so the values stay exactly what it resolved.

import type { AnyActor } from 'xstate';

/** The keys XState resolves for a view actor (its defaults, then `parent`, `id`, `input`). */
const VIEW_OPTION_KEYS = ['clock', 'logger', 'devTools', 'parent', 'id', 'input'] as const;

/**
 * Replaces `actor.options` by an object of one shared shape holding the same values. Options with
 * any other key are left as they are (nothing of them is dropped).
 */
export function shareOptionsShape(actor: AnyActor): void {
  const options = actor.options as Record<string, unknown>;
  const keys = Object.keys(options);
  if (keys.length !== VIEW_OPTION_KEYS.length || !VIEW_OPTION_KEYS.every((key) => Object.hasOwn(options, key))) return;
  (actor as { options: unknown }).options = {
    clock: options.clock,
    logger: options.logger,
    devTools: options.devTools,
    parent: options.parent,
    id: options.id,
    input: options.input,
  };
}
