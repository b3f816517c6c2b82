// The inspector's feed: a bounded ring of recent runtime events (redacted at the source: runtime
// events carry ids and names only), and a coalesced PubSub notice so open inspector views
// re-render when something happens — pushed, never polled. The inspector's own views are left
// out of the ring, so watching does not feed itself. The feed listens only while an inspector is
// open: with nobody watching, the runtime builds no events at all on its hot paths.

import type { LiveServer, RuntimeEvent } from 'liveward';

export const INSPECTOR_TOPIC = 'inspector:changed';
export const INSPECTOR_VIEW = 'inspector';
const NOTIFY_EVERY_MS = 250;

export type StampedEvent = RuntimeEvent & { at: number };

export class InspectorFeed {
  readonly #ring: StampedEvent[] = [];
  readonly #capacity: number;
  #next = 0;
  #count = 0;
  #notifyTimer: NodeJS.Timeout | null = null;
  #unsubscribe: (() => void) | null = null;
  #server: LiveServer | null = null;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  #watchers = 0;

  attach(server: LiveServer): void {
    this.#server = server;
  }

  detach(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    if (this.#notifyTimer) clearTimeout(this.#notifyTimer);
  }

  /** An inspector view starts watching; returns the function that stops it. */
  watch(): () => void {
    if (this.#watchers++ === 0) this.#unsubscribe = this.server.events.subscribe((event) => this.#record(event));
    let watching = true;
    return () => {
      if (!watching) return;
      watching = false;
      if (--this.#watchers === 0) {
        this.#unsubscribe?.();
        this.#unsubscribe = null;
      }
    };
  }

  get server(): LiveServer {
    if (!this.#server) throw new Error('inspector feed is not attached to a server');
    return this.#server;
  }

  /** Newest first. */
  recent(limit: number): StampedEvent[] {
    const out: StampedEvent[] = [];
    for (let i = 1; i <= Math.min(limit, this.#count); i++) {
      out.push(this.#ring[(this.#next - i + this.#capacity) % this.#capacity]!);
    }
    return out;
  }

  #record(event: StampedEvent): void {
    if ('view' in event && event.view === INSPECTOR_VIEW) return;
    this.#ring[this.#next] = event;
    this.#next = (this.#next + 1) % this.#capacity;
    this.#count = Math.min(this.#count + 1, this.#capacity);
    if (!this.#notifyTimer) {
      this.#notifyTimer = setTimeout(() => {
        this.#notifyTimer = null;
        this.#server?.pubsub.broadcast(INSPECTOR_TOPIC, { type: 'changed' });
      }, NOTIFY_EVERY_MS);
      this.#notifyTimer.unref();
    }
  }
}
