// Hostile requests against the demo server in a child process, as an attacker would send them
// (each once crashed the process): after every one, the process must still be running and serving.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChildServer, type ChildServer } from '../support/child-server.ts';
import { fetchLivePage } from '../support/live-client.ts';
import { rawRequest, statusOf } from '../support/raw-http.ts';

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

function upgrade(path: string, headers: Record<string, string>): string {
  const lines = [
    `GET ${path} HTTP/1.1`,
    'Connection: Upgrade',
    'Upgrade: websocket',
    'Sec-WebSocket-Version: 13',
    `Sec-WebSocket-Key: ${KEY}`,
  ];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  return lines.join('\r\n') + '\r\n\r\n';
}

describe('a node under hostile requests (child process)', () => {
  let child: ChildServer;
  let host: string;
  /** A cookie session and its CSRF token, for upgrades that get as far as the session read. */
  let cookie: string;
  let csrfToken: string;

  beforeAll(async () => {
    child = await startChildServer();
    host = `127.0.0.1:${child.port}`;
    ({ cookie, csrfToken } = await fetchLivePage(child.baseUrl, '/counter'));
  }, 90_000);

  afterAll(async () => {
    await child?.stop();
  });

  /** The process is alive and a GET / gets its page. */
  async function expectServing(): Promise<void> {
    expect(child.exited).toBeNull();
    const response = await fetch(`${child.baseUrl}/`);
    await response.text();
    expect(response.status).toBe(200);
    expect(child.exited).toBeNull();
    expect(child.stderr).not.toMatch(/unhandled|uncaught/i);
  }

  it('answers 400 to a Host no URL can be made of (Host: [::1)', async () => {
    const answer = await rawRequest(child.port, 'GET / HTTP/1.1\r\nHost: [::1\r\nConnection: close\r\n\r\n');
    expect(statusOf(answer)).toBe(400);
    await expectServing();
  });

  it('answers 400 to an absolute-form target that is no URL (GET http://[)', async () => {
    const answer = await rawRequest(child.port, `GET http://[ HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
    expect(statusOf(answer)).toBe(400);
    await expectServing();
  });

  it('answers 400 to a request line that is not HTTP', async () => {
    const answer = await rawRequest(child.port, '\x00\x01garbage\r\n\r\n');
    expect(statusOf(answer)).toBe(400);
    await expectServing();
  });

  it('refuses an upgrade with a bad Host or target with 400 or 403, not a crash', async () => {
    const badHost = await rawRequest(child.port, upgrade('/live/websocket?vsn=2.0.0', { Host: '[::1', Origin: 'http://[::1' }));
    const badTarget = await rawRequest(child.port, upgrade('http://[', { Host: host }));
    expect([400, 403]).toContain(statusOf(badHost));
    expect(statusOf(badTarget)).toBe(400);
    await expectServing();
  });

  it('survives upgrades refused with 403 whose connection is reset at once', async () => {
    const refused = upgrade('/live/websocket?vsn=2.0.0', { Host: host, Origin: 'http://evil.example' });
    for (let i = 0; i < 30; i++) await rawRequest(child.port, refused, { afterWrite: 'reset' });
    await expectServing();
  });

  it('survives a reset at every byte of a valid upgrade', async () => {
    const request = upgrade(`/live/websocket?vsn=2.0.0&_csrf_token=${encodeURIComponent(csrfToken)}`, { Host: host, Cookie: cookie });
    for (let cut = 1; cut <= request.length; cut += 3) {
      await rawRequest(child.port, request.slice(0, cut), { afterWrite: 'reset' });
    }
    await expectServing();
  });

  it('survives valid upgrades reset while their cookie session is read', async () => {
    const request = upgrade(`/live/websocket?vsn=2.0.0&_csrf_token=${encodeURIComponent(csrfToken)}`, { Host: host, Cookie: cookie });
    await Promise.all(Array.from({ length: 40 }, () => rawRequest(child.port, request, { afterWrite: 'reset' })));
    await expectServing();
  });

  it('survives half-closed requests and upgrades', async () => {
    const request = upgrade(`/live/websocket?vsn=2.0.0&_csrf_token=${encodeURIComponent(csrfToken)}`, { Host: host, Cookie: cookie });
    // Whether Node answers a half-closed request is its choice; the process must not care.
    await rawRequest(child.port, `GET / HTTP/1.1\r\nHost: ${host}\r\n\r\n`, { afterWrite: 'half-close', timeoutMs: 500 });
    await rawRequest(child.port, request, { afterWrite: 'half-close', timeoutMs: 500 });
    await rawRequest(child.port, `POST /login HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 100\r\n\r\nemail=`, {
      afterWrite: 'half-close',
      timeoutMs: 500,
    });
    await expectServing();
  });

  it('survives a request body reset halfway', async () => {
    for (let i = 0; i < 10; i++) {
      await rawRequest(
        child.port,
        `POST /login HTTP/1.1\r\nHost: ${host}\r\nCookie: ${cookie}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 5000\r\n\r\nemail=a`,
        { afterWrite: 'reset' },
      );
    }
    await expectServing();
  });
});
