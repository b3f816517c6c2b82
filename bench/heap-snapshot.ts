// Where a view's memory goes: two V8 heap snapshots (the baseline, and N idle views), grouped by
// constructor or kind, the difference divided by N. Self sizes only (no retained sizes), so the
// rows add up to the heap per view.

import { readFileSync } from 'node:fs';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

function group(type: string, name: string): string {
  switch (type) {
    case 'object':
      return name;
    case 'closure':
      return `${name || '(anonymous)'}()`;
    case 'string':
    case 'concatenated string':
    case 'sliced string':
      return '(strings)';
    case 'code':
      return '(compiled code)';
    case 'number':
      return '(heap numbers)';
    case 'object shape':
      return '(object shapes)';
    default:
      return `(${type}) ${name.length > 50 ? `${name.slice(0, 50)}…` : name}`;
  }
}

function tally(path: string): Map<string, { count: number; bytes: number }> {
  const snap = JSON.parse(readFileSync(path, 'utf8')) as Snapshot;
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const width = fields.length;
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f)) as [number, number, number];
  const out = new Map<string, { count: number; bytes: number }>();
  for (let i = 0; i < snap.nodes.length; i += width) {
    const key = group(types[snap.nodes[i + typeAt]!]!, snap.strings[snap.nodes[i + nameAt]!]!);
    const entry = out.get(key) ?? { count: 0, bytes: 0 };
    entry.count++;
    entry.bytes += snap.nodes[i + sizeAt]!;
    out.set(key, entry);
  }
  return out;
}

export interface HeapShare {
  name: string;
  countPerView: number;
  bytesPerView: number;
}

export function diffHeapSnapshots(
  basePath: string,
  loadedPath: string,
  views: number,
  top = 30,
): { totalPerView: number; rows: HeapShare[] } {
  const base = tally(basePath);
  const loaded = tally(loadedPath);
  const rows: HeapShare[] = [];
  let total = 0;
  for (const [name, { count, bytes }] of loaded) {
    const before = base.get(name) ?? { count: 0, bytes: 0 };
    const row = { name, countPerView: (count - before.count) / views, bytesPerView: (bytes - before.bytes) / views };
    total += row.bytesPerView;
    rows.push(row);
  }
  rows.sort((a, b) => b.bytesPerView - a.bytesPerView);
  return { totalPerView: total, rows: rows.slice(0, top) };
}

export function renderHeapDiff(title: string, diff: { totalPerView: number; rows: HeapShare[] }): string {
  return [
    `#### ${title}`,
    '',
    `${Math.round(diff.totalPerView).toLocaleString('en-US')} B per view in the snapshots (self sizes; the snapshot counts a little differently from \`heapUsed\`).`,
    '',
    '| constructor / kind | objects per view | bytes per view |',
    '|---|---:|---:|',
    ...diff.rows.map((r) => `| \`${r.name}\` | ${r.countPerView.toFixed(2)} | ${Math.round(r.bytesPerView).toLocaleString('en-US')} |`),
    '',
  ].join('\n');
}

/** What is left on the heap after every view closed, against the same baseline (whole bytes). */
export function renderHeapResidual(title: string, diff: { totalPerView: number; rows: HeapShare[] }): string {
  return [
    `#### ${title}`,
    '',
    `${Math.round(diff.totalPerView).toLocaleString('en-US')} B more than the baseline snapshot (self sizes).`,
    '',
    '| constructor / kind | objects | bytes |',
    '|---|---:|---:|',
    ...diff.rows
      .filter((r) => r.bytesPerView !== 0)
      .map((r) => `| \`${r.name}\` | ${Math.round(r.countPerView)} | ${Math.round(r.bytesPerView).toLocaleString('en-US')} |`),
    '',
  ].join('\n');
}
