// Memory: idle connected counter views. A fresh server is warmed up (a few hundred joins and
// their events, then closed), collected (`global.gc()` until the heap stops shrinking) and
// sampled as the baseline. Clients are then ramped up to each population (1,000, then 10,000):
// each GETs /counter, opens its own socket and joins, then sits idle, heartbeating every 30 s as
// phoenix.js does. After a short settle the server is collected and sampled: (heap − baseline) /
// views, and the same for RSS. The first run then holds the largest population (60 s by default)
// and checks that no socket and no view was lost and every heartbeat was answered. Then every view
// handles `ACTIVE_EVENTS` `increment` clicks (back to back per client) and the server is collected
// and sampled again: the heap of an active view, against the idle one. Finally every client
// closes, the server's counts must drain to zero, and the heap is compared with the baseline.

import { sleep, type BenchContext, type TargetRamp } from './bench-context.ts';
import { mergeRamps, type JoinRamp } from './event-phase.ts';
import type { Status } from './load-generator.ts';
import type { ProcessSample, ServerCounts } from './process-sample.ts';

export interface MemoryLevel {
  views: number;
  heapPerViewBytes: number;
  rssPerViewBytes: number;
  /** Memory outside the JS heap that V8 knows about (ws buffers), per view. */
  externalPerViewBytes: number;
  sample: ProcessSample;
}

export interface HoldResult {
  seconds: number;
  views: number;
  /** Views the server no longer held at the end (expected − `counts().views`). */
  lostViews: number;
  /** Sockets the load generator no longer had open at the end. */
  lostSockets: number;
  /** Lowest `counts().views` seen while holding (polled every 5 s). */
  minViews: number;
  unexpectedCloses: number;
  loadgen: Status;
  after: MemoryLevel;
}

/** The largest population again, after each of its views handled `events` clicks. */
export interface ActiveLevel extends MemoryLevel {
  events: number;
  /** Heap per view now − heap per view while idle (the same views, the same baseline). */
  overIdleBytes: number;
  /** How long the clicks took, all clients at once. */
  sendMs: number;
  /** Clicks answered with an error (none expected: the figure is of views that handled every event). */
  refused?: number;
}

export interface MemoryRun {
  rep: number;
  /** Cores' worth of CPU other processes used during the run, and the busiest of them. */
  foreign: { cores: number; top: string | null };
  target: Record<string, unknown>;
  warmupViews: number;
  baseline: ProcessSample;
  levels: MemoryLevel[];
  /** The ramp from 0 to the largest population (its stages, back to back). */
  ramp: JoinRamp;
  hold: HoldResult | null;
  active: ActiveLevel | null;
  closed: {
    closeMs: number;
    counts: ServerCounts;
    after: ProcessSample;
    heapDeltaBytes: number;
    rssDeltaBytes: number;
  };
}

const WARMUP_VIEWS = 300;
/** Clicks each view handles before the active sample. */
export const ACTIVE_EVENTS = 20;
const SETTLE_MS = 2_000;

export async function runMemoryPhase(ctx: BenchContext, rep: number, hold: boolean): Promise<MemoryRun> {
  const { options, loadgen } = ctx;
  const target = await ctx.startTarget('liveward');
  const channel = target.channel;
  const foreign = ctx.foreignLoad();
  foreign.start();
  try {
    ctx.log(`memory: run ${rep + 1}, warm-up with ${WARMUP_VIEWS} views`);
    await ctx.ramp(target, WARMUP_VIEWS);
    // The event path too: its compiled code would otherwise count against the active views.
    await loadgen.call('sendEvents', { count: WARMUP_VIEWS, perClient: ACTIVE_EVENTS });
    await loadgen.call('closeAll', undefined);
    await ctx.waitForCounts(target, (c) => c.connections === 0 && c.views === 0);
    await sleep(500);
    const baseline = await channel.call('sample', { gc: true });

    const levels: MemoryLevel[] = [];
    const ramps: TargetRamp[] = [];
    let open = 0;
    for (const views of options.views) {
      ctx.log(`memory: run ${rep + 1}, ramp to ${views} views`);
      const ramp = await ctx.ramp(target, views - open);
      open += ramp.opened;
      ramps.push(ramp);
      await sleep(SETTLE_MS);
      levels.push(level(views, baseline, await channel.call('sample', { gc: true })));
    }
    const largest = options.views.at(-1)!;

    let holdResult: HoldResult | null = null;
    if (hold) {
      ctx.log(`memory: holding ${largest} idle views for ${options.holdS} s (heartbeats every ${options.heartbeatS} s)`);
      const deadline = performance.now() + options.holdS * 1000;
      let minViews = Infinity;
      while (performance.now() < deadline) {
        await sleep(Math.min(5_000, Math.max(0, deadline - performance.now())));
        const { counts } = await channel.call('sample', { gc: false });
        minViews = Math.min(minViews, counts.views);
      }
      const status = await loadgen.call('status', undefined);
      const after = level(largest, baseline, await channel.call('sample', { gc: true }));
      holdResult = {
        seconds: options.holdS,
        views: largest,
        lostViews: largest - after.sample.counts.views,
        lostSockets: largest - status.open,
        minViews,
        unexpectedCloses: status.unexpectedCloses,
        loadgen: status,
        after,
      };
    }

    ctx.log(`memory: run ${rep + 1}, ${ACTIVE_EVENTS} events on each of the ${open} views`);
    const sending = performance.now();
    const before = await loadgen.call('mark', undefined);
    await loadgen.call('sendEvents', { count: open, perClient: ACTIVE_EVENTS });
    const refused = (await loadgen.call('mark', undefined)).failed - before.failed;
    const sendMs = performance.now() - sending;
    await sleep(SETTLE_MS);
    const activeSample = level(largest, baseline, await channel.call('sample', { gc: true }));
    const idle = levels.at(-1)!;
    const active: ActiveLevel = {
      ...activeSample,
      events: ACTIVE_EVENTS,
      overIdleBytes: activeSample.heapPerViewBytes - idle.heapPerViewBytes,
      sendMs,
      refused,
    };

    ctx.log(`memory: run ${rep + 1}, closing ${open} clients`);
    const started = performance.now();
    await loadgen.call('closeAll', undefined);
    const counts = await ctx.waitForCounts(target, (c) => c.connections === 0 && c.views === 0 && c.subscriptions === 0);
    const closeMs = performance.now() - started;
    await sleep(500);
    const after = await channel.call('sample', { gc: true });
    return {
      rep,
      foreign: foreign.stop(),
      target: target.info,
      warmupViews: WARMUP_VIEWS,
      baseline,
      levels,
      ramp: mergeRamps(ramps, open),
      hold: holdResult,
      active,
      closed: {
        closeMs,
        counts,
        after,
        heapDeltaBytes: after.heapUsed - baseline.heapUsed,
        rssDeltaBytes: after.rss - baseline.rss,
      },
    };
  } finally {
    await loadgen.call('closeAll', undefined);
    await target.stop();
  }
}

function level(expected: number, baseline: ProcessSample, sample: ProcessSample): MemoryLevel {
  // Divide by what the server actually holds (the same as `expected` unless joins failed).
  const views = sample.counts.views || expected;
  return {
    views: expected,
    heapPerViewBytes: (sample.heapUsed - baseline.heapUsed) / views,
    rssPerViewBytes: (sample.rss - baseline.rss) / views,
    externalPerViewBytes: (sample.external - baseline.external) / views,
    sample,
  };
}
