// Login throttling over real HTTP from two client addresses on the loopback (127.0.0.2 plays the
// attacker, 127.0.0.3 the owner at home): the refusal is a 429 with Retry-After and a message on
// the login page, costs no password check, and never locks the owner out from their own address.
// With REDIS_URL the counts live in Redis, so every node of a cluster sees the same lock.

import { request as httpRequest } from 'node:http';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoginThrottle, isLoginRefusal } from '../../../apps/auth/login-throttle.ts';
import { unescapeHtml } from '../../support/live-client.ts';
import { fetchCsrfToken } from '../../support/login.ts';
import { startRedis, type RunningRedis } from '../../support/redis-server.ts';
import { useDemoServer } from '../../support/use-demo-server.ts';

const ATTACKER = '127.0.0.2';
const OWNER = '127.0.0.3';

interface LoginAnswer {
  status: number;
  retryAfter: string | undefined;
  location: string | undefined;
  error: string | null;
}

/** POSTs the login form from `localAddress` (the server sees it as the client address). */
async function postLogin(baseUrl: string, localAddress: string, email: string, password: string): Promise<LoginAnswer> {
  const form = await fetchCsrfToken(baseUrl);
  const body = new URLSearchParams({ _csrf_token: form.csrfToken, email, password }).toString();
  return new Promise((resolve, reject) => {
    const req = httpRequest(new URL('/login', baseUrl), {
      method: 'POST',
      localAddress,
      agent: false,
      headers: { cookie: form.cookie, 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) },
    });
    req.on('response', (res) => {
      let html = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (html += chunk));
      res.on('end', () => {
        const error = /<p id="login-error" class="error">([^<]*)<\/p>/.exec(html);
        resolve({
          status: res.statusCode ?? 0,
          retryAfter: res.headers['retry-after'],
          location: res.headers.location,
          error: error ? unescapeHtml(error[1]!) : null,
        });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('login throttling over HTTP', () => {
  const s = useDemoServer(
    {},
    { loginThrottle: new LoginThrottle({ limits: { freeFailures: 3, failuresPerAccountAndAddress: 3, accountAndAddressLockS: 900 } }) },
  );

  const logInFrom = (localAddress: string, email: string, password: string): Promise<LoginAnswer> =>
    postLogin(s.baseUrl, localAddress, email, password);

  it("locks the attacker's address out of alice's account with a 429, Retry-After and a message; alice logs in from home", async () => {
    const failures = [];
    for (let i = 0; i < 3; i++) failures.push((await logInFrom(ATTACKER, 'alice@example.com', `guess-${i}`)).status);

    // Even the right password is refused now, before it is checked.
    const locked = await logInFrom(ATTACKER, 'alice@example.com', 'alice-password');
    const owner = await logInFrom(OWNER, 'alice@example.com', 'alice-password');

    expect(failures).toEqual([401, 401, 401]);
    expect(locked.status).toBe(429);
    expect(Number(locked.retryAfter)).toBeGreaterThan(800);
    expect(Number(locked.retryAfter)).toBeLessThanOrEqual(900);
    expect(locked.error).toMatch(/^Too many failed attempts: logging in from here is locked\. Try again in \d+ seconds\.$/);
    expect(owner).toMatchObject({ status: 302, location: '/posts' });
    // Another account from the attacker's address is not locked by alice's pair.
    expect((await logInFrom(ATTACKER, 'bob@example.com', 'bob-password')).status).toBe(302);
  });
});

describe('the growing delay over HTTP', () => {
  const s = useDemoServer({}, { loginThrottle: new LoginThrottle({ limits: { freeFailures: 1, firstDelayS: 30 } }) });

  it('makes a client wait after its free failures, and says how long', async () => {
    for (let i = 0; i < 2; i++) expect((await postLogin(s.baseUrl, ATTACKER, 'bob@example.com', 'wrong')).status).toBe(401);

    const waiting = await postLogin(s.baseUrl, ATTACKER, 'bob@example.com', 'bob-password');

    expect(waiting).toMatchObject({ status: 429, retryAfter: '30' });
    expect(waiting.error).toBe('Too many failed attempts. Please wait 30 seconds before trying again.');
  });
});

describe('login throttling with its Redis store', () => {
  let redis: RunningRedis;
  const clients: Redis[] = [];
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.quit()));
    await redis?.stop();
  });

  it('shares the lock between two nodes', async () => {
    const node = (): LoginThrottle => {
      const client = new Redis(redis.url, { maxRetriesPerRequest: 3 });
      clients.push(client);
      return new LoginThrottle({ redis: client, limits: { freeFailures: 2, failuresPerAccountAndAddress: 2 } });
    };
    const [a, b] = [node(), node()];
    for (const throttle of [a, b]) {
      const attempt = await throttle.attempt('alice@example.com', ATTACKER);
      if (isLoginRefusal(attempt)) throw new Error('refused too early');
      await attempt.failed();
    }

    expect(await a.attempt('alice@example.com', ATTACKER)).toMatchObject({ reason: 'account_locked' });
    expect(await b.attempt('alice@example.com', ATTACKER)).toMatchObject({ reason: 'account_locked' });
    expect(isLoginRefusal(await b.attempt('alice@example.com', OWNER))).toBe(false);
  });
});
