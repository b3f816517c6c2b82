// Inspector: what watching costs. N clients run closed-loop `increment` round trips on a fresh
// server (as in the event phase, at its largest N); a window is measured with no inspector open,
// then an admin signs in and joins /inspector on one more socket (the feed subscribes to the
// runtime events as a sampler: it counts every event in place and has a sample built; it ticks
// and pushes every second, at once for rare events), and a second
// window is measured with the load still running. Server CPU per event in each, and the ratio.

import { sleep, type BenchContext } from './bench-context.ts';
import { EVENT_PHASE_LIMITS, measureWindow, type EventLevel } from './event-phase.ts';
import type { Row } from './report.ts';
import { repeated } from './samples.ts';

export interface InspectorRun {
  rep: number;
  clients: number;
  /** Whether the admin's socket joined /inspector (the second window is "watched" only then). */
  inspectorJoined: boolean;
  unwatched: EventLevel;
  watched: EventLevel;
}

const ADMIN = { email: 'admin@example.com', password: 'admin-password' };

export async function runInspectorPhase(ctx: BenchContext, rep: number): Promise<InspectorRun> {
  const { options, loadgen } = ctx;
  const clients = Math.max(...options.clients);
  const target = await ctx.startTarget('liveward', EVENT_PHASE_LIMITS);
  try {
    ctx.log(`inspector: run ${rep + 1}, ${clients} client(s), without then with an inspector open`);
    await ctx.ramp(target, clients);
    await loadgen.call('startEvents', { count: clients });
    await sleep(options.warmupS * 1000);
    const unwatched = await measureWindow(ctx, target, clients, options.measureS);
    const cookie = await loadgen.call('login', { baseUrl: target.baseUrl, ...ADMIN });
    // One more client, after the N counters: `startEvents` never picks it.
    const inspector = await ctx.ramp(target, 1, { path: '/inspector', cookie });
    if (inspector.opened !== 1) ctx.log(`  the inspector did not join: ${inspector.errors.join('; ')}`);
    await sleep(options.warmupS * 1000);
    const watched = await measureWindow(ctx, target, clients, options.measureS);
    await loadgen.call('stopEvents', undefined);
    return { rep, clients, inspectorJoined: inspector.opened === 1, unwatched, watched };
  } finally {
    await loadgen.call('closeAll', undefined);
    await target.stop();
  }
}

/** The table's rows: CPU per event unwatched and watched, the ratio in the ratio column. */
export function inspectorRows(runs: InspectorRun[]): Row[] {
  const joined = runs.filter((r) => r.inspectorJoined);
  if (joined.length === 0) return [];
  const n = `${joined[0]!.clients.toLocaleString('en-US')} clients`;
  const unwatched = repeated(joined.map((r) => r.unwatched.serverCpuPerEventMicros));
  const watched = repeated(joined.map((r) => r.watched.serverCpuPerEventMicros));
  return [
    { area: 'Inspector', figure: 'server CPU per event, no inspector open', n, unit: 'µs', liveward: unwatched, floor: null, ratio: null },
    {
      area: 'Inspector',
      figure: 'server CPU per event, one inspector open (ratio: ÷ none open)',
      n,
      unit: 'µs',
      liveward: watched,
      floor: null,
      ratio: watched.median / unwatched.median,
    },
    {
      area: 'Inspector',
      figure: 'events per second, one inspector open (ratio: ÷ none open)',
      n,
      unit: '/s',
      liveward: repeated(joined.map((r) => r.watched.eventsPerSecond)),
      floor: null,
      ratio:
        repeated(joined.map((r) => r.watched.eventsPerSecond)).median / repeated(joined.map((r) => r.unwatched.eventsPerSecond)).median,
    },
  ];
}

export function inspectorNotes(runs: InspectorRun[]): string[] {
  const missing = runs.filter((r) => !r.inspectorJoined).length;
  return missing > 0 ? [`**The inspector did not join in ${missing} inspector run(s)**; those runs are left out.`] : [];
}

/** The "how it is measured" bullet. */
export const INSPECTOR_METHOD =
  '- **Inspector.** As the event phase at its largest client count, on a fresh server per run: a window with no inspector open, then the admin logs in and one more socket joins /inspector (runtime events noted and counted in place, a sample of them built, a push every second), and a second window with the load still running. The unwatched window is the cost of the runtime as it is without anyone watching: the runtime builds no event object then.';
