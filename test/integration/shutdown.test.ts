// SIGTERM drains: the server stops accepting, closes every socket with 1001 (so clients reconnect
// elsewhere) and exits on its own. Runs the real `npm start` entry point (on its sources) in a child process.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/free-port.ts';
import { joinLivePage } from '../support/live-client.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'liveward-shutdown-'));
let child: ChildProcess | null = null;

afterAll(() => {
  child?.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

function startServerProcess(port: number): Promise<ChildProcess> {
  const proc = spawn(process.execPath, ['--conditions=liveward-source', '--import', 'tsx', 'apps/server.ts'], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'info', VITEST: '' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    proc.stderr!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('"server.listening"')) resolve(proc);
    });
    proc.once('exit', (code) => reject(new Error(`server exited early (${code}): ${output}`)));
  });
}

describe('npm start on SIGTERM', () => {
  it('closes live sockets with 1001 and exits with code 0', async () => {
    const port = await freePort();
    child = await startServerProcess(port);
    const baseUrl = `http://127.0.0.1:${port}`;
    const first = await joinLivePage(baseUrl, '/counter');
    const second = await joinLivePage(baseUrl, '/clock');

    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');

    const [firstClose, secondClose, code] = await Promise.all([first.client.closed, second.client.closed, exited]);
    expect(firstClose.code).toBe(1001);
    expect(secondClose.code).toBe(1001);
    expect(code).toBe(0);
    child = null;
  }, 30_000);
});
