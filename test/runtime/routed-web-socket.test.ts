// The server's socket class over a real ws server and client: once routed, message, close and
// error reach the connection's methods; other events still reach ordinary listeners.

import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { RoutedWebSocket, type SocketEvents } from '../../runtime/routed-web-socket.ts';

class Recorder implements SocketEvents {
  messages: string[] = [];
  closes: number[] = [];
  errors: Error[] = [];
  onMessage(data: RawData, isBinary: boolean): void {
    this.messages.push(`${isBinary ? 'binary' : 'text'}:${data.toString()}`);
  }
  onClose(code: number): void {
    this.closes.push(code);
  }
  onError(error: Error): void {
    this.errors.push(error);
  }
}

describe('RoutedWebSocket', () => {
  let server: WebSocketServer | undefined;
  afterEach(() => server?.close());

  async function connected(): Promise<{ serverSide: RoutedWebSocket; client: WebSocket }> {
    server = new WebSocketServer({ port: 0, host: '127.0.0.1', WebSocket: RoutedWebSocket, maxPayload: 64 });
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const accepted = once(server, 'connection') as Promise<[RoutedWebSocket]>;
    const client = new WebSocket(`ws://127.0.0.1:${port}`);
    const [serverSide] = await accepted;
    await once(client, 'open');
    return { serverSide, client };
  }

  it('delivers messages and the close to the routed connection, in order', async () => {
    const { serverSide, client } = await connected();
    const recorder = new Recorder();
    serverSide.route(recorder);
    client.send('one');
    client.send(Buffer.from('two'), { binary: true });
    client.close(1000);
    await once(client, 'close');
    await expect.poll(() => recorder.closes).toEqual([1000]);
    expect(recorder.messages).toEqual(['text:one', 'binary:two']);
    expect(recorder.errors).toEqual([]);
  });

  it('reports a protocol error (an oversized frame) to the connection instead of throwing', async () => {
    const { serverSide, client } = await connected();
    const recorder = new Recorder();
    serverSide.route(recorder);
    client.send('x'.repeat(1_000));
    const [code] = (await once(client, 'close')) as [number];
    expect(code).toBe(1009);
    await expect.poll(() => recorder.errors.length).toBe(1);
    expect(recorder.errors[0]!.message).toMatch(/max payload size exceeded/i);
    // The server closed on its own error, so no close frame came back: 1006 on this side.
    await expect.poll(() => recorder.closes).toEqual([1006]);
  });

  it('still gives other events, and every event before routing, to ordinary listeners', async () => {
    const { serverSide, client } = await connected();
    const early: string[] = [];
    serverSide.on('message', (data) => early.push(data.toString()));
    client.send('before');
    await expect.poll(() => early).toEqual(['before']);

    const recorder = new Recorder();
    serverSide.route(recorder);
    const pinged = once(serverSide, 'ping');
    client.ping('hello');
    const [payload] = (await pinged) as [Buffer];
    expect(payload.toString()).toBe('hello');
    client.send('after');
    await expect.poll(() => recorder.messages).toEqual(['text:after']);
    expect(early).toEqual(['before']);
    client.close();
  });
});
