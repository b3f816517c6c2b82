// The view actor on its own: the statechart with its channel, the real runtime services (tokens,
// supervisor, router, flash) and a connection that only records the frames the view sends. A join
// carries tokens signed as the HTTP render signs them; the assertions are the actor's state and
// the frames on the wire: mount → live or refused, every event authorized before its handler
// runs (deny by default), a crash supervised into `terminated`, an asynchronous handler handing
// its end to the connection's queue, and every exit releasing what the view held.

import { beforeAll, describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { startView, viewLogic, type ViewEntry } from '../../actors/spawn-view.ts';
import { ViewContext, type ConnectionPort } from '../../actors/view-context.ts';
import { viewMachine, type ViewEvent } from '../../actors/view.machine.ts';
import { reasonOf } from '../../runtime/errors.ts';
import { halt } from '../../runtime/live-session.ts';
import { allow, anyone, defineView, policy } from '../../runtime/live-view.ts';
import { Router } from '../../runtime/router.ts';
import { html } from '../../runtime/template.ts';
import { ManualClock } from '../support/manual-clock.ts';
import { runtimeServices, type TestServices } from '../support/runtime-services.ts';

const TOPIC = 'lv:phx-test';
const VIEW_ID = 'phx-test';
const JOIN_REF = '1';
const BASE = 'http://localhost';
const COOKIE_SESSION = { _csrf_token: 'csrf-of-this-browser' };

/** A frame as the client receives it: `[joinRef, ref, topic, event, payload]`. */
type Frame = [string | null, string | null, string, string, Record<string, unknown>];

/** The connection boundary: it records every frame the view writes and every info it queues. */
class RecordingConnection implements ConnectionPort {
  readonly id = 'conn-test';
  readonly cookieSession = COOKIE_SESSION;
  readonly frames: Frame[] = [];
  send(text: string): void {
    this.frames.push(JSON.parse(text) as Frame);
  }
  deliverInfo(): void {}
}

/** What each handler did, so a test can tell whether it ran. */
const ran: string[] = [];
/** Settles the `slow` handler (set when it starts). */
let finishSlow: (() => void) | null = null;

const Counter = defineView<{ count: number }>({
  name: 'counter',
  mount: (_params, _session, socket) => socket.assign({ count: 0 }),
  handleEvent: {
    inc: allow(anyone, (_value, socket) => {
      ran.push('inc');
      socket.update((a) => {
        a.count++;
      });
    }),
    forbidden: allow(
      policy('nobody', () => false),
      () => void ran.push('forbidden'),
    ),
    shaky: allow(
      policy('shaky', () => {
        throw new Error('policy bug');
      }),
      () => void ran.push('shaky'),
    ),
    boom: allow(anyone, () => {
      ran.push('boom');
      throw new Error('handler bug');
    }),
    sinking: allow(anyone, async () => {
      ran.push('sinking');
      await Promise.resolve();
      throw new Error('async handler bug');
    }),
    slow: allow(anyone, async (_value, socket) => {
      ran.push('slow started');
      await new Promise<void>((resolve) => {
        finishSlow = resolve;
      });
      socket.update((a) => {
        a.count += 10;
      });
      ran.push('slow finished');
    }),
  },
  render: ({ count }) => html`<p id="count">${count}</p>`,
});

const Guarded = defineView({
  name: 'guarded',
  mount: () => void ran.push('guarded mount'),
  render: () => html`<p>secret</p>`,
});

function router(): Router {
  return new Router()
    .liveSession('open', {}, (s) => s.live('/counter', Counter))
    .liveSession('members', { onMount: [() => halt('/login')] }, (s) => s.live('/members', Guarded));
}

/** The session and static tokens the HTTP render would put on the page for `view` at `path`. */
async function pageTokens(services: TestServices, view: string, liveSession: string): Promise<{ session: string; static: string }> {
  const [session, staticToken] = await Promise.all([
    services.tokens.signSession({ id: VIEW_ID, view, liveSession, session: {} }),
    services.tokens.signStatic({ id: VIEW_ID, assignNew: [] }),
  ]);
  return { session, static: staticToken };
}

/** `token` with its claims changed and its signature kept: what a client forging a session sends. */
function withClaims(token: string, claims: Record<string, unknown>): string {
  const [header, payload, signature] = token.split('.');
  const changed = { ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), ...claims };
  return [header, Buffer.from(JSON.stringify(changed)).toString('base64url'), signature].join('.');
}

