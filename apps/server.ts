// `npm start`: the demo on http://127.0.0.1:4000 (PORT and HOST override; DATA_DIR, default
// `.data/`, holds the SQLite file and the development secret; REDIS_URL switches PubSub and the
// login throttle's counts to Redis). Behind a TLS proxy, SECURE_COOKIES=1 marks the session
// cookie `Secure` and HSTS=1 (or HSTS=<max-age in seconds>) sends Strict-Transport-Security.

import { Redis } from 'ioredis';
import { createLiveServer, logger } from 'liveward';
import { RedisPubSub } from 'liveward/redis';
import { buildApp } from './app.ts';
import { LoginThrottle } from './auth/login-throttle.ts';

const port = Number(process.env.PORT ?? 4000);
const host = process.env.HOST ?? '127.0.0.1';
const dataDir = process.env.DATA_DIR ?? '.data';

/** `1`/`true` → true, a whole number → that number, unset/`0`/`false` → false. */
function flag(value: string | undefined): boolean | number {
  if (value === undefined || value === '' || value === '0' || value === 'false') return false;
  if (value === '1' || value === 'true') return true;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0) throw new TypeError(`expected 1, 0 or a number of seconds, got ${value}`);
  return n;
}

// REDIS_URL makes broadcasts, disconnects and the failed-login counts shared by every node on that
// Redis. NODE_ID names this node in logs and `describe()` (default: host, pid and a random tail).
const redisUrl = process.env.REDIS_URL;
const nodeId = process.env.NODE_ID || undefined;
const throttleRedis = redisUrl ? new Redis(redisUrl, { maxRetriesPerRequest: 3 }) : undefined;
// Without a listener ioredis prints every failed reconnect's stack to stderr, outside the JSON log;
// the PubSub's health (`describe()`, the `pubsub.down` line) already says when Redis is unreachable.
throttleRedis?.on('error', (err) => logger.debug('login_throttle.redis_error', { error: err }));
const app = buildApp({ dataDir, loginThrottle: new LoginThrottle({ redis: throttleRedis }) });
const pubsub = redisUrl ? new RedisPubSub(redisUrl, { nodeId }) : undefined;
const server = createLiveServer({
  router: app.router,
  pipeline: app.pipeline,
  assets: app.assets,
  dataDir,
  pubsub,
  secureCookies: flag(process.env.SECURE_COOKIES) !== false,
  hsts: flag(process.env.HSTS),
  revalidateSession: app.revalidateSession,
});
app.attach(server);

const address = await server.listen(port, host);
logger.info('server.listening', { url: `http://${address.host}:${address.port}` });

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info('server.draining', { signal });
    void server.close().then(async () => {
      app.close();
      // The server is closed, nothing is left to count: drop the connection. quit() would wait for
      // a command queued while Redis is down, then reject, and the process would exit 1 unlogged.
      throttleRedis?.disconnect();
      process.exit(0);
    });
  });
}
