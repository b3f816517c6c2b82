// The demo app's routes.

import { Router } from '../../runtime/index.ts';
import { Clock } from './clock.ts';
import { Counter } from './counter.ts';

export function demoRouter(): Router {
  const router = new Router();
  router.liveSession('public', {}, (s) => {
    s.live('/counter', Counter);
    s.live('/clock', Clock);
  });
  router.get('/', (conn) => void conn.redirect('/counter'));
  return router;
}
