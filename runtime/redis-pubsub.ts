// PubSub across nodes through Redis: `REDIS_URL` switches to it. What it guarantees:
//
// - Local delivery never waits for Redis: a broadcast reaches this node's subscribers at once,
//   Redis or not, and is published for the other nodes only. Every message carries its origin
//   node id, so the copy Redis echoes back to this node is dropped, never delivered twice.
// - Subscriptions outlive any outage: the adapter itself (not ioredis's replay of commands, which
//   gives up after a number of retries) subscribes every topic that has a local listener each
//   time the subscriber connection is ready, and reconnects with a back-off bounded by
//   `maxReconnectDelayMs`, for ever.
// - While Redis is down, broadcasts for other nodes are dropped (counted in `health()`), not
//   queued: they would arrive late and out of order with what the database says by then. The
//   registry re-checks every live socket's session when the link comes back (`onUp`), so a logout
//   missed meanwhile still closes its sockets.
//
// Messages must be JSON-serializable.

import { Redis } from 'ioredis';
import { LocalPubSub, type PubSub, type PubSubHealth, type PubSubListener } from './pubsub.ts';
import { logger } from './logger.ts';
import { REDIS_MAX_RECONNECT_DELAY_MS } from './limits.ts';
import { generateNodeId } from './node-id.ts';

const DEFAULT_PREFIX = 'liveward:';
const FIRST_RECONNECT_DELAY_MS = 50;

export interface RedisPubSubOptions {
  /** Namespace of every channel (default `liveward:`). */
  prefix?: string;
  /** This node's id (default: host, pid and a random tail). */
  nodeId?: string;
  /** Longest wait between two reconnect attempts (default `REDIS_MAX_RECONNECT_DELAY_MS`). */
  maxReconnectDelayMs?: number;
}

/** What travels through Redis: the origin node and the message. */
interface Envelope {
  o: string;
  m: unknown;
}

export class RedisPubSub implements PubSub {
  readonly distributed = true;
  readonly nodeId: string;
  readonly #publisher: Redis;
  readonly #subscriber: Redis;
  readonly #local = new LocalPubSub();
  readonly #prefix: string;
  /** SUBSCRIBE commands not yet acknowledged by Redis. */
  readonly #inFlight = new Set<Promise<void>>();
  readonly #upListeners = new Set<() => void>();
  #state: 'connecting' | 'up' | 'down' = 'connecting';
  #since = new Date().toISOString();
  #outages = 0;
  #reconnectAttempts = 0;
  #notRelayed = 0;
  /** True once the subscriber connection has subscribed every local topic since it was last ready. */
  #resubscribed = false;
  #closed = false;

