// The headers every response carries, whatever answers it: a page, an asset, the favicon, a
// redirect, a 404, a 405, a refused CSRF check, a too-large body, a refused upgrade. The
// Content-Security-Policy lets the official client run (checked in a real browser by the e2e
// tests) and nothing injected. Secure cookies and HSTS are for a server behind TLS: off by
// default, on when asked.

import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONTENT_SECURITY_POLICY } from '../../../server/index.ts';
import { useDemoServer } from '../../support/use-demo-server.ts';
import { fetchCsrfToken } from '../../support/login.ts';

const CSP = DEFAULT_CONTENT_SECURITY_POLICY;

/** The status line and headers of a raw HTTP exchange (`request` is sent as is). */
function rawExchange(host: string, request: string): Promise<string> {
  const [hostname, port] = host.split(':') as [string, string];
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(request));
    let data = '';
    socket.on('data', (chunk) => (data += chunk.toString('latin1')));
    socket.on('end', () => resolve(data));
    socket.on('error', reject);
  });
}

describe('security headers', () => {
  const s = useDemoServer();

  async function request(path: string, init: RequestInit = {}): Promise<Response> {
    const response = await fetch(new URL(path, s.baseUrl), { redirect: 'manual', ...init });
    await response.text();
    return response;
  }

  it('states a strict policy: own scripts, styles and socket only, no plugins, no framing, forms to itself', () => {
    for (const directive of [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self'",
      "connect-src 'self'",
      "object-src 'none'",
      "base-uri 'self'",
      "frame-ancestors 'none'",
      "form-action 'self'",
    ]) {
      expect(CSP.split('; ')).toContain(directive);
    }
    expect(CSP).not.toContain('unsafe');
  });

  it('puts nosniff, the CSP and no-framing on every kind of response', async () => {
    const { cookie } = await fetchCsrfToken(s.baseUrl);
    const form = { 'content-type': 'application/x-www-form-urlencoded', cookie };
    const responses: Record<string, Response> = {
      'live page': await request('/counter'),
      'login page': await request('/login'),
      'script asset': await request('/assets/phoenix_live_view.esm.js'),
      'style asset': await request('/assets/app.css'),
      favicon: await request('/favicon.ico'),
      redirect: await request('/'),
      'redirect to login': await request('/posts'),
      'not found': await request('/no/such/page'),
      'wrong method': await request('/login', { method: 'OPTIONS' }),
      'CSRF refusal': await request('/logout', { method: 'POST', headers: form, body: '' }),
      'body too large': await request('/login', { method: 'POST', headers: form, body: 'x'.repeat(70 * 1024) }),
      'failed login': await request('/login', {
        method: 'POST',
        headers: form,
        body: new URLSearchParams({
          _csrf_token: (await fetchCsrfToken(s.baseUrl, cookie)).csrfToken,
          email: 'nobody@example.com',
          password: 'x',
        }).toString(),
      }),
    };

    const seen = Object.entries(responses).map(([kind, response]) => ({
      kind,
      status: response.status,
      nosniff: response.headers.get('x-content-type-options'),
      csp: response.headers.get('content-security-policy'),
      frames: response.headers.get('x-frame-options'),
      hsts: response.headers.get('strict-transport-security'),
    }));
    expect(new Set(seen.map((r) => r.status))).toEqual(new Set([200, 204, 302, 401, 403, 404, 405, 413]));
    for (const r of seen) expect(r).toEqual({ kind: r.kind, status: r.status, nosniff: 'nosniff', csp: CSP, frames: 'DENY', hsts: null });
  });

  it('puts nosniff on a refused WebSocket upgrade too', async () => {
    const answer = await rawExchange(
      s.host,
      `GET /no/such/socket HTTP/1.1\r\nHost: ${s.host}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
        'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
    );

    expect(answer).toMatch(/^HTTP\/1\.1 404 /);
    expect(answer.toLowerCase()).toContain('x-content-type-options: nosniff');
  });

  it('sets cookies without Secure by default (plain HTTP in development)', async () => {
    const response = await request('/login');

    expect(response.headers.getSetCookie().join('\n')).not.toMatch(/;\s*Secure/i);
  });
});

describe('security headers behind TLS (secureCookies, hsts)', () => {
  const s = useDemoServer({ secureCookies: true, hsts: true });

  it('marks the session cookie Secure and sends Strict-Transport-Security for a year on every response', async () => {
    const page = await fetch(new URL('/login', s.baseUrl), { redirect: 'manual' });
    await page.text();
    const asset = await fetch(new URL('/assets/app.js', s.baseUrl));
    await asset.text();

    expect(page.headers.getSetCookie()[0]).toMatch(/; HttpOnly; Secure$/);
    expect(page.headers.get('strict-transport-security')).toBe('max-age=31536000');
    expect(asset.headers.get('strict-transport-security')).toBe('max-age=31536000');
  });
});
