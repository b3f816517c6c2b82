// Fan-out: one user (bob, logged in once over the HTTP form) with N sockets, each of which GETs
// /posts/1 with bob's cookie, opens its own socket and joins. Then:
// - broadcast: the server updates the post as alice (`Blog.updatePost`: a DB write, then a PubSub
//   broadcast to every viewer); timed from that call until the last socket has received its `diff`;
// - disconnect: the server calls `registry.disconnect('users_socket:<bob>')`; timed from that call
//   until the last socket has seen its close (the client's `close` event: the closing handshake is
//   complete).
// The server stamps the call and the load generator stamps each arrival, both on `wallNow()`; the
// orchestrator corrects both by their measured clock offsets (see wall-clock.ts).
// Each run is followed by one of the floor (the bare `ws` echo server, in its own process): as
// many bare sockets, each closed with 1001 as a kick closes it, timed the same way: what the
// closing handshakes alone cost on this machine with this load generator.
// Then the wide broadcast: `broadcastViews` (10,000) sockets of the same user on the same post,
// and the same broadcast timed again, to compare the time per view with the runs' 1,000.

import type { Limits } from '../server/index.ts';
import { sleep, type BenchContext, type Target } from './bench-context.ts';
import type { ControlChannel } from './control-channel.ts';
import type { EchoCommands } from './echo-server.ts';
import type { ArrivalResult } from './load-generator.ts';
import { summarize, type Summary } from './samples.ts';
import type { ClockOffset } from './wall-clock.ts';

export interface Arrival {
  sockets: number;
  arrived: number;
  /** Trigger to the last arrival, ms. */
  lastMs: number;
  /** Trigger to each arrival, ms. */
  spread: Summary;
  /** How long the server call itself took (for the broadcast: the DB write and queueing). */
  callMs: number;
  /** The server's CPU time from before the call until every arrival (broadcasts only), µs. */
  serverCpuMicros?: number;
}

export interface FanOutRun {
  rep: number;
  /** Cores' worth of CPU other processes used during the run, and the busiest of them. */
  foreign: { cores: number; top: string | null };
  sockets: number;
  joined: number;
  broadcasts: Arrival[];
  disconnect: Arrival & {
    closedByServer: number;
    closeCodes: Record<string, number>;
    /** Trigger to the last close frame received (the `close` events follow the handshake). */
    lastCloseFrameMs: number;
  };
  offsets: { server: ClockOffset; loadgen: ClockOffset };
}

/** The floor's disconnect: as many bare sockets, each closed with 1001 by a bare `ws` server. */
export interface FloorDisconnectRun {
  rep: number;
  foreign: { cores: number; top: string | null };
  disconnect: Arrival & { lastCloseFrameMs: number };
}

/** One broadcast to many more views of the same topic. */
export interface WideBroadcast {
  views: number;
  /** Views the server held when the broadcasts began. */
  joined: number;
  rampSeconds: number;
  failedJoins: number;
  /** Other processes' CPU during each kept broadcast (the worst of them). */
  foreign: { cores: number; top: string | null };
  broadcasts: Arrival[];
}

export interface FanOutResult {
  target: Record<string, unknown>;
  runs: FanOutRun[];
  /** Absent in results from before the floor's disconnect was measured. */
  floor?: FloorDisconnectRun[];
  /** Absent (or null) when not measured. */
  wide?: WideBroadcast | null;
  redone: number;
}

export const FAN_OUT_USER = 'bob@example.com';

/**
 * The per-session caps raised to the fan-out's size: every socket is the same user's, and the
 * defaults (`maxSocketsPerSession` 50) would refuse all but the first 50.
 */
export function fanOutLimits(sockets: number): Partial<Limits> {
  return { maxSocketsPerSession: sockets, maxViewsPerSession: sockets };
}
const EDITOR = 'alice@example.com';
const POST_PATH = '/posts/1';

