// The load generator: a separate process (pinned to its own core) holding up to tens of thousands of
// `BenchClient`s. The orchestrator drives it over IPC: ramp clients up (GET + socket + join, with
// bounded concurrency), run closed-loop `increment` round trips on the first N, take marks around a
// measured window, wait for every socket to see a `diff` or a close, close them all.

import { Agent } from 'node:http';
import { BenchClient, fetchPage, logIn, takeRetriedGets, type ClientObserver } from './bench-client.ts';
import { serveControl } from './control-channel.ts';
import { startProfile, stopProfile } from './process-sample.ts';
import { Samples, summarize, type Summary } from './samples.ts';
import { wallNow } from './wall-clock.ts';
import { joinPayload } from '../testing/channel-socket.ts';

export interface RampOptions {
  baseUrl: string;
  /** Page to GET and join (the floor serves one for any path). */
  path: string;
  /** Clients to add. */
  count: number;
  /** Clients opening at once. */
  concurrency: number;
  /** Cookie of a logged-in browser; without it every client is a fresh browser. */
  cookie?: string;
  heartbeatMs: number;
}

export interface RampResult {
  opened: number;
  failed: number;
  errors: string[];
  elapsedMs: number;
  /** Per join, in ms: the whole (GET + socket + join), and each step. */
  total: number[];
  get: Summary;
  socket: Summary;
  join: Summary;
  /** Load generator CPU (user + system) spent on the ramp, µs. */
  cpuMicros: number;
  /** GETs retried once after the server closed a reused keep-alive connection. */
  retriedGets: number;
}

export interface Mark {
  at: number;
  completed: number;
  failed: number;
  /** Round trips since the previous mark. */
  latency: Summary;
  cpuMicros: number;
}

export interface Status {
  clients: number;
  open: number;
  unexpectedCloses: number;
  closeCodes: Record<string, number>;
  heartbeatsSent: number;
  heartbeatsAcked: number;
  heartbeatsMissed: number;
  heartbeatRtt: Summary;
}

export interface ArrivalResult {
  total: number;
  arrived: number;
  lastAt: number;
  /** Arrival times (wall-clock ms), for percentiles relative to the trigger. */
  times: number[];
  /** Close codes seen (for `close`). */
  codes: Record<string, number>;
  /** For `close`: when the last close frame arrived (the `close` events come after the handshake). */
  lastFrameAt: number;
}

const clients: BenchClient[] = [];
let agent = new Agent({ keepAlive: true, maxSockets: 50 });
let completed = 0;
let failed = 0;
const latencies = new Samples();
const heartbeatRtt = new Samples();
let unexpectedCloses = 0;
const closeCodes: Record<string, number> = {};
let arrivals: { pending: number; done: () => void } | null = null;

const cpuMicros = (): number => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

const observer: ClientObserver = {
  eventReplied(ms, ok) {
    if (ok) {
      completed++;
      latencies.push(ms);
    } else failed++;
  },
  heartbeatReplied(ms) {
    heartbeatRtt.push(ms);
  },
  closed(_client, code, expected) {
    closeCodes[code] = (closeCodes[code] ?? 0) + 1;
    if (!expected) unexpectedCloses++;
    else arrived();
  },
  diffSeen() {
    arrived();
  },
};

function arrived(): void {
  if (arrivals && --arrivals.pending === 0) {
    arrivals.done();
    arrivals = null;
  }
}

async function openOne(options: RampOptions): Promise<{ client: BenchClient; get: number; socket: number; join: number }> {
  const t0 = performance.now();
  const page = await fetchPage(agent, options.baseUrl, options.path, options.cookie);
  const t1 = performance.now();
  const client = await BenchClient.connect(options.baseUrl, observer, { cookie: page.cookie, csrfToken: page.csrfToken });
  const t2 = performance.now();
  try {
    await client.join(page.topic, joinPayload(page));
  } catch (err) {
    await client.close();
    throw err;
  }
  return { client, get: t1 - t0, socket: t2 - t1, join: performance.now() - t2 };
}

