// `npm run bench -- --profile`: where the server's time goes. V8's sampling profiler runs inside the
// server process (node:inspector) only around the part being looked at: the largest event window
// (Liveward and the floor), a ramp of joins, and a `registry.disconnect` of one user's sockets.
// Then two heap snapshots say what an idle view is made of. Profiling slows the process down, so
// these runs report no table figures.

import { join } from 'node:path';
import { sleep, type BenchContext } from './bench-context.ts';
import { renderProfile, summarizeProfile } from './cpu-profile.ts';
import { runEventPhase } from './event-phase.ts';
import { FAN_OUT_USER, fanOutLimits } from './fan-out-phase.ts';
import { diffHeapSnapshots, renderHeapDiff, renderHeapResidual } from './heap-snapshot.ts';

export async function runProfilePass(ctx: BenchContext, dir: string, date: string): Promise<string> {
  const { options, loadgen } = ctx;
  const sections: string[] = [`### Server CPU profiles — ${date.slice(0, 10)}`, ''];
  const top = options.clients.at(-1)!;
  const add = (title: string, path: string): void => {
    sections.push(renderProfile(title, summarizeProfile(path)));
  };

  for (const kind of ['liveward', 'floor'] as const) {
    const path = join(dir, `profile-events-${kind}.cpuprofile`);
    ctx.log(`profile: ${kind}, ${top} clients sending events`);
    const run = await runEventPhase(ctx, kind, 0, path);
    const level = run.levels.at(-1)!;
    add(
      `${kind === 'liveward' ? 'Liveward' : 'Floor'}: ${top} clients sending \`increment\`, ${options.measureS} s window (${Math.round(level.eventsPerSecond)} events/s under the profiler)`,
      path,
    );
  }

  const target = await ctx.startTarget('liveward', fanOutLimits(Math.max(top, options.fanout)));
  try {
    ctx.log('profile: joins');
    await ctx.ramp(target, 200); // warm-up
    await loadgen.call('closeAll', undefined);
    const joinPath = join(dir, 'profile-joins.cpuprofile');
    await target.channel.call('startProfile', undefined);
    const ramp = await ctx.ramp(target, top);
    await target.channel.call('stopProfile', { path: joinPath });
    await loadgen.call('closeAll', undefined);
    add(
      `Liveward: ramp of ${top} joins to /counter (GET + socket + join; ${Math.round(ramp.total.length / (ramp.elapsedMs / 1000))} joins/s under the profiler)`,
      joinPath,
    );

    ctx.log('profile: disconnect');
    const cookie = await loadgen.call('login', { baseUrl: target.baseUrl, email: FAN_OUT_USER, password: 'bob-password' });
    await ctx.ramp(target, top, { path: '/posts/1', cookie });
    await ctx.waitForCounts(target, (c) => c.views >= top);
    const disconnectPath = join(dir, 'profile-disconnect.cpuprofile');
    await loadgen.call('armClose', undefined);
    await target.channel.call('startProfile', undefined);
    await target.server!.call('disconnect', { email: FAN_OUT_USER });
    await loadgen.call('awaitArrivals', { kind: 'close', timeoutMs: 30_000 });
    await ctx.waitForCounts(target, (c) => c.connections === 0);
    await sleep(50);
    await target.channel.call('stopProfile', { path: disconnectPath });
    await loadgen.call('forgetClosed', undefined);
    add(`Liveward: \`registry.disconnect\` of ${top} sockets of one user, until every socket is closed`, disconnectPath);

    ctx.log(`profile: heap snapshots, 0 and ${top} idle counter views`);
    const basePath = join(dir, 'heap-0-views.heapsnapshot');
    const loadedPath = join(dir, `heap-${top}-views.heapsnapshot`);
    await target.server!.call('heapSnapshot', { path: basePath });
    await ctx.ramp(target, top);
    await sleep(2_000);
    await target.server!.call('heapSnapshot', { path: loadedPath });
    await loadgen.call('closeAll', undefined);
    sections.push(
      renderHeapDiff(
        `Liveward: heap of one idle \`/counter\` view (snapshot with ${top} views − snapshot with none)`,
        diffHeapSnapshots(basePath, loadedPath, top),
      ),
    );
    await ctx.waitForCounts(target, (c) => c.connections === 0 && c.views === 0);
    await sleep(500);
    const closedPath = join(dir, 'heap-closed.heapsnapshot');
    await target.server!.call('heapSnapshot', { path: closedPath });
    sections.push(
      renderHeapResidual(
        `Liveward: what stays on the heap after those ${top} views closed (− the same baseline)`,
        diffHeapSnapshots(basePath, closedPath, 1, 12),
      ),
    );
  } finally {
    await loadgen.call('closeAll', undefined);
    await target.stop();
  }
  return sections.join('\n');
}
