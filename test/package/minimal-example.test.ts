// What a team gets from `npm install liveward`: the library is packed as it would be published,
// installed from that tarball into a fresh folder outside this repository, and the minimal
// example is started there with plain `node` (compiled JavaScript, no loader) and driven over a
// real socket with the official client's protocol.

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchLivePage, joinLivePage, joinPayload, connectSocket, mergeCookies } from '../support/live-client.ts';

const ROOT = new URL('../..', import.meta.url).pathname;
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

describe('the packed library and the minimal example', () => {
  let dir: string;
  let tarball: string;
  let files: string[];
  let child: ChildProcess | undefined;
  let baseUrl: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'liveward-pack-'));
    // `npm pack` builds first (prepack), exactly as a publish would.
    const packed = JSON.parse(
      execFileSync(NPM, ['pack', '--json', '--pack-destination', dir], {
        cwd: ROOT,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
      }),
    ) as [{ filename: string; files: { path: string }[] }];
    tarball = join(dir, packed[0].filename);
    files = packed[0].files.map((f) => f.path);

    const app = join(dir, 'app');
    cpSync(join(ROOT, 'examples/minimal'), app, { recursive: true });
    // Offline from the npm cache: the library's own dependencies are already there.
    execFileSync(NPM, ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], { cwd: app, stdio: 'ignore' });
    expect(readdirSync(join(app, 'node_modules'))).not.toContain('better-sqlite3');

    child = spawn(process.execPath, ['server.js'], {
      cwd: app,
      env: { ...process.env, PORT: '0', SECRET_KEY_BASE: 'minimal-example-secret-key-base-0123456789abcdef' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    for await (const chunk of child.stdout!) {
      out += String(chunk);
      const port = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out)?.[1];
      if (port) {
        baseUrl = `http://127.0.0.1:${port}`;
        break;
      }
    }
    if (!baseUrl) throw new Error(`the example did not start:\n${out}`);
  }, 240_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('packs only what a user needs: compiled JavaScript, declarations and the client assets', () => {
    expect(files).toContain('dist/server/index.js');
    expect(files).toContain('dist/server/index.d.ts');
    expect(files).toContain('dist/server/redis.js');
    expect(files).toContain('dist/testing/index.js');
    expect(files).toContain('dist/runtime/assets/app.js');
    expect(files.filter((f) => !f.startsWith('dist/') && !['package.json', 'README.md'].includes(f))).toEqual([]);
    expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
  });

  it('counts over the socket for anyone', async () => {
    const { channel, client } = await joinLivePage(baseUrl, '/');
    const reply = await channel.event('increment');
    expect(reply.status).toBe('ok');
    expect(JSON.stringify(reply.response.diff)).toContain('"1"');
    await client.close();
  });

  it('sends an anonymous visitor of the private page to /login, and mounts it after a login', async () => {
    const anonymous = await fetch(`${baseUrl}/secret`, { redirect: 'manual' });
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get('location')).toBe('/login');

    const form = await fetch(`${baseUrl}/login`);
    const csrf = /name="_csrf_token" value="([^"]+)"/.exec(await form.text())![1]!;
    const cookie = mergeCookies('', form.headers.getSetCookie());
    const login = await fetch(`${baseUrl}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf_token: csrf, name: 'ada' }).toString(),
    });
    expect(login.headers.get('location')).toBe('/secret');

    const page = await fetchLivePage(baseUrl, '/secret', { cookie: mergeCookies(cookie, login.headers.getSetCookie()) });
    const client = await connectSocket(baseUrl, { cookie: page.cookie, csrfToken: page.csrfToken });
    const reply = await client.channel(page.topic).join(joinPayload(page));
    expect(reply.status).toBe('ok');
    expect(JSON.stringify(reply.response.rendered)).toContain('ada');
    await client.close();
  });
});
