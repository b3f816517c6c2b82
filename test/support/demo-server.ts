// Starts the demo app in-process on a free port, with a fixed secret and a private data dir
// (its own SQLite file, seeded with the demo users of `apps/database.ts`).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLiveServer, type LiveServer, type LiveServerOptions } from '../../server/index.ts';
import { buildApp, type App, type AppOptions } from '../../apps/app.ts';

export interface RunningServer {
  server: LiveServer;
  app: App;
  baseUrl: string;
  wsUrl: string;
  host: string;
  stop(): Promise<void>;
}

export const TEST_SECRET = 'test-secret-key-base-that-is-long-enough-0123456789';

/** The demo app's own options besides its data directory (a login throttle with small limits, say). */
export type DemoAppOptions = Omit<AppOptions, 'dataDir'>;

export async function startServer(options: Partial<LiveServerOptions> = {}, appOptions: DemoAppOptions = {}): Promise<RunningServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'liveward-test-'));
  const app = buildApp({ ...appOptions, dataDir });
  const server = createLiveServer({
    router: app.router,
    pipeline: app.pipeline,
    assets: app.assets,
    secretKeyBase: TEST_SECRET,
    dataDir,
    ...options,
  });
  app.attach(server);
  const { port } = await server.listen(0, '127.0.0.1');
  const host = `127.0.0.1:${port}`;
  return {
    server,
    app,
    host,
    baseUrl: `http://${host}`,
    wsUrl: `ws://${host}/live/websocket`,
    async stop() {
      await server.close();
      app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
