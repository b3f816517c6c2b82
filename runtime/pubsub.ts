// PubSub: how state changes reach other views (never by polling). The in-process adapter is the
// default; an adapter for Redis implements the same interface so broadcasts cross nodes.

import { logger } from './logger.ts';
import { generateNodeId } from './node-id.ts';

export type PubSubListener = (message: unknown) => void;

/** How the link to the other nodes is doing, for `server.describe()` and the inspector. */
export interface PubSubHealth {
  /**
   * `local`: a single node, nothing to reach. `connecting`: not yet up since start. `up`: messages
   * cross nodes and every topic with a local subscriber is subscribed. `down`: lost; local delivery
   * goes on, the adapter keeps trying to reconnect.
   */
  readonly state: 'local' | 'connecting' | 'up' | 'down';
  /** When the state last changed (ISO 8601). */
  readonly since: string;
  /** Times the link went down since start. */
  readonly outages: number;
  /** Attempts to reconnect during the current (or last) outage. */
  readonly reconnectAttempts: number;
  /** Broadcasts that reached this node's views but not the other nodes (the link was down). */
  readonly notRelayed: number;
}

export interface PubSub {
  /** True when broadcasts reach other nodes (then `registry.disconnect` is relayed through it). */
  readonly distributed: boolean;
  /** This node's id: tags what it publishes and names it in logs and `describe()`. */
  readonly nodeId: string;
  health(): PubSubHealth;
  /**
   * Calls `listener` each time the link to the other nodes comes up (after start, and after
   * every outage), once every topic is subscribed again. Messages sent meanwhile may be lost: the
   * registry re-checks every live socket's session then. Returns the function that unsubscribes.
   */
  onUp(listener: () => void): () => void;
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
  readonly nodeId: string;
  readonly #topics = new Map<string, Set<PubSubListener>>();
  readonly #since = new Date().toISOString();
  #count = 0;

  constructor(options: { nodeId?: string } = {}) {
    this.nodeId = options.nodeId ?? generateNodeId();
  }

  health(): PubSubHealth {
    return { state: 'local', since: this.#since, outages: 0, reconnectAttempts: 0, notRelayed: 0 };
  }

  /** A single node has no link to lose. */
  onUp(_listener: () => void): () => void {
    return () => {};
  }

  /** Topics with at least one listener on this node. */
  topics(): IterableIterator<string> {
    return this.#topics.keys();
  }

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
