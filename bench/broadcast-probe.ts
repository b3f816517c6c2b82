// A probe of a PubSub broadcast to many views of one topic, run by hand: the fan-out phase's
// processes and views (sockets of one user on /posts/1), grown in steps in one server, with a few
// timed broadcasts at each step: the time to the last `diff`, and the CPU time each process spent
// per view. With `--profile`, a CPU profile of the server during the last broadcast of each step
// (bench/results/probe-broadcast-*.cpuprofile).
// `npx tsx --conditions=liveward-source bench/broadcast-probe.ts [views,views,…] [broadcasts] [--profile]`

import { join } from 'node:path';
import { BenchContext, sleep } from './bench-context.ts';
import { parseOptions } from './bench-options.ts';
import { buildTargets } from './build-targets.ts';
import { PROJECT_ROOT } from './control-channel.ts';
import { renderProfile, summarizeProfile } from './cpu-profile.ts';
import { FAN_OUT_USER, fanOutLimits } from './fan-out-phase.ts';

const positional = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const steps = (positional[0] ?? '1000,10000').split(',').map(Number);
const broadcasts = Number(positional[1] ?? 3);
const profile = process.argv.includes('--profile');

buildTargets();
const ctx = await BenchContext.create(parseOptions(['--quick']));
const { loadgen } = ctx;
const target = await ctx.startTarget('liveward', fanOutLimits(Math.max(...steps)));
const server = target.server!;
try {
  const cookie = await loadgen.call('login', { baseUrl: target.baseUrl, email: FAN_OUT_USER, password: 'bob-password' });
  let open = 0;
  for (const views of steps) {
    await ctx.ramp(target, views - open, { path: '/posts/1', cookie });
    open = views;
    await ctx.waitForCounts(target, (c) => c.views >= views, 60_000);
    const offsets = await ctx.offsets(target);
    for (let b = -1; b < broadcasts; b++) {
      await sleep(500);
      const foreign = ctx.foreignLoad();
      foreign.start();
      const profiled = profile && b === broadcasts - 1;
      await loadgen.call('armDiff', undefined);
      const serverCpu0 = (await target.channel.call('sample', { gc: false })).cpuMicros;
      const loadCpu0 = (await loadgen.call('mark', undefined)).cpuMicros;
      if (profiled) await target.channel.call('startProfile', undefined);
      const call = await server.call('updatePost', { postId: 1, editor: 'alice@example.com' });
      const result = await loadgen.call('awaitArrivals', { kind: 'diff', timeoutMs: 60_000 });
      const serverCpu = (await target.channel.call('sample', { gc: false })).cpuMicros - serverCpu0;
      const loadCpu = (await loadgen.call('mark', undefined)).cpuMicros - loadCpu0;
      const elsewhere = foreign.stop();
      if (profiled) {
        const path = join(PROJECT_ROOT, 'bench', 'results', `probe-broadcast-${views}.cpuprofile`);
        await target.channel.call('stopProfile', { path });
        process.stdout.write(`${renderProfile(`server, broadcast to ${views} views`, summarizeProfile(path, 30))}\n`);
      }
      const last = result.lastAt - offsets.loadgen.offsetMs - (call.calledAt - offsets.target.offsetMs);
      ctx.log(
        `${views} views, ${b < 0 ? 'warm-up' : `broadcast ${b + 1}`}${profiled ? ' (profiled)' : ''}: ${result.arrived}/${result.total} diffs, last ${last.toFixed(0)} ms = ${((last * 1000) / views).toFixed(1)} µs per view; ` +
          `CPU per view: server ${(serverCpu / views).toFixed(1)} µs, load generator ${(loadCpu / views).toFixed(1)} µs; others used ${elsewhere.cores.toFixed(2)} cores`,
      );
    }
  }
} finally {
  await loadgen.call('closeAll', undefined);
  await target.stop();
  await ctx.close();
}
