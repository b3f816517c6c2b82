// Streams in the diff: the `"stream"` entry of a list's diff (`[ref, inserts, deleteDomIds]`, a
// fourth element `true` on reset, each insert `[domId, at, limit, updateOnly]`), rows sent in full
// every time, nothing kept once sent; then the official client's own merge of those diffs.

import { describe, expect, it } from 'vitest';
import { diffTree, renderFull, type TreeNode, type WireTree } from '../../runtime/diff.ts';
import { LiveStream } from '../../runtime/live-stream.ts';
import { ComponentCall, html, renderToString } from '../../runtime/template.ts';
import { defineView } from '../../runtime/live-view.ts';
import { LiveViewSocket } from '../../runtime/view-socket.ts';
import type { Streams } from '../../runtime/live-stream.ts';
import { useClientRendered } from '../support/client-rendered.ts';

interface Song {
  id: number;
  title: string;
}

const wire = (tree: WireTree): unknown => JSON.parse(JSON.stringify(tree));
const ROW_STATICS = ['<li id="', '">', '</li>'];
const page = (stream: LiveStream<Song>, title = 'Songs') =>
  html`<h1>${title}</h1><ul id="songs" phx-update="stream">${stream.map((song, domId) => html`<li id="${domId}">${song.title}</li>`)}</ul>`;

/** A stream with the view socket's render cycle: render, then forget what was sent. */
function streamed(): { stream: LiveStream<Song>; render(title?: string): unknown } {
  const stream = new LiveStream<Song>('songs', '0');
  let node: TreeNode | undefined;
  return {
    stream,
    render(title) {
      const result = node ? diffTree(node, page(stream, title)) : renderFull(page(stream, title));
      stream.prune();
      node = result.node;
      return wire(result.wire);
    },
  };
}

describe('stream diff', () => {
  it('sends the initial rows with statics, keyed by position, and the stream entry appending each', () => {
    const { stream, render } = streamed();
    stream.insert({ id: 1, title: 'a' }, {});
    stream.insert({ id: 2, title: 'b' }, {});
    expect(render()).toEqual({
      s: ['<h1>', '</h1><ul id="songs" phx-update="stream">', '</ul>'],
      0: 'Songs',
      1: {
        s: ROW_STATICS,
        k: { 0: { 0: 'songs-1', 1: 'a' }, 1: { 0: 'songs-2', 1: 'b' }, kc: 2 },
        stream: [
          '0',
          [
            ['songs-1', -1, null, false],
            ['songs-2', -1, null, false],
          ],
          [],
        ],
      },
    });
  });

  it('sends nothing for a stream with nothing new, even when the rest of the page changes', () => {
    const { stream, render } = streamed();
    stream.insert({ id: 1, title: 'a' }, {});
    render();
    expect(render()).toEqual({});
    expect(render('Other')).toEqual({ 0: 'Other' });
  });

  it('sends an inserted row in full, without statics, at -1, 0 or n', () => {
    const { stream, render } = streamed();
    stream.insert({ id: 1, title: 'a' }, {});
    render();
    stream.insert({ id: 2, title: 'b' }, { at: 0 });
    expect(render()).toEqual({ 1: { k: { 0: { 0: 'songs-2', 1: 'b' }, kc: 1 }, stream: ['0', [['songs-2', 0, null, false]], []] } });
    stream.insert({ id: 3, title: 'c' }, { at: 1 });
    expect(render()).toEqual({ 1: { k: { 0: { 0: 'songs-3', 1: 'c' }, kc: 1 }, stream: ['0', [['songs-3', 1, null, false]], []] } });
    stream.insert({ id: 4, title: 'd' }, { at: -1 });
    expect(render()).toMatchObject({ 1: { stream: ['0', [['songs-4', -1, null, false]], []] } });
  });

  it('carries the limit and update_only of each insert', () => {
    const { stream, render } = streamed();
    render();
    stream.insert({ id: 1, title: 'a' }, { limit: -10 });
    stream.insert({ id: 2, title: 'b' }, { at: 0, limit: 5, updateOnly: true });
    expect(render()).toMatchObject({
      1: {
        stream: [
          '0',
          [
            ['songs-1', -1, -10, false],
            ['songs-2', 0, 5, true],
          ],
          [],
        ],
      },
    });
  });

  it('sends deletes by DOM id with no rows', () => {
    const { stream, render } = streamed();
    stream.insert({ id: 1, title: 'a' }, {});
    render();
    stream.delete('songs-1');
    expect(render()).toEqual({ 1: { k: { kc: 0 }, stream: ['0', [], ['songs-1']] } });
  });

  it('marks a reset with a fourth element, followed by the new rows', () => {
    const { stream, render } = streamed();
    stream.insert({ id: 1, title: 'a' }, {});
    render();
    stream.markReset();
    stream.insert({ id: 7, title: 'g' }, {});
    expect(render()).toEqual({
      1: { k: { 0: { 0: 'songs-7', 1: 'g' }, kc: 1 }, stream: ['0', [['songs-7', -1, null, false]], [], true] },
    });
    expect(render()).toEqual({});
  });

  it('keeps one row per DOM id, the latest insert', () => {
    const { stream, render } = streamed();
    stream.insert({ id: 1, title: 'old' }, {});
    stream.insert({ id: 2, title: 'b' }, {});
    stream.insert({ id: 1, title: 'new' }, { at: 0 });
    expect(render()).toMatchObject({
      1: {
        k: { 0: { 1: 'b' }, 1: { 1: 'new' }, kc: 2 },
        stream: [
          '0',
          [
            ['songs-2', -1, null, false],
            ['songs-1', 0, null, false],
          ],
          [],
        ],
      },
    });
  });

  it('renders an empty stream as "" until it has rows, then sends their statics', () => {
    const { stream, render } = streamed();
    expect(render()).toMatchObject({ 1: '' });
    stream.insert({ id: 1, title: 'a' }, {});
    expect(render()).toMatchObject({ 1: { s: ROW_STATICS, stream: ['0', [['songs-1', -1, null, false]], []] } });
  });

  it('sends a stateful component row as its cid in a one-slot row', () => {
    const stream = new LiveStream<Song>('songs', '3');
    stream.insert({ id: 1, title: 'a' }, {});
    const Row = { name: 'row' };
    const sink = { placeComponent: (call: ComponentCall) => 40 + Number(call.id) };
    const { wire: w } = renderFull(
      html`<ul id="songs" phx-update="stream">${stream.map((song) => new ComponentCall(Row, song.id, {}))}</ul>`,
      sink,
    );
    expect(wire(w)).toMatchObject({ 0: { s: ['', ''], k: { 0: { 0: 41 }, kc: 1 }, stream: ['3', [['songs-1', -1, null, false]], []] } });
  });

  it('renders the pending rows in the dead render, in insert order', () => {
    const stream = new LiveStream<Song>('songs', '0');
    stream.insert({ id: 1, title: 'a' }, {});
    stream.insert({ id: 2, title: 'b' }, { at: 0 });
    expect(renderToString(page(stream))).toBe(
      '<h1>Songs</h1><ul id="songs" phx-update="stream"><li id="songs-1">a</li><li id="songs-2">b</li></ul>',
    );
  });

  it('uses a configured DOM id, and refuses an item it cannot name', () => {
    const byTitle = new LiveStream<Song>('songs', '0', { domId: (song) => `song-${song.title}` });
    byTitle.insert({ id: 1, title: 'a' }, {});
    expect(byTitle.map((_song, domId) => domId).rows).toEqual(['song-a']);
    const plain = new LiveStream<unknown>('things', '0');
    expect(() => plain.insert({ name: 'no id' }, {})).toThrow(/needs an id/);
    expect(() => plain.insert({ id: 1 }, { at: -2 })).toThrow(/at must be/);
    expect(() => plain.insert({ id: 1 }, { limit: 1.5 })).toThrow(/limit must be/);
  });
});