/** A view actor for a join with `payload`, started, and followed until it has left `mount`. */
async function join(payload: Record<string, unknown>, services: TestServices) {
  const connection = new RecordingConnection();
  const context = new ViewContext(TOPIC, JOIN_REF, connection, services, payload);
  const actor = createActor(logicUnderTest, { input: context });
  context.self = actor;
  let cleanedUp = 0;
  context.cleanup.add(() => void cleanedUp++);
  await startView(context as ViewEntry);
  return {
    actor,
    connection,
    context,
    state: () => actor.getSnapshot().value,
    cleanups: () => cleanedUp,
    send: (event: ViewEvent) => actor.send(event),
  };
}

/** A live counter view, joined with valid tokens, and the frames since the join reply. */
async function liveCounter() {
  ran.length = 0;
  finishSlow = null;
  const services = runtimeServices({ router: router(), clock: new ManualClock() });
  const tokens = await pageTokens(services, 'counter', 'open');
  const view = await join({ ...tokens, url: `${BASE}/counter`, params: { _mounts: 0 } }, services);
  expect(view.state()).toBe('live');
  view.connection.frames.length = 0;
  return view;
}

function event(name: string, ref: string | null = '5'): ViewEvent {
  return { type: 'client.event', ref, payload: { type: 'click', event: name, value: {} } };
}

/** Which logic the actors run: the machine through XState's macrostep, or as the server runs it. */
let logicUnderTest: typeof viewMachine = viewMachine;

