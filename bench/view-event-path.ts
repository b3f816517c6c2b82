// A micro-benchmark of the part of one event a view's socket does, in-process and without sockets:
// the counter's `increment` handler (`socket.update`, immer), the render and the diff, and the
// reply's encoding. `npx tsx --conditions=liveward-source bench/view-event-path.ts [views] [events]`.
// It prints the time per event; compare runs on the same machine only.

import { Counter } from '../apps/demo/counter.ts';
import { encodeReply } from '../runtime/frame.ts';
import { LiveViewSocket } from '../runtime/view-socket.ts';

const views = Number(process.argv[2] ?? 1000);
const events = Number(process.argv[3] ?? 200);
const handler = Counter.handleEvent!.increment!.handler;

const sockets = Array.from({ length: views }, (_, i) => {
  const socket = new LiveViewSocket({ id: `phx-${i}`, view: Counter, connected: true });
  Counter.mount!({}, {}, socket);
  socket.assign({ step: 1 });
  socket.renderJoin();
  return socket;
});

function round(): number {
  const started = performance.now();
  let bytes = 0;
  for (let e = 0; e < events; e++) {
    for (const socket of sockets) {
      handler({}, socket);
      bytes += encodeReply('4', '9', 'lv:phx-1', 'ok', { diff: socket.renderDiff() }).length;
    }
  }
  if (bytes === 0) throw new Error('no reply');
  return ((performance.now() - started) * 1000) / (views * events);
}

round(); // warm-up
const samples = Array.from({ length: 5 }, round).sort((a, b) => a - b);
process.stdout.write(`${views} views × ${events} events: median ${samples[2]!.toFixed(2)} µs per event (min ${samples[0]!.toFixed(2)})\n`);
