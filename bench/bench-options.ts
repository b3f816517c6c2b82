// The harness's flags. Defaults give the full table in under five minutes on the 2-core machine;
// `--quick` gives the same table with fewer clients, one run and short windows in under a minute.

import { parseArgs } from 'node:util';

export type Phase = 'events' | 'memory' | 'fanout' | 'streams' | 'inspector' | 'policy' | 'cluster';
const PHASES: readonly string[] = ['events', 'memory', 'fanout', 'streams', 'inspector', 'policy', 'cluster'];

export interface BenchOptions {
  quick: boolean;
  /** Repetitions of the event phase (a fresh server process each). */
  reps: number;
  /** Repetitions of the fan-out phase (in one server, after a warm-up run). */
  fanoutReps: number;
  /** Repetitions of the memory phase; only the first holds the largest population. */
  memoryReps: number;
  /** Concurrent clients of the event phase, each running closed-loop `increment` round trips. */
  clients: number[];
  warmupS: number;
  measureS: number;
  /** Idle counter views of the memory phase (ascending); the last is held for `holdS`. */
  views: number[];
  holdS: number;
  /** Sockets of one live socket id (one user) in the fan-out phase. */
  fanout: number;
  /** PubSub broadcasts timed per fan-out repetition. */
  broadcasts: number;
  /**
   * Views of one topic for the wide broadcast, after the fan-out runs (0: none): each is its own
   * socket of the fan-out's user, like the fan-out's views, to compare the time per view.
   */
  broadcastViews: number;
  /** Clients opening at once while ramping. */
  concurrency: number;
  /** Client heartbeat interval, as phoenix.js (30 s). */
  heartbeatS: number;
  /** Runs only a profiling pass instead of the table. */
  profile: boolean;
  pin: boolean;
  phases: Set<Phase>;
  /** `bench/results/<name>.json` and `.md`: `latest` for full runs, `quick`, or `partial` (`--only`). */
  resultName: 'latest' | 'quick' | 'partial';
  /** Also puts the table into README.md (between the bench markers); full runs only. */
  readme: boolean;
}

const USAGE = `npm run bench [-- flags]

  --quick              same table, fewer clients, one run, short windows (< 1 min)
  --reps N             runs of the event phase per target (default 3; quick 1)
  --fanout-reps N      runs of the fan-out phase (default 5; quick 1)
  --memory-reps N      runs of the memory phase (default 2; quick 1); the first holds
  --clients 1,100,1000 concurrent clients of the event phase
  --warmup S           seconds of load before each measured window (default 1)
  --measure S          seconds per measured window (default 3)
  --views 1000,10000   idle counter views of the memory phase; the last is held
  --hold S             seconds the largest population is held (default 60; quick 5)
  --fanout N           sockets of one user for disconnect and broadcast (default 1000)
  --broadcasts N       broadcasts timed per fan-out run (default 5)
  --broadcast-views N  views of one topic for the wide broadcast after the fan-out runs
                       (default 10000, also with --quick: its ramp adds 1–2 min; 0 skips it)
  --concurrency N      clients opening at once while ramping (default 50)
  --heartbeat S        client heartbeat interval (default 30, as phoenix.js)
  --only events,memory,fanout,streams,inspector,policy,cluster   run some phases (results go to partial.json/md);
                       cluster needs redis-server (skipped, and said so, without it)

Full runs write bench/results/latest.json and latest.md; --quick writes quick.*.
Every client is a file descriptor in the load generator and in the server: keep the largest
population below \`ulimit -n\`, and below the client port range (net.ipv4.ip_local_port_range).
  --profile            only profile the server during the largest event window
  --no-pin             do not pin processes to cores
  --readme             put the table into README.md (full runs only)
`;

function list(value: string | undefined, fallback: number[]): number[] {
  if (value === undefined) return fallback;
  const numbers = value.split(',').map((v) => Number(v.trim()));
  if (numbers.some((n) => !Number.isFinite(n) || n <= 0)) throw new TypeError(`not a list of positive numbers: ${value}`);
  return numbers;
}

function number(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new TypeError(`not a number: ${value}`);
  return n;
}

export function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      reps: { type: 'string' },
      'fanout-reps': { type: 'string' },
      'memory-reps': { type: 'string' },
      clients: { type: 'string' },
      warmup: { type: 'string' },
      measure: { type: 'string' },
      views: { type: 'string' },
      hold: { type: 'string' },
      fanout: { type: 'string' },
      broadcasts: { type: 'string' },
      'broadcast-views': { type: 'string' },
      concurrency: { type: 'string' },
      heartbeat: { type: 'string' },
      only: { type: 'string' },
      profile: { type: 'boolean', default: false },
      'no-pin': { type: 'boolean', default: false },
      readme: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const quick = values.quick ?? false;
  const phases = new Set<Phase>(
    (values.only ?? PHASES.join(',')).split(',').map((p) => {
      const phase = p.trim();
      if (!PHASES.includes(phase)) throw new TypeError(`unknown phase ${phase}`);
      return phase as Phase;
    }),
  );
  const views = list(values.views, quick ? [100, 1000] : [1000, 10_000]).sort((a, b) => a - b);
  return {
    quick,
    reps: Math.max(1, Math.round(number(values.reps, quick ? 1 : 3))),
    fanoutReps: Math.max(1, Math.round(number(values['fanout-reps'], quick ? 1 : 5))),
    memoryReps: Math.max(1, Math.round(number(values['memory-reps'], quick ? 1 : 2))),
    clients: list(values.clients, [1, 100, 1000]).sort((a, b) => a - b),
    warmupS: number(values.warmup, quick ? 0.5 : 1),
    measureS: number(values.measure, quick ? 1.5 : 3),
    views,
    holdS: number(values.hold, quick ? 5 : 60),
    fanout: Math.round(number(values.fanout, 1000)),
    broadcasts: Math.max(1, Math.round(number(values.broadcasts, quick ? 3 : 5))),
    broadcastViews: Math.round(number(values['broadcast-views'], 10_000)),
    concurrency: Math.max(1, Math.round(number(values.concurrency, 50))),
    heartbeatS: number(values.heartbeat, 30),
    profile: values.profile ?? false,
    pin: !(values['no-pin'] ?? false),
    phases,
    resultName: values.only !== undefined ? 'partial' : quick ? 'quick' : 'latest',
    readme: (values.readme ?? false) && values.only === undefined && !quick,
  };
}