describe.each([
  ['XState macrostep', viewMachine],
  ['action-only shortcut, as the server runs it', viewLogic],
])('the view actor (%s)', (_name, logic) => {
  beforeAll(() => {
    logicUnderTest = logic;
  });

  describe('mount', () => {
    it('goes live with a valid join and replies ok with the rendered view', async () => {
      const services = runtimeServices({ router: router(), clock: new ManualClock() });
      const tokens = await pageTokens(services, 'counter', 'open');
      const view = await join({ ...tokens, url: `${BASE}/counter`, params: { _mounts: 0 } }, services);

      expect(view.state()).toBe('live');
      expect(view.connection.frames).toHaveLength(1);
      const [joinRef, ref, topic, kind, reply] = view.connection.frames[0]!;
      expect([joinRef, ref, topic, kind]).toEqual([JOIN_REF, JOIN_REF, TOPIC, 'phx_reply']);
      expect(reply.status).toBe('ok');
      const { rendered } = reply.response as { rendered: unknown };
      expect(JSON.stringify(rendered)).toContain('count');
      expect(rendered).toMatchObject({ 0: '0' });
      expect(view.cleanups()).toBe(0);
    });

    it('refuses a join whose session token is forged, and terminates', async () => {
      const services = runtimeServices({ router: router(), clock: new ManualClock() });
      const tokens = await pageTokens(services, 'counter', 'open');
      const forged = withClaims(tokens.session, { ext: { admin: true } });
      const view = await join({ ...tokens, session: forged, url: `${BASE}/counter` }, services);

      expect(view.state()).toBe('terminated');
      expect(view.actor.getSnapshot().status).toBe('done');
      expect(view.connection.frames).toEqual([
        [JOIN_REF, JOIN_REF, TOPIC, 'phx_reply', { status: 'error', response: { reason: 'stale' } }],
      ]);
      expect(view.cleanups()).toBe(1);
    });

    it('refuses a join whose session token has expired, and terminates', async () => {
      const clock = new ManualClock();
      const services = runtimeServices({ router: router(), clock });
      const tokens = await pageTokens(services, 'counter', 'open');
      clock.advance((services.limits.sessionMaxAgeS + 1) * 1000);
      const view = await join({ ...tokens, url: `${BASE}/counter` }, services);

      expect(view.state()).toBe('terminated');
      expect(view.connection.frames).toEqual([
        [JOIN_REF, JOIN_REF, TOPIC, 'phx_reply', { status: 'error', response: { reason: 'stale' } }],
      ]);
    });

    it('replies with a redirect when an auth hook halts, and terminates without mounting', async () => {
      ran.length = 0;
      const services = runtimeServices({ router: router(), clock: new ManualClock() });
      const tokens = await pageTokens(services, 'guarded', 'members');
      const view = await join({ ...tokens, url: `${BASE}/members` }, services);

      expect(view.state()).toBe('terminated');
      expect(view.connection.frames).toEqual([
        [JOIN_REF, JOIN_REF, TOPIC, 'phx_reply', { status: 'error', response: { redirect: { to: '/login' }, events: [] } }],
      ]);
      expect(ran).toEqual([]);
      expect(view.cleanups()).toBe(1);
    });
  });

  describe('events', () => {
    it('runs an allowed event and replies to its ref with the diff', async () => {
      const view = await liveCounter();
      view.send(event('inc'));

      expect(ran).toEqual(['inc']);
      expect(view.state()).toBe('live');
      expect(view.connection.frames).toEqual([[JOIN_REF, '5', TOPIC, 'phx_reply', { status: 'ok', response: { diff: { 0: '1' } } }]]);
    });

    it.each([
      ['an undeclared event', 'nope'],
      ['an event its policy refuses', 'forbidden'],
      ['an event whose policy throws', 'shaky'],
    ])('denies %s with the event-denied reason, and does not run a handler', async (_what, name) => {
      const view = await liveCounter();
      view.send(event(name));

      expect(ran).toEqual([]);
      expect(view.state()).toBe('live');
      expect(view.connection.frames).toEqual([
        [JOIN_REF, '5', TOPIC, 'phx_reply', { status: 'error', response: { reason: reasonOf('LV_ERR_EVENT_DENIED'), event: name } }],
      ]);
    });

    it('crashes when a handler throws: phx_error on its topic, terminated, clean-up ran', async () => {
      const view = await liveCounter();
      view.send(event('boom'));

      expect(ran).toEqual(['boom']);
      expect(view.state()).toBe('terminated');
      expect(view.actor.getSnapshot().output).toEqual({ why: 'crash' });
      expect(view.cleanups()).toBe(1);
      expect(view.connection.frames).toHaveLength(1);
      const [joinRef, ref, topic, kind, payload] = view.connection.frames[0]!;
      expect([joinRef, ref, topic, kind]).toEqual([JOIN_REF, JOIN_REF, TOPIC, 'phx_error']);
      expect(payload).toMatchObject({ reason: 'channel_crash' });
      expect(JSON.stringify(payload)).not.toContain('handler bug');
    });

    it('hands an asynchronous handler’s end to handOff, and replies once it has finished', async () => {
      const view = await liveCounter();
      const handed: Promise<void>[] = [];
      view.send({ ...(event('slow') as Extract<ViewEvent, { type: 'client.event' }>), handOff: (work) => handed.push(work) });

      expect(ran).toEqual(['slow started']);
      expect(handed).toHaveLength(1);
      // Nothing is sent until the handler has finished: the diff goes in the reply.
      expect(view.connection.frames).toEqual([]);

      finishSlow!();
      await handed[0];
      expect(ran).toEqual(['slow started', 'slow finished']);
      expect(view.state()).toBe('live');
      expect(view.connection.frames).toEqual([[JOIN_REF, '5', TOPIC, 'phx_reply', { status: 'ok', response: { diff: { 0: '10' } } }]]);
    });

    it('crashes when an asynchronous handler rejects, once its handed-off end settles', async () => {
      const view = await liveCounter();
      const handed: Promise<void>[] = [];
      view.send({ ...(event('sinking') as Extract<ViewEvent, { type: 'client.event' }>), handOff: (work) => handed.push(work) });
      expect(view.state()).toBe('live');

      await handed[0];
      expect(view.state()).toBe('terminated');
      expect(view.cleanups()).toBe(1);
      expect(view.connection.frames.map((frame) => frame[3])).toEqual(['phx_error']);
    });

    it('does not call handOff for a synchronous handler, so the queue goes on at once', async () => {
      const view = await liveCounter();
      const handed: Promise<void>[] = [];
      view.send({ ...(event('inc') as Extract<ViewEvent, { type: 'client.event' }>), handOff: (work) => handed.push(work) });

      expect(handed).toEqual([]);
      expect(ran).toEqual(['inc']);
    });
  });

  describe('leaving', () => {
    it('replies to a client leave, closes the channel, and releases what it held', async () => {
      const view = await liveCounter();
      view.send({ type: 'client.leave', ref: '9' });

      expect(view.state()).toBe('terminated');
      expect(view.actor.getSnapshot().output).toEqual({ why: 'leave' });
      expect(view.cleanups()).toBe(1);
      expect(view.connection.frames).toEqual([
        [JOIN_REF, '9', TOPIC, 'phx_reply', { status: 'ok', response: {} }],
        [JOIN_REF, JOIN_REF, TOPIC, 'phx_close', {}],
      ]);
    });

    it('terminates on close (the socket went away) and releases what it held, sending nothing', async () => {
      const view = await liveCounter();
      view.send({ type: 'close', why: 'socket closed' });

      expect(view.state()).toBe('terminated');
      expect(view.actor.getSnapshot().output).toEqual({ why: 'socket closed' });
      expect(view.cleanups()).toBe(1);
      expect(view.connection.frames).toEqual([]);
    });
  });
});
