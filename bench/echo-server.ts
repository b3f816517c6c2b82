// The floor: a bare `ws` server on the same machine, driven by the same load generator. It does the
// least any server speaking this protocol must do per frame: decode the JSON frame and answer a
// `phx_reply` of the same shape and size as Liveward's `increment` reply
// (`{"status":"ok","response":{"diff":{"0":"<n>","1":"<n>"}}}`). Joins and heartbeats get an `ok`.
// No HTTP pages, no sessions, no actors, no rendering.

import { WebSocketServer } from 'ws';
import { serveControl } from './control-channel.ts';
import { sampleProcess, startProfile, stopProfile } from './process-sample.ts';
import { wallNow } from './wall-clock.ts';

let wss: WebSocketServer | null = null;
let views = 0;

const commands = {
  now: (_: void) => wallNow(),

  start(_: { limits?: unknown }): Promise<{ baseUrl: string; pid: number }> {
    return new Promise((resolve) => {
      const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, maxPayload: 64 * 1024 });
      wss = server;
      server.on('connection', (ws) => {
        let count = 0;
        let joined = false;
        ws.on('message', (data) => {
          const [joinRef, ref, topic, event] = JSON.parse(data.toString()) as [string | null, string | null, string, string];
          let response: unknown = {};
          if (event === 'event') {
            count++;
            response = { diff: { 0: String(count), 1: String(count) } };
          } else if (event === 'phx_join' && !joined) {
            joined = true;
            views++;
          }
          ws.send(JSON.stringify([joinRef, ref, topic, 'phx_reply', { status: 'ok', response }]));
        });
        ws.on('close', () => {
          if (joined) views--;
        });
      });
      server.on('listening', () => {
        const address = server.address();
        const port = typeof address === 'object' && address ? address.port : 0;
        resolve({ baseUrl: `http://127.0.0.1:${port}`, pid: process.pid });
      });
    });
  },

  /**
   * Closes every socket with 1001, as `registry.disconnect` closes a user's sockets: the floor of
   * the fan-out phase's disconnect. Stamps the call as the Liveward server does.
   */
  disconnect(_: void) {
    const calledAt = wallNow();
    let closed = 0;
    for (const ws of wss?.clients ?? []) {
      if (ws.readyState !== ws.OPEN) continue;
      ws.close(1001, 'disconnected');
      closed++;
    }
    return { calledAt, returnedAt: wallNow(), closed };
  },

  sample: ({ gc }: { gc: boolean }) =>
    sampleProcess(gc, () => ({ connections: wss?.clients.size ?? 0, liveSocketIds: 0, views, subscriptions: 0, timers: 0 })),

  startProfile: (_: void) => startProfile(),
  stopProfile: ({ path }: { path: string }) => stopProfile(path),
};

export type EchoCommands = typeof commands;

serveControl(commands);
