// `npm run bench`: measures the real server over real sockets speaking the real protocol on this
// machine, next to a bare `ws` floor driven by the same load generator, and prints one table
// (bench/results/latest.md, with the data in latest.json). `--quick` for the same table in under a
// minute, `--help` for the flags. It reports; it never asserts.

import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BenchContext } from './bench-context.ts';
import { buildTargets } from './build-targets.ts';
import { parseOptions } from './bench-options.ts';
import { canPin, PROJECT_ROOT } from './control-channel.ts';
import { runEventPhase, type EventRun } from './event-phase.ts';
import { runFanOutPhase } from './fan-out-phase.ts';
import { runClusterPhase } from './cluster-phase.ts';
import { runInspectorPhase, type InspectorRun } from './inspector-phase.ts';
import { runPolicyPhase, type PolicyRun } from './policy-phase.ts';
import { describeMachine } from './machine.ts';
import { loadAverage } from './machine-load.ts';
import { runMemoryPhase, type MemoryRun } from './memory-phase.ts';
import { runStreamMemoryPhase } from './stream-memory-phase.ts';
import { runProfilePass } from './profile-pass.ts';
import { buildNotes, buildRows, renderMarkdown, type BenchResults } from './report.ts';

const RESULTS_DIR = join(PROJECT_ROOT, 'bench', 'results');
const README_START = '<!-- bench:start -->';
const README_END = '<!-- bench:end -->';

const options = parseOptions(process.argv.slice(2));
const machine = describeMachine();
const pinned = options.pin && canPin();
if (pinned) {
  // The orchestrator mostly sleeps; keep it off the server's core anyway.
  spawnSync('taskset', ['-a', '-p', '-c', '1', String(process.pid)], { stdio: 'ignore' });
}
const pinning = pinned
  ? 'Pinned with `taskset`: server and floor on core 0, load generator and orchestrator on core 1'
  : options.pin
    ? '**Not pinned** (`taskset` not found: install util-linux); processes share the cores'
    : '**Not pinned** (`--no-pin`); processes share the cores';
// `--readme` only decides where the table goes, so it is left out of the command shown.
const measuredArgs = process.argv.slice(2).filter((arg) => arg !== '--readme');
const command = `npm run bench${measuredArgs.length > 0 ? ` -- ${measuredArgs.join(' ')}` : ''}`;
const fdLimit = openFileLimit();
const largest = Math.max(...options.views, ...options.clients, options.fanout);
if (fdLimit !== null && largest + 500 > fdLimit) {
  process.stderr.write(`warning: ${largest} sockets need as many file descriptors in each process; \`ulimit -n\` is ${fdLimit}\n`);
}

mkdirSync(RESULTS_DIR, { recursive: true });
// The targets run compiled JavaScript under plain node: build it from the sources being measured.
buildTargets();
const ctx = await BenchContext.create(options);
let interrupted = false;
process.on('SIGINT', () => {
  if (interrupted) process.exit(130);
  interrupted = true;
  ctx.log('interrupted: stopping the child processes');
  void ctx.close().finally(() => process.exit(130));
});

const started = performance.now();
const date = new Date().toISOString();
ctx.log(`${command} on ${machine.nproc} cores (${machine.cpuModel}); load average ${machine.loadAtStart}`);

try {
  if (options.profile) {
    const markdown = await runProfilePass(ctx, RESULTS_DIR, date);
    writeFileSync(join(RESULTS_DIR, 'profile.md'), markdown);
    process.stdout.write(`\n${markdown}\n`);
    ctx.log('wrote bench/results/profile.md (the .cpuprofile files beside it open in DevTools)');
  } else {
    const events: EventRun[] = [];
    const memory: MemoryRun[] = [];
    let fanout: BenchResults['fanout'] = null;
    // In this process's own heap: first, before the other phases leave garbage and buffers behind.
    const streams = options.phases.has('streams') ? await runStreamMemoryPhase((line) => ctx.log(line)) : null;
    if (options.phases.has('events')) {
      for (let rep = 0; rep < options.reps; rep++) {
        // Alternate, so a change on the machine during the run touches both alike.
        for (const kind of rep % 2 === 0 ? (['liveward', 'floor'] as const) : (['floor', 'liveward'] as const)) {
          events.push(await runEventPhase(ctx, kind, rep));
        }
      }
    }
    if (options.phases.has('memory')) {
      for (let rep = 0; rep < options.memoryReps; rep++) memory.push(await runMemoryPhase(ctx, rep, rep === 0));
    }
    if (options.phases.has('fanout')) fanout = await runFanOutPhase(ctx);
    const inspector: InspectorRun[] = [];
    if (options.phases.has('inspector')) for (let rep = 0; rep < options.reps; rep++) inspector.push(await runInspectorPhase(ctx, rep));
    const policy: PolicyRun[] = [];
    if (options.phases.has('policy')) for (let rep = 0; rep < options.reps; rep++) policy.push(await runPolicyPhase(ctx, rep));
    const cluster = options.phases.has('cluster') ? await runClusterPhase(ctx) : null;

    const partial = {
      date,
      durationS: (performance.now() - started) / 1000,
      command,
      options: { ...options, phases: [...options.phases] },
      machine,
      loadAtEnd: loadAverage(),
      pinning,
      events,
      memory,
      fanout,
      streams,
      inspector,
      policy,
      cluster,
    };
    const withRows = { ...partial, rows: buildRows(partial) };
    const results: BenchResults = { ...withRows, notes: buildNotes(withRows) };
    const markdown = renderMarkdown(results);
    writeFileSync(join(RESULTS_DIR, `${options.resultName}.json`), JSON.stringify(results, null, 2) + '\n');
    writeFileSync(join(RESULTS_DIR, `${options.resultName}.md`), markdown);
    process.stdout.write(`\n${markdown}\n`);
    ctx.log(`wrote bench/results/${options.resultName}.json and .md`);
    if (options.readme) writeReadme(markdown);
  }
} finally {
  await ctx.close();
}

/** The soft limit on open files of this process (children inherit it), from /proc. */
function openFileLimit(): number | null {
  try {
    const line = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    return line ? Number(line[1]) : null;
  } catch {
    return null;
  }
}

function writeReadme(markdown: string): void {
  const path = join(PROJECT_ROOT, 'README.md');
  const readme = readFileSync(path, 'utf8');
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start < 0 || end < start) {
    ctx.log(`README.md has no ${README_START} … ${README_END} block; not updated`);
    return;
  }
  writeFileSync(path, `${readme.slice(0, start + README_START.length)}\n${markdown}\n${readme.slice(end)}`);
  ctx.log('updated the table in README.md');
}
