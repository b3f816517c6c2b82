// The server's socket class over a real ws server and client: once routed, message, close and
// error reach the connection's methods; other events still reach ordinary listeners; a closing
// handshake the server started ends with the server closing the TCP connection.

import { once } from 'node:events';
import { connect, type AddressInfo, type Socket } from 'node:net';
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

  it('keeps nothing of a handled message: masks are read per frame, fragments still join up', async () => {
    const { serverSide, client } = await connected();
    const recorder = new Recorder();
    serverSide.route(recorder);
    // ws's receiver (not public API) would keep the last frame's mask, a view of its whole chunk.
    const receiver = (serverSide as unknown as { _receiver: { _mask?: unknown } })._receiver;
    client.send('first');
    await expect.poll(() => recorder.messages.length).toBe(1);
    expect(receiver._mask).toBeUndefined();
    // A message in three masked fragments, then two more: each frame is unmasked with its own mask.
    client.send('fr', { fin: false });
    client.send('ag', { fin: false });
    client.send('ments', { fin: true });
    client.send(Buffer.from('bin'), { binary: true });
    client.send('last');
    await expect.poll(() => recorder.messages.length).toBe(4);
    expect(recorder.messages).toEqual(['text:first', 'text:fragments', 'binary:bin', 'text:last']);
    expect(receiver._mask).toBeUndefined();
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

  it('closes the TCP connection once the handshake it started is complete, without waiting for the peer', async () => {
    server = new WebSocketServer({ port: 0, host: '127.0.0.1', WebSocket: RoutedWebSocket });
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const accepted = once(server, 'connection') as Promise<[RoutedWebSocket]>;
    // A raw client that answers the close frame and then keeps its side of the TCP connection
    // open (a peer slow to send its FIN): ws alone would half-close and wait for that FIN.
    const raw = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    raw.write(
      'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
    );
    const [serverSide] = await accepted;
    const recorder = new Recorder();
    serverSide.route(recorder);
    const received = collect(raw);
    serverSide.close(1001, 'bye');
    await expect.poll(() => closeFrameIn(received.bytes())).toEqual({ code: 1001, reason: 'bye' });
    // The client's close frame (masked, with a zero mask): 1001 back.
    raw.write(Buffer.from([0x88, 0x82, 0, 0, 0, 0, 0x03, 0xe9]));
    await expect.poll(() => recorder.closes).toEqual([1001]);
    await expect.poll(() => received.ended).toBe(true);
    raw.destroy();
  });

  it('leaves a close the client started to ws', async () => {
    const { serverSide, client } = await connected();
    const recorder = new Recorder();
    serverSide.route(recorder);
    client.close(1000, 'tab closed');
    const [code] = (await once(client, 'close')) as [number];
    expect(code).toBe(1000);
    await expect.poll(() => recorder.closes).toEqual([1000]);
  });
});

/** Everything a raw socket receives, and whether the other side ended it. */
function collect(socket: Socket): { bytes(): Buffer; readonly ended: boolean } {
  const chunks: Buffer[] = [];
  const state = { ended: false };
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.on('end', () => (state.ended = true));
  return {
    bytes: () => Buffer.concat(chunks),
    get ended() {
      return state.ended;
    },
  };
}

/** The close frame after the HTTP 101 answer, if it arrived: an unmasked server frame. */
function closeFrameIn(bytes: Buffer): { code: number; reason: string } | null {
  const head = bytes.indexOf('\r\n\r\n');
  if (head < 0) return null;
  const frame = bytes.subarray(head + 4);
  if (frame.length < 4 || frame[0] !== 0x88) return null;
  const length = frame[1]! & 0x7f;
  if (frame.length < 2 + length) return null;
  return { code: frame.readUInt16BE(2), reason: frame.subarray(4, 2 + length).toString() };
}
