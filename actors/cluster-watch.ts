// The watching side of a cluster inspector: pushed, never polled. While something on this node
// watches the cluster (an open inspector), this node holds a watch lease on every other node: it
// publishes `watching` on the lease topic at once and every third of `clusterWatchLeaseMs`, and
// `stopped` when the last watcher here ends. Each leased node pushes its own description on the
// described topic when its tree changes (`description-publisher.ts`); this side keeps the latest
// per node, read field by field and only from the node it describes, drops a node silent for
// the lease plus `clusterReplyTimeoutMs` or gone from the registry's presence, and lists the nodes
// believed up that were asked but have not described themselves as unanswered. The described
// topic is subscribed only while watching, so an unwatched node receives none of it.

import type { Limits } from '../runtime/limits.ts';
import { logger } from '../runtime/logger.ts';
import type { PubSub } from '../runtime/pubsub.ts';
import { readServerDescription } from '../runtime/read-server-description.ts';
import type { ServerDescription, WatchedCluster } from '../runtime/server-description.ts';
import { describedConnections } from './description-broadcast.ts';

/** Where watchers take and give up their leases: `watching` (start or renewal), `stopped`. */
export const LEASE_TOPIC = 'registry:watch';
/** Where leased nodes push: `description`, `alive` (nothing changed), `gone` (shutting down). */
export const DESCRIBED_TOPIC = 'registry:described';

export type LeaseMessage = { type: 'watching'; origin: string; maxConnections: number } | { type: 'stopped'; origin: string };
export type DescribedMessage =
  | { type: 'description'; nodeId: string; description: ServerDescription }
  | { type: 'alive'; nodeId: string }
  | { type: 'gone'; nodeId: string };

export interface ClusterWatchOptions {
  nodeId: string;
  pubsub: PubSub;
  limits: Pick<Limits, 'clusterWatchLeaseMs' | 'clusterReplyTimeoutMs'>;
  /** The other nodes believed up (the registry's presence). */
  peers: () => string[];
}

interface Watcher {
  maxConnections: number;
  onChange: (cluster: WatchedCluster) => void;
}

const NOTHING: WatchedCluster = { nodes: [], unanswered: [] };

export class ClusterWatch {
  readonly #options: ClusterWatchOptions;
  readonly #watchers = new Set<Watcher>();
  /** Each other node's latest description, and when it was last heard from (ms). */
  readonly #described = new Map<string, { description: ServerDescription; heardAt: number }>();
  /** When each node believed up was first sent a lease (ms): it is unanswered past the reply timeout. */
  readonly #askedAt = new Map<string, number>();
  /** Nodes that said they were shutting down: not unanswered while presence still lists them. */
  readonly #gone = new Set<string>();
  #unsubscribe: (() => void) | null = null;
  #renewTimer: NodeJS.Timeout | null = null;
  #checkTimer: NodeJS.Timeout | null = null;
  #current: WatchedCluster = NOTHING;

  constructor(options: ClusterWatchOptions) {
    this.#options = options;
  }

  /** Subscriptions held for the watch (the described topic while watching), for the runtime's own count. */
  get ownSubscriptions(): number {
    return this.#unsubscribe ? 1 : 0;
  }

