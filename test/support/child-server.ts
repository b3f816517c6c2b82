// The demo server (`apps/server.ts`, as `npm start` runs it) in a child process on a free port,
// with a private data dir: what a crash test needs, since a crash inside vitest's own process
// would take the test runner down with it instead of failing a test.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ChildServer {
  readonly baseUrl: string;
  readonly port: number;
  readonly process: ChildProcess;
  /** The exit code or signal, once the process has exited (null while it runs). */
  readonly exited: string | null;
  /** Everything the process wrote to stderr (its log lines). */
  readonly stderr: string;
  stop(): Promise<void>;
}

/** tsx compiles the app at start: slow on a loaded machine. */
const STARTUP_MS = 60_000;

export async function startChildServer(env: Record<string, string> = {}): Promise<ChildServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'liveward-child-'));
  const child = spawn(process.execPath, ['--conditions=liveward-source', '--import', 'tsx', 'apps/server.ts'], {
    cwd: join(import.meta.dirname, '../..'),
    env: { ...process.env, VITEST: '', PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  let exited: string | null = null;
  child.stderr!.setEncoding('utf8');
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = signal ?? String(code);
      resolve();
    }),
  );
  const started = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`child server did not start:\n${stderr}`)), STARTUP_MS);
    child.stderr!.on('data', (chunk: string) => {
      stderr += chunk;
      const match = /"event":"server\.listening"[^\n]*?"url":"([^"]+)"/.exec(stderr);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    void exit.then(() => reject(new Error(`child server exited (${exited}):\n${stderr}`)));
  });
  // A child that never said it listens is killed, not left running after the test file.
  const url = await started.catch((err: unknown) => {
    child.kill('SIGKILL');
    throw err;
  });
  return {
    baseUrl: url,
    port: Number(new URL(url).port),
    process: child,
    get exited() {
      return exited;
    },
    get stderr() {
      return stderr;
    },
    async stop() {
      if (exited === null) {
        child.kill('SIGTERM');
        await exit;
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
