// A read-only picture of one view for the inspector, built only when asked: its state, its
// liveSession, its user and the assigns the view chose to show (`inspect`), never the others.

import type { ViewDescription } from '../runtime/server-description.ts';
import type { ViewEntry } from './spawn-view.ts';
import { userIdOf, type ViewContext } from './view-context.ts';

export function describeView(topic: string, context: ViewEntry): ViewDescription {
  const snapshot = context.self.getSnapshot();
  return {
    topic,
    view: context.viewName,
    state: snapshot.status === 'active' ? String(snapshot.value) : snapshot.status,
    liveSession: context.route?.liveSession.name ?? null,
    userId: userIdOf(context),
    mountedAt: context.mountedAt,
    assigns: inspectableAssigns(context),
  };
}

/** The assigns a view lists in its `inspect`, for the inspector. */
function inspectableAssigns(context: ViewContext): Record<string, unknown> {
  const socket = context.socket;
  const out: Record<string, unknown> = {};
  if (!socket) return out;
  const assigns = socket.assigns as Record<string, unknown>;
  for (const key of socket.view.inspect ?? []) if (Object.hasOwn(assigns, key)) out[key] = assigns[key];
  return out;
}