  constructor(url: string, options: RedisPubSubOptions = {}) {
    this.#prefix = options.prefix ?? DEFAULT_PREFIX;
    this.nodeId = options.nodeId ?? generateNodeId();
    const maxDelay = options.maxReconnectDelayMs ?? REDIS_MAX_RECONNECT_DELAY_MS;
    const backOff = (times: number): number => Math.min(FIRST_RECONNECT_DELAY_MS * 2 ** Math.min(times - 1, 16), maxDelay);
    const common = {
      lazyConnect: false,
      // Fail at once instead of queueing: a broadcast is dropped while down (see above), and the
      // subscriptions are made again by `#resubscribe`, whatever failed meanwhile.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResubscribe: false,
    };
    this.#publisher = new Redis(url, { ...common, retryStrategy: backOff });
    this.#subscriber = new Redis(url, {
      ...common,
      retryStrategy: (times) => {
        this.#reconnectAttempts++;
        return backOff(times);
      },
    });
    for (const client of [this.#publisher, this.#subscriber]) {
      // An error per failed attempt would flood the log during an outage: the state changes say it.
      client.on('error', (err) => logger.debug('pubsub.redis_error', { error: err }));
      client.on('close', () => this.#update());
      client.on('ready', () => this.#update());
    }
    this.#subscriber.on('ready', () => void this.#resubscribe());
    this.#subscriber.on('close', () => (this.#resubscribed = false));
    this.#subscriber.on('message', (channel: string, payload: string) => this.#receive(channel, payload));
  }

  /** Resolves once the link is up (both connections ready, every topic subscribed). */
  ready(): Promise<void> {
    if (this.#state === 'up') return Promise.resolve();
    return new Promise((resolve) => {
      const off = this.onUp(() => {
        off();
        resolve();
      });
    });
  }

  /** Resolves when every subscription made so far is active at Redis (broadcasts will reach it). */
  async settled(): Promise<void> {
    await Promise.all([...this.#inFlight]);
  }

  health(): PubSubHealth {
    return {
      state: this.#state,
      since: this.#since,
      outages: this.#outages,
      reconnectAttempts: this.#reconnectAttempts,
      notRelayed: this.#notRelayed,
    };
  }

  onUp(listener: () => void): () => void {
    const entry = (): void => listener();
    this.#upListeners.add(entry);
    return () => void this.#upListeners.delete(entry);
  }

  subscribe(topic: string, listener: PubSubListener): () => void {
    // The Redis subscription of a topic lives while this node has a local listener of it. While
    // the link is down nothing is sent: `#resubscribe` covers the topic when it is back.
    const unsubscribe = this.#local.subscribe(topic, listener);
    if (this.#local.listenerCount(topic) === 1 && this.#subscriber.status === 'ready') {
      const pending: Promise<void> = this.#subscriber
        .subscribe(this.#prefix + topic)
        .then(
          () => {},
          (err: unknown) => logger.warn('pubsub.redis_subscribe_failed', { topic, error: err }),
        )
        .finally(() => this.#inFlight.delete(pending));
      this.#inFlight.add(pending);
    }
    return () => {
      const before = this.#local.listenerCount(topic);
      unsubscribe(); // idempotent: a second call removes nothing
      if (before > 0 && this.#local.listenerCount(topic) === 0 && this.#subscriber.status === 'ready') {
        this.#subscriber.unsubscribe(this.#prefix + topic).catch(() => {});
      }
    };
  }

  broadcast(topic: string, message: unknown): void {
    // Redis may echo a message's own copy back before or after a local delivery, so the local
    // one is made here and the echo dropped by its origin (`#receive`).
    this.#local.broadcast(topic, message);
    if (this.#publisher.status !== 'ready') {
      this.#notRelayed++;
      return;
    }
    const envelope: Envelope = { o: this.nodeId, m: message };
    this.#publisher.publish(this.#prefix + topic, JSON.stringify(envelope)).catch((err: unknown) => {
      this.#notRelayed++;
      logger.warn('pubsub.redis_publish_failed', { topic, error: err });
    });
  }

  subscriptionCount(): number {
    return this.#local.subscriptionCount();
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#upListeners.clear();
    await this.#local.close();
    await Promise.allSettled(
      [this.#subscriber, this.#publisher].map((client) => (client.status === 'ready' ? client.quit() : client.disconnect())),
    );
  }

  /** Subscribes every topic with a local listener: the subscriber connection is new (start, or after an outage). */
  async #resubscribe(): Promise<void> {
    const channels = [...this.#local.topics()].map((topic) => this.#prefix + topic);
    try {
      if (channels.length > 0) await this.#subscriber.subscribe(...channels);
    } catch (err) {
      // The connection dropped again: its next `ready` tries again.
      logger.warn('pubsub.redis_resubscribe_failed', { topics: channels.length, error: err });
      return;
    }
    if (this.#subscriber.status !== 'ready') return;
    this.#resubscribed = true;
    this.#update();
  }

  #update(): void {
    if (this.#closed) return;
    const up = this.#resubscribed && this.#subscriber.status === 'ready' && this.#publisher.status === 'ready';
    const next = up ? 'up' : this.#state === 'connecting' ? 'connecting' : 'down';
    if (next === this.#state) return;
    const previous = this.#state;
    this.#state = next;
    this.#since = new Date().toISOString();
    if (next === 'down') {
      this.#outages++;
      this.#reconnectAttempts = 0;
      logger.warn('pubsub.down', { outages: this.#outages });
      return;
    }
    logger.info('pubsub.up', { after: previous, reconnectAttempts: this.#reconnectAttempts, notRelayed: this.#notRelayed });
    for (const listener of [...this.#upListeners]) {
      try {
        listener();
      } catch (err) {
        logger.error('pubsub.up_listener_failed', { error: err });
      }
    }
  }

  #receive(channel: string, payload: string): void {
    if (!channel.startsWith(this.#prefix)) return;
    let envelope: Envelope;
    try {
      envelope = JSON.parse(payload) as Envelope;
    } catch {
      logger.warn('pubsub.redis_bad_message', { channel });
      return;
    }
    if (typeof envelope !== 'object' || envelope === null || typeof envelope.o !== 'string') {
      logger.warn('pubsub.redis_bad_message', { channel });
      return;
    }
    if (envelope.o === this.nodeId) return; // delivered locally when it was broadcast
    this.#local.broadcast(channel.slice(this.#prefix.length), envelope.m);
  }
}
