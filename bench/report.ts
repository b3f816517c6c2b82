// The one table: every figure as the median of its runs (with the lowest and highest run), the
// echo floor beside each event figure and the ratio to it, and the targets (below). Notes
// under the table say what was measured how, and which targets are missed and by how much.
// Reports, never asserts.

import type { BenchOptions } from './bench-options.ts';
import { FOREIGN_LOAD_LIMIT } from './bench-context.ts';
import type { EventRun, JoinRamp } from './event-phase.ts';
import type { Arrival, FanOutResult, FanOutRun } from './fan-out-phase.ts';
import { CLUSTER_METHOD, clusterNotes, clusterRows, type ClusterResult } from './cluster-phase.ts';
import { INSPECTOR_METHOD, inspectorNotes, inspectorRows, type InspectorRun } from './inspector-phase.ts';
import { POLICY_METHOD, policyNotes, policyRows, type PolicyRun } from './policy-phase.ts';
import { machineLine, type Machine } from './machine.ts';
import { ACTIVE_EVENTS, type MemoryRun } from './memory-phase.ts';
import { streamMemoryRows, type StreamMemoryRun } from './stream-memory-phase.ts';
import { repeated, type Repeated } from './samples.ts';

export interface BenchResults {
  date: string;
  durationS: number;
  command: string;
  options: Omit<BenchOptions, 'phases'> & { phases: string[] };
  machine: Machine;
  /** Load average when the run ended. */
  loadAtEnd: string;
  pinning: string;
  events: EventRun[];
  memory: MemoryRun[];
  fanout: FanOutResult | null;
  /** Heap per view after streaming few and many rows (absent in results from before streams). */
  streams?: StreamMemoryRun | null;
  /** Absent in results written before these phases existed. */
  inspector?: InspectorRun[];
  policy?: PolicyRun[];
  cluster?: ClusterResult | null;
  rows: Row[];
  notes: string[];
}

export type Unit = 'ms' | '/s' | 'µs' | 'B' | 'text';

export interface Row {
  area: string;
  figure: string;
  n: string;
  unit: Unit;
  liveward: Repeated | null;
  floor: Repeated | null;
  /** Liveward ÷ floor (medians). */
  ratio: number | null;
  /** Text for `unit: 'text'` rows. */
  text?: string;
  target?: { text: string; met: boolean | null; detail?: string };
}

const LOADGEN_SATURATED = 0.9;
const HEAP_TARGET_BYTES = 6 * 1024;
const RSS_TARGET_BYTES = 8 * 1024;
/** How much more an active view (after its events) may hold than an idle one. */
const ACTIVE_OVER_IDLE_TARGET_BYTES = 1024;
const CPU_RATIO_TARGET = 1.5;
const DISCONNECT_TARGET_MS = 100;
/** The floor's server CPU per event on this machine that the CPU target was first set against. */
const ASSUMED_FLOOR_MICROS = 50;

const fmtInt = (n: number): string => Math.round(n).toLocaleString('en-US');

/** Bytes are shown in one scale per cell, chosen by its median. */
function byteScale(value: number): [number, string] {
  const a = Math.abs(value);
  return a >= 2 ** 20 ? [2 ** 20, ' MiB'] : a >= 10 * 1024 ? [1024, ' KiB'] : [1, ' B'];
}

function number(value: number, unit: Unit, scale = 1): string {
  if (!Number.isFinite(value)) return 'n/a';
  switch (unit) {
    case 'ms':
      return value >= 100 ? fmtInt(value) : value >= 10 ? value.toFixed(1) : value >= 1 ? value.toFixed(2) : value.toFixed(3);
    case '/s':
      return fmtInt(value);
    case 'µs':
      return value >= 100 ? fmtInt(value) : value.toFixed(1);
    case 'B':
      return scale === 1 ? fmtInt(value) : (value / scale).toFixed(1);
    case 'text':
      return String(value);
  }
}

const suffix = (unit: Unit): string => (unit === 'ms' ? ' ms' : unit === '/s' ? '/s' : unit === 'µs' ? ' µs' : '');

/** A value with its unit. */
function fmt(value: number, unit: Unit): string {
  if (unit !== 'B') return `${number(value, unit)}${suffix(unit)}`;
  const [scale, name] = byteScale(value);
  return `${number(value, unit, scale)}${name}`;
}

function cell(r: Repeated | null, unit: Unit): string {
  if (!r) return '—';
  const [scale, name] = unit === 'B' ? byteScale(r.median) : [1, suffix(unit)];
  const main = `${number(r.median, unit, scale)}${name}`;
  return r.runs.length > 1 ? `${main} (${number(r.min, unit, scale)}–${number(r.max, unit, scale)})` : main;
}

// ------------------------------------------------------------------------------------ rows