  /**
   * Calls `onChange` with the other nodes' trees (at most `maxConnections` connections each)
   * each time one changes, until the returned function is called.
   */
  watch(maxConnections: number, onChange: (cluster: WatchedCluster) => void): () => void {
    const watcher: Watcher = { maxConnections: describedConnections(maxConnections), onChange };
    const widened = watcher.maxConnections > this.#maxConnections();
    this.#watchers.add(watcher);
    if (this.#watchers.size === 1) this.#start();
    else {
      if (widened) this.#renew();
      onChange(this.#current);
    }
    let watching = true;
    return () => {
      if (!watching) return;
      watching = false;
      this.#watchers.delete(watcher);
      if (this.#watchers.size === 0) this.#stop();
    };
  }

  /** Ends every watch (the server is stopping). */
  stop(): void {
    this.#watchers.clear();
    this.#stop();
  }

  #maxConnections(): number {
    let max = 0;
    for (const watcher of this.#watchers) max = Math.max(max, watcher.maxConnections);
    return max;
  }

  #start(): void {
    this.#unsubscribe = this.#options.pubsub.subscribe(DESCRIBED_TOPIC, (message) => this.#onDescribed(message));
    this.#renew();
    this.#renewTimer = setInterval(() => this.#renew(), this.#options.limits.clusterWatchLeaseMs / 3);
    this.#renewTimer.unref();
  }

  #stop(): void {
    if (!this.#unsubscribe) return;
    this.#unsubscribe();
    this.#unsubscribe = null;
    if (this.#renewTimer) clearInterval(this.#renewTimer);
    if (this.#checkTimer) clearTimeout(this.#checkTimer);
    this.#renewTimer = this.#checkTimer = null;
    this.#described.clear();
    this.#askedAt.clear();
    this.#gone.clear();
    this.#current = NOTHING;
    const message: LeaseMessage = { type: 'stopped', origin: this.#options.nodeId };
    this.#options.pubsub.broadcast(LEASE_TOPIC, message);
  }

  /** Takes or renews the lease on every node, and forgets the nodes gone silent. */
  #renew(): void {
    const now = Date.now();
    const peers = new Set(this.#options.peers());
    let asked = false;
    for (const id of peers) {
      if (this.#askedAt.has(id)) continue;
      this.#askedAt.set(id, now);
      asked = true;
    }
    for (const id of this.#askedAt.keys()) if (!peers.has(id)) this.#askedAt.delete(id);
    for (const id of this.#gone) if (!peers.has(id)) this.#gone.delete(id);
    const horizon = now - this.#options.limits.clusterWatchLeaseMs - this.#options.limits.clusterReplyTimeoutMs;
    for (const [id, { heardAt }] of this.#described) if (heardAt < horizon || !peers.has(id)) this.#described.delete(id);
    const message: LeaseMessage = { type: 'watching', origin: this.#options.nodeId, maxConnections: this.#maxConnections() };
    this.#options.pubsub.broadcast(LEASE_TOPIC, message);
    // A node asked now that has not described itself by the reply timeout is drawn as unanswered.
    if (asked && !this.#checkTimer) {
      this.#checkTimer = setTimeout(() => {
        this.#checkTimer = null;
        this.#update();
      }, this.#options.limits.clusterReplyTimeoutMs);
      this.#checkTimer.unref();
    }
    this.#update();
  }

  #onDescribed(message: unknown): void {
    const { type, nodeId, description } = (message ?? {}) as Partial<Record<'type' | 'nodeId' | 'description', unknown>>;
    if (typeof nodeId !== 'string' || nodeId === this.#options.nodeId) return;
    if (type === 'gone') {
      this.#described.delete(nodeId);
      this.#gone.add(nodeId);
    } else if (type === 'alive') {
      const known = this.#described.get(nodeId);
      if (!known) return;
      known.heardAt = Date.now();
      return;
    } else if (type === 'description') {
      const read = readServerDescription(description, this.#maxConnections());
      // A node describes itself: a description under another id is none.
      if (read === null || read.nodeId !== nodeId) {
        logger.debug('cluster_watch.bad_description', { nodeId });
        return;
      }
      this.#described.set(nodeId, { description: read, heardAt: Date.now() });
      this.#gone.delete(nodeId);
    } else return;
    this.#update();
  }

  /** Tells the watchers when what they draw changed. */
  #update(): void {
    const now = Date.now();
    const byId = <T>(entries: [string, T][]): T[] => entries.sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)).map(([, v]) => v);
    const nodes = byId([...this.#described].map(([id, { description }]) => [id, description] as [string, ServerDescription]));
    const unanswered = [...this.#askedAt]
      .filter(([id, at]) => now - at >= this.#options.limits.clusterReplyTimeoutMs && !this.#described.has(id) && !this.#gone.has(id))
      .map(([id]) => id)
      .sort();
    const previous = this.#current;
    if (
      nodes.length === previous.nodes.length &&
      nodes.every((n, i) => n === previous.nodes[i]) &&
      unanswered.join('\n') === previous.unanswered.join('\n')
    )
      return;
    this.#current = { nodes, unanswered };
    for (const watcher of [...this.#watchers]) {
      try {
        watcher.onChange(this.#current);
      } catch (err) {
        logger.error('cluster_watch.listener_failed', { error: err });
      }
    }
  }
}
