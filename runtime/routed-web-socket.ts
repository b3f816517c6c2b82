// The server's WebSocket class: ws's own, except that once a socket is routed to its connection,
// the events the runtime needs (`message`, `close`, `error`) go straight to that connection's
// methods. Listening with `ws.on(...)` would cost every idle socket three closures, their context
// and a larger listener table (~0.4 KiB), and idle sockets are most of them. Every other event,
// and every event before routing, goes through EventEmitter as usual.

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

  override emit(event: string | symbol, ...args: unknown[]): boolean {
    const target = this.#target;
    if (target !== null) {
      switch (event) {
        case 'message':
          target.onMessage(args[0] as RawData, args[1] as boolean);
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
