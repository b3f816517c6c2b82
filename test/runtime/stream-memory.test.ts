// Streamed rows are sent and forgotten: after its render, a view that streamed 10,000 rows holds
// what one that streamed 10 holds. Checked twice: the assigns and the render tree are the same
// size whatever was streamed, and every streamed item is garbage once the render is built (a full
// collection frees them all), so no private buffer, list node or component keeps one either.

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { defineView } from '../../runtime/live-view.ts';
import type { Streams } from '../../runtime/live-stream.ts';
import { html } from '../../runtime/template.ts';
import { LiveViewSocket } from '../../runtime/view-socket.ts';

interface Row {
  id: number;
  text: string;
}

interface FeedAssigns {
  title: string;
  streams: Streams<{ rows: Row }>;
}

const Feed = defineView<FeedAssigns>({
  name: 'feed',
  render: ({ title, streams }) =>
    html`<h1>${title}</h1><ul id="rows" phx-update="stream">${streams.rows.map((row, domId) => html`<li id="${domId}">${row.text}</li>`)}</ul>`,
});

const rows = (from: number, count: number): Row[] =>
  Array.from({ length: count }, (_, i) => ({ id: from + i, text: `row ${from + i} `.repeat(8) }));

/** A connected view that streamed `count` rows at mount and `count` more in one event, each rendered. */
function streamedView(count: number, keep?: (row: Row) => void): LiveViewSocket<FeedAssigns> {
  const socket = new LiveViewSocket<FeedAssigns>({ id: 'phx-feed', view: Feed, connected: true });
  socket.assign({ title: 'Feed' });
  const first = rows(1, count);
  for (const row of first) keep?.(row);
  socket.stream('rows', first);
  const join = socket.renderJoin();
  expect(JSON.stringify(join)).toContain(`rows-${count}`);
  for (const row of rows(count + 1, count)) {
    keep?.(row);
    socket.streamInsert('rows', row, { at: 0 });
  }
  expect(JSON.stringify(socket.renderDiff())).toContain(`rows-${2 * count}`);
  return socket;
}

/** Everything reachable from `root` through properties, arrays and maps, as a byte estimate. */
function reachableSize(root: unknown): number {
  const seen = new Set<object>();
  let size = 0;
  const walk = (value: unknown): void => {
    if (typeof value === 'string') size += value.length;
    else if (typeof value !== 'object' || value === null || seen.has(value)) return;
    else {
      seen.add(value);
      size += 8;
      const entries = value instanceof Map ? [...value.entries()].flat() : Object.values(value);
      for (const child of entries) walk(child);
    }
  };
  walk(root);
  return size;
}

/** A full, synchronous collection (V8's own `gc`, made callable for this process). */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

describe('streamed rows are not retained', () => {
  it('leaves the assigns and the render tree the same size after 10 or 10,000 rows', () => {
    const small = streamedView(10);
    const large = streamedView(10_000);
    expect(reachableSize(large.assigns)).toBe(reachableSize(small.assigns));
    expect(reachableSize(large.renderTree)).toBe(reachableSize(small.renderTree));
    // What the stream still has to send: nothing.
    expect(large.assigns.streams.rows.map(() => 'row').rows).toEqual([]);
  });

  it('lets every streamed item be collected once its render is built', async () => {
    const refs: WeakRef<Row>[] = [];
    const socket = streamedView(10_000, (row) => refs.push(new WeakRef(row)));
    // A WeakRef's target is kept until the current job ends: collect from a later one.
    await new Promise<void>((resolve) => setImmediate(resolve));
    collectGarbage();
    const alive = refs.filter((ref) => ref.deref() !== undefined).length;
    expect(alive).toBe(0);
    expect(refs).toHaveLength(20_000);
    expect(socket.renderTree).toBeDefined(); // the view itself is alive
  });
});
