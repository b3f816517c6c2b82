// `npm start`: the demo on http://127.0.0.1:4000 (PORT and HOST override; DATA_DIR, default
// `.data/`, holds the SQLite file and the development secret; REDIS_URL switches PubSub to Redis).

import { createLiveServer, logger } from 'liveward';
import { RedisPubSub } from 'liveward/redis';
import { buildApp } from './app.ts';

const port = Number(process.env.PORT ?? 4000);
const host = process.env.HOST ?? '127.0.0.1';
const dataDir = process.env.DATA_DIR ?? '.data';

const app = buildApp({ dataDir });
// REDIS_URL makes broadcasts and registry.disconnect reach every node sharing that Redis.
const pubsub = process.env.REDIS_URL ? new RedisPubSub(process.env.REDIS_URL) : undefined;
const server = createLiveServer({ router: app.router, pipeline: app.pipeline, dataDir, pubsub });
app.attach(server);

const address = await server.listen(port, host);
logger.info('server.listening', { url: `http://${address.host}:${address.port}` });

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info('server.draining', { signal });
    void server.close().then(() => {
      app.close();
      process.exit(0);
    });
  });
}
