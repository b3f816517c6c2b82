// The server's WebSocket class: ws's own, except that once a socket is routed to its connection,
// the events the runtime needs (`message`, `close`, `error`) go straight to that connection's
// methods. Listening with `ws.on(...)` would cost every idle socket three closures, their context
// and a larger listener table (~0.4 KiB), and idle sockets are most of them. Every other event,
// and every event before routing, goes through EventEmitter as usual. It also closes the TCP
// connection itself once a closing handshake the server started is complete (see `close`).

import { WebSocket, type RawData } from 'ws';

/** What a routed socket reports to. */
export interface SocketEvents {
  onMessage(data: RawData, isBinary: boolean): void;
  onClose(code: number, reason: Buffer): void;
  onError(error: Error): void;
}

export class RoutedWebSocket extends WebSocket {
  #target: SocketEvents | null = null;

  /** From now on, `message`, `close` and `error` go to `target`. */
  route(target: SocketEvents): void {
    this.#target = target;
  }

  /**
   * As ws's `close`, except once the closing handshake this side started is complete (our close
   * frame written, the peer's received: ws calls `close` again then), the TCP connection is
   * closed at once instead of half-closed. ws would `end()` the socket and wait for the peer's
   * FIN, then call `end()` again on its already finished frame receiver and socket, and Node
   * answers each such call with an `ERR_STREAM_ALREADY_FINISHED` error, stack and message
   * formatted, that nobody reads: three per socket, about a fifth of the server's time in a
   * `registry.disconnect` of a thousand sockets. RFC 6455 (7.1.1) has the server close the TCP
   * connection first once it has sent and received a Close frame; the kernel still delivers what
   * was written (the close frame) before the FIN, and the peer, past its own Close frame, sends
   * nothing more. In any other state ws decides, as before.
   */
  override close(code?: number, data?: string | Buffer): void {
    if (this.readyState === this.CLOSING && closingHandshakeDone(this)) {
      this.terminate();
      return;
    }
    super.close(code, data);
  }

  override emit(event: string | symbol, ...args: unknown[]): boolean {
    const target = this.#target;
    if (target !== null) {
      switch (event) {
        case 'message':
          target.onMessage(args[0] as RawData, args[1] as boolean);
          releaseFrameMask(this);
          return true;
        case 'close':
          target.onClose(args[0] as number, args[1] as Buffer);
          return true;
        case 'error':
          target.onError(args[0] as Error);
          return true;
      }
    }
    return super.emit(event, ...args);
  }
}

/**
 * ws keeps the 4-byte mask of the last frame it read as a view into the whole chunk that frame
 * came in (`Receiver#_mask`, not public API), so an idle socket keeps its last message's bytes
 * alive: for most, the join with its tokens, ~0.6 KiB outside the heap and the two objects of the
 * view on it. ws reads a new mask for every frame before using it and reads none after the
 * message is out, so dropping it once the message was handled changes nothing else. A ws that
 * keeps the mask elsewhere is left as it is.
 */
function releaseFrameMask(ws: WebSocket): void {
  const receiver = (ws as unknown as { _receiver?: { _mask?: unknown } })._receiver;
  if (receiver !== undefined && receiver !== null && '_mask' in receiver) receiver._mask = undefined;
}

/**
 * ws's own record of the closing handshake (the fields its `close` reads; not public API): our
 * Close frame was written and the peer's arrived. A ws that records it differently reads as not
 * done, and ws closes the socket its own way.
 */
function closingHandshakeDone(ws: WebSocket): boolean {
  const state = ws as unknown as { _closeFrameSent?: unknown; _closeFrameReceived?: unknown };
  return state._closeFrameSent === true && state._closeFrameReceived === true;
}
