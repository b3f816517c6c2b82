// `npm start`: the demo on http://127.0.0.1:4000 (PORT and HOST override; DATA_DIR holds the
// development secret and the database).

import { createLiveServer, logger, protectFromForgery, putSecureBrowserHeaders } from '../runtime/index.ts';
import { demoRouter } from './demo/router.ts';

const port = Number(process.env.PORT ?? 4000);
const host = process.env.HOST ?? '127.0.0.1';
const dataDir = process.env.DATA_DIR ?? '.data';

const server = createLiveServer({
  router: demoRouter(),
  pipeline: [putSecureBrowserHeaders, protectFromForgery],
  dataDir,
});

const address = await server.listen(port, host);
logger.info('server.listening', { url: `http://${address.host}:${address.port}` });

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info('server.draining', { signal });
    void server.close().then(() => process.exit(0));
  });
}
