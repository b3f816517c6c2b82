// The watched side of a cluster inspector: while another node holds an unexpired watch lease on
// this one (see `cluster-watch.ts`), this node pushes its own description when its tree changes,
// at most once per `clusterWatchPublishMs`, plus once when a lease starts and a small `alive`
// when it has sent nothing for a third of the lease. With no lease it does nothing: no runtime
// events are built for it, no timer runs; only the lease topic stays subscribed.

import type { Limits } from '../runtime/limits.ts';
import { logger } from '../runtime/logger.ts';
import type { PubSub } from '../runtime/pubsub.ts';
import type { RuntimeEventStream } from '../runtime/runtime-events.ts';
import type { ServerDescription } from '../runtime/server-description.ts';
import { broadcastDescription, describedConnections } from './description-broadcast.ts';
import { DESCRIBED_TOPIC, type DescribedMessage } from './cluster-watch.ts';

/** Watchers one node serves at once; a lease message past it is ignored (nodes are few). */
const MAX_LEASES = 256;

export interface DescriptionPublisherOptions {
  nodeId: string;
  pubsub: PubSub;
  /** The runtime's events: subscribed only while a lease is held, as the change signal. */
  events: RuntimeEventStream;
  limits: Pick<Limits, 'clusterWatchLeaseMs' | 'clusterWatchPublishMs'>;
  describeNode: (maxConnections: number) => ServerDescription;
}

interface Lease {
  expiresAt: number;
  maxConnections: number;
}

export class DescriptionPublisher {
  readonly #options: DescriptionPublisherOptions;
  /** By watching node id. */
  readonly #leases = new Map<string, Lease>();
  #tick: NodeJS.Timeout | null = null;
  #publishTimer: NodeJS.Timeout | null = null;
  #stopEvents: (() => void) | null = null;
  #stopOnUp: (() => void) | null = null;
  #lastPublishAt = 0;
  #lastSentAt = 0;

  constructor(options: DescriptionPublisherOptions) {
    this.#options = options;
  }

  /** True while some node holds a lease on this one. */
  get leased(): boolean {
    return this.#tick !== null;
  }

  /** A message of the lease topic, from whichever node: checked field by field. */
  onLeaseMessage(message: unknown): void {
    const { type, origin, maxConnections } = (message ?? {}) as Partial<Record<'type' | 'origin' | 'maxConnections', unknown>>;
    if (typeof origin !== 'string' || origin === this.#options.nodeId) return;
    if (type === 'stopped') {
      this.#leases.delete(origin);
      if (this.#leases.size === 0) this.#end();
      return;
    }
    if (type !== 'watching' || typeof maxConnections !== 'number' || !Number.isFinite(maxConnections)) return;
    const now = Date.now();
    const held = this.#leases.get(origin);
    const starts = !held || held.expiresAt <= now;
    if (starts && this.#leases.size >= MAX_LEASES) return;
    this.#leases.set(origin, {
      expiresAt: now + this.#options.limits.clusterWatchLeaseMs,
      maxConnections: describedConnections(maxConnections),
    });
    if (!this.leased) this.#begin();
    // A new watcher has nothing of this node yet; a renewal changes nothing.
    if (starts || (held && held.maxConnections < describedConnections(maxConnections))) this.#publish();
  }

  /** Ends every lease; a watcher is told at once that this node is gone (shutdown). */
  stop(): void {
    if (this.leased) this.#send({ type: 'gone', nodeId: this.#options.nodeId });
    this.#end();
  }

  #begin(): void {
    const { events, pubsub, limits } = this.#options;
    // A note is a change too; answering false, the watch never makes the views build events.
    this.#stopEvents = events.subscribe(() => this.#changed(), {
      note: () => {
        this.#changed();
        return false;
      },
    });
    this.#stopOnUp = pubsub.onUp(() => this.#changed());
    this.#tick = setInterval(() => this.#onTick(), limits.clusterWatchLeaseMs / 3);
    this.#tick.unref();
  }

  #end(): void {
    this.#stopEvents?.();
    this.#stopOnUp?.();
    this.#stopEvents = this.#stopOnUp = null;
    if (this.#tick) clearInterval(this.#tick);
    if (this.#publishTimer) clearTimeout(this.#publishTimer);
    this.#tick = this.#publishTimer = null;
    this.#leases.clear();
  }

  /** Any runtime event may change the tree (a socket, a view, its state or inspectable assigns). */
  #changed(): void {
    if (this.#publishTimer || !this.leased) return;
    const wait = Math.max(0, this.#lastPublishAt + this.#options.limits.clusterWatchPublishMs - Date.now());
    this.#publishTimer = setTimeout(() => this.#publish(), wait);
    this.#publishTimer.unref();
  }

  #onTick(): void {
    const now = Date.now();
    for (const [origin, lease] of this.#leases) if (lease.expiresAt <= now) this.#leases.delete(origin);
    if (this.#leases.size === 0) {
      this.#end();
      return;
    }
    // Still here, nothing changed: the watchers keep what they have.
    if (now - this.#lastSentAt >= this.#options.limits.clusterWatchLeaseMs / 3) this.#send({ type: 'alive', nodeId: this.#options.nodeId });
  }

  #publish(): void {
    if (this.#publishTimer) clearTimeout(this.#publishTimer);
    this.#publishTimer = null;
    this.#lastPublishAt = this.#lastSentAt = Date.now();
    let max = 0;
    for (const lease of this.#leases.values()) max = Math.max(max, lease.maxConnections);
    try {
      const fields: Partial<DescribedMessage> = { type: 'description' };
      broadcastDescription(this.#options.pubsub, DESCRIBED_TOPIC, fields, this.#options.describeNode(max));
    } catch (err) {
      logger.error('cluster_watch.publish_failed', { error: err });
    }
  }

  #send(message: DescribedMessage): void {
    this.#lastSentAt = Date.now();
    this.#options.pubsub.broadcast(DESCRIBED_TOPIC, message);
  }
}
