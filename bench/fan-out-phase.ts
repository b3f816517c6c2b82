// Fan-out: one user (bob, logged in once over the HTTP form) with N sockets, each of which GETs
// /posts/1 with bob's cookie, opens its own socket and joins. Then:
// - broadcast: the server updates the post as alice (`Blog.updatePost`: a DB write, then a PubSub
//   broadcast to every viewer); timed from that call until the last socket has received its `diff`;
// - disconnect: the server calls `registry.disconnect('users_socket:<bob>')`; timed from that call
//   until the last socket has seen its close (the client's `close` event: the closing handshake is
//   complete).
// The server stamps the call and the load generator stamps each arrival, both on `wallNow()`; the
// orchestrator corrects both by their measured clock offsets (see wall-clock.ts).

import type { Limits } from '../server/index.ts';
import { sleep, type BenchContext } from './bench-context.ts';
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

export async function runFanOutPhase(ctx: BenchContext): Promise<{ target: Record<string, unknown>; runs: FanOutRun[]; redone: number }> {
  const { options, loadgen } = ctx;
  const target = await ctx.startTarget('liveward', fanOutLimits(options.fanout));
  const server = target.server!;
  const runs: FanOutRun[] = [];
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
        await loadgen.call('armDiff', undefined);
        const call = await server.call('updatePost', { postId: 1, editor: EDITOR });
        const result = await loadgen.call('awaitArrivals', { kind: 'diff', timeoutMs: 30_000 });
        broadcasts.push(
          arrival(result, toLocal(call.calledAt, offsets.target), call.returnedAt - call.calledAt, (t) => toLocal(t, offsets.loadgen)),
        );
        await sleep(200);
      }

      await loadgen.call('armClose', undefined);
      const call = await server.call('disconnect', { email: FAN_OUT_USER });
      const result = await loadgen.call('awaitArrivals', { kind: 'close', timeoutMs: 30_000 });
      await loadgen.call('forgetClosed', undefined);
      await ctx.waitForCounts(target, (c) => c.connections === 0 && c.views === 0);
      if (rep < 0) continue;
      const elsewhere = foreign.stop();
      if (ctx.shouldRedo(elsewhere, redone)) {
        redone++;
        rep--;
        continue;
      }
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
  } finally {
    await loadgen.call('closeAll', undefined);
    await target.stop();
  }
  return { target: target.info, runs, redone };
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
