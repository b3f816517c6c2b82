// The read-only pictures a running server gives apps (`server.describe()`, `server.crashes()`):
// plain data, so an app can show or log them without holding any of the runtime's actors.

import type { PubSubHealth } from './pubsub.ts';
/** One joined view of a connection. */
export interface ViewDescription {
  /** The channel topic, `lv:<view id>`. */
  readonly topic: string;
  /** The view's name (`defineView({ name })`). */
  readonly view: string;
  /** Where its actor is: `mounting`, `live`, … */
  readonly state: string;
  /** The liveSession it was mounted in. */
  readonly liveSession: string | null;
  /** The signed-in user's id, or null for an anonymous view. */
  readonly userId: string | null;
  /** When the join was accepted (clock ms); 0 while mounting. */
  readonly mountedAt: number;
  /** Only the assigns the view lists in `inspect`; the others are never copied. */
  readonly assigns: Readonly<Record<string, unknown>>;
}

/** One open WebSocket connection. */
export interface ConnectionDescription {
  /** The live socket id from the cookie session (`users_socket:42`), or null for an anonymous socket. */
  readonly liveSocketId: string | null;
  readonly connectionId: string;
  /** `open`, `draining` or `closed`. */
  readonly state: string;
  readonly views: readonly ViewDescription[];
}

/** What the runtime holds right now: for leak checks, dashboards and an inspector. */
export interface ServerCounts {
  readonly connections: number;
  readonly liveSocketIds: number;
  readonly views: number;
  /** PubSub subscriptions held by views (the runtime's own are not counted). */
  readonly subscriptions: number;
  /** Pending `sendAfter` / `every` timers. */
  readonly timers: number;
}

/** `server.describe()`: this node's id, its counts and its connections. */
export interface ServerDescription {
  readonly nodeId: string;
  /** The PubSub link's state (connecting / up / down), outages and reconnect attempts. */
  readonly pubsub: PubSubHealth;
  /** Other nodes heard from recently: those a disconnect waits for. */
  readonly peers: readonly string[];
  readonly counts: ServerCounts;
  readonly connections: readonly ConnectionDescription[];
}

/** One crashed view, as recorded by the runtime: the message only, never the stack. */
export interface CrashDescription {
  /** The opaque id logged with the stack and sent to the client as `error_id`. */
  readonly errorId: string;
  readonly view: string;
  readonly topic: string;
  /** The callback that threw: `mount`, `handleEvent`, `handleInfo`, `handleParams`, `render`. */
  readonly phase: string;
  readonly userId: string | null;
  /** When, in ms since the epoch. */
  readonly at: number;
  readonly message: string;
}

/** `server.crashes()`: how many views crashed since start, and the latest ones (newest first). */
export interface CrashReport {
  readonly total: number;
  readonly recent: readonly CrashDescription[];
}

/**
 * `server.describeCluster()`: every node's description, this node first, then each other node
 * that answered within `clusterReplyTimeoutMs` (by id), and the nodes believed up that did not.
 */
export interface ClusterDescription {
  readonly nodes: readonly ServerDescription[];
  readonly unanswered: readonly string[];
}

/**
 * What `server.watchCluster()` hands its listener: the other nodes as each last described itself
 * (by id), and the nodes believed up that were asked (a watch lease) but have not described
 * themselves within `clusterReplyTimeoutMs`, or went silent since.
 */
export interface WatchedCluster {
  readonly nodes: readonly ServerDescription[];
  readonly unanswered: readonly string[];
}