export function buildRows(results: Omit<BenchResults, 'rows' | 'notes'>): Row[] {
  const rows: Row[] = [];
  const lw = results.events.filter((r) => r.kind === 'liveward');
  const floor = results.events.filter((r) => r.kind === 'floor');

  const joinRows = (ramps: JoinRamp[], floorRamps: JoinRamp[], label: string): void => {
    if (ramps.length === 0) return;
    const n = `ramp to ${fmtInt(ramps[0]!.clients)}`;
    const add = (figure: string, unit: Unit, f: (r: JoinRamp) => number | undefined): void => {
      const values = (rs: JoinRamp[]): Repeated | null => {
        const known = rs.map(f).filter((v): v is number => v !== undefined);
        return known.length ? repeated(known) : null;
      };
      const a = values(ramps);
      const b = values(floorRamps);
      if (!a) return;
      rows.push({ area: 'Join', figure: `${figure} (${label})`, n, unit, liveward: a, floor: b, ratio: b ? a.median / b.median : null });
    };
    add('GET + socket + `phx_join`, p50', 'ms', (r) => r.latency.p50);
    add('GET + socket + `phx_join`, p99', 'ms', (r) => r.latency.p99);
    add('joins per second while ramping', '/s', (r) => r.joinsPerSecond);
    add('server CPU per join', 'µs', (r) => r.serverCpuPerJoinMicros);
  };
  joinRows(
    lw.map((r) => r.ramp),
    floor.map((r) => r.ramp),
    'fresh server',
  );
  joinRows(
    results.memory.map((r) => r.ramp),
    [],
    'after 300 warm-up joins',
  );

  const clients = [...new Set(lw.flatMap((r) => r.levels.map((l) => l.clients)))];
  const maxClients = Math.max(...clients);
  for (const n of clients) {
    const pick = (runs: EventRun[], f: (l: EventRun['levels'][number]) => number): Repeated | null => {
      const values = runs
        .map((r) => r.levels.find((l) => l.clients === n))
        .filter((l) => l !== undefined)
        .map(f);
      return values.length ? repeated(values) : null;
    };
    const add = (
      figure: string,
      unit: Unit,
      f: (l: EventRun['levels'][number]) => number,
      target?: (ratio: number | null) => Row['target'],
    ): void => {
      const a = pick(lw, f);
      const b = pick(floor, f);
      const ratio = a && b ? a.median / b.median : null;
      rows.push({
        area: 'Events',
        figure,
        n: `${fmtInt(n)} client${n === 1 ? '' : 's'}`,
        unit,
        liveward: a,
        floor: b,
        ratio,
        ...(target ? { target: target(ratio) } : {}),
      });
    };
    add('`increment` round trip p50', 'ms', (l) => l.latency.p50);
    add('`increment` round trip p99', 'ms', (l) => l.latency.p99);
    add('events per second', '/s', (l) => l.eventsPerSecond);
    add(
      'server CPU per event',
      'µs',
      (l) => l.serverCpuPerEventMicros,
      n === maxClients
        ? (ratio) => ({ text: `≤ ${CPU_RATIO_TARGET}× floor`, met: ratio === null ? null : ratio <= CPU_RATIO_TARGET })
        : undefined,
    );
  }

  const mem = results.memory;
  if (mem.length > 0) {
    const views = mem[0]!.levels.map((l) => l.views);
    const maxViews = Math.max(...views);
    for (const v of views) {
      const at = (f: (l: MemoryRun['levels'][number]) => number): Repeated =>
        repeated(
          mem
            .map((r) => r.levels.find((l) => l.views === v))
            .filter((l) => l !== undefined)
            .map(f),
        );
      const heap = at((l) => l.heapPerViewBytes);
      rows.push({
        area: 'Memory',
        figure: 'heap per idle counter view (after GC)',
        n: `${fmtInt(v)} views`,
        unit: 'B',
        liveward: heap,
        floor: null,
        ratio: null,
        ...(v === maxViews ? { target: { text: `≤ ${fmt(HEAP_TARGET_BYTES, 'B')}`, met: heap.median <= HEAP_TARGET_BYTES } } : {}),
      });
      const rss = at((l) => l.rssPerViewBytes);
      rows.push({
        area: 'Memory',
        figure: 'RSS per idle counter view',
        n: `${fmtInt(v)} views`,
        unit: 'B',
        liveward: rss,
        floor: null,
        ratio: null,
        ...(v === maxViews ? { target: { text: `≤ ${fmt(RSS_TARGET_BYTES, 'B')}`, met: rss.median <= RSS_TARGET_BYTES } } : {}),
      });
    }
    const held = mem.find((r) => r.hold)?.hold;
    if (held) {
      rows.push({
        area: 'Memory',
        figure: `heap per view after the ${held.seconds} s hold (after GC)`,
        n: `${fmtInt(held.views)} views`,
        unit: 'B',
        liveward: repeated([held.after.heapPerViewBytes]),
        floor: null,
        ratio: null,
      });
      const hb = held.loadgen;
      const ok = held.lostViews === 0 && held.lostSockets === 0 && held.unexpectedCloses === 0 && hb.heartbeatsMissed === 0;
      rows.push({
        area: 'Memory',
        figure: `idle views held ${held.seconds} s with heartbeats: lost`,
        n: `${fmtInt(held.views)} views`,
        unit: 'text',
        liveward: null,
        floor: null,
        ratio: null,
        text: `${held.lostViews} views, ${held.lostSockets} sockets; heartbeats ${fmtInt(hb.heartbeatsAcked)}/${fmtInt(hb.heartbeatsSent)} answered`,
        target: { text: 'none lost', met: ok },
      });
    }
    const active = mem.map((r) => r.active).filter((a) => a !== null && a !== undefined);
    if (active.length > 0) {
      const over = repeated(active.map((a) => a.overIdleBytes));
      rows.push({
        area: 'Memory',
        figure: `heap per counter view after ${active[0]!.events} events each (after GC)`,
        n: `${fmtInt(active[0]!.views)} views`,
        unit: 'B',
        liveward: repeated(active.map((a) => a.heapPerViewBytes)),
        floor: null,
        ratio: null,
      });
      rows.push({
        area: 'Memory',
        figure: `heap per view: after ${active[0]!.events} events − idle`,
        n: `${fmtInt(active[0]!.views)} views`,
        unit: 'B',
        liveward: over,
        floor: null,
        ratio: null,
        target: { text: `≤ ${fmt(ACTIVE_OVER_IDLE_TARGET_BYTES, 'B')}`, met: over.median <= ACTIVE_OVER_IDLE_TARGET_BYTES },
      });
    }
    rows.push({
      area: 'Memory',
      figure: 'heap after every view closed − baseline',
      n: `${fmtInt(maxViews)} → 0`,
      unit: 'B',
      liveward: repeated(mem.map((r) => r.closed.heapDeltaBytes)),
      floor: null,
      ratio: null,
    });
  }

  rows.push(...streamMemoryRows(results.streams));

  const fan = results.fanout?.runs ?? [];
  if (fan.length > 0) {
    const n = `${fmtInt(fan[0]!.sockets)} sockets`;
    const floorRuns = results.fanout?.floor ?? [];
    const withFloor = (liveward: Repeated, f: (r: NonNullable<FanOutResult['floor']>[number]) => number) => {
      const floorFigure = floorRuns.length > 0 ? repeated(floorRuns.map(f)) : null;
      return { liveward, floor: floorFigure, ratio: floorFigure ? liveward.median / floorFigure.median : null };
    };
    const disconnect = repeated(fan.map((r) => r.disconnect.lastMs));
    rows.push({
      area: 'Fan-out',
      figure: '`registry.disconnect(id)` → every socket of the id closed (client `close` event)',
      n,
      unit: 'ms',
      ...withFloor(disconnect, (r) => r.disconnect.lastMs),
      // Every run, not only the median: a user who logs out is disconnected on every occasion.
      target: { text: `≤ ${DISCONNECT_TARGET_MS} ms, every run`, met: disconnect.max <= DISCONNECT_TARGET_MS },
    });
    rows.push({
      area: 'Fan-out',
      figure: '`registry.disconnect(id)` → every client got its close frame',
      n,
      unit: 'ms',
      ...withFloor(repeated(fan.map((r) => r.disconnect.lastCloseFrameMs)), (r) => r.disconnect.lastCloseFrameMs),
    });
    const broadcast = repeated(fan.flatMap((r) => r.broadcasts.map((b) => b.lastMs)));
    rows.push({
      area: 'Fan-out',
      figure: 'PubSub broadcast (post update) → every view got its `diff`',
      n: `${fmtInt(fan[0]!.sockets)} views`,
      unit: 'ms',
      liveward: broadcast,
      floor: null,
      ratio: null,
    });
    const wide = results.fanout?.wide;
    if (wide && wide.broadcasts.length > 0) {
      const wideLast = repeated(wide.broadcasts.map((b) => b.lastMs));
      rows.push({
        area: 'Fan-out',
        figure: 'PubSub broadcast (post update) → every view got its `diff`',
        n: `${fmtInt(wide.views)} views`,
        unit: 'ms',
        liveward: wideLast,
        floor: null,
        ratio: null,
      });
      const perView = (views: number, runs: Repeated): Repeated => repeated(runs.runs.map((ms) => (ms * 1000) / views));
      const few = perView(fan[0]!.sockets, broadcast);
      const many = perView(wide.views, wideLast);
      rows.push({
        area: 'Fan-out',
        figure: 'broadcast time per view (last `diff` ÷ views)',
        n: `${fmtInt(fan[0]!.sockets)} views`,
        unit: 'µs',
        liveward: few,
        floor: null,
        ratio: null,
      });
      rows.push({
        area: 'Fan-out',
        figure: 'broadcast time per view (last `diff` ÷ views)',
        n: `${fmtInt(wide.views)} views`,
        unit: 'µs',
        liveward: many,
        floor: null,
        ratio: null,
      });
      // The server's own cost per view: the time to the last diff also holds the one load
      // generator receiving every diff in turn, which grows with its own population.
      const cpuPerView = (views: number, arrivals: Arrival[]): Repeated | null => {
        const known = arrivals.filter((b) => b.serverCpuMicros !== undefined);
        return known.length > 0 ? repeated(known.map((b) => b.serverCpuMicros! / views)) : null;
      };
      const fewCpu = cpuPerView(
        fan[0]!.sockets,
        fan.flatMap((r) => r.broadcasts),
      );
      const manyCpu = cpuPerView(wide.views, wide.broadcasts);
      if (fewCpu && manyCpu) {
        rows.push({
          area: 'Fan-out',
          figure: 'server CPU per view during the broadcast',
          n: `${fmtInt(fan[0]!.sockets)} views`,
          unit: 'µs',
          liveward: fewCpu,
          floor: null,
          ratio: null,
        });
        rows.push({
          area: 'Fan-out',
          figure: 'server CPU per view during the broadcast',
          n: `${fmtInt(wide.views)} views`,
          unit: 'µs',
          liveward: manyCpu,
          floor: null,
          ratio: null,
          target: {
            text: `≤ ${fmt(fewCpu.median, 'µs')} (${fmtInt(fan[0]!.sockets)} views)`,
            met: manyCpu.median <= fewCpu.median,
            detail: 'per-view',
          },
        });
      }
    }
  }
  rows.push(
    ...inspectorRows(results.inspector ?? []),
    ...policyRows(results.policy ?? [], results.events),
    ...clusterRows(results.cluster ?? null),
  );
  return rows;
}

