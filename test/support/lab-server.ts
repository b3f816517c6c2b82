// A server with views built to misbehave, for supervision and leak tests. Only the public API.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Router, allow, anyone, createLiveServer, defineView, html, type LiveServer, type LiveServerOptions } from '../../server/index.ts';
import { TEST_SECRET } from './demo-server.ts';

export const LAB_TOPIC = 'lab:news';

interface FragileAssigns {
  n: number;
  bomb: boolean;
  news: string;
}

/** Subscribes and runs a timer at mount, so leaks of either would show in the counts. */
const Fragile = defineView<FragileAssigns>({
  name: 'fragile',
  mount(_params, _session, socket) {
    socket.assign({ n: 0, bomb: false, news: '' });
    if (socket.connected) {
      socket.subscribe(LAB_TOPIC);
      socket.every(60_000, 'tick');
    }
  },
  handleEvent: {
    ok: allow(anyone, (_v, socket) => socket.update((a) => void a.n++)),
    explode: allow(anyone, () => {
      throw new Error('secret-internal-detail: handler exploded');
    }),
    explode_later: allow(anyone, async () => {
      await Promise.resolve();
      throw new Error('secret-internal-detail: async handler exploded');
    }),
    render_bomb: allow(anyone, (_v, socket) => socket.assign({ bomb: true })),
    go_calm: allow(anyone, (_v, socket) => socket.pushNavigate('/calm')),
    slow_ok: allow(anyone, async (_v, socket) => {
      await new Promise((r) => setImmediate(r));
      socket.update((a) => void a.n++);
    }),
  },
  handleInfo(message, socket) {
    socket.assign({ news: String(message) });
  },
  render: ({ n, bomb, news }) => {
    if (bomb) throw new Error('secret-internal-detail: render exploded');
    return html`<p id="n">${n}</p><p id="news">${news}</p>`;
  },
});

const MountBomb = defineView<{ ok: boolean }>({
  name: 'mount-bomb',
  mount(_params, _session, socket) {
    if (socket.connected) throw new Error('secret-internal-detail: mount exploded');
    socket.assign({ ok: true });
  },
  render: () => html`<p>never live</p>`,
});

const Calm = defineView<{ n: number }>({
  name: 'calm',
  mount: (_p, _s, socket) => socket.assign({ n: 0 }),
  handleEvent: { ok: allow(anyone, (_v, socket) => socket.update((a) => void a.n++)) },
  render: ({ n }) => html`<p id="n">${n}</p>`,
});

export interface LabServer {
  server: LiveServer;
  baseUrl: string;
  stop(): Promise<void>;
}

export async function startLabServer(options: Partial<LiveServerOptions> = {}): Promise<LabServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'liveward-lab-'));
  const router = new Router();
  router.liveSession('lab', {}, (s) => {
    s.live('/fragile', Fragile);
    s.live('/mount-bomb', MountBomb);
    s.live('/calm', Calm);
  });
  const server = createLiveServer({ router, secretKeyBase: TEST_SECRET, dataDir, ...options });
  const { port } = await server.listen(0, '127.0.0.1');
  return {
    server,
    baseUrl: `http://127.0.0.1:${port}`,
    async stop() {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
