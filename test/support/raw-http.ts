// Raw bytes over TCP, for requests no HTTP client would send: a broken Host, a bad request
// target, a connection reset or half-closed at a chosen moment.

import { connect, type Socket } from 'node:net';

export interface RawOptions {
  /** After writing: `reset` sends a TCP RST at once, `half-close` ends our side and keeps reading. */
  afterWrite?: 'read' | 'reset' | 'half-close';
  timeoutMs?: number;
}

/** Writes `bytes` to `port` and resolves with what the server answered (until it closed, or the timeout). */
export function rawRequest(port: number, bytes: string | Buffer, options: RawOptions = {}): Promise<string> {
  const { afterWrite = 'read', timeoutMs = 2_000 } = options;
  return new Promise((resolve) => {
    const socket: Socket = connect(port, '127.0.0.1');
    let answer = '';
    const done = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(done, timeoutMs);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('error', done);
    socket.on('close', done);
    socket.once('connect', () => {
      socket.write(bytes);
      if (afterWrite === 'reset') socket.resetAndDestroy();
      else if (afterWrite === 'half-close') socket.end();
    });
  });
}

/** The status code of a raw HTTP answer, or null when there was none. */
export function statusOf(answer: string): number | null {
  const match = /^HTTP\/1\.1 (\d{3})/.exec(answer);
  return match ? Number(match[1]) : null;
}
