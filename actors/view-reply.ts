// What a view says on its own `lv:` topic, Phoenix-style: `reply` answers a client message by its
// ref, `push` sends unasked, `pushClose` ends the channel. The view channel and the upload frames
// both speak through these, so a topic's frames are built in one place.

import { encodeFrame, encodeReply } from '../runtime/frame.ts';
import type { ViewContext } from './view-context.ts';

/** Answers the client's message `ref` on this view's topic (a `phx_reply`); returns the frame's length. */
export function reply(view: ViewContext, ref: string | null, status: 'ok' | 'error', response: Record<string, unknown>): number {
  const frame = encodeReply(view.joinRef, ref, view.topic, status, response);
  view.connection.send(frame);
  return frame.length;
}

/** Sends the client `event` on this view's topic, unasked (no ref); returns the frame's length. */
export function push(view: ViewContext, event: string, payload: unknown): number {
  const frame = encodeFrame(view.joinRef, null, view.topic, event, payload);
  view.connection.send(frame);
  return frame.length;
}

/** Tells the client the server closed this view's channel (`phx_close`, under the join's ref). */
export function pushClose(view: ViewContext): void {
  view.connection.send(encodeFrame(view.joinRef, view.joinRef, view.topic, 'phx_close', {}));
}