describe("the view socket's stream calls", () => {
  const View = defineView<{ streams: Streams<{ songs: Song }> }>({
    name: 'songs',
    render: ({ streams }) => page(streams.songs),
  });
  const socketOf = () => new LiveViewSocket<{ streams: Streams<{ songs: Song }> }>({ id: 'phx-s', view: View, connected: true });

  it('takes the DOM id function from the call that creates the stream, or from streamConfigure before it', () => {
    const socket = socketOf();
    socket.stream('songs', [{ id: 1, title: 'a' }], { domId: (song) => `song-${song.title}` });
    expect(JSON.stringify(socket.renderJoin())).toContain('"stream":["0",[["song-a",-1,null,false]],[]]');
    expect(() => socket.streamConfigure('songs', {})).toThrow(/already been streamed/);

    const configured = socketOf();
    configured.streamConfigure('songs', { domId: (song) => `s${song.id}` });
    expect(() => configured.streamConfigure('songs', {})).toThrow(/already configured/);
    configured.stream('songs', [{ id: 2, title: 'b' }]);
    expect(JSON.stringify(configured.renderJoin())).toContain('["s2",-1,null,false]');
  });

  it('refuses an insert or a delete on a stream never defined', () => {
    const socket = socketOf();
    expect(() => socket.streamInsert('songs', { id: 1, title: 'a' })).toThrow(/no stream "songs"/);
    expect(() => socket.streamDeleteByDomId('songs', 'songs-1')).toThrow(/no stream "songs"/);
  });
});

describe('stream diffs in the official client', () => {
  const client = useClientRendered();

  it("renders each diff's rows once, hands the stream entry to the patcher, and forgets the rows", () => {
    const { stream, render } = streamed();
    stream.insert({ id: 1, title: 'a' }, {});
    const rendered = client('phx-1', render());
    const first = rendered.toString() as unknown as { buffer: string; streams: Set<unknown[]> };
    expect(first.buffer).toContain('<li id="songs-1">a</li>');
    expect([...first.streams]).toEqual([['0', [['songs-1', -1, null, false]], []]]);

    stream.insert({ id: 2, title: 'b' }, { at: 0 });
    rendered.mergeDiff(render());
    const second = rendered.toString() as unknown as { buffer: string; streams: Set<unknown[]> };
    // Only the new row: the first lives in the DOM now, not in the client's tree.
    expect(second.buffer).toContain('<ul id="songs" phx-update="stream"><li id="songs-2">b</li></ul>');
    expect([...second.streams]).toEqual([['0', [['songs-2', 0, null, false]], []]]);

    rendered.mergeDiff(render('Other'));
    const third = rendered.toString() as unknown as { buffer: string; streams: Set<unknown[]> };
    expect(third.buffer).toContain('<h1>Other</h1><ul id="songs" phx-update="stream"></ul>');
    expect(third.streams.size).toBe(0);
  });
});
