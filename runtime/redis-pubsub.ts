// PubSub across nodes through Redis (brief §6): `REDIS_URL` switches to it. Each node keeps its
// local subscribers and holds one Redis subscription per topic that has any; a broadcast is
// published to Redis and comes back to every node subscribed to it, this one included.
// Messages must be JSON-serializable.

import { Redis } from 'ioredis';
import { LocalPubSub, type PubSub, type PubSubListener } from './pubsub.ts';
import { logger } from './logger.ts';

const DEFAULT_PREFIX = 'liveward:';

export class RedisPubSub implements PubSub {
  readonly distributed = true;
  readonly #publisher: Redis;
  readonly #subscriber: Redis;
  readonly #local = new LocalPubSub();
  readonly #prefix: string;
  /** SUBSCRIBE commands not yet acknowledged by Redis. */
  readonly #inFlight = new Set<Promise<void>>();

  constructor(url: string, options: { prefix?: string } = {}) {
    this.#prefix = options.prefix ?? DEFAULT_PREFIX;
    this.#publisher = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 3 });
    this.#subscriber = new Redis(url, { lazyConnect: false });
    for (const client of [this.#publisher, this.#subscriber]) {
      client.on('error', (err) => logger.warn('pubsub.redis_error', { error: err }));
    }
    this.#subscriber.on('message', (channel: string, payload: string) => this.#receive(channel, payload));
  }

  /** Resolves once both connections are ready (useful before the first broadcast). */
  async ready(): Promise<void> {
    await Promise.all([this.#publisher.ping(), this.#subscriber.ping()]);
  }

  /** Resolves when every subscription made so far is active at Redis (broadcasts will reach it). */
  async settled(): Promise<void> {
    await Promise.all([...this.#inFlight]);
  }

  subscribe(topic: string, listener: PubSubListener): () => void {
    // The Redis subscription of a topic lives while this node has a local listener of it.
    const unsubscribe = this.#local.subscribe(topic, listener);
    if (this.#local.listenerCount(topic) === 1) {
      const pending: Promise<void> = this.#subscriber
        .subscribe(this.#prefix + topic)
        .then(
          () => {},
          (err: unknown) => logger.error('pubsub.redis_subscribe_failed', { topic, error: err }),
        )
        .finally(() => this.#inFlight.delete(pending));
      this.#inFlight.add(pending);
    }
    return () => {
      const before = this.#local.listenerCount(topic);
      unsubscribe(); // idempotent: a second call removes nothing
      if (before > 0 && this.#local.listenerCount(topic) === 0) {
        this.#subscriber.unsubscribe(this.#prefix + topic).catch(() => {});
      }
    };
  }

  broadcast(topic: string, message: unknown): void {
    this.#publisher.publish(this.#prefix + topic, JSON.stringify(message)).catch((err: unknown) => {
      logger.error('pubsub.redis_publish_failed', { topic, error: err });
    });
  }

  subscriptionCount(): number {
    return this.#local.subscriptionCount();
  }

  async close(): Promise<void> {
    await this.#local.close();
    await Promise.allSettled([this.#subscriber.quit(), this.#publisher.quit()]);
  }

  #receive(channel: string, payload: string): void {
    if (!channel.startsWith(this.#prefix)) return;
    let message: unknown;
    try {
      message = JSON.parse(payload);
    } catch {
      logger.warn('pubsub.redis_bad_message', { channel });
      return;
    }
    this.#local.broadcast(channel.slice(this.#prefix.length), message);
  }
}