// ----------------------------------------------------------------------------------- notes

export function buildNotes(results: Omit<BenchResults, 'notes'>): string[] {
  const notes: string[] = [];
  const refused = results.memory.reduce((sum, r) => sum + (r.active?.refused ?? 0), 0);
  if (refused > 0)
    notes.push(
      `**${fmtInt(refused)} of the active views' clicks were refused**: the active-view heap is not of views that handled every event.`,
    );
  const targets = results.rows.filter((r) => r.target);
  for (const row of targets) {
    const t = row.target!;
    if (t.met !== false) continue;
    if (row.unit === 'µs' && row.ratio !== null) {
      const lw = row.liveward!.median;
      const fl = row.floor!.median;
      notes.push(
        `**Missed:** server CPU per event at ${row.n} is ${row.ratio.toFixed(2)}× the floor (${fmt(lw, 'µs')} vs ${fmt(fl, 'µs')}, medians); the target is ≤ ${CPU_RATIO_TARGET}×, so it is over by ${((row.ratio / CPU_RATIO_TARGET - 1) * 100).toFixed(0)}%: ${fmt(lw - CPU_RATIO_TARGET * fl, 'µs')} per event above ${fmt(CPU_RATIO_TARGET * fl, 'µs')}.` +
          (Math.abs(fl - ASSUMED_FLOOR_MICROS) / ASSUMED_FLOOR_MICROS > 0.25
            ? ` (The target assumed a floor of about ${ASSUMED_FLOOR_MICROS} µs; measured here it is ${fmt(fl, 'µs')}. Against ${ASSUMED_FLOOR_MICROS} µs, Liveward would be at ${(lw / ASSUMED_FLOOR_MICROS).toFixed(2)}×.)`
            : ''),
      );
    } else if (row.area === 'Memory' && row.unit === 'B' && row.liveward && !row.figure.startsWith('heap per idle')) {
      notes.push(
        `**Missed:** ${row.figure.replace(/`/g, '')} at ${row.n} is ${fmt(row.liveward.median, 'B')} (median), over the ${t.text} target.`,
      );
    } else if (row.area === 'Memory' && row.unit === 'B' && row.liveward) {
      notes.push(
        `**Missed:** heap per idle view at ${row.n} is ${fmt(row.liveward.median, 'B')}, ${(row.liveward.median / HEAP_TARGET_BYTES).toFixed(2)}× the ${fmt(HEAP_TARGET_BYTES, 'B')} target (over by ${fmt(row.liveward.median - HEAP_TARGET_BYTES, 'B')} per view).`,
      );
    } else if (t.detail === 'per-view' && row.liveward) {
      notes.push(
        `**Missed:** a broadcast to ${row.n} cost the server ${fmt(row.liveward.median, 'µs')} of CPU per view (median), more than the ${t.text.replace(/^≤ /, '')} per view of the smaller broadcast.`,
      );
    } else if (row.unit === 'ms' && row.liveward) {
      const over = row.liveward.runs.filter((ms) => ms > DISCONNECT_TARGET_MS).length;
      notes.push(
        `**Missed:** every socket of the id closed within ${DISCONNECT_TARGET_MS} ms of \`registry.disconnect\` of ${row.n} in ${row.liveward.runs.length - over} of ${row.liveward.runs.length} runs (median ${fmt(row.liveward.median, 'ms')}, runs ${fmt(row.liveward.min, 'ms')}–${fmt(row.liveward.max, 'ms')}` +
          `${row.floor ? `; the bare \`ws\` floor closing as many sockets: ${fmt(row.floor.median, 'ms')}, runs ${fmt(row.floor.min, 'ms')}–${fmt(row.floor.max, 'ms')}` : ''}). Timed to the client's \`close\` event (what phoenix.js acts on); see the split below.`,
      );
    } else {
      notes.push(`**Missed:** ${row.figure.replace(/`/g, '')} at ${row.n}: ${row.text ?? ''}.`);
    }
  }
  if (targets.length > 0 && targets.every((r) => r.target!.met === true)) notes.push('Every target is met in this run.');

  const lw = results.events.filter((r) => r.kind === 'liveward');
  const floor = results.events.filter((r) => r.kind === 'floor');
  if (lw.length > 0) {
    const maxN = Math.max(...lw.flatMap((r) => r.levels.map((l) => l.clients)));
    const at = (runs: EventRun[], f: (l: EventRun['levels'][number]) => number): Repeated =>
      repeated(
        runs
          .map((r) => r.levels.find((l) => l.clients === maxN))
          .filter((l) => l !== undefined)
          .map(f),
      );
    const lg = (runs: EventRun[]): string =>
      `${(at(runs, (l) => l.loadgenBusy).median * 100).toFixed(0)}% of its core (${at(runs, (l) => l.loadgenCpuPerEventMicros).median.toFixed(1)} µs per event)`;
    const sv = (runs: EventRun[]): string => `${(at(runs, (l) => l.serverBusy).median * 100).toFixed(0)}%`;
    notes.push(
      `At ${fmtInt(maxN)} clients the load generator used ${lg(lw)} against Liveward and ${lg(floor)} against the floor; the servers used ${sv(lw)} (Liveward) and ${sv(floor)} (floor) of their core. A busier server handles more frames per wakeup, so the floor's CPU per event is lowest when it is saturated; it is compared here at the same client count, as the target is defined.`,
    );
    const saturated: string[] = [];
    for (const [name, runs] of [
      ['Liveward', lw],
      ['the floor', floor],
    ] as const) {
      const ns = [...new Set(runs.flatMap((r) => r.levels.filter((l) => l.loadgenBusy >= LOADGEN_SATURATED).map((l) => l.clients)))];
      if (ns.length > 0) saturated.push(`against ${name} at ${ns.map((n) => fmtInt(n)).join(' and ')} client(s)`);
    }
    if (saturated.length > 0) {
      notes.push(
        `**The load generator was saturated** (≥ ${LOADGEN_SATURATED * 100}% of its core in at least one run) ${saturated.join('; ')}: events/s there are a lower bound of what that server can do, and its latencies include the load generator's queueing.`,
      );
    }
    const failed = [...lw, ...floor].flatMap((r) => r.levels).reduce((s, l) => s + l.failed, 0);
    if (failed > 0) notes.push(`${fmtInt(failed)} event replies were errors (not timed, not counted as events).`);
  }
  const foreign: string[] = [];
  const flag = (where: string, load: { cores: number; top: string | null }): void => {
    if (load.cores >= FOREIGN_LOAD_LIMIT)
      foreign.push(`${where}: ${load.cores.toFixed(2)} cores${load.top ? ` (mostly \`${load.top.replace(/`/g, '')}\`)` : ''}`);
  };
  for (const run of [...lw, ...floor]) {
    for (const l of run.levels)
      flag(
        `${run.kind === 'liveward' ? 'Liveward' : 'floor'} run ${run.rep + 1}, ${fmtInt(l.clients)} client${l.clients === 1 ? '' : 's'}`,
        { cores: l.foreignCores, top: l.foreignTop },
      );
  }
  for (const run of results.memory) flag(`memory run ${run.rep + 1}`, run.foreign);
  for (const run of results.fanout?.runs ?? []) flag(`fan-out run ${run.rep + 1}`, run.foreign);
  for (const run of results.fanout?.floor ?? []) flag(`fan-out floor run ${run.rep + 1}`, run.foreign);
  const remeasured = [...lw, ...floor].flatMap((r) => r.levels).reduce((sum, l) => sum + l.remeasured, 0);
  const redone = results.fanout?.redone ?? 0;
  if (remeasured + redone > 0) {
    notes.push(
      `Other processes used the machine during ${remeasured} event window(s) and ${redone} fan-out run(s); those were thrown away and measured again.`,
    );
  }
  if (foreign.length > 0) {
    notes.push(
      `**Other processes were using the machine** (CPU time of every other process, from /proc): ${foreign.join('; ')}. Figures measured meanwhile are pessimistic; rerun on a quiet machine.`,
    );
  }
  const retried = [...lw, ...results.memory].reduce((sum, r) => sum + r.ramp.retriedGets, 0);
  if (retried > 0)
    notes.push(
      `${fmtInt(retried)} page GET(s) were retried once after the server closed a reused keep-alive connection under them (as browsers retry); their join latency includes the retry.`,
    );
  for (const run of [...lw, ...results.memory]) {
    if (run.ramp.failed > 0)
      notes.push(`**${run.ramp.failed} join(s) failed** in a ramp to ${fmtInt(run.ramp.clients)}: ${run.ramp.errors.join('; ')}`);
  }
  const held = results.memory.find((r) => r.hold)?.hold;
  if (held && held.minViews < held.views) notes.push(`During the hold the server's view count dipped to ${fmtInt(held.minViews)}.`);
  for (const run of results.memory) {
    const c = run.closed.counts;
    if (c.connections || c.views || c.subscriptions)
      notes.push(`**After closing (run ${run.rep + 1}) the server still counted ${JSON.stringify(c)}.**`);
  }
  const fan = results.fanout?.runs ?? [];
  if (fan.length > 0) {
    const med = (f: (r: FanOutRun) => number): string => fmt(repeated(fan.map(f)).median, 'ms');
    notes.push(
      `Disconnect of ${fmtInt(fan[0]!.sockets)} sockets, split (medians): the synchronous \`registry.disconnect\` call itself took ${med((r) => r.disconnect.callMs)}; the last close frame reached its client at ${med((r) => r.disconnect.lastCloseFrameMs)}, the last closing handshake completed (client \`close\` event) at ${med((r) => r.disconnect.lastMs)}. One load generator process handles all ${fmtInt(fan[0]!.sockets)} clients' close frames in turn, so the later figures include its own queueing.`,
    );
    const floorRuns = results.fanout?.floor ?? [];
    if (floorRuns.length > 0) {
      const fmed = (f: (r: (typeof floorRuns)[number]) => number): string => fmt(repeated(floorRuns.map(f)).median, 'ms');
      notes.push(
        `The floor of the disconnect: after each run, as many bare sockets on the bare \`ws\` server, each closed with \`ws.close(1001)\` in one loop, timed the same way: the loop took ${fmed((r) => r.disconnect.callMs)}, the last close frame arrived at ${fmed((r) => r.disconnect.lastCloseFrameMs)}, the last \`close\` event at ${fmed((r) => r.disconnect.lastMs)} (medians). Liveward's figure minus this one is what the server does beyond the bare closing handshakes.`,
      );
    }
    const broadcastNote = (views: number, bs: FanOutRun['broadcasts']): string =>
      `Broadcast to ${fmtInt(views)} views (medians over ${bs.length} broadcasts): the post update (SQLite write + \`broadcast\`) took ${fmt(repeated(bs.map((b) => b.callMs)).median, 'ms')}; half the views had their \`diff\` after ${fmt(repeated(bs.map((b) => b.spread.p50)).median, 'ms')}, the last after ${fmt(repeated(bs.map((b) => b.lastMs)).median, 'ms')} (received in turn by the one load generator process).`;
    notes.push(
      broadcastNote(
        fan[0]!.sockets,
        fan.flatMap((r) => r.broadcasts),
      ),
    );
    const wide = results.fanout?.wide;
    if (wide) {
      notes.push(
        `${broadcastNote(wide.views, wide.broadcasts)} The ${fmtInt(wide.views)} views are sockets of the same user on the same post, ramped after the fan-out runs (${fmtInt(wide.joined)} joined in ${wide.rampSeconds.toFixed(0)} s${wide.failedJoins > 0 ? `, ${wide.failedJoins} joins failed` : ''}); broadcasts during which other processes used the machine were measured again${wide.foreign.cores >= FOREIGN_LOAD_LIMIT ? ` (the kept ones saw up to ${wide.foreign.cores.toFixed(2)} cores of it)` : ''}.`,
      );
      for (const b of wide.broadcasts)
        if (b.arrived < b.sockets) notes.push(`**A broadcast reached only ${b.arrived} of ${b.sockets} views within 30 s.**`);
    }
  }
  if (results.memory.length > 0) {
    const run = results.memory[0]!;
    const peak = run.levels.at(-1)!;
    const grown = peak.sample.heapUsed - run.baseline.heapUsed;
    notes.push(
      `Heap after closing every view: ${fmt(run.closed.heapDeltaBytes, 'B')} above the baseline in run 1, i.e. ${((run.closed.heapDeltaBytes / grown) * 100).toFixed(1)}% of the ${fmt(grown, 'B')} the ${fmtInt(peak.views)} views took; the server's counts were back at zero (${JSON.stringify(run.closed.counts)}).`,
    );
  }
  for (const run of fan) {
    if (run.disconnect.arrived < run.sockets)
      notes.push(
        `**Disconnect run ${run.rep + 1}: only ${run.disconnect.arrived} of ${run.sockets} sockets saw their close within 30 s.**`,
      );
    for (const b of run.broadcasts)
      if (b.arrived < b.sockets) notes.push(`**A broadcast reached only ${b.arrived} of ${b.sockets} views within 30 s.**`);
  }
  notes.push(...inspectorNotes(results.inspector ?? []), ...policyNotes(results.policy ?? []), ...clusterNotes(results.cluster ?? null));
  return notes;
}

