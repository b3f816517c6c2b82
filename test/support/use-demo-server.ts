// The hooks most integration files share: one demo server for the file (or `describe`), and the
// raw clients its tests open, closed before the server stops. Kept apart from `demo-server.ts`,
// which scripts outside vitest can import.

import { afterAll, beforeAll } from 'vitest';
import type { LiveServerOptions } from '../../server/index.ts';
import { startServer, type DemoAppOptions, type RunningServer } from './demo-server.ts';
import { ClientTracker } from './live-client.ts';

/** A demo server for the calling `describe` (or file), with the raw clients its tests open. */
export interface DemoServerLab extends Omit<RunningServer, 'stop'> {
  /** Clients tracked here are closed after the tests, before the server stops. */
  readonly clients: ClientTracker;
}

/**
 * Registers the hooks that start one demo server before the tests and stop it after them. Use
 * the returned lab inside tests and hooks (its fields exist once `beforeAll` has run).
 *
 * @example
 *   const s = useDemoServer();
 *   it('…', async () => { s.clients.track(await joinLivePage(s.baseUrl, '/counter')); });
 */
export function useDemoServer(options: Partial<LiveServerOptions> = {}, appOptions: DemoAppOptions = {}): DemoServerLab {
  let running: RunningServer | undefined;
  const clients = new ClientTracker();
  beforeAll(async () => {
    running = await startServer(options, appOptions);
  });
  afterAll(async () => {
    await clients.closeAll();
    await running?.stop();
  });
  const started = (): RunningServer => {
    if (!running) throw new Error('the demo server is used before its beforeAll ran');
    return running;
  };
  return {
    clients,
    get server() {
      return started().server;
    },
    get app() {
      return started().app;
    },
    get baseUrl() {
      return started().baseUrl;
    },
    get wsUrl() {
      return started().wsUrl;
    },
    get host() {
      return started().host;
    },
  };
}