export async function runFanOutPhase(ctx: BenchContext): Promise<FanOutResult> {
  const { options, loadgen } = ctx;
  const target = await ctx.startTarget('liveward', fanOutLimits(Math.max(options.fanout, options.broadcastViews)));
  const floor = await ctx.startTarget('floor');
  const floorChannel = floor.channel as unknown as ControlChannel<EchoCommands>;
  const server = target.server!;
  const runs: FanOutRun[] = [];
  const floorRuns: FloorDisconnectRun[] = [];
  let wide: WideBroadcast | null = null;
  let redone = 0;
  try {
    const cookie = await loadgen.call('login', { baseUrl: target.baseUrl, email: FAN_OUT_USER, password: 'bob-password' });
    // One full-size warm-up run, not reported: the first broadcast and disconnect of a process
    // run cold code (measured here: about twice as slow).
    for (let rep = -1; rep < options.fanoutReps; rep++) {
      const sockets = options.fanout;
      ctx.log(rep < 0 ? 'fan-out: warm-up' : `fan-out: run ${rep + 1}, ${sockets} sockets of one user`);
      const foreign = ctx.foreignLoad();
      foreign.start();
      const ramp = await ctx.ramp(target, sockets, { path: POST_PATH, cookie });
      const counts = await ctx.waitForCounts(target, (c) => c.views >= ramp.opened);
      const offsets = await ctx.offsets(target);
      const toLocal = (t: number, o: ClockOffset): number => t - o.offsetMs;

      const broadcasts: Arrival[] = [];
      for (let b = 0; b < (rep < 0 ? 1 : options.broadcasts); b++) {
        broadcasts.push(await timeBroadcast(ctx, target, offsets));
        await sleep(200);
      }

      await loadgen.call('armClose', undefined);
      const call = await server.call('disconnect', { email: FAN_OUT_USER });
      const result = await loadgen.call('awaitArrivals', { kind: 'close', timeoutMs: 30_000 });
      await loadgen.call('forgetClosed', undefined);
      await ctx.waitForCounts(target, (c) => c.connections === 0 && c.views === 0);
      const floorRun = await floorDisconnect(ctx, floor, floorChannel, rep);
      if (rep < 0) continue;
      const elsewhere = foreign.stop();
      if (ctx.shouldRedo(elsewhere, redone)) {
        redone++;
        rep--;
        continue;
      }
      floorRuns.push(floorRun);
      runs.push({
        rep,
        foreign: elsewhere,
        sockets,
        joined: counts.views,
        broadcasts,
        disconnect: {
          ...arrival(result, toLocal(call.calledAt, offsets.target), call.returnedAt - call.calledAt, (t) => toLocal(t, offsets.loadgen)),
          closedByServer: call.closed,
          closeCodes: result.codes,
          lastCloseFrameMs: toLocal(result.lastFrameAt, offsets.loadgen) - toLocal(call.calledAt, offsets.target),
        },
        offsets: { server: offsets.target, loadgen: offsets.loadgen },
      });
    }
    if (options.broadcastViews > 0) wide = await wideBroadcast(ctx, target, cookie);
  } finally {
    await loadgen.call('closeAll', undefined);
    await target.stop();
    await floor.stop();
  }
  return { target: target.info, runs, floor: floorRuns, wide, redone };
}

/** Times one post update from the server's call to the last view's `diff`. */
async function timeBroadcast(ctx: BenchContext, target: Target, offsets: { target: ClockOffset; loadgen: ClockOffset }): Promise<Arrival> {
  const { loadgen } = ctx;
  await loadgen.call('armDiff', undefined);
  // The server's CPU around the whole delivery: what the broadcast costs it, whatever the client
  // side (one load generator receiving every diff in turn) adds to the time to the last diff.
  const before = await target.channel.call('sample', { gc: false });
  const call = await target.server!.call('updatePost', { postId: 1, editor: EDITOR });
  const result = await loadgen.call('awaitArrivals', { kind: 'diff', timeoutMs: 30_000 });
  const after = await target.channel.call('sample', { gc: false });
  const toLocal = (t: number, o: ClockOffset): number => t - o.offsetMs;
  return {
    ...arrival(result, toLocal(call.calledAt, offsets.target), call.returnedAt - call.calledAt, (t) => toLocal(t, offsets.loadgen)),
    serverCpuMicros: after.cpuMicros - before.cpuMicros,
  };
}

