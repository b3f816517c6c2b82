// Where a process's time went: self time per function and per package from a V8 `.cpuprofile`
// (the format `node --cpu-prof` and the inspector's Profiler write).

import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface TimeShare {
  name: string;
  ms: number;
  /** Share of the non-idle time. */
  share: number;
}

export interface ProfileSummary {
  totalMs: number;
  idleMs: number;
  functions: TimeShare[];
  packages: TimeShare[];
}

function packageOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith('node:')) return 'node internals';
  const own = /\/(runtime|actors|apps|bench)\//.exec(url);
  return own ? `${own[1]}/` : 'other';
}

function place(url: string, line: number): string {
  if (!url) return '';
  const short = url.replace(/^file:\/\/.*?\/(node_modules\/|runtime\/|actors\/|apps\/|bench\/)/, '$1');
  // tsx-compiled modules report line 0 for every function: leave the line out rather than mislead.
  return line > 0 ? ` ${short}:${line + 1}` : ` ${short}`;
}

export function summarizeProfile(path: string, top = 25): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  // timeDeltas[i] is the time before sample i; it belongs to the previous sample's node.
  for (let i = 1; i < profile.samples.length; i++) {
    const id = profile.samples[i - 1]!;
    self.set(id, (self.get(id) ?? 0) + profile.timeDeltas[i]! / 1000);
  }
  const functions = new Map<string, number>();
  const packages = new Map<string, number>();
  let totalMs = 0;
  let idleMs = 0;
  for (const [id, ms] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    totalMs += ms;
    if (functionName === '(idle)') {
      idleMs += ms;
      continue;
    }
    const name = `${functionName || '(anonymous)'}${place(url, lineNumber)}`;
    functions.set(name, (functions.get(name) ?? 0) + ms);
    const pkg = packageOf(url, functionName);
    packages.set(pkg, (packages.get(pkg) ?? 0) + ms);
  }
  const busy = totalMs - idleMs;
  const rank = (m: Map<string, number>, limit: number): TimeShare[] =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(([name, ms]) => ({ name, ms, share: ms / busy }));
  return { totalMs, idleMs, functions: rank(functions, top), packages: rank(packages, 20) };
}

export function renderProfile(title: string, summary: ProfileSummary): string {
  const pct = (s: number): string => `${(s * 100).toFixed(1)}%`;
  return [
    `#### ${title}`,
    '',
    `${Math.round(summary.totalMs)} ms sampled, ${pct(summary.idleMs / summary.totalMs)} idle. Shares are of the non-idle time (self time).`,
    '',
    '| package | self | share |',
    '|---|---:|---:|',
    ...summary.packages.map((p) => `| ${p.name} | ${Math.round(p.ms)} ms | ${pct(p.share)} |`),
    '',
    '| function | self | share |',
    '|---|---:|---:|',
    ...summary.functions.map((f) => `| \`${f.name}\` | ${Math.round(f.ms)} ms | ${pct(f.share)} |`),
    '',
  ].join('\n');
}
