// The inspector's feed: what the open inspectors draw, built from the runtime events while at least
// one inspector watches and from nothing otherwise (with nobody watching, the runtime builds no
// events on its hot paths). It subscribes as a sampler: the reports that come at the clients' rate
// (allowed events, their handling, callback traces) are *noted* — counted here in place, from the
// view's topic and name, with no object built — and only a sample becomes events: at most
// SAMPLED_PER_SECOND of each a second, plus every one of a view an inspector shows (`follow`).
// Denials, mounts, refusals, crashes, terminations and disconnects are rare and always kept.
// It keeps, all bounded:
//   - a ring of recent events (the timeline), redacted at the source: runtime events carry ids and
//     names only;
//   - per view (by topic): events handled (exact) and denied, recent transitions, the callback trace;
//   - per second: events, denials (exact) and open views over the last minutes (the charts).
// A change the operator should see at once (a rare event, or one of a followed view) is pushed to
// the open inspectors as one coalesced PubSub notice per NOTIFY_EVERY_MS, however many arrived; the
// counts and sampled events wait for the one-second tick that also refreshes uptimes and charts —
// both only while someone watches. The inspector's own views are left out, so watching does not
// feed itself.
// In a cluster, the feed watches the other nodes while an inspector is open here
// (`server.watchCluster`): each pushes its own description when its tree changes, coalesced, and
// the feed pushes their trees on the same coalesced notice. Nothing is asked on the tick; the other
// nodes pay for it only while some inspector watches them.

import type { LiveServer, NotedEventType, RuntimeEvent, ServerDescription } from 'liveward';

export const INSPECTOR_TOPIC = 'inspector:changed';
export const INSPECTOR_VIEW = 'inspector';
/** At most one push to the inspectors per this many ms, whatever the event rate. */
const NOTIFY_EVERY_MS = 250;
/** The clock of the charts and uptimes, only while an inspector is open. */
const TICK_MS = 1_000;
/** Seconds of chart history. */
export const CHART_SECONDS = 300;
/** Views whose history the feed keeps; the oldest is forgotten first. */
const TRACKED_VIEWS = 2_000;
/**
 * Allowed events (with their handling) and callback traces built as events per second, each; the
 * others are only counted. A view an inspector shows is traced in full.
 */
export const SAMPLED_PER_SECOND = 20;
/** Ticks a view stays followed after an inspector last drew it (each push draws it again). */
const FOLLOW_TICKS = 3;

/**
 * Runtime events the inspector keeps by default; the oldest are forgotten. The inspector's own
 * bound, not the runtime's: the runtime keeps no events, it only emits them to listeners.
 */
export const INSPECTOR_BUFFER_EVENTS = 2_000;
const TRANSITIONS_PER_VIEW = 12;
const TRACE_PER_VIEW = 20;
/** Connections drawn per node, this one included (another node describes no more than these). */
export const SHOWN_CONNECTIONS = 200;

/** An entry of the timeline: a runtime event, or an operator's action in the inspector. */
export type FeedEntry = (RuntimeEvent | { type: 'account.terminated'; userId: string; by: string; closed: number; nodes: number }) & {
  at: number;
};

/** A transition of a view's machine, named as in its definition (event, guard), plus a detail. */
export interface Transition {
  from: string;
  to: string;
  event: string;
  guard: string | null;
  /** What the event was about: the client event's name, the close reason, the refusal code. */
  detail: string;
  at: number;
}

export interface TraceEntry {
  callback: string;
  durationMs: number;
  diffBytes?: number;
  at: number;
}

export interface ViewHistory {
  handled: number;
  denied: number;
  state: string;
  transitions: Transition[];
  trace: TraceEntry[];
}

/** The other nodes of the cluster as they last described themselves, and those that did not. */
export interface OtherNodes {
  nodes: readonly ServerDescription[];
  unanswered: readonly string[];
}

const NO_OTHER_NODES: OtherNodes = { nodes: [], unanswered: [] };

export interface ChartPoint {
  second: number;
  events: number;
  denials: number;
  views: number;
}

