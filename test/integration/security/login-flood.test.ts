// A flood of failed logins must slow the logins, not the live users: password hashes run on the
// thread pool, so the event loop keeps answering every socket while they are computed. Asserted
// on the order of events, not on timings: once the server has received every login of the flood,
// a heartbeat sent on another socket is answered before most of the logins are.

import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { useDemoServer } from '../../support/use-demo-server.ts';
import { joinLivePage } from '../../support/live-client.ts';
import { fetchCsrfToken } from '../../support/login.ts';

const FLOOD = 8;

describe('a login flood', () => {
  const s = useDemoServer();

  it("leaves another socket's heartbeat answered while the passwords are being checked", async () => {
    const live = s.clients.track(await joinLivePage(s.baseUrl, '/counter'));
    const forms = await Promise.all(Array.from({ length: FLOOD }, () => fetchCsrfToken(s.baseUrl)));
    const order: string[] = [];
    // The server has every login's head before any body is sent.
    let heads = 0;
    let allHeads!: () => void;
    const headsReceived = new Promise<void>((resolve) => (allHeads = resolve));
    const onRequest = (req: IncomingMessage): void => {
      if (req.method === 'POST' && req.url === '/login' && ++heads === FLOOD) allHeads();
    };
    s.server.httpServer.on('request', onRequest);

    try {
      const pending = forms.map((form, i) => {
        const body = new URLSearchParams({ _csrf_token: form.csrfToken, email: `flood-${i}@example.com`, password: 'wrong' }).toString();
        const req: ClientRequest = httpRequest(new URL('/login', s.baseUrl), {
          method: 'POST',
          agent: false,
          headers: { cookie: form.cookie, 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) },
        });
        req.flushHeaders();
        const answered = new Promise<void>((resolve, reject) => {
          req.on('response', (res) => {
            res.resume();
            res.on('end', () => {
              order.push(`login ${res.statusCode}`);
              resolve();
            });
          });
          req.on('error', reject);
        });
        return { send: () => req.end(body), answered };
      });
      await headsReceived;
      // Every body, then the heartbeat, in one go: the server reads them together.
      for (const login of pending) login.send();
      const heartbeat = live.client.heartbeat().then((reply) => void order.push(`heartbeat ${reply.status}`));
      await Promise.all([...pending.map((login) => login.answered), heartbeat]);
    } finally {
      s.server.httpServer.off('request', onRequest);
    }

    // With the hashes on the event loop, the logins read with the heartbeat would be answered first.
    expect(order).toEqual(['heartbeat ok', ...Array.from({ length: FLOOD }, () => 'login 401')]);
  });
});
