// Cluster: two server processes (nodes A and B) on one real redis-server started here, sharing a
// data dir (database) and the secret, as two workers of one app. One user (bob, logged in once on
// node A) opens N sockets on /posts/1, half on each node. Then, per run:
// - cross-node broadcast: node A updates the post as alice (a DB write, then a PubSub broadcast
//   that reaches A's views at once and B's through Redis); timed from that call to the last `diff`
//   on node B's sockets, and on all sockets;
// - cluster-wide disconnect: node A calls `registry.disconnect('users_socket:<bob>')`; timed to the
//   last client `close` event on both nodes, and to when the call's promise resolved (node B's
//   answer in: the cluster-wide count).
// Without redis-server on the PATH (or `REDIS_SERVER`) the phase is skipped and the report says so.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleep, type BenchContext, type Target } from './bench-context.ts';
import { fanOutLimits } from './fan-out-phase.ts';
import type { ArrivalResult } from './load-generator.ts';
import type { Row } from './report.ts';
import { repeated, summarize, type Summary } from './samples.ts';
import type { ClockOffset } from './wall-clock.ts';
import { startRedis, type RunningRedis } from '../testing/redis-server.ts';

export interface ClusterRun {
  rep: number;
  /** Sockets opened on node A, then on node B. */
  sockets: { a: number; b: number };
  broadcasts: {
    /** Trigger to the last `diff` on node B's sockets (null when not every socket got one). */
    otherNodeLastMs: number | null;
    /** Trigger to the last `diff` on any socket. */
    lastMs: number;
    arrived: number;
    spread: Summary;
  }[];
  disconnect: {
    /** Trigger to the last client `close` event, both nodes. */
    lastMs: number;
    /** Trigger to the `disconnect` promise resolving with node B's count. */
    resolvedMs: number;
    arrived: number;
    closed: number;
    nodes: number;
    unanswered: number;
  };
}

export type ClusterResult = { skipped: string } | { skipped: null; target: Record<string, unknown>; runs: ClusterRun[] };

const USER = 'bob@example.com';
const EDITOR = 'alice@example.com';
const POST_PATH = '/posts/1';
/** Runs after the warm-up: each ramps the sockets again on both nodes. */
const RUNS = 3;

export async function runClusterPhase(ctx: BenchContext): Promise<ClusterResult> {
  const { options, loadgen } = ctx;
  let redis: RunningRedis;
  try {
    redis = await startRedis();
  } catch (err) {
    const why = `skipped: ${err instanceof Error ? err.message : String(err)}`;
    ctx.log(`cluster: ${why}`);
    return { skipped: why };
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'liveward-bench-cluster-'));
  const targets: Target[] = [];
  const runs: ClusterRun[] = [];
  try {
    // One after the other: the first seeds the shared database.
    const a = await ctx.startTarget('liveward', fanOutLimits(options.fanout), { redisUrl: redis.url, dataDir });
    targets.push(a);
    const b = await ctx.startTarget('liveward', fanOutLimits(options.fanout), { redisUrl: redis.url, dataDir });
    targets.push(b);
    const nodeA = a.server!;
    const nodeB = b.server!;
    await until(async () => (await nodeA.call('peers', undefined)).length === 1 && (await nodeB.call('peers', undefined)).length === 1);
    const cookie = await loadgen.call('login', { baseUrl: a.baseUrl, email: USER, password: 'bob-password' });
    const reps = options.quick ? 1 : RUNS;
    for (let rep = -1; rep < reps; rep++) {
      const half = Math.ceil(options.fanout / 2);
      ctx.log(rep < 0 ? 'cluster: warm-up' : `cluster: run ${rep + 1}, ${options.fanout} sockets of one user over two nodes`);
      const onA = await ctx.ramp(a, half, { path: POST_PATH, cookie });
      const onB = await ctx.ramp(b, options.fanout - half, { path: POST_PATH, cookie });
      await ctx.waitForCounts(a, (c) => c.views >= onA.opened);
      await ctx.waitForCounts(b, (c) => c.views >= onB.opened);
      const offsets = await ctx.offsets(a);
      const toLocal = (t: number, o: ClockOffset): number => t - o.offsetMs;

      const broadcasts: ClusterRun['broadcasts'] = [];
      for (let i = 0; i < (rep < 0 ? 1 : options.broadcasts); i++) {
        await loadgen.call('armDiff', undefined);
        const call = await nodeA.call('updatePost', { postId: 1, editor: EDITOR });
        const result = await loadgen.call('awaitArrivals', { kind: 'diff', timeoutMs: 30_000 });
        const delays = result.times.map((t) => toLocal(t, offsets.loadgen) - toLocal(call.calledAt, offsets.target));
        broadcasts.push({
          // The load generator keeps its clients in ramp order: node A's first, then node B's.
          otherNodeLastMs: result.arrived === result.total ? Math.max(...delays.slice(onA.opened)) : null,
          lastMs: lastOf(result, delays),
          arrived: result.arrived,
          spread: summarize(delays),
        });
        await sleep(200);
      }

      await loadgen.call('armClose', undefined);
      const call = await nodeA.call('disconnect', { email: USER });
      const result = await loadgen.call('awaitArrivals', { kind: 'close', timeoutMs: 30_000 });
      await loadgen.call('forgetClosed', undefined);
      await ctx.waitForCounts(a, (c) => c.connections === 0);
      await ctx.waitForCounts(b, (c) => c.connections === 0);
      if (rep < 0) continue;
      const triggeredAt = toLocal(call.calledAt, offsets.target);
      const delays = result.times.map((t) => toLocal(t, offsets.loadgen) - triggeredAt);
      runs.push({
        rep,
        sockets: { a: onA.opened, b: onB.opened },
        broadcasts,
        disconnect: {
          lastMs: lastOf(result, delays),
          resolvedMs: call.resolvedAt - call.calledAt,
          arrived: result.arrived,
          closed: call.closed,
          nodes: call.nodes,
          unanswered: call.unanswered,
        },
      });
    }
    return { skipped: null, target: a.info, runs };
  } finally {
    await loadgen.call('closeAll', undefined);
    for (const target of targets) await target.stop();
    await redis.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function lastOf(result: ArrivalResult, delays: number[]): number {
  return result.arrived > 0 ? Math.max(...delays) : NaN;
}

async function until(condition: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error('cluster: the two nodes did not see each other on Redis');
    await sleep(100);
  }
}

