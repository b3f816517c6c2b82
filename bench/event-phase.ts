// Events: N clients (1, 100, 1,000), each sending `increment` and the next one as soon as the reply
// arrives (closed loop). After a warm-up, a window is bracketed by a sample of the target's CPU time
// and a mark of the load generator (taken together): events/s and the round-trip percentiles come
// from the replies inside the window, CPU per event is the target's CPU time over the window divided
// by those events. The same load generator drives the Liveward server and the echo floor, each in a
// fresh process per run. The ramp to the largest N is also the "ramp to 1,000" join figure.

import { sleep, type BenchContext, type Target, type TargetKind, type TargetRamp } from './bench-context.ts';
import { summarize, type Summary } from './samples.ts';

export interface EventLevel {
  clients: number;
  events: number;
  /** Replies with `status: error` (e.g. `overloaded`); counted, not timed. */
  failed: number;
  seconds: number;
  eventsPerSecond: number;
  latency: Summary;
  serverCpuPerEventMicros: number;
  /** Share of one core the target used in the window. */
  serverBusy: number;
  loadgenCpuPerEventMicros: number;
  loadgenBusy: number;
  /** Cores' worth of CPU other processes on the machine used during the window. */
  foreignCores: number;
  /** The other process that used the most, if any. */
  foreignTop: string | null;
  /** Windows thrown away and measured again because other processes used the machine. */
  remeasured: number;
}

export interface JoinRamp {
  clients: number;
  opened: number;
  failed: number;
  errors: string[];
  elapsedMs: number;
  joinsPerSecond: number;
  /** The server's CPU time over the ramp ÷ joins (absent in results from before it was sampled). */
  serverCpuPerJoinMicros?: number;
  /** GET + socket + join, ms. */
  latency: Summary;
  get: Summary;
  socket: Summary;
  join: Summary;
  loadgenBusy: number;
  /** GETs retried after a keep-alive connection was closed under them (as a browser retries). */
  retriedGets: number;
}

export interface EventRun {
  kind: TargetKind;
  rep: number;
  target: Record<string, unknown>;
  levels: EventLevel[];
  ramp: JoinRamp;
}

/**
 * Liveward's event limit per socket (200/s) would throttle a single closed-loop client, so the event
 * phase raises it; checking the bucket costs the same whatever the limit.
 */
export const EVENT_PHASE_LIMITS = { maxEventsPerSecond: 1_000_000 };

export async function runEventPhase(
  ctx: BenchContext,
  kind: TargetKind,
  rep: number,
  profilePath: string | null = null,
): Promise<EventRun> {
  const { options, loadgen } = ctx;
  const target = await ctx.startTarget(kind, kind === 'liveward' ? EVENT_PHASE_LIMITS : {});
  const ramps: TargetRamp[] = [];
  const levels: EventLevel[] = [];
  let open = 0;
  try {
    for (const clients of options.clients) {
      ctx.log(`events: ${kind} run ${rep + 1}, ${clients} client(s)`);
      if (clients > open) {
        const ramp = await ctx.ramp(target, clients - open);
        if (ramp.failed > 0) ctx.log(`  ${ramp.failed} client(s) failed to join: ${ramp.errors.join('; ')}`);
        ramps.push(ramp);
        open += ramp.opened;
      }
      await loadgen.call('startEvents', { count: clients });
      await sleep(options.warmupS * 1000);
      const profiling = profilePath !== null && clients === options.clients.at(-1);
      if (profiling) await target.channel.call('startProfile', undefined);
      // A window in which other processes used the machine is measured again (the load keeps
      // running), at most `MAX_REDOS` times and within the run's budget; the level records
      // how often.
      let level: EventLevel;
      let remeasured = 0;
      for (;;) {
        level = await measureWindow(ctx, target, clients, options.measureS);
        if (profiling || !ctx.shouldRedo({ cores: level.foreignCores, top: level.foreignTop }, remeasured)) break;
        remeasured++;
        await sleep(2_000);
      }
      if (profiling) await target.channel.call('stopProfile', { path: profilePath });
      await loadgen.call('stopEvents', undefined);
      levels.push({ ...level, remeasured });
    }
  } finally {
    await loadgen.call('closeAll', undefined);
    await target.stop();
  }
  return { kind, rep, target: target.info, levels, ramp: mergeRamps(ramps, open) };
}

/**
 * One measured window while the first `clients` clients send events. `countErrors`: `error`
 * replies count as events too (a window of refused events), not only as `failed`.
 */
export async function measureWindow(
  ctx: BenchContext,
  target: Target,
  clients: number,
  measureS: number,
  { countErrors = false }: { countErrors?: boolean } = {},
): Promise<EventLevel> {
  const { loadgen } = ctx;
  const foreign = ctx.foreignLoad();
  foreign.start();
  const [s0, m0] = await Promise.all([target.channel.call('sample', { gc: false }), loadgen.call('mark', undefined)]);
  await sleep(measureS * 1000);
  const [s1, m1] = await Promise.all([target.channel.call('sample', { gc: false }), loadgen.call('mark', undefined)]);
  const elsewhere = foreign.stop();
  const events = m1.completed - m0.completed + (countErrors ? m1.failed - m0.failed : 0);
  const seconds = (m1.at - m0.at) / 1000;
  const serverCpu = s1.cpuMicros - s0.cpuMicros;
  const loadCpu = m1.cpuMicros - m0.cpuMicros;
  return {
    clients,
    events,
    failed: m1.failed - m0.failed,
    seconds,
    eventsPerSecond: events / seconds,
    latency: m1.latency,
    serverCpuPerEventMicros: serverCpu / events,
    serverBusy: serverCpu / ((s1.at - s0.at) * 1000),
    loadgenCpuPerEventMicros: loadCpu / events,
    loadgenBusy: loadCpu / (seconds * 1e6),
    foreignCores: elsewhere.cores,
    foreignTop: elsewhere.top,
    remeasured: 0,
  };
}

/** One ramp in stages, reported as one: all latencies pooled, the steps of the last stage. */
export function mergeRamps(ramps: TargetRamp[], clients: number): JoinRamp {
  const total = ramps.flatMap((r) => r.total);
  const elapsedMs = ramps.reduce((sum, r) => sum + r.elapsedMs, 0);
  const last = ramps.at(-1)!;
  return {
    clients,
    opened: total.length,
    failed: ramps.reduce((sum, r) => sum + r.failed, 0),
    errors: ramps.flatMap((r) => r.errors).slice(0, 5),
    elapsedMs,
    joinsPerSecond: total.length / (elapsedMs / 1000),
    serverCpuPerJoinMicros: ramps.reduce((sum, r) => sum + r.serverCpuMicros, 0) / total.length,
    latency: summarize(total),
    // The steps are reported for the largest stage of the ramp (most of its joins).
    get: last.get,
    socket: last.socket,
    join: last.join,
    loadgenBusy: ramps.reduce((sum, r) => sum + r.cpuMicros, 0) / (elapsedMs * 1000),
    retriedGets: ramps.reduce((sum, r) => sum + r.retriedGets, 0),
  };
}