const commands = {
  now: (_: void) => wallNow(),

  login: ({ baseUrl, email, password }: { baseUrl: string; email: string; password: string }) => logIn(agent, baseUrl, email, password),

  async ramp(options: RampOptions): Promise<RampResult> {
    const total: number[] = [];
    const get: number[] = [];
    const socket: number[] = [];
    const join: number[] = [];
    const errors: string[] = [];
    let next = 0;
    let failedOpen = 0;
    agent.destroy();
    agent = new Agent({ keepAlive: true, maxSockets: options.concurrency, scheduling: 'fifo' });
    takeRetriedGets();
    const cpu0 = cpuMicros();
    const started = performance.now();
    const worker = async (): Promise<void> => {
      while (next < options.count) {
        next++;
        try {
          const opened = await openOne(options);
          opened.client.startHeartbeat(options.heartbeatMs);
          clients.push(opened.client);
          total.push(opened.get + opened.socket + opened.join);
          get.push(opened.get);
          socket.push(opened.socket);
          join.push(opened.join);
        } catch (err) {
          failedOpen++;
          if (errors.length < 5) errors.push(err instanceof Error ? err.message : String(err));
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(options.concurrency, options.count) }, worker));
    const elapsedMs = performance.now() - started;
    // Keep-alive HTTP connections would otherwise sit on the server through the memory figures.
    agent.destroy();
    agent = new Agent({ keepAlive: true, maxSockets: 50 });
    return {
      opened: total.length,
      failed: failedOpen,
      errors,
      elapsedMs,
      total,
      get: summarize(get),
      socket: summarize(socket),
      join: summarize(join),
      cpuMicros: cpuMicros() - cpu0,
      retriedGets: takeRetriedGets(),
    };
  },

  startEvents({ count, payload }: { count: number; payload?: string }): number {
    let started = 0;
    for (const client of clients.slice(0, count)) {
      client.startEvents(payload);
      started++;
    }
    return started;
  },

  /** The first `count` clients each send `perClient` clicks back to back; settles when all are answered. */
  async sendEvents({ count, perClient }: { count: number; perClient: number }): Promise<number> {
    const sending = clients.slice(0, count);
    await Promise.all(sending.map((client) => client.sendEvents(perClient)));
    return sending.length;
  },

  mark(_: void): Mark {
    return { at: wallNow(), completed, failed, latency: summarize(latencies.take()), cpuMicros: cpuMicros() };
  },

  async stopEvents(_: void): Promise<void> {
    await Promise.all(clients.map((c) => c.stopEvents()));
  },

  status(_: void): Status {
    let open = 0;
    let sent = 0;
    let acked = 0;
    let missed = 0;
    for (const c of clients) {
      if (c.ws.readyState === c.ws.OPEN) open++;
      sent += c.heartbeatsSent;
      acked += c.heartbeatsAcked;
      missed += c.heartbeatsMissed;
    }
    const rtt = heartbeatRtt.values();
    return {
      clients: clients.length,
      open,
      unexpectedCloses,
      closeCodes: { ...closeCodes },
      heartbeatsSent: sent,
      heartbeatsAcked: acked,
      heartbeatsMissed: missed,
      heartbeatRtt: summarize(rtt),
    };
  },

  /**
   * Every client now expects its socket to be closed by the server; `awaitArrivals` waits. Until
   * then errors are built without a stack: after each closing handshake ws calls `end()` on
   * streams that are already finished and Node builds an error with a stack for each call (three
   * per socket) that nobody reads. A browser pays that once in its own process; this one process
   * stands in for a thousand of them, and would otherwise time its own stack walks.
   */
  armClose(_: void): number {
    for (const c of clients) c.closeExpected = true;
    Error.stackTraceLimit = 0;
    return arm(clients.filter((c) => c.closedAt === null).length);
  },

  /** Every client records the arrival of its next `diff` push; `awaitArrivals` waits. */
  armDiff(_: void): number {
    for (const c of clients) c.armDiff();
    return arm(clients.length);
  },

  async awaitArrivals({ kind, timeoutMs }: { kind: 'close' | 'diff'; timeoutMs: number }): Promise<ArrivalResult> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([pendingDone, new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
    arrivals = null;
    Error.stackTraceLimit = STACK_TRACE_LIMIT;
    const times = clients.map((c) => (kind === 'close' ? c.closedAt : c.diffAt)).filter((t): t is number => t !== null);
    const codes: Record<string, number> = {};
    if (kind === 'close') for (const c of clients) if (c.closeCode !== null) codes[c.closeCode] = (codes[c.closeCode] ?? 0) + 1;
    const frames = kind === 'close' ? clients.map((c) => c.closeFrameAt).filter((t): t is number => t !== null) : [];
    return {
      codes,
      lastFrameAt: frames.length ? Math.max(...frames) : NaN,
      total: clients.length,
      arrived: times.length,
      lastAt: Math.max(...times),
      times,
    };
  },

  /** Forgets clients already closed (after a disconnect). */
  forgetClosed(_: void): number {
    const before = clients.length;
    const open = clients.filter((c) => c.closedAt === null);
    clients.length = 0;
    clients.push(...open);
    return before - open.length;
  },

  /** A CPU profile of this process (bench/disconnect-probe.ts: is the load generator the bound?). */
  startProfile: (_: void) => startProfile(),
  stopProfile: ({ path }: { path: string }) => stopProfile(path),

  async closeAll(_: void): Promise<{ closed: number; elapsedMs: number }> {
    const started = performance.now();
    const closing = clients.splice(0);
    await Promise.all(closing.map((c) => c.close()));
    agent.destroy();
    agent = new Agent({ keepAlive: true, maxSockets: 50 });
    return { closed: closing.length, elapsedMs: performance.now() - started };
  },
};

let pendingDone: Promise<void> = Promise.resolve();
/** The default, restored once the close arrivals are in (see `armClose`). */
const STACK_TRACE_LIMIT = Error.stackTraceLimit;

function arm(count: number): number {
  if (count === 0) {
    arrivals = null;
    pendingDone = Promise.resolve();
    return 0;
  }
  pendingDone = new Promise((resolve) => {
    arrivals = { pending: count, done: resolve };
  });
  return count;
}

export type LoadCommands = typeof commands;

serveControl(commands);