/** As many bare sockets on the floor, each closed with 1001 by the bare `ws` server. */
async function floorDisconnect(
  ctx: BenchContext,
  floor: Target,
  channel: ControlChannel<EchoCommands>,
  rep: number,
): Promise<FloorDisconnectRun> {
  const { loadgen, options } = ctx;
  const foreign = ctx.foreignLoad();
  foreign.start();
  await ctx.ramp(floor, options.fanout);
  await ctx.waitForCounts(floor, (c) => c.views >= options.fanout);
  const offsets = await ctx.offsets(floor);
  await loadgen.call('armClose', undefined);
  const call = await channel.call('disconnect', undefined);
  const result = await loadgen.call('awaitArrivals', { kind: 'close', timeoutMs: 30_000 });
  await loadgen.call('forgetClosed', undefined);
  await ctx.waitForCounts(floor, (c) => c.connections === 0);
  const calledAt = call.calledAt - offsets.target.offsetMs;
  return {
    rep,
    foreign: foreign.stop(),
    disconnect: {
      ...arrival(result, calledAt, call.returnedAt - call.calledAt, (t) => t - offsets.loadgen.offsetMs),
      lastCloseFrameMs: result.lastFrameAt - offsets.loadgen.offsetMs - calledAt,
    },
  };
}

/**
 * `broadcastViews` sockets of the user on the same post, an unmeasured broadcast, then
 * `broadcasts` timed ones (each taken again when other processes used the machine meanwhile).
 */
async function wideBroadcast(ctx: BenchContext, target: Target, cookie: string): Promise<WideBroadcast> {
  const { options, loadgen } = ctx;
  const views = options.broadcastViews;
  ctx.log(`fan-out: ramp to ${views} views of one post for the wide broadcast`);
  const ramp = await ctx.ramp(target, views, { path: POST_PATH, cookie });
  const counts = await ctx.waitForCounts(target, (c) => c.views >= ramp.opened, 60_000);
  const offsets = await ctx.offsets(target);
  await timeBroadcast(ctx, target, offsets); // warm-up
  await sleep(500);
  const broadcasts: Arrival[] = [];
  let worst = { cores: 0, top: null as string | null };
  let redone = 0;
  while (broadcasts.length < options.broadcasts) {
    const foreign = ctx.foreignLoad();
    foreign.start();
    const timed = await timeBroadcast(ctx, target, offsets);
    const elsewhere = foreign.stop();
    await sleep(500);
    if (ctx.shouldRedo(elsewhere, redone)) {
      redone++;
      continue;
    }
    if (elsewhere.cores > worst.cores) worst = elsewhere;
    broadcasts.push(timed);
  }
  ctx.log(`fan-out: closing the ${views} views`);
  await loadgen.call('closeAll', undefined);
  await ctx.waitForCounts(target, (c) => c.connections === 0 && c.views === 0, 60_000);
  return {
    views,
    joined: counts.views,
    rampSeconds: ramp.elapsedMs / 1000,
    failedJoins: ramp.failed,
    foreign: worst,
    broadcasts,
  };
}

function arrival(result: ArrivalResult, triggeredAt: number, callMs: number, toLocal: (t: number) => number): Arrival {
  const delays = result.times.map((t) => toLocal(t) - triggeredAt);
  return {
    sockets: result.total,
    arrived: result.arrived,
    lastMs: result.arrived ? toLocal(result.lastAt) - triggeredAt : NaN,
    spread: summarize(delays),
    callMs,
  };
}
