// A real redis-server on a free loopback port, no persistence: for the tests and the benchmark of the
// Redis path (a cluster's nodes share one). CI installs Debian's redis-server; a missing binary is a
// clear failure, not a skip.

import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from './free-port.ts';

export interface RunningRedis {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** Starts redis-server on `port` (default a free one): pass the port of one stopped to restart it. */
export async function startRedis(port?: number): Promise<RunningRedis> {
  port ??= await freePort();
  const proc: ChildProcess = spawn(
    process.env.REDIS_SERVER ?? 'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  await new Promise<void>((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) resolve();
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.once('error', (err) => reject(new Error(`cannot start redis-server (install Debian's redis-server): ${err.message}`)));
    proc.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${output}`)));
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        proc.once('exit', () => resolve());
        // Killed, not shut down: clients see their connections drop as in a crash.
        proc.kill('SIGKILL');
      }),
  };
}