/** The table's rows for this phase (one text row when it was skipped). */
export function clusterRows(result: ClusterResult | null): Row[] {
  if (!result) return [];
  if (result.skipped !== null) {
    return [
      {
        area: 'Cluster',
        figure: 'two nodes on one redis-server',
        n: '',
        unit: 'text',
        liveward: null,
        floor: null,
        ratio: null,
        text: result.skipped,
      },
    ];
  }
  const runs = result.runs;
  if (runs.length === 0) return [];
  const n = `${(runs[0]!.sockets.a + runs[0]!.sockets.b).toLocaleString('en-US')} sockets, 2 nodes`;
  const row = (figure: string, values: number[]): Row => ({
    area: 'Cluster',
    figure,
    n,
    unit: 'ms',
    liveward: repeated(values),
    floor: null,
    ratio: null,
  });
  const other = runs.flatMap((r) => r.broadcasts.map((b) => b.otherNodeLastMs)).filter((v): v is number => v !== null);
  return [
    ...(other.length > 0 ? [row('broadcast on node A → every view on node B got its `diff`', other)] : []),
    row(
      'broadcast on node A → every view on both nodes got its `diff`',
      runs.flatMap((r) => r.broadcasts.map((b) => b.lastMs)),
    ),
    row(
      '`disconnect(id)` on node A → every socket on both nodes closed (client `close` event)',
      runs.map((r) => r.disconnect.lastMs),
    ),
    row(
      '`disconnect(id)` on node A → cluster-wide result (node B answered)',
      runs.map((r) => r.disconnect.resolvedMs),
    ),
  ];
}

/** Notes under the table: what did not arrive, and how the nodes were placed. */
export function clusterNotes(result: ClusterResult | null): string[] {
  if (!result || result.skipped !== null) return [];
  const notes: string[] = [];
  for (const run of result.runs) {
    const total = run.sockets.a + run.sockets.b;
    for (const b of run.broadcasts)
      if (b.arrived < total)
        notes.push(`**Cluster run ${run.rep + 1}: a broadcast reached only ${b.arrived} of ${total} views within 30 s.**`);
    if (run.disconnect.arrived < total || run.disconnect.unanswered > 0 || run.disconnect.nodes < 2) {
      notes.push(
        `**Cluster run ${run.rep + 1}: the disconnect closed ${run.disconnect.arrived} of ${total} sockets on ${run.disconnect.nodes} node(s), ${run.disconnect.unanswered} node(s) unanswered.**`,
      );
    }
  }
  return notes;
}

/** The "how it is measured" bullet. */
export const CLUSTER_METHOD =
  "- **Cluster.** Two server processes on one `redis-server` started by the bench (no persistence, loopback), sharing the data dir and the secret; both on the server core, so the second node competes with the first for it, and Redis runs unpinned. Bob logs in once; half the sockets GET and join /posts/1 on node A, half on node B. Broadcast: node A calls `Blog.updatePost` as alice, timed to the last `diff` on node B's sockets and on all of them. Disconnect: node A calls `registry.disconnect('users_socket:<bob>')`, timed to the last client `close` event on both nodes and to the call's cluster-wide result (node B's answer in). Clocks are corrected as in the fan-out phase. A warm-up run first, not reported.";
