// What a measured process reports about itself: CPU time (`process.cpuUsage`, user + system, every
// thread), memory after full collections (`--expose-gc`), and a CPU profile on request.

import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { wallNow } from './wall-clock.ts';

export interface ServerCounts {
  connections: number;
  liveSocketIds: number;
  views: number;
  subscriptions: number;
  timers: number;
}

export interface ProcessSample {
  at: number;
  cpuMicros: number;
  heapUsed: number;
  rss: number;
  external: number;
  arrayBuffers: number;
  counts: ServerCounts;
}

/** Full collections until the heap stops shrinking (4 to 8), with a turn of the event loop between. */
export async function collectGarbage(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('start with --expose-gc');
  let last = Infinity;
  for (let i = 0; i < 8; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
    const used = process.memoryUsage().heapUsed;
    if (i >= 3 && used >= last - 1024) break;
    last = used;
  }
}

export async function sampleProcess(gc: boolean, counts: () => ServerCounts): Promise<ProcessSample> {
  if (gc) await collectGarbage();
  const memory = process.memoryUsage();
  const { user, system } = process.cpuUsage();
  return {
    at: wallNow(),
    cpuMicros: user + system,
    heapUsed: memory.heapUsed,
    rss: memory.rss,
    external: memory.external,
    arrayBuffers: memory.arrayBuffers,
    counts: counts(),
  };
}

let profiler: Session | null = null;

/** Starts V8's sampling profiler (200 µs interval) in this process. */
export async function startProfile(): Promise<void> {
  profiler = new Session();
  profiler.connect();
  await profiler.post('Profiler.enable');
  await profiler.post('Profiler.setSamplingInterval', { interval: 200 });
  await profiler.post('Profiler.start');
}

/** Stops the profiler and writes the `.cpuprofile` (Chrome DevTools format) to `path`. */
export async function stopProfile(path: string): Promise<void> {
  if (!profiler) throw new Error('no profile running');
  const { profile } = await profiler.post('Profiler.stop');
  writeFileSync(path, JSON.stringify(profile));
  profiler.disconnect();
  profiler = null;
}
