// Type tests: checked by `tsc -p tsconfig.json` (the first step of `npm test`). Each
// `@ts-expect-error` fails the type check if the mistake below it ever compiles again.

import { expectTypeOf } from 'vitest';
import {
  allow,
  anyone,
  defineView,
  html,
  policy,
  type DisconnectResult,
  type EventPayload,
  type LiveServer,
  type ServerDescription,
  type CrashReport,
  type RuntimeEventStream,
  type ViewSocket,
  type Streams,
} from 'liveward';

interface Counter {
  count: number;
}

type Tick = { type: 'tick' } | { type: 'reset'; to: number };

export const counter = defineView<Counter, Tick>({
  name: 'counter',
  mount: (_params, _session, socket) => {
    socket.assign({ count: 0 });
    socket.every(1000, { type: 'tick' });
    // @ts-expect-error a message the view does not declare
    socket.sendAfter(10, { type: 'tock' });
    // @ts-expect-error an assign the view does not have
    socket.assign({ cuont: 1 });
  },
  handleEvent: {
    increment: allow(anyone, (value, socket) => {
      expectTypeOf(value).toEqualTypeOf<EventPayload>();
      expectTypeOf(socket.assigns.count).toEqualTypeOf<number>();
      socket.update((a) => {
        // @ts-expect-error a typo in the assigns, under allow(anyone, …)
        a.cuont++;
        a.count++;
      });
    }),
    guarded: allow(
      policy<Counter>('small', ({ assigns }) => assigns.count < 10),
      (_value, socket) => socket.update((a) => void a.count++),
    ),
  },
  handleInfo: (message, socket) => {
    expectTypeOf(message).toEqualTypeOf<Tick>();
    if (message.type === 'reset') socket.assign({ count: message.to });
  },
  render: ({ count }) => html`<p>${count}</p>`,
});

defineView<Counter>({
  name: 'bad-policy',
  handleEvent: {
    increment: allow(
      // @ts-expect-error a policy written for other assigns
      policy<{ title: string }>('t', ({ assigns }) => assigns.title !== ''),
      () => {},
    ),
  },
  render: () => html``,
});

defineView<Counter>({
  name: 'bad-handler',
  handleEvent: {
    // @ts-expect-error an event declared without allow(policy, handler)
    increment: (_value: EventPayload, socket: ViewSocket<Counter>) => socket.assign({ count: 1 }),
  },
  render: () => html``,
});

declare const server: LiveServer;
expectTypeOf(server.disconnect('users_socket:1')).resolves.toEqualTypeOf<DisconnectResult>();
expectTypeOf(server.describe()).toEqualTypeOf<ServerDescription>();
expectTypeOf(server.crashes()).toEqualTypeOf<CrashReport>();
expectTypeOf(server.events).toEqualTypeOf<RuntimeEventStream>();

// Streams: the assigns type names each stream and its items; calls and templates follow it.
interface Song {
  id: number;
  title: string;
}

export const songs = defineView<{ streams: Streams<{ songs: Song }> }>({
  name: 'songs',
  mount: (_params, _session, socket) => {
    socket.stream('songs', [{ id: 1, title: 'a' }], { at: 0, limit: -10, reset: true });
    socket.streamInsert('songs', { id: 2, title: 'b' }, { updateOnly: true });
    socket.streamDelete('songs', { id: 2, title: 'b' });
    socket.streamDeleteByDomId('songs', 'songs-2');
    // @ts-expect-error a stream the view does not declare
    socket.stream('albums', []);
    // @ts-expect-error an item of the wrong type
    socket.streamInsert('songs', { id: 3 });
  },
  render: ({ streams }) =>
    html`<ul id="songs" phx-update="stream">${streams.songs.map((song, domId) => {
      expectTypeOf(song).toEqualTypeOf<Song>();
      expectTypeOf(domId).toEqualTypeOf<string>();
      return html`<li id="${domId}">${song.title}</li>`;
    })}</ul>`,
});
