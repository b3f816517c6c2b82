// The floor: a bare `ws` server on the same machine, driven by the same load generator. It does the
// least any server speaking this protocol must do per frame: decode the JSON frame and answer a
// `phx_reply` of the same shape and size as Liveward's `increment` reply
// (`{"status":"ok","response":{"diff":{"0":"<n>","1":"<n>"}}}`). Heartbeats get an `ok`.
//
// It answers the join sequence the same minimal way: a GET gets a page of the size of Liveward's
// `/counter` (a root container with an id and two token attributes, a csrf-token meta tag) and a
// session cookie of the size of Liveward's; the socket upgrades at once; a `phx_join` gets an `ok`
// carrying a rendered tree of the size of Liveward's counter. The cookie, the tokens and the CSRF
// token are filler of the right length: no signing, encrypting or checking, no sessions, no actors,
// no rendering. So the join rows' ratio shows what the security checks, the dead render and the
// mount cost together.

import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';
import { serveControl } from './control-channel.ts';
import { sampleProcess, startProfile, stopProfile } from './process-sample.ts';
import { wallNow } from './wall-clock.ts';

/** Filler of Liveward's sizes for `/counter`: the session cookie's value and the two view tokens. */
const COOKIE_VALUE = 'f'.repeat(209);
const SESSION_TOKEN = 's'.repeat(212);
const STATIC_TOKEN = 't'.repeat(169);
const CSRF_TOKEN = 'c'.repeat(56);
const SET_COOKIE = `_floor_session=${COOKIE_VALUE}; Path=/; Max-Age=2592000; SameSite=Lax; HttpOnly`;
/** Liveward's response headers for a page, as constants. */
const HEADERS = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'strict-origin-when-cross-origin',
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'",
  'content-type': 'text/html; charset=utf-8',
  'set-cookie': SET_COOKIE,
};
/** The page around the container, padded to Liveward's 1,760-byte `/counter` page. */
const PAGE_HEAD = `<!doctype html><html><head><meta charset="utf-8"><meta name="csrf-token" content="${CSRF_TOKEN}"><title>Counter</title></head><body>`;
const PAGE_TAIL = `</body></html>`;
const PAGE_SIZE = 1_760;
/** What a join renders: a tree of the size of Liveward's counter (1,111 bytes with its envelope). */
const RENDERED = {
  0: '0',
  1: '0',
  2: '1',
  3: { s: ['<a id="step-', '" href="/counter?step=', '">', '</a> '], k: { 0: { 0: '1', 1: '1', 2: '1' }, kc: 1 } },
  s: ['<main class="counter">'.padEnd(837, ' '), '</main>'],
};

let wss: WebSocketServer | null = null;
let views = 0;
let pages = 0;

function page(): string {
  // One id per page, as Liveward's `phx-` + 16 characters; a counter, not randomness.
  const id = `phx-${String(++pages).padStart(16, '0')}`;
  const container = `<div id="${id}" data-phx-main data-phx-session="${SESSION_TOKEN}" data-phx-static="${STATIC_TOKEN}">`;
  const html = `${PAGE_HEAD}${container}</div>${PAGE_TAIL}`;
  return html.replace('</div>', `${' '.repeat(Math.max(0, PAGE_SIZE - html.length))}</div>`);
}

const commands = {
  now: (_: void) => wallNow(),

  start(_: { limits?: unknown }): Promise<{ baseUrl: string; pid: number }> {
    return new Promise((resolve) => {
      const http = createServer((req, res) => {
        req.resume();
        res.writeHead(200, HEADERS);
        res.end(page());
      });
      const server = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 64 * 1024 });
      wss = server;
      http.on('upgrade', (req, socket, head) => server.handleUpgrade(req, socket, head, (ws) => server.emit('connection', ws)));
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
            response = { rendered: RENDERED, liveview_version: '1.2.12' };
          }
          ws.send(JSON.stringify([joinRef, ref, topic, 'phx_reply', { status: 'ok', response }]));
        });
        ws.on('close', () => {
          if (joined) views--;
        });
      });
      http.listen(0, '127.0.0.1', () => {
        const address = http.address();
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
