// What every phase needs: the options, the load generator (one process for the whole run, on core
// 1), and a way to start a fresh target process (Liveward or the echo floor, on core 0).

import type { Limits } from '../server/index.ts';
import type { BenchOptions } from './bench-options.ts';
import { ControlChannel } from './control-channel.ts';
import type { EchoCommands } from './echo-server.ts';
import type { LoadCommands, RampResult } from './load-generator.ts';
import type { ServerCommands } from './server-process.ts';
import type { ProcessSample } from './process-sample.ts';
import { ForeignLoad } from './machine-load.ts';
import { estimateOffset, type ClockOffset } from './wall-clock.ts';

/** Other processes' CPU (in cores) that makes a measurement be taken again. */
export const FOREIGN_LOAD_LIMIT = 0.05;
/** Times one measurement is taken again, at most, because other processes used the machine. */
const MAX_REDOS = 3;

const SERVER_CORE = 0;
const LOAD_CORE = 1;

export type TargetKind = 'liveward' | 'floor';

/** Commands both targets serve. */
export type TargetCommands = {
  now: (_: void) => number;
  sample: (args: { gc: boolean }) => Promise<ProcessSample>;
  startProfile: (_: void) => Promise<void>;
  stopProfile: (args: { path: string }) => Promise<void>;
};

/** A ramp with the target's CPU time (user + system) over it, µs. */
export interface TargetRamp extends RampResult {
  serverCpuMicros: number;
}

export interface Target {
  kind: TargetKind;
  baseUrl: string;
  channel: ControlChannel<TargetCommands>;
  /** The Liveward server's own channel (null for the floor). */
  server: ControlChannel<ServerCommands> | null;
  info: Record<string, unknown>;
  stop(): Promise<void>;
}

export class BenchContext {
  readonly options: BenchOptions;
  readonly loadgen: ControlChannel<LoadCommands>;
  readonly #started = performance.now();
  /** Measurements the run may still repeat because other processes disturbed them (bounds the time). */
  #retries = 8;
  /** Every process the bench started (and its own and its parent's), for `ForeignLoad`. */
  readonly #pids = new Set<number>([process.pid, process.ppid]);

  private constructor(options: BenchOptions, loadgen: ControlChannel<LoadCommands>) {
    this.options = options;
    this.loadgen = loadgen;
  }

  static async create(options: BenchOptions): Promise<BenchContext> {
    const loadgen = await ControlChannel.start<LoadCommands>('bench/load-generator.ts', {
      name: 'load generator',
      core: options.pin ? LOAD_CORE : null,
    });
    const ctx = new BenchContext(options, loadgen);
    ctx.#own(loadgen);
    return ctx;
  }

  #own(channel: { child: { pid?: number | undefined } }): void {
    if (channel.child.pid !== undefined) this.#pids.add(channel.child.pid);
  }

  /** Measures what other processes use of the machine from `start()` to `stop()`. */
  foreignLoad(): ForeignLoad {
    return new ForeignLoad(() => this.#pids);
  }

  /**
   * A fresh target process, listening. Liveward gets `limits` (defaults otherwise), and with
   * `cluster` joins the other nodes on that Redis, sharing their data dir (database and users).
   */
  async startTarget(
    kind: TargetKind,
    limits: Partial<Limits> = {},
    cluster: { redisUrl: string; dataDir: string } | null = null,
  ): Promise<Target> {
    const core = this.options.pin ? SERVER_CORE : null;
    if (kind === 'floor') {
      const echo = await ControlChannel.start<EchoCommands>('bench/dist/echo-server.js', {
        name: 'echo floor',
        compiled: true,
        core,
        nodeFlags: ['--expose-gc'],
      });
      this.#own(echo);
      const started = await echo.call('start', {});
      return {
        kind,
        baseUrl: started.baseUrl,
        channel: echo as unknown as ControlChannel<TargetCommands>,
        server: null,
        info: { ...started, pinnedTo: echo.pinnedTo },
        stop: () => echo.stop(),
      };
    }
    const server = await ControlChannel.start<ServerCommands>('bench/dist/server-process.js', {
      name: 'liveward server',
      compiled: true,
      core,
      nodeFlags: ['--expose-gc'],
      env: { LOG_LEVEL: 'warn', ...(cluster ? { BENCH_DATA_DIR: cluster.dataDir } : {}) },
    });
    this.#own(server);
    const started = await server.call('start', { limits, redisUrl: cluster?.redisUrl ?? null });
    return {
      kind,
      baseUrl: started.baseUrl,
      channel: server as unknown as ControlChannel<TargetCommands>,
      server,
      info: { ...started, limits, pinnedTo: server.pinnedTo },
      stop: () => server.stop(),
    };
  }

  /** Offsets of the target's and the load generator's clocks from ours. */
  async offsets(target: Target): Promise<{ target: ClockOffset; loadgen: ClockOffset }> {
    return {
      target: await estimateOffset(() => target.channel.call('now', undefined)),
      loadgen: await estimateOffset(() => this.loadgen.call('now', undefined)),
    };
  }

  /**
   * Opens `count` more clients on the target (GET + socket + join, `concurrency` at once), with
   * the target's CPU time over the ramp.
   */
  async ramp(target: Target, count: number, options: { path?: string; cookie?: string } = {}): Promise<TargetRamp> {
    const before = await target.channel.call('sample', { gc: false });
    const ramp = await this.loadgen.call('ramp', {
      baseUrl: target.baseUrl,
      path: options.path ?? '/counter',
      count,
      concurrency: this.options.concurrency,
      ...(options.cookie ? { cookie: options.cookie } : {}),
      heartbeatMs: this.options.heartbeatS * 1000,
    });
    const after = await target.channel.call('sample', { gc: false });
    return { ...ramp, serverCpuMicros: after.cpuMicros - before.cpuMicros };
  }

  /** Waits until the target's counts satisfy `done` (polling), or `timeoutMs` passes. */
  async waitForCounts(
    target: Target,
    done: (counts: ProcessSample['counts']) => boolean,
    timeoutMs = 15_000,
  ): Promise<ProcessSample['counts']> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const { counts } = await target.channel.call('sample', { gc: false });
      if (done(counts) || performance.now() > deadline) return counts;
      await sleep(100);
    }
  }

  /**
   * Whether a measurement during which other processes used `elsewhere.cores` of the machine is
   * taken again: only past `FOREIGN_LOAD_LIMIT`, at most `MAX_REDOS` times for one measurement
   * (`doneSoFar`), and while the run's budget lasts. Says so in the log when it is.
   */
  shouldRedo(elsewhere: { cores: number; top: string | null }, doneSoFar: number): boolean {
    if (elsewhere.cores < FOREIGN_LOAD_LIMIT || doneSoFar >= MAX_REDOS || !this.takeRetry()) return false;
    this.log(`  other processes used ${elsewhere.cores.toFixed(2)} cores (${elsewhere.top ?? '?'}): measuring again`);
    return true;
  }

  /** Takes one repeat from the run's budget; false when it is spent. */
  takeRetry(): boolean {
    if (this.#retries === 0) return false;
    this.#retries--;
    return true;
  }

  log(message: string): void {
    const s = ((performance.now() - this.#started) / 1000).toFixed(0).padStart(4);
    process.stderr.write(`[bench ${s}s] ${message}\n`);
  }

  async close(): Promise<void> {
    await this.loadgen.stop();
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
