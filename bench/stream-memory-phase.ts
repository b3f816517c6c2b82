// Streams: the heap a connected view holds after streaming 10 rows, and after 10,000. Each view
// streams its rows at mount (the join render, encoded to JSON as it would be sent), then one more
// row in an event (its diff); the views are kept while the heap is collected (`gc()` until it stops
// shrinking) and sampled: (heap − baseline) ÷ views. Rows are sent and forgotten, so both figures
// should be the same. It runs in the orchestrator's own process, on the view socket alone (no
// server, no client): the figure is the view's, not a connection's.

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { defineView, html, type Streams } from '../server/index.ts';
import { LiveViewSocket } from '../runtime/view-socket.ts';
import { repeated } from './samples.ts';
import type { Row } from './report.ts';

/** Enough views that the orchestrator's own heap noise (hundreds of KiB) is small per view. */
const VIEWS = 200;
/** Measured this many times per level; the report shows the median and the range. */
const REPS = 3;
const ROWS = [10, 10_000] as const;

export interface StreamMemoryLevel {
  rows: number;
  views: number;
  /** One figure per repetition. */
  heapPerViewBytes: number[];
}

export interface StreamMemoryRun {
  levels: StreamMemoryLevel[];
}

interface Comment {
  id: number;
  author: string;
  body: string;
}

interface ThreadAssigns {
  title: string;
  streams: Streams<{ comments: Comment }>;
}

const Thread = defineView<ThreadAssigns>({
  name: 'bench-thread',
  mount(params, _session, socket) {
    socket.assign({ title: 'Thread' });
    const count = Number(params.rows);
    socket.stream(
      'comments',
      Array.from({ length: count }, (_, i) => comment(i + 1)),
    );
  },
  render: ({ title, streams }) =>
    html`<h1>${title}</h1><ul id="comments" phx-update="stream">${streams.comments.map(
      (c, domId) => html`<li id="${domId}" class="comment"><p class="author">${c.author}</p><p>${c.body}</p></li>`,
    )}</ul>`,
});

const comment = (id: number): Comment => ({ id, author: `user${id % 97}@example.com`, body: `Comment number ${id}: `.padEnd(120, 'x') });

async function streamedView(rows: number): Promise<LiveViewSocket<ThreadAssigns>> {
  const socket = new LiveViewSocket<ThreadAssigns>({ id: `phx-bench-${rows}`, view: Thread, connected: true });
  await Thread.mount!({ rows: String(rows) }, {}, socket);
  JSON.stringify(socket.renderJoin());
  socket.streamInsert('comments', comment(rows + 1), { at: 0 });
  JSON.stringify(socket.renderDiff());
  return socket;
}

let gc: (() => void) | undefined;

/** The heap after collecting until it stops shrinking. */
function collectedHeap(): number {
  if (!gc) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  let heap = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 10; i++) {
    gc();
    const now = process.memoryUsage().heapUsed;
    // At least three collections: V8 frees some spaces (code, large objects) only on a later one.
    if (i >= 2 && now >= heap) return now;
    heap = Math.min(heap, now);
  }
  return heap;
}

export async function runStreamMemoryPhase(log: (line: string) => void): Promise<StreamMemoryRun> {
  const levels: StreamMemoryLevel[] = [];
  for (const rows of ROWS) {
    log(`streams: ${VIEWS} views streaming ${rows} rows each, ${REPS} times`);
    const perView: number[] = [];
    // One unmeasured round first: compiling the render and diff paths allocates code and feedback.
    for (let i = 0; i < VIEWS; i++) await streamedView(rows);
    for (let rep = 0; rep < REPS; rep++) {
      const baseline = collectedHeap();
      const views: LiveViewSocket<ThreadAssigns>[] = [];
      for (let i = 0; i < VIEWS; i++) views.push(await streamedView(rows));
      const heap = collectedHeap();
      perView.push((heap - baseline) / views.length);
      views.length = 0;
    }
    levels.push({ rows, views: VIEWS, heapPerViewBytes: perView });
  }
  return { levels };
}

/** The report's rows: heap per view after 10 and after 10,000 streamed rows. */
export function streamMemoryRows(run: StreamMemoryRun | null | undefined): Row[] {
  return (run?.levels ?? []).map((level) => ({
    area: 'Memory',
    figure: `heap per view after streaming ${level.rows.toLocaleString('en-US')} rows (after GC, view socket only)`,
    n: `${level.views} views`,
    unit: 'B',
    liveward: repeated(level.heapPerViewBytes),
    floor: null,
    ratio: null,
  }));
}