export class InspectorFeed {
  readonly #ring: FeedEntry[] = [];
  readonly #capacity: number;
  #next = 0;
  #count = 0;
  readonly #views = new Map<string, ViewHistory>();
  readonly #series: ChartPoint[] = [];
  /** This second's counts, closed into a chart point by the tick. */
  #events = 0;
  #denials = 0;
  /** This second's sample budgets: events still to build, per noted type. */
  #allowedSamples = SAMPLED_PER_SECOND;
  #callbackSamples = SAMPLED_PER_SECOND;
  /** Followed topics, each until the tick number it is kept to. */
  readonly #followed = new Map<string, number>();
  #ticks = 0;
  #notifyTimer: NodeJS.Timeout | null = null;
  #tick: NodeJS.Timeout | null = null;
  #unsubscribe: (() => void) | null = null;
  #server: LiveServer | null = null;
  #watchers = 0;
  #otherNodes: OtherNodes = NO_OTHER_NODES;
  #stopClusterWatch: (() => void) | null = null;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  attach(server: LiveServer): void {
    this.#server = server;
  }

  detach(): void {
    this.#stopWatching();
    if (this.#notifyTimer) clearTimeout(this.#notifyTimer);
    this.#notifyTimer = null;
  }

  /** An inspector view starts watching; returns the function that stops it. */
  watch(): () => void {
    if (this.#watchers++ === 0) {
      this.#events = this.#denials = 0;
      this.#unsubscribe = this.server.events.subscribe((event) => this.#record(event), {
        note: (type, topic, view) => this.#note(type, topic, view),
      });
      this.#tick = setInterval(() => this.#onTick(), TICK_MS);
      this.#tick.unref();
      this.#watchCluster();
    }
    let watching = true;
    return () => {
      if (!watching) return;
      watching = false;
      if (--this.#watchers === 0) this.#stopWatching();
    };
  }

  get server(): LiveServer {
    if (!this.#server) throw new Error('inspector feed is not attached to a server');
    return this.#server;
  }

  /** Newest first, the entries for which `keep` is true, at most `limit`. */
  recent(limit: number, keep: (entry: FeedEntry) => boolean = () => true): FeedEntry[] {
    const out: FeedEntry[] = [];
    for (let i = 1; i <= this.#count && out.length < limit; i++) {
      const entry = this.#ring[(this.#next - i + this.#capacity) % this.#capacity]!;
      if (keep(entry)) out.push(entry);
    }
    return out;
  }

  /** Every entry still in the ring (for the filter's choices). */
  entries(): FeedEntry[] {
    return this.recent(this.#count);
  }

  history(topic: string): ViewHistory | null {
    return this.#views.get(topic) ?? null;
  }

  /** The other nodes' trees as they last described themselves (none until the first, or on one node). */
  otherNodes(): OtherNodes {
    return this.#otherNodes;
  }

  /** The chart points, oldest first: one per tick (the second it closed). */
  series(): readonly ChartPoint[] {
    return this.#series;
  }

  /**
   * Traces every report of the view on `topic`, not a sample, for the next few ticks: an
   * inspector calls it each time it draws that view's detail. Bounded by the views drawn.
   */
  follow(topic: string): void {
    this.#followed.set(topic, this.#ticks + FOLLOW_TICKS);
  }

  /** Records an operator's action (the runtime reports its own effects, e.g. the disconnect). */
  recordAction(entry: Extract<FeedEntry, { type: 'account.terminated' }>): void {
    this.#append(entry);
    this.#notify();
  }

  #stopWatching(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    if (this.#tick) clearInterval(this.#tick);
    this.#tick = null;
    this.#stopClusterWatch?.();
    this.#stopClusterWatch = null;
    this.#otherNodes = NO_OTHER_NODES;
  }

  /**
   * A view's hot path, once per allowed event and per traced callback: count in place, and say
   * whether to build this one (a followed view's always; else while this second's budget lasts).
   */
  #note(type: NotedEventType, topic: string, view: string): boolean {
    if (view === INSPECTOR_VIEW) return false;
    if (type === 'event.allowed') {
      this.#events++;
      // A view that handles events is live, whatever the feed heard of it before.
      this.#viewOf(topic, 'live').handled++;
    }
    if (this.#followed.size > 0 && this.#followed.has(topic)) return true;
    if (type === 'event.allowed') return this.#allowedSamples > 0 && this.#allowedSamples-- > 0;
    return this.#callbackSamples > 0 && this.#callbackSamples-- > 0;
  }

  #record(event: RuntimeEvent & { at: number }): void {
    if ('view' in event && event.view === INSPECTOR_VIEW) return;
    if ('topic' in event) this.#trackView(event);
    if (event.type === 'event.denied') {
      this.#events++;
      this.#denials++;
    }
    // The sampled, high-rate reports wait for the tick unless an inspector shows their view.
    const sampled = event.type === 'event.allowed' || event.type === 'event.handled' || event.type === 'view.callback';
    const urgent = !sampled || ('topic' in event && this.#followed.has(event.topic));
    // The callback trace is per view only: thousands of renders would flush the timeline.
    if (event.type !== 'view.callback') this.#append(event);
    if (urgent) this.#notify();
  }

  #append(entry: FeedEntry): void {
    this.#ring[this.#next] = entry;
    this.#next = (this.#next + 1) % this.#capacity;
    this.#count = Math.min(this.#count + 1, this.#capacity);
  }

  /** The history of the view on `topic`, begun in `state` if the feed has none yet. */
  #viewOf(topic: string, state = 'mount'): ViewHistory {
    let view = this.#views.get(topic);
    if (!view) {
      if (this.#views.size >= TRACKED_VIEWS) this.#views.delete(this.#views.keys().next().value!);
      view = { handled: 0, denied: 0, state, transitions: [], trace: [] };
      this.#views.set(topic, view);
    }
    return view;
  }

  #trackView(event: Extract<RuntimeEvent, { topic: string }> & { at: number }): void {
    const view = this.#viewOf(event.topic);
    const move = (to: string, machineEvent: string, guard: string | null, detail = ''): void => {
      push(view.transitions, { from: view.state, to, event: machineEvent, guard, detail, at: event.at }, TRANSITIONS_PER_VIEW);
      view.state = to;
    };
    switch (event.type) {
      case 'view.mounted':
        // A rejoin on the same topic starts the machine again.
        view.state = 'mount';
        move('live', 'mount.done', 'joined');
        break;
      case 'view.join_refused':
        view.state = 'mount';
        move('terminated', 'mount.done', null, event.code);
        break;
      case 'event.allowed':
        // Counted when noted; only the sampled ones are transitions here.
        move(view.state, 'client.event', 'isAllowed', event.event);
        break;
      case 'event.denied':
        view.denied++;
        move(view.state, 'client.event', null, `${event.event} denied`);
        break;
      case 'view.crashed':
        move('terminated', 'crash', null, event.phase);
        break;
      case 'view.terminated':
        if (view.state !== 'terminated') move('terminated', event.why === 'leave' ? 'client.leave' : 'close', null, event.why);
        break;
      case 'event.handled':
        push(view.trace, { callback: `handleEvent ${event.event}`, durationMs: event.durationMs, at: event.at }, TRACE_PER_VIEW);
        break;
      case 'view.callback':
        push(
          view.trace,
          { callback: event.callback, durationMs: event.durationMs, diffBytes: event.diffBytes, at: event.at },
          TRACE_PER_VIEW,
        );
        break;
    }
  }

  /** Closes this second's chart point, renews the sample budgets, forgets stale follows, pushes. */
  #onTick(): void {
    const point = {
      second: Math.floor(Date.now() / 1000),
      events: this.#events,
      denials: this.#denials,
      views: this.server.counts().views,
    };
    this.#series.push(point);
    if (this.#series.length > CHART_SECONDS) this.#series.shift();
    this.#events = this.#denials = 0;
    this.#allowedSamples = this.#callbackSamples = SAMPLED_PER_SECOND;
    this.#ticks++;
    for (const [topic, until] of this.#followed) if (until < this.#ticks) this.#followed.delete(topic);
    this.#broadcast();
  }

  /** Holds a watch lease on the other nodes: they push their trees when they change. */
  #watchCluster(): void {
    const server = this.server;
    if (!server.pubsub.distributed) return;
    this.#stopClusterWatch = server.watchCluster(SHOWN_CONNECTIONS, (others) => {
      this.#otherNodes = others;
      this.#notify();
    });
  }

  #notify(): void {
    if (this.#notifyTimer) return;
    this.#notifyTimer = setTimeout(() => {
      this.#notifyTimer = null;
      this.#broadcast();
    }, NOTIFY_EVERY_MS);
    this.#notifyTimer.unref();
  }

  #broadcast(): void {
    this.#server?.pubsub.broadcast(INSPECTOR_TOPIC, { type: 'changed' });
  }
}

function push<T>(list: T[], item: T, max: number): void {
  list.push(item);
  if (list.length > max) list.shift();
}
