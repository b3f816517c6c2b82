// Stateful components: `defineComponent({ mount, update, render, handleEvent })`, placed in a
// view's template with `liveComponent(Comp, { id, ...attrs })`. A component lives inside its
// view (same actor, same socket), keeps its own assigns, and is addressed by its cid: an event
// whose `phx-target` is the component's `myself` runs the component's own declared handler,
// behind its own policy (deny by default, like a view's).

import { checkDefinition, type Assigns, type EventDeclaration, type NavigateOptions } from './live-view.ts';
import { ComponentCall, type Rendered } from './template.ts';

/** What every component's assigns carry besides its own: its id and its cid (`myself`). */
export interface ComponentAssigns {
  /** The id it was rendered with (unique per component per view). */
  readonly id: string | number;
  /** Its cid: render it as `phx-target="${myself}"` to send an event to this component. */
  readonly myself: number;
}

/** What a component's callbacks receive: its own assigns and the effects it may request. */
export interface ComponentSocket<A extends Assigns = Assigns> {
  /** The component's id (as given to `liveComponent`). */
  readonly id: string | number;
  /** The component's cid, unique in its view. */
  readonly myself: number;
  /** False during the dead (HTTP) render. */
  readonly connected: boolean;
  /** The current assigns (with `id` and `myself`); immutable. */
  readonly assigns: Readonly<A & ComponentAssigns>;
  /** Merges values into the assigns; values identical to the current ones change nothing. */
  assign(values: Partial<A>): void;
  /** Updates the assigns with an immer recipe. */
  update(recipe: (draft: A) => void): void;
  /** Sends a `phx:<name>` window event (and hook `handleEvent`) to the browser. */
  pushEvent(name: string, payload: Record<string, unknown>): void;
  /** Changes the URL of the view without leaving it. */
  pushPatch(to: string, options?: NavigateOptions): void;
  /** Navigates to another view of the same liveSession. */
  pushNavigate(to: string, options?: NavigateOptions): void;
  /** Full page navigation through HTTP. */
  redirect(to: string): void;
  /** Broadcasts `message` on `topic` to every subscriber (on every node). */
  broadcast(topic: string, message: unknown): void;
}

export interface ComponentDefinition<A extends Assigns = Assigns, Attrs extends object = Partial<A>> {
  /** Used in logs and runtime events. */
  name: string;
  /** Runs once, when the component first appears in its view. */
  mount?(socket: ComponentSocket<A>): void;
  /**
   * Runs with the attributes of every render of the parent that includes the component. The
   * default assigns them. The component re-renders only if its assigns changed.
   */
  update?(attrs: Readonly<Attrs & { id: string | number }>, socket: ComponentSocket<A>): void;
  /** The events this component accepts, each with its policy. Anything else is denied. */
  handleEvent?: Record<string, EventDeclaration<A, ComponentSocket<A>>>;
  /** One static HTML tag at the root (the client stamps its cid on it). */
  render(assigns: Readonly<A & ComponentAssigns>): Rendered;
}

/** A component definition checked once when the app starts. */
// biome-ignore lint/suspicious/noExplicitAny: the "any component" type: handlers take A as a parameter, so `unknown` would not accept a LiveComponent<Foo>
export type LiveComponent<A extends Assigns = any, Attrs extends object = any> = Readonly<ComponentDefinition<A, Attrs>>;

/**
 * Defines a stateful component.
 *
 * @example
 *   export const Like = defineComponent<{ likes: number }>({
 *     name: 'like',
 *     mount: (socket) => socket.assign({ likes: 0 }),
 *     handleEvent: { like: allow(anyone, (_v, socket) => socket.update((a) => { a.likes++ })) },
 *     render: ({ likes, myself }) =>
 *       html`<button phx-click="like" phx-target="${myself}">${likes}</button>`,
 *   });
 */
export function defineComponent<A extends Assigns, Attrs extends object = Partial<A>>(
  definition: ComponentDefinition<A, Attrs>,
): LiveComponent<A, Attrs> {
  checkDefinition('defineComponent', 'component', definition);
  return Object.freeze({ ...definition });
}

/**
 * Places a stateful component in a template. `id` identifies it among the view's components of
 * the same kind: the same id in the next render is the same component, with its state.
 *
 * @example
 *   html`<ul id="comments">${comments.map((c) => liveComponent(CommentRow, { id: c.id, comment: c }))}</ul>`
 */
export function liveComponent<Attrs extends object>(
  // biome-ignore lint/suspicious/noExplicitAny: any assigns: only the attributes are checked at the call site
  component: LiveComponent<any, Attrs>,
  attrs: Attrs & { id: string | number },
): ComponentCall {
  const { id } = attrs;
  if (typeof id !== 'string' && !(typeof id === 'number' && Number.isFinite(id))) {
    throw new TypeError(`liveComponent(${component.name}): id must be a string or a number`);
  }
  return new ComponentCall(component, id, attrs);
}
