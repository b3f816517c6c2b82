// A probe of `registry.disconnect` of many sockets of one user, run by hand: the same processes as
// the bench's fan-out phase (the compiled server on core 0, the load generator on core 1), but one
// server and many disconnects in a row, each timed as the phase times it, with the CPU time each
// process spent per socket. With `--floor`, the bare `ws` floor closes the same number of sockets
// (`ws.close(1001)` on each) in alternate runs: what the closing handshakes cost on this machine
// with nothing of ours. With `--profile`, a CPU profile of the server and of the load generator
// during each disconnect (bench/results/probe-*.cpuprofile). Runs during which other processes
// used the machine are reported and then repeated (up to three times as many runs in all).
// `npx tsx --conditions=liveward-source bench/disconnect-probe.ts [sockets] [runs] [--floor] [--profile]`

import { join } from 'node:path';
import { BenchContext, FOREIGN_LOAD_LIMIT, sleep, type Target } from './bench-context.ts';
import { parseOptions } from './bench-options.ts';
import { buildTargets } from './build-targets.ts';
import { type ControlChannel, PROJECT_ROOT } from './control-channel.ts';
import { renderProfile, summarizeProfile } from './cpu-profile.ts';
import type { EchoCommands } from './echo-server.ts';
import { FAN_OUT_USER, fanOutLimits } from './fan-out-phase.ts';
import { summarize } from './samples.ts';

const positional = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const sockets = Number(positional[0] ?? 1000);
const runs = Number(positional[1] ?? 5);
const profile = process.argv.includes('--profile');
const withFloor = process.argv.includes('--floor');

interface Probe {
  name: 'liveward' | 'floor';
  target: Target;
  cookie: string;
  disconnect(): Promise<{ calledAt: number; returnedAt: number }>;
  lastMs: number[];
}

buildTargets();
const ctx = await BenchContext.create(parseOptions(['--quick']));
const { loadgen } = ctx;
const probes: Probe[] = [];
try {
  const liveward = await ctx.startTarget('liveward', fanOutLimits(sockets));
  probes.push({
    name: 'liveward',
    target: liveward,
    cookie: await loadgen.call('login', { baseUrl: liveward.baseUrl, email: FAN_OUT_USER, password: 'bob-password' }),
    disconnect: () => liveward.server!.call('disconnect', { email: FAN_OUT_USER }),
    lastMs: [],
  });
  if (withFloor) {
    const floor = await ctx.startTarget('floor');
    const channel = floor.channel as unknown as ControlChannel<EchoCommands>;
    probes.push({ name: 'floor', target: floor, cookie: '', disconnect: () => channel.call('disconnect', undefined), lastMs: [] });
  }
  for (const probe of probes) await measure(probe, -1); // warm-up
  for (let attempt = 0; attempt < 3 * runs && probes.some((p) => p.lastMs.length < runs); attempt++) {
    for (const probe of probes) if (probe.lastMs.length < runs) await measure(probe, probe.lastMs.length);
  }
  for (const probe of probes) {
    const s = summarize(probe.lastMs);
    ctx.log(
      `${probe.name}: last close event over ${probe.lastMs.length} quiet runs: median ${s.p50.toFixed(1)} ms (${s.min.toFixed(1)}–${s.max.toFixed(1)})`,
    );
  }
} finally {
  await loadgen.call('closeAll', undefined);
  for (const probe of probes) await probe.target.stop();
  await ctx.close();
}

/** One disconnect of `sockets` fresh sockets; kept (in `probe.lastMs`) when the machine was quiet. */
async function measure(probe: Probe, run: number): Promise<void> {
  const { target } = probe;
  await ctx.ramp(target, sockets, { path: '/posts/1', cookie: probe.cookie });
  await ctx.waitForCounts(target, (c) => c.views >= sockets);
  const offsets = await ctx.offsets(target);
  await sleep(300);
  const foreign = ctx.foreignLoad();
  foreign.start();
  await loadgen.call('armClose', undefined);
  const serverCpu0 = (await target.channel.call('sample', { gc: false })).cpuMicros;
  const loadCpu0 = (await loadgen.call('mark', undefined)).cpuMicros;
  const profiled = profile && run >= 0;
  if (profiled) {
    await target.channel.call('startProfile', undefined);
    await loadgen.call('startProfile', undefined);
  }
  const call = await probe.disconnect();
  const result = await loadgen.call('awaitArrivals', { kind: 'close', timeoutMs: 30_000 });
  const elsewhere = foreign.stop();
  const loadCpu = (await loadgen.call('mark', undefined)).cpuMicros - loadCpu0;
  if (profiled) {
    await sleep(50);
    const path = (side: string): string => join(PROJECT_ROOT, 'bench', 'results', `probe-${probe.name}-${side}-${run}.cpuprofile`);
    await target.channel.call('stopProfile', { path: path('server') });
    await loadgen.call('stopProfile', { path: path('loadgen') });
    process.stdout.write(`${renderProfile(`${probe.name} server, run ${run + 1}`, summarizeProfile(path('server'), 30))}\n`);
    process.stdout.write(`${renderProfile(`load generator, run ${run + 1}`, summarizeProfile(path('loadgen'), 30))}\n`);
  }
  await loadgen.call('forgetClosed', undefined);
  await ctx.waitForCounts(target, (c) => c.connections === 0 && c.views === 0);
  const serverCpu = (await target.channel.call('sample', { gc: false })).cpuMicros - serverCpu0;
  const called = call.calledAt - offsets.target.offsetMs;
  const last = result.lastAt - offsets.loadgen.offsetMs - called;
  const frame = result.lastFrameAt - offsets.loadgen.offsetMs - called;
  const quiet = elsewhere.cores < FOREIGN_LOAD_LIMIT;
  if (run >= 0 && quiet && !profiled) probe.lastMs.push(last);
  ctx.log(
    `${probe.name} ${run < 0 ? 'warm-up' : `run ${run + 1}`}: ${result.arrived}/${result.total} closed; call ${(call.returnedAt - call.calledAt).toFixed(1)} ms, ` +
      `last close frame ${frame.toFixed(1)} ms, last close event ${last.toFixed(1)} ms; ` +
      `CPU per socket: server ${(serverCpu / sockets).toFixed(1)} µs (to the drain), load generator ${(loadCpu / sockets).toFixed(1)} µs; ` +
      `others used ${elsewhere.cores.toFixed(2)} cores${quiet ? '' : ` (${elsewhere.top ?? '?'}): not kept`}`,
  );
}