// ---------------------------------------------------------------------------------- markdown

function renderTable(rows: Row[]): string {
  const lines = ['| | figure | N | Liveward | floor (bare `ws`) | ratio | target |', '|---|---|---|---:|---:|---:|---|'];
  for (const row of rows) {
    const value = row.unit === 'text' ? (row.text ?? '') : cell(row.liveward, row.unit);
    const ratio = row.ratio === null ? '' : `${row.ratio.toFixed(2)}×`;
    const target = row.target ? `${row.target.text} ${row.target.met === null ? '?' : row.target.met ? '✅' : '❌'}` : '';
    lines.push(
      `| ${row.area} | ${row.figure} | ${row.n} | ${value} | ${cell(row.floor, row.unit).replace('—', '')} | ${ratio} | ${target} |`,
    );
  }
  return lines.join('\n');
}

export function renderMarkdown(results: BenchResults): string {
  const o = results.options;
  const reps = (n: number): string => `${n} run${n === 1 ? '' : 's'}`;
  const offsets = (results.fanout?.runs ?? []).map((r) => r.offsets.server.uncertaintyMs + r.offsets.loadgen.uncertaintyMs);
  const lw =
    results.events.find((r) => r.kind === 'liveward')?.target ??
    results.memory[0]?.target ??
    results.fanout?.target ??
    (results.cluster?.skipped === null ? results.cluster.target : undefined);
  return [
    `### Liveward benchmark — ${results.date.slice(0, 10)}`,
    '',
    `\`${results.command}\` on ${machineLine(results.machine)}. ${results.pinning}. ` +
      `Load average ${results.machine.loadAtStart} at the start, ${results.loadAtEnd} at the end; the run took ${Math.round(results.durationS)} s.`,
    '',
    renderTable(results.rows),
    '',
    "Each cell is the median of the runs, with the lowest and highest run in parentheses; a ratio is Liveward's median ÷ the floor's. " +
      `Events: ${reps(o.reps)} per target, each in a fresh server process; memory: ${reps(o.memoryReps)}; fan-out: ${reps(o.fanoutReps)} in one server, after a full-size warm-up run that is not reported` +
      `${o.phases.includes('fanout') ? ` (broadcast: ${o.broadcasts} per run, all pooled)` : ''}.`,
    '',
    ...results.notes.map((n) => `- ${n}`),
    '',
    '<details><summary>How each figure is measured</summary>',
    '',
    ...[
      `- **Processes.** The server (the demo app of \`apps/app.ts\` on \`createLiveServer\`, \`LOG_LEVEL=warn\`, xstate resolved to \`${shortXstate(lw)}\`, compiled as deployed: \`npm run build\` and \`npm run build -w apps\` run first, and the server runs dist/ and apps/dist/ under plain \`node\`, no loader, default export conditions) and the floor (compiled the same way) each run in their own process; the load generator is another process holding every client. They are controlled over the child_process IPC channel.`,
      `- **Join.** Per client: GET the page (cookie, CSRF meta tag, root container tokens; a fresh browser each), open \`/live/websocket?_csrf_token=…&vsn=2.0.0\` with the cookie, send \`phx_join\` and wait for its \`ok\` reply. The latency covers all three; ${o.concurrency} clients open at once; joins per second = clients ÷ ramp time. The “fresh server” rows are the event phase's ramp (${o.clients.map((n, i) => n - (o.clients[i - 1] ?? 0)).join(', then ')} clients between its windows, on a server that has not joined anything before); the other rows are the memory phase's ramp, after 300 warm-up joins.`,
      `- **Events.** Each client sends \`increment\` (a \`click\` event) and the next as soon as the reply arrives. ${o.warmupS} s warm-up, then a ${o.measureS} s window bracketed by a sample of the server's \`process.cpuUsage()\` (user + system, all threads) and a mark of the load generator. Round trips are timed with \`process.hrtime.bigint()\` around each frame; percentiles are nearest-rank over every reply in the window. CPU per event = server CPU time in the window ÷ replies in the window. Liveward runs with \`maxEventsPerSecond: 1,000,000\` in this phase only (the default 200/s per socket would throttle one closed-loop client; the bucket costs the same either way).`,
      `- **Floor.** A bare \`ws\` server that JSON-decodes each frame and answers a \`phx_reply\` of the same shape and size as Liveward's \`increment\` reply, driven by the same load generator with the same frames. It answers the join sequence as minimally: a GET gets a page and a cookie of the sizes of Liveward's \`/counter\` (filler where Liveward has tokens: no signing, encryption or checks), the socket upgrades at once, and \`phx_join\` gets an \`ok\` with a rendered tree of the counter's size; so the join rows' ratio is what Liveward's security checks, dead render and mount cost. Server CPU per join = the server's CPU time over the ramp ÷ joins.`,
      `- **Memory.** A fresh server is warmed up (300 joins, ${ACTIVE_EVENTS} events on each, closed), then collected with \`global.gc()\` until the heap stops shrinking and sampled (\`heapUsed\`, \`rss\`) as the baseline. Clients are ramped to each population; each is an idle \`/counter\` view on its own socket, heartbeating every ${o.heartbeatS} s. After a 2 s settle the server is collected again: (heap − baseline) ÷ views. The first run then holds the largest population for ${o.holdS} s and compares the server's \`counts()\` and the open sockets with the population; then every view handles ${ACTIVE_EVENTS} \`increment\` clicks (back to back per client), and after the same settle and collection the heap per view is compared with the idle one; at the end all close, the counts must drain to zero, and the collected heap is compared with the baseline.`,
      `- **Fan-out.** One user (bob) logs in over the HTTP form; each socket GETs /posts/1 with that cookie and joins it. Broadcast: the server calls \`Blog.updatePost\` as alice (a SQLite write, then \`pubsub.broadcast\`), timed from that call to the last \`diff\` push received. Disconnect: the server calls \`registry.disconnect('users_socket:<bob>')\`, timed to the last client \`close\` event (closing handshake complete); its floor is the bare \`ws\` server closing as many bare sockets with \`ws.close(1001)\`, after each run. Per view: the last \`diff\` ÷ the views, and the server's CPU time from before the update call until the last \`diff\` arrived ÷ the views (the per-view target is on this one: the time to the last \`diff\` also holds the one load generator receiving every diff in turn)${o.broadcastViews > 0 ? `, at ${fmtInt(o.fanout)} views (the runs) and at ${fmtInt(o.broadcastViews)} views of the same post (ramped once after the runs, one warm-up broadcast first)` : ''}. The server stamps the call and the load generator each arrival with \`performance.timeOrigin + performance.now()\`; the orchestrator measures each process's clock offset over IPC (NTP-style, best of 25 exchanges) and corrects, to within ±${offsets.length ? Math.max(...offsets).toFixed(2) : 'n/a'} ms.`,
      INSPECTOR_METHOD,
      POLICY_METHOD,
      CLUSTER_METHOD,
    ].filter((line) => shown(line, o.phases)),
    '',
    '</details>',
    '',
  ].join('\n');
}

/** The bullets of the phases that ran. */
function shown(line: string, phases: string[]): boolean {
  const phase = /^- \*\*(Join|Events|Floor|Memory|Fan-out|Inspector|Policy|Cluster)\./.exec(line)?.[1];
  if (!phase) return true;
  if (phase === 'Inspector' || phase === 'Policy' || phase === 'Cluster') return phases.includes(phase.toLowerCase());
  if (phase === 'Join') return phases.includes('events') || phases.includes('memory');
  if (phase === 'Events' || phase === 'Floor') return phases.includes('events');
  return phases.includes(phase === 'Memory' ? 'memory' : 'fanout');
}

function shortXstate(info: Record<string, unknown> | undefined): string {
  const url = typeof info?.xstate === 'string' ? info.xstate : 'unknown';
  return url.replace(/^.*node_modules\//, '');
}
