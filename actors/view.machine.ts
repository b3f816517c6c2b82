// The view actor: one per joined `lv:` topic. `mount` verifies the join and runs the auth hooks,
// `live` authorizes every event before its handler runs, `terminated` releases everything the
// view held. Views are temporary (as in Phoenix): a crash is never restarted here; the client
// rejoins and goes through `mount` again. This file is the statechart only: its guards and
// actions are named here and do their work in `view-channel.ts`.

import { assertEvent, setup } from 'xstate';
import { reasonOf } from '../runtime/errors.ts';
import {
  clearFlash,
  denyEvent,
  guardCrash,
  isAllowed,
  isClearFlash,
  mountView,
  replyJoin,
  runCids,
  runClientPatch,
  runEvent,
  runInfo,
  traceCallback,
  type HandOff,
  type JoinResult,
} from './view-channel.ts';
import { pushClose, reply } from './view-reply.ts';
import type { ViewContext } from './view-context.ts';
// uploads: allow_upload / progress frames (actors/view-upload-events.ts)
import { runUploadEvent, type UploadFrameEvent } from './view-upload-events.ts';

export type ViewEvent =
  | { type: 'mount.done'; result: JoinResult }
  | { type: 'mount.failed'; error: unknown }
  | { type: 'client.event'; ref: string | null; payload: Record<string, unknown>; handOff?: HandOff }
  | { type: 'client.live_patch'; ref: string | null; payload: Record<string, unknown>; handOff?: HandOff }
  | { type: 'client.cids'; ref: string | null; event: 'cids_will_destroy' | 'cids_destroyed'; payload: Record<string, unknown> }
  | { type: 'client.leave'; ref: string | null }
  | { type: 'info'; message: unknown; handOff?: HandOff }
  | { type: 'close'; why: string }
  | { type: 'crash'; error: unknown; phase: string }
  | UploadFrameEvent;

export interface ViewOutput {
  why: string;
}

export const viewMachine = setup({
  types: {
    context: {} as { view: ViewContext; why: string },
    input: {} as ViewContext,
    events: {} as ViewEvent,
    output: {} as ViewOutput,
  },
  guards: {
    joined: ({ event }) => {
      assertEvent(event, 'mount.done');
      return event.result.kind === 'joined';
    },
    isClearFlash: ({ event }) => {
      assertEvent(event, 'client.event');
      return isClearFlash(event);
    },
    isAllowed: ({ context, event }) => {
      assertEvent(event, 'client.event');
      return isAllowed(context.view, event);
    },
  },
  actions: {
    // The mount is asynchronous (token verification, hooks); its outcome comes back as an event.
    // A plain promise, not an invoked actor: one less actor per join, and no child bookkeeping.
    startMount: ({ context, self }) => {
      const started = performance.now();
      mountView(context.view).then(
        (result) => {
          traceCallback(context.view, 'mount', started);
          self.send({ type: 'mount.done', result });
        },
        (error: unknown) => self.send({ type: 'mount.failed', error }),
      );
    },
    replyJoin: ({ context, event }) => {
      assertEvent(event, 'mount.done');
      replyJoin(context.view, event.result);
    },
    crashedInMount: ({ context, event }) => {
      assertEvent(event, 'mount.failed');
      const { view } = context;
      context.why = 'crash';
      reply(view, view.joinRef, 'error', { reason: reasonOf('LV_ERR_VIEW_CRASHED') });
      view.services.supervisor.viewCrashed(view, event.error, 'mount');
    },
    runEvent: ({ context, event }) => {
      assertEvent(event, 'client.event');
      guardCrash(context.view, 'handleEvent', () => runEvent(context.view, event), event.handOff);
    },
    clearFlash: ({ context, event }) => {
      assertEvent(event, 'client.event');
      guardCrash(context.view, 'handleEvent', () => clearFlash(context.view, event), event.handOff);
    },
    denyEvent: ({ context, event }) => {
      assertEvent(event, 'client.event');
      denyEvent(context.view, event);
    },
    runPatch: ({ context, event }) => {
      assertEvent(event, 'client.live_patch');
      guardCrash(context.view, 'handleParams', () => runClientPatch(context.view, event), event.handOff);
    },
    runUpload: ({ context, event }) => {
      assertEvent(event, 'client.upload');
      guardCrash(context.view, 'handleEvent', () => runUploadEvent(context.view, event), event.handOff);
    },
    runCids: ({ context, event }) => {
      assertEvent(event, 'client.cids');
      runCids(context.view, event);
    },
    runInfo: ({ context, event }) => {
      assertEvent(event, 'info');
      guardCrash(context.view, 'handleInfo', () => runInfo(context.view, event.message), event.handOff);
    },
    replyLeave: ({ context, event }) => {
      assertEvent(event, 'client.leave');
      reply(context.view, event.ref, 'ok', {});
      pushClose(context.view);
    },
    recordWhy: ({ context, event }) => {
      context.why =
        event.type === 'close'
          ? event.why
          : event.type === 'client.leave'
            ? 'leave'
            : event.type === 'mount.done'
              ? 'join refused'
              : event.type;
    },
    reportCrash: ({ context, event }) => {
      assertEvent(event, 'crash');
      context.why = 'crash';
      context.view.services.supervisor.viewCrashed(context.view, event.error, event.phase);
    },
    release: ({ context }) => {
      const { view } = context;
      view.cleanup.dispose();
      if (!view.services.events.watched) return;
      view.services.events.emit({
        type: 'view.terminated',
        connectionId: view.connection.id,
        topic: view.topic,
        view: view.viewName,
        why: context.why,
      });
    },
  },
}).createMachine({
  id: 'view',
  context: ({ input }) => ({ view: input, why: 'leave' }),
  initial: 'mount',
  output: ({ context }) => ({ why: context.why }),
  states: {
    mount: {
      entry: 'startMount',
      on: {
        'mount.done': [
          { guard: 'joined', target: 'live', actions: 'replyJoin' },
          { target: 'terminated', actions: ['replyJoin', 'recordWhy'] },
        ],
        'mount.failed': { target: 'terminated', actions: 'crashedInMount' },
        close: { target: 'terminated', actions: 'recordWhy' },
      },
    },
    live: {
      on: {
        'client.event': [
          { guard: 'isClearFlash', actions: 'clearFlash' },
          { guard: 'isAllowed', actions: 'runEvent' },
          { actions: 'denyEvent' },
        ],
        'client.live_patch': { actions: 'runPatch' },
        'client.cids': { actions: 'runCids' },
        'client.upload': { actions: 'runUpload' },
        info: { actions: 'runInfo' },
        'client.leave': { target: 'terminated', actions: ['replyLeave', 'recordWhy'] },
        close: { target: 'terminated', actions: 'recordWhy' },
        crash: { target: 'terminated', actions: 'reportCrash' },
      },
    },
    terminated: { type: 'final', entry: 'release' },
  },
});
