// The upload frames a view serves on its own `lv:` topic: the preflight (`allow_upload`) and the
// client's `progress` reports, and the `uploads` a change event carries. Both frames go through
// the upload's policy, and their reply carries the re-rendered refs the client waits for.

import { LiveError, isLiveError, reasonOf } from '../runtime/errors.ts';
import type { LiveViewSocket } from '../runtime/view-socket.ts';
import type { HandOff } from './view-channel.ts';
import { policyAllows } from './policy-verdict.ts';
import { reply } from './view-reply.ts';
import type { ViewContext } from './view-context.ts';

export interface UploadFrameEvent {
  type: 'client.upload';
  ref: string | null;
  event: 'allow_upload' | 'progress';
  payload: Record<string, unknown>;
  /** The preflight signs tokens asynchronously: its promise reaches the topic's queue here. */
  handOff?: HandOff;
}

/** Registers the entries a change event declares, before its handler runs (view events only). */
export function registerChangeUploads(view: ViewContext, payload: Record<string, unknown>, target: unknown): void {
  if (payload.uploads === undefined || target !== view.socket) return;
  view.socket?.uploadState?.registerFromChange(payload.uploads);
}

export function runUploadEvent(view: ViewContext, event: UploadFrameEvent): void | Promise<void> {
  const socket = view.socket!;
  const uploads = socket.uploadState;
  const config = uploads?.byRef(event.payload.ref);
  if (!uploads || !config) {
    replyError(view, event.ref, new LiveError('LV_ERR_UPLOAD_UNKNOWN', `no upload ${String(event.payload.ref).slice(0, 40)}`));
    return;
  }
  const { policy } = config;
  if (policy && !policyAllows(view, policy, { event: event.event, value: event.payload, assigns: socket.assigns, session: view.session })) {
    reply(view, event.ref, 'error', { reason: reasonOf('LV_ERR_EVENT_DENIED'), event: event.event });
    return;
  }
  if (event.event === 'allow_upload') {
    return uploads.preflight(event.payload).then(
      (reply) => finish(view, socket, event.ref, reply),
      (err: unknown) => {
        if (!isLiveError(err)) throw err;
        replyError(view, event.ref, err);
      },
    );
  }
  const progressed = uploads.progress(event.payload);
  if (progressed && progressed.config.onProgress) {
    const upload = progressed.config.view();
    progressed.config.onProgress(upload, upload.entries.find((entry) => entry.ref === progressed.entry.ref)!);
  }
  finish(view, socket, event.ref, {});
}

/** Replies with `response` and whatever the upload's state changed on the page. */
function finish(view: ViewContext, socket: LiveViewSocket, ref: string | null, response: Record<string, unknown>): void {
  const diff = socket.renderChanges();
  reply(view, ref, 'ok', diff !== null ? { ...response, diff } : response);
}

function replyError(view: ViewContext, ref: string | null, error: LiveError): void {
  reply(view, ref, 'error', { reason: error.reason });
}
