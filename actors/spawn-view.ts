// Spawning a view actor for a join: created as a child of the registry actor (its done and
// error events reach the registry, which hands them to the view's connection by the connection
// id that starts the actor's id), started, and followed until it leaves `mount`, so the topic's
// queue holds the frames behind the join until the view is live, refused or crashed.

import { createActor, type Actor, type AnyActorRef } from 'xstate';
import { flatString } from '../runtime/flat-string.ts';
import { shareOptionsShape } from './actor-options.ts';
import type { ViewContext } from './view-context.ts';
import { withActionOnlyShortcut } from './action-only-shortcut.ts';
import { viewMachine } from './view.machine.ts';

export type ViewActor = Actor<typeof viewMachine>;

/**
 * A view as its connection holds it: the state it shares with the view actor, whose `self` is
 * that actor (one object per view, not a pair of them).
 */
export type ViewEntry = ViewContext & { readonly self: ViewActor };

/**
 * The view machine as its actors run it: the action-only transitions of `live` (authorize, then
 * handle or deny) skip XState's general macrostep, whose result for them is known in advance.
 */
export const viewLogic = withActionOnlyShortcut(viewMachine);

/** Between the connection id and the topic in a view actor's id: no connection id holds a space. */
const OWNER_SEPARATOR = ' ';

/** The id of the connection whose view the actor `actorId` is, or null for another actor. */
export function viewOwnerOf(actorId: string): string | null {
  const end = actorId.indexOf(OWNER_SEPARATOR);
  return end > 0 ? actorId.slice(0, end) : null;
}

/** Creates (does not start) the view actor for `context`, a child of the registry actor `parent`. */
export function createView(parent: AnyActorRef, context: ViewContext): ViewEntry {
  // The actor id lives as long as the view: one flat string, not a chain of fragments.
  const actorId = flatString(`${context.connection.id}${OWNER_SEPARATOR}${context.topic}#${context.joinRef}`);
  const actor = createActor(viewLogic, { parent, id: actorId, input: context });
  shareOptionsShape(actor);
  context.self = actor;
  return context as ViewEntry;
}

/** Starts the view; settles once it has left `mount` (live, refused, crashed or closed). */
export function startView({ self: actor }: ViewEntry): Promise<void> {
  return new Promise<void>((resolve) => {
    const subscription = actor.subscribe({
      next: (snapshot) => {
        if (snapshot.status !== 'active' || snapshot.value !== 'mount') {
          subscription.unsubscribe();
          resolve();
        }
      },
      error: () => resolve(),
      complete: () => resolve(),
    });
    actor.start();
  });
}

/** The view has joined and serves frames. */
export function isLive(actor: ViewActor): boolean {
  const snapshot = actor.getSnapshot();
  return snapshot.status === 'active' && snapshot.value === 'live';
}
