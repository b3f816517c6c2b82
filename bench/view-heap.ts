// A quick, in-process look at what one view costs, for working on the heap per view (the full
// memory phase takes minutes and runs the compiled demo in a child process). The demo's server runs
// in this process on the sources; the load generator (bench/load-generator.ts) in a child opens
// real sockets, each GETting /counter and joining it. After a warm-up, the heap is collected and
// sampled with no views, with N idle views, and again after each view handled `--events` clicks:
// (heapUsed − baseline) / N. `--snapshot DIR` also writes heap snapshots and prints, per view,
// what each constructor adds (self sizes). `--rounds R` repeats the whole cycle on one server.
//
//   NODE_ENV=production LOG_LEVEL=warn node --expose-gc --conditions=liveward-source --import tsx \
//        bench/view-heap.ts [--views 1000]
//        [--events 20] [--rounds 1] [--snapshot DIR]

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeHeapSnapshot } from 'node:v8';
import { createLiveServer } from 'liveward';
import { buildApp } from '../apps/app.ts';
import { sleep } from './bench-context.ts';
import { ControlChannel } from './control-channel.ts';
import { diffHeapSnapshots, renderHeapDiff } from './heap-snapshot.ts';
import type { LoadCommands } from './load-generator.ts';
import { collectGarbage } from './process-sample.ts';

const { values } = parseArgs({
  options: {
    views: { type: 'string', default: '1000' },
    events: { type: 'string', default: '20' },
    rounds: { type: 'string', default: '1' },
    snapshot: { type: 'string' },
  },
});
const views = Number(values.views);
const events = Number(values.events);
const rounds = Number(values.rounds);

const dataDir = mkdtempSync(join(tmpdir(), 'liveward-view-heap-'));
const app = buildApp({ dataDir });
const server = createLiveServer({
  router: app.router,
  pipeline: app.pipeline,
  assets: app.assets,
  secretKeyBase: 'bench-secret-key-base-that-is-long-enough-0123456789',
  dataDir,
  revalidateSession: app.revalidateSession,
});
app.attach(server);
const { port } = await server.listen(0, '127.0.0.1');
const baseUrl = `http://127.0.0.1:${port}`;
const loadgen = await ControlChannel.start<LoadCommands>('bench/load-generator.ts', { name: 'load generator', core: null });

const ramp = (count: number) =>
  loadgen.call('ramp', { baseUrl, path: '/counter', count, concurrency: 20, heartbeatMs: 30_000 }).then((r) => {
    if (r.failed > 0) throw new Error(`${r.failed} joins failed: ${r.errors.slice(0, 3).join('; ')}`);
  });

async function drained(): Promise<void> {
  for (let i = 0; i < 300 && (server.counts().views > 0 || server.counts().connections > 0); i++) await sleep(50);
}

async function heap(): Promise<{ heap: number; rss: number }> {
  await collectGarbage();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, rss: m.rss };
}

function snapshot(name: string): string | null {
  return values.snapshot ? writeHeapSnapshot(join(values.snapshot, `${name}.heapsnapshot`)) : null;
}

try {
  // Warm-up: compile every path the measured views take (join, events, close) before the baseline.
  await ramp(300);
  await loadgen.call('sendEvents', { count: 300, perClient: events });
  await loadgen.call('closeAll', undefined);
  await drained();
  for (let round = 0; round < rounds; round++) {
    await sleep(300);
    const base = await heap();
    const basePath = snapshot('base');
    await ramp(views);
    await sleep(1_000);
    const idle = await heap();
    const idlePath = snapshot('idle');
    await loadgen.call('sendEvents', { count: views, perClient: events });
    await sleep(500);
    const active = await heap();
    const activePath = snapshot('active');
    const per = (b: number) => Math.round(b / views);
    process.stdout.write(
      `round ${round + 1}: ${views} views: idle ${per(idle.heap - base.heap)} B heap/view, ${per(idle.rss - base.rss)} B rss/view; ` +
        `after ${events} events ${per(active.heap - base.heap)} B heap/view (${per(active.heap - idle.heap)} B more)\n`,
    );
    if (basePath && idlePath && activePath) {
      process.stdout.write(`${renderHeapDiff('idle view', diffHeapSnapshots(basePath, idlePath, views, 40))}\n`);
      process.stdout.write(`${renderHeapDiff('active − idle', diffHeapSnapshots(idlePath, activePath, views, 20))}\n`);
    }
    await loadgen.call('closeAll', undefined);
    await drained();
  }
} finally {
  await loadgen.stop();
  await server.close();
  app.close();
  rmSync(dataDir, { recursive: true, force: true });
}
