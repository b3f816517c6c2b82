// The runtime's typed event stream. The inspector and tests subscribe to it; with no subscriber,
// emitting costs one length check. Payloads carry ids and names, never tokens or cookie data.
// The reports that come at the clients' rate (`event.allowed`, `event.handled`, `view.callback`)
// are *noted* first: each subscriber that asked to (`note`) counts them in place, from the view's
// topic and name, and says whether it wants this one as an object; the runtime times the callback
// and builds the event only when some subscriber does. A watcher that samples thus costs a view a
// function call per event, not an object, two clock reads and a second encoding of its diff.

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
      /** For `render`: the size of the frame that carried the diff (0 when nothing changed). */
      diffBytes?: number;
    }
  | { type: 'socket.disconnected'; liveSocketId: string; closed: number }
  | { type: 'frame.rejected'; connectionId: string; code: string; detail: string };

/** The view callbacks the inspector traces (`handleEvent` is reported by `event.handled`). */
export type ViewCallback = 'mount' | 'handleParams' | 'handleInfo' | 'render';

export type RuntimeEventType = RuntimeEvent['type'];
export type RuntimeEventListener = (event: RuntimeEvent & { at: number }) => void;

/**
 * The reports noted before they are built: `event.allowed` once per allowed client event (its
 * `event.handled` follows when it is built), `view.callback` once per traced callback (the
 * render after each event, handleInfo, handleParams; a mount is rare and always built).
 */
export type NotedEventType = 'event.allowed' | 'view.callback';

/**
 * Counts a noted report in place (`topic` and `view` name the view) and answers whether this one
 * should be built and emitted. Called on the view's hot path: no allocation, no throwing.
 */
export type RuntimeEventNote = (type: NotedEventType, topic: string, view: string) => boolean;

export interface RuntimeEventSubscription {
  /**
   * Makes the subscriber a sampler: it is told of every noted report here, and hears as events
   * only those that some subscriber wanted. Without it, every report is built for it.
   */
  note?: RuntimeEventNote;
}

/** The runtime's event stream as apps see it (`server.events`): subscribe only. */
export interface RuntimeEventStream {
  /** True while someone listens (the runtime builds no events when nobody does). */
  readonly watched: boolean;
  /**
   * Subscribes; returns the function that unsubscribes. Listeners must not throw (errors are
   * ignored). With `note`, the high-rate reports are noted and only sampled as events.
   */
  subscribe(listener: RuntimeEventListener, options?: RuntimeEventSubscription): () => void;
}

interface Subscriber {
  readonly listener: RuntimeEventListener;
  readonly note: RuntimeEventNote | null;
}

export class RuntimeEvents implements RuntimeEventStream {
  // Replaced, never mutated, so the hot path walks a plain array while a listener unsubscribes.
  #subscribers: readonly Subscriber[] = [];

  get watched(): boolean {
    return this.#subscribers.length > 0;
  }

  /** Subscribes; returns the function that unsubscribes (idempotent). */
  subscribe(listener: RuntimeEventListener, options: RuntimeEventSubscription = {}): () => void {
    const subscriber: Subscriber = { listener, note: options.note ?? null };
    this.#subscribers = [...this.#subscribers, subscriber];
    return () => {
      this.#subscribers = this.#subscribers.filter((s) => s !== subscriber);
    };
  }

  /**
   * Notes one high-rate report with every subscriber; true when it should be built and emitted
   * (a subscriber without `note` wants every one). Ask only while `watched`.
   */
  note(type: NotedEventType, topic: string, view: string): boolean {
    let wanted = false;
    for (const subscriber of this.#subscribers) {
      if (subscriber.note === null) wanted = true;
      else {
        try {
          if (subscriber.note(type, topic, view)) wanted = true;
        } catch {
          // An observer's failure must never break the runtime it observes.
        }
      }
    }
    return wanted;
  }

  emit(event: RuntimeEvent): void {
    if (this.#subscribers.length === 0) return;
    const stamped = { ...event, at: Date.now() };
    for (const { listener } of this.#subscribers) {
      try {
        listener(stamped);
      } catch {
        // An observer's failure must never break the runtime it observes.
      }
    }
  }
}
