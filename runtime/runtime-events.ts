// The runtime's typed event stream. The inspector and tests subscribe to it; with no subscriber,
// emitting costs one size check. Payloads carry ids and names, never tokens or cookie data.

export type RuntimeEvent =
  | { type: 'connection.opened'; connectionId: string; liveSocketId: string | null }
  | { type: 'connection.closed'; connectionId: string; code: number; reason: string }
  | { type: 'view.mounted'; connectionId: string; topic: string; view: string; userId: string | null }
  | { type: 'view.join_refused'; connectionId: string; topic: string; code: string; reason: string }
  | { type: 'view.terminated'; connectionId: string; topic: string; view: string; why: string }
  | { type: 'view.crashed'; connectionId: string; topic: string; view: string; errorId: string; phase: string }
  | { type: 'event.allowed'; connectionId: string; topic: string; view: string; event: string; policy: string; userId: string | null }
  | {
      type: 'event.denied';
      connectionId: string;
      topic: string;
      view: string;
      event: string;
      policy: string | null;
      userId: string | null;
      why: string;
    }
  | { type: 'event.handled'; connectionId: string; topic: string; view: string; event: string; durationMs: number }
  | {
      type: 'view.callback';
      connectionId: string;
      topic: string;
      view: string;
      callback: ViewCallback;
      durationMs: number;
      diffBytes?: number;
    }
  | { type: 'socket.disconnected'; liveSocketId: string; closed: number }
  | { type: 'frame.rejected'; connectionId: string; code: string; detail: string };

/** The view callbacks the inspector traces (`handleEvent` is reported by `event.handled`). */
export type ViewCallback = 'mount' | 'handleParams' | 'handleInfo' | 'render';

export type RuntimeEventType = RuntimeEvent['type'];
export type RuntimeEventListener = (event: RuntimeEvent & { at: number }) => void;

/** The runtime's event stream as apps see it (`server.events`): subscribe only. */
export interface RuntimeEventStream {
  /** True while someone listens (the runtime builds no events when nobody does). */
  readonly watched: boolean;
  /** Subscribes; returns the function that unsubscribes. Listeners must not throw (errors are ignored). */
  subscribe(listener: RuntimeEventListener): () => void;
}

export class RuntimeEvents implements RuntimeEventStream {
  readonly #listeners = new Set<RuntimeEventListener>();

  get watched(): boolean {
    return this.#listeners.size > 0;
  }

  /** Subscribes; returns the function that unsubscribes. */
  subscribe(listener: RuntimeEventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emit(event: RuntimeEvent): void {
    if (this.#listeners.size === 0) return;
    const stamped = { ...event, at: Date.now() };
    for (const listener of this.#listeners) {
      try {
        listener(stamped);
      } catch {
        // An observer's failure must never break the runtime it observes.
      }
    }
  }
}
