// PubSub: how state changes reach other views (never by polling). The in-process adapter is the
// default; an adapter for Redis implements the same interface so broadcasts cross nodes.

import { logger } from './logger.ts';

export type PubSubListener = (message: unknown) => void;

export interface PubSub {
  /** True when broadcasts reach other nodes (then `registry.disconnect` is relayed through it). */
  readonly distributed: boolean;
  /** Subscribes; returns the function that unsubscribes. */
  subscribe(topic: string, listener: PubSubListener): () => void;
  /** Delivers `message` to every subscriber of `topic`, here and on other nodes. */
  broadcast(topic: string, message: unknown): void;
  /** Number of live subscriptions, for leak checks and the inspector. */
  subscriptionCount(): number;
  close(): Promise<void>;
}

/**
 * The single-node PubSub. Delivery is asynchronous (a microtask), as it would be across nodes,
 * so a broadcaster never re-enters its own handler.
 */
export class LocalPubSub implements PubSub {
  readonly distributed = false;
  readonly #topics = new Map<string, Set<PubSubListener>>();
  #count = 0;

  subscribe(topic: string, listener: PubSubListener): () => void {
    let listeners = this.#topics.get(topic);
    if (!listeners) this.#topics.set(topic, (listeners = new Set()));
    // Wrap so the same function may subscribe twice and unsubscribe each independently.
    const entry: PubSubListener = (message) => listener(message);
    listeners.add(entry);
    this.#count++;
    let active = true;
    return () => {
      if (!active) return;
      active = false;
      // After close() the entry is gone and already uncounted.
      if (!listeners.delete(entry)) return;
      this.#count--;
      if (listeners.size === 0 && this.#topics.get(topic) === listeners) this.#topics.delete(topic);
    };
  }

  /** Listeners of `topic` on this node right now. */
  listenerCount(topic: string): number {
    return this.#topics.get(topic)?.size ?? 0;
  }

  broadcast(topic: string, message: unknown): void {
    const listeners = this.#topics.get(topic);
    if (!listeners || listeners.size === 0) return;
    const snapshot = [...listeners];
    queueMicrotask(() => {
      for (const listener of snapshot) {
        if (!listeners.has(listener)) continue;
        try {
          listener(message);
        } catch (err) {
          // A subscriber's failure is its own; the others still get the message.
          logger.error('pubsub.listener_failed', { topic, error: err });
        }
      }
    });
  }

  subscriptionCount(): number {
    return this.#count;
  }

  async close(): Promise<void> {
    for (const listeners of this.#topics.values()) listeners.clear();
    this.#topics.clear();
    this.#count = 0;
  }
}
