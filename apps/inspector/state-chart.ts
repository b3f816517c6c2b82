// The state chart of a view, as SVG markup: states and transitions come from the machine's own
// definition (`viewMachineGraph()`), laid out by dagre on the server, once per machine, and drawn
// once per (current state, last transition), not at every render of the inspector. Transitions
// that keep the state (an allowed or denied event, a patch, a message) are listed inside their
// state's box, as statecharts draw internal transitions, instead of as a tangle of self-loops.

import dagre from '@dagrejs/dagre';
import { escapeHtml, type MachineGraph, type MachineTransition } from 'liveward';

const CHAR_W = 7;
const LINE_H = 15;
const PAD = 10;

interface Layout {
  width: number;
  height: number;
  nodes: Map<string, { x: number; y: number; width: number; height: number }>;
  edges: { transition: MachineTransition; points: { x: number; y: number }[]; labelX: number; labelY: number }[];
  /** The markup drawn so far, by current state and last transition: a machine has few of each. */
  drawn: Map<string, string>;
}

const layouts = new WeakMap<MachineGraph, Layout>();

/** Transition label: `event [guard]`, the guard by its name. */
export function transitionLabel(t: Pick<MachineTransition, 'event' | 'guard'>): string {
  return t.guard ? `${t.event} [${t.guard}]` : t.event;
}

/** The transition that just happened, named as in the machine definition. */
export interface LastTransition {
  from: string;
  to: string;
  event: string;
  guard: string | null;
}

const sameTransition = (t: { event: string; guard: string | null }, last: LastTransition | null): boolean =>
  last !== null && t.event === last.event && t.guard === last.guard;

function stateLines(graph: MachineGraph, name: string): string[] {
  return stateRows(graph, name).map((row) => row.text);
}

/** The lines inside a state's box: entry actions, then internal transitions. */
function stateRows(graph: MachineGraph, name: string): { text: string; transition: { event: string; guard: string | null } | null }[] {
  const state = graph.states.find((s) => s.name === name)!;
  return [
    ...state.entry.map((a) => ({ text: `entry / ${a}`, transition: null })),
    ...state.internal.map((t) => ({ text: `${transitionLabel(t)} / ${t.actions.join(', ')}`, transition: t })),
  ];
}

function layout(graph: MachineGraph): Layout {
  const cached = layouts.get(graph);
  if (cached) return cached;
  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: 'TB', nodesep: 40, ranksep: 60, edgesep: 14, marginx: 12, marginy: 12 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const state of graph.states) {
    const lines = stateLines(graph, state.name);
    // The name is set larger and bold: about 1.3 detail characters each.
    const title = state.name.length + (state.final ? 8 : 0);
    const widest = Math.max(Math.ceil(title * 1.3), ...lines.map((l) => l.length));
    g.setNode(state.name, { width: widest * CHAR_W + 2 * PAD, height: 28 + lines.length * LINE_H + PAD });
  }
  graph.transitions.forEach((t, i) => {
    const label = transitionLabel(t);
    g.setEdge(t.from, t.to, { label, width: label.length * CHAR_W, height: LINE_H, labelpos: 'c' }, `t${i}`);
  });
  dagre.layout(g);
  const nodes = new Map<string, { x: number; y: number; width: number; height: number }>();
  for (const state of graph.states) {
    const n = g.node(state.name);
    nodes.set(state.name, { x: n.x, y: n.y, width: n.width, height: n.height });
  }
  const edges = graph.transitions.map((transition, i) => {
    const e = g.edge({ v: transition.from, w: transition.to, name: `t${i}` }) as {
      points: { x: number; y: number }[];
      x: number;
      y: number;
    };
    return { transition, points: e.points, labelX: e.x, labelY: e.y };
  });
  const { width = 0, height = 0 } = g.graph();
  const built = { width, height, nodes, edges, drawn: new Map<string, string>() };
  layouts.set(graph, built);
  return built;
}

/**
 * The SVG of `graph` with `current` marked `aria-current="true"` and the `last` transition lit
 * (an arrow, or a line inside the state for a transition that kept it). Every state is a
 * `<g data-state="…">`.
 */
export function stateChartSvg(graph: MachineGraph, current: string | null, last: LastTransition | null = null): string {
  const chart = layout(graph);
  const key = JSON.stringify([current, last && [last.from, last.to, last.event, last.guard]]);
  let svg = chart.drawn.get(key);
  if (svg === undefined) {
    svg = drawSvg(graph, chart, current, last);
    chart.drawn.set(key, svg);
  }
  return svg;
}

function drawSvg(
  graph: MachineGraph,
  { width, height, nodes, edges }: Layout,
  current: string | null,
  last: LastTransition | null,
): string {
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="state chart of the ${escapeHtml(graph.id)} machine" viewBox="0 0 ${Math.ceil(width)} ${Math.ceil(height)}" width="${Math.ceil(width)}" height="${Math.ceil(height)}" class="state-chart">`,
  );
  parts.push(
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerUnits="userSpaceOnUse" markerWidth="9" markerHeight="9" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z"/></marker></defs>',
  );
  for (const { transition: t, points, labelX, labelY } of edges) {
    const lit = last !== null && last.from === t.from && last.to === t.to && sameTransition(t, last);
    const d = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join('');
    parts.push(
      `<g class="transition${lit ? ' lit' : ''}" data-transition="${escapeHtml(`${t.from}->${t.to}`)}" data-event="${escapeHtml(t.event)}"><path d="${d}" marker-end="url(#arrow)"/><text x="${labelX.toFixed(1)}" y="${(labelY + 4).toFixed(1)}" text-anchor="middle">${escapeHtml(transitionLabel(t))}</text></g>`,
    );
  }
  const initial = nodes.get(graph.initial);
  if (initial)
    parts.push(`<circle class="initial" cx="${(initial.x - initial.width / 2 - 8).toFixed(1)}" cy="${initial.y.toFixed(1)}" r="4"/>`);
  for (const state of graph.states) {
    const n = nodes.get(state.name)!;
    const left = n.x - n.width / 2;
    const top = n.y - n.height / 2;
    const isCurrent = state.name === current;
    parts.push(
      `<g class="state${state.final ? ' final' : ''}${isCurrent ? ' current' : ''}" data-state="${escapeHtml(state.name)}"${isCurrent ? ' aria-current="true"' : ''}>`,
    );
    parts.push(`<rect x="${left.toFixed(1)}" y="${top.toFixed(1)}" width="${n.width.toFixed(1)}" height="${n.height.toFixed(1)}" rx="8"/>`);
    parts.push(
      `<text class="name" x="${(left + PAD).toFixed(1)}" y="${(top + 19).toFixed(1)}">${escapeHtml(state.name)}${state.final ? ' (final)' : ''}</text>`,
    );
    stateRows(graph, state.name).forEach((row, i) => {
      const lit =
        row.transition !== null &&
        last !== null &&
        last.from === state.name &&
        last.to === state.name &&
        sameTransition(row.transition, last);
      parts.push(
        `<text class="detail${lit ? ' lit' : ''}" x="${(left + PAD).toFixed(1)}" y="${(top + 19 + (i + 1) * LINE_H).toFixed(1)}">${escapeHtml(row.text)}</text>`,
      );
    });
    parts.push('</g>');
  }
  parts.push('</svg>');
  return parts.join('');
}
