// The supervisor on its own: what a crash does (clean-up once, `phx_error` with an opaque id on
// that topic only, a record without the stack, a runtime event), and the crash budget per (user,
// view): joins allowed within it, refused once it is spent, allowed again as crashes slide out of
// the window. Time moves only through the manual clock.

import { describe, expect, it } from 'vitest';
import { Supervisor } from '../../actors/supervisor.ts';
import { ViewContext, type ConnectionPort } from '../../actors/view-context.ts';
import { LiveError } from '../../runtime/errors.ts';
import { resolveLimits } from '../../runtime/limits.ts';
import { RuntimeEvents, type RuntimeEvent } from '../../runtime/runtime-events.ts';
import { LiveViewSocket } from '../../runtime/view-socket.ts';
import { defineView } from '../../runtime/live-view.ts';
import { html } from '../../runtime/template.ts';
import { ManualClock } from '../support/manual-clock.ts';
import { runtimeServices } from '../support/runtime-services.ts';

const BUDGET = 3;
const WINDOW_MS = 30_000;
const ADA = { live_socket_id: 'users_socket:1', _csrf_token: 'ada-csrf' };
const BOB = { live_socket_id: 'users_socket:2', _csrf_token: 'bob-csrf' };
const ANONYMOUS = { _csrf_token: 'browser-csrf' };

const Fragile = defineView<{ currentUser?: { id: number } }>({ name: 'fragile', render: () => html`<p></p>` });

/** A connection that records what the supervisor writes to it. */
class RecordingConnection implements ConnectionPort {
  readonly id = 'conn-1';
  readonly sent: unknown[] = [];
  constructor(readonly cookieSession: Record<string, unknown> | null) {}
  send(text: string): void {
    this.sent.push(JSON.parse(text));
  }
  deliverInfo(): void {}
}

function setup() {
  const clock = new ManualClock();
  const events = new RuntimeEvents();
  const seen: RuntimeEvent[] = [];
  events.subscribe((event) => seen.push(event));
  const supervisor = new Supervisor(resolveLimits({ crashBudget: BUDGET, crashWindowMs: WINDOW_MS }), clock, events);
  const services = runtimeServices({ clock });
  let joins = 0;
  /** A mounted view of `viewName` on a connection of `session`. */
  const view = (session: Record<string, unknown> | null, viewName = 'fragile', userId?: number) => {
    const joinRef = String(++joins);
    const connection = new RecordingConnection(session);
    const context = new ViewContext(`lv:phx-${joinRef}`, joinRef, connection, services, {});
    context.viewName = viewName;
    const socket = new LiveViewSocket({ id: `phx-${joinRef}`, view: Fragile, connected: true });
    if (userId !== undefined) socket.assign({ currentUser: { id: userId } });
    context.socket = socket;
    return { context, connection };
  };
  const crash = (session: Record<string, unknown> | null, viewName = 'fragile') =>
    supervisor.viewCrashed(view(session, viewName).context, new Error('boom'), 'handleEvent');
  return { clock, supervisor, seen, view, crash };
}

describe('Supervisor.viewCrashed', () => {
  it('cleans up the view once, tells its topic phx_error with an opaque id, and records the crash', () => {
    const { supervisor, view, seen, clock } = setup();
    const { context, connection } = view(ADA, 'fragile', 1);
    let released = 0;
    context.cleanup.add(() => released++);

    const errorId = supervisor.viewCrashed(context, new Error('secret detail in the message'), 'handleEvent');
    context.cleanup.dispose();

    expect(released).toBe(1);
    expect(errorId).toMatch(/^[0-9a-f-]{36}$/);
    expect(connection.sent).toEqual([
      [context.joinRef, context.joinRef, context.topic, 'phx_error', { reason: 'channel_crash', error_id: errorId }],
    ]);
    expect(supervisor.crashCount).toBe(1);
    expect(supervisor.recentCrashes()).toEqual([
      {
        errorId,
        view: 'fragile',
        topic: context.topic,
        phase: 'handleEvent',
        userId: '1',
        at: clock.now(),
        message: 'secret detail in the message',
      },
    ]);
    expect(seen).toContainEqual(expect.objectContaining({ type: 'view.crashed', errorId, topic: context.topic, phase: 'handleEvent' }));
  });

  it('sends nothing for a crash in mount (the join reply tells the client) but still counts it', () => {
    const { supervisor, view } = setup();
    const { context, connection } = view(ADA);
    supervisor.viewCrashed(context, 'not even an Error', 'mount');
    expect(connection.sent).toEqual([]);
    expect(supervisor.crashCount).toBe(1);
    expect(supervisor.recentCrashes()[0]!.message).toBe('not even an Error');
  });

  it('keeps only the last 100 crash records, newest last', () => {
    const { supervisor, crash } = setup();
    const ids = Array.from({ length: 105 }, () => crash(ANONYMOUS));
    expect(supervisor.recentCrashes().map((c) => c.errorId)).toEqual(ids.slice(5));
    expect(supervisor.crashCount).toBe(105);
  });
});

describe('Supervisor crash budget', () => {
  it('lets a (user, view) mount while its crashes stay within the budget', () => {
    const { supervisor, crash, clock } = setup();
    expect(supervisor.checkCrashBudget(ADA, 'fragile')).toBeNull();
    for (let i = 1; i < BUDGET; i++) {
      crash(ADA);
      clock.advance(1_000);
      expect(supervisor.checkCrashBudget(ADA, 'fragile')).toBeNull();
    }
  });

  it('refuses the mount once the budget is spent within the window', () => {
    const { supervisor, crash } = setup();
    for (let i = 0; i < BUDGET; i++) crash(ADA);

    const refusal = supervisor.checkCrashBudget(ADA, 'fragile');
    expect(refusal).toBeInstanceOf(LiveError);
    expect(refusal?.code).toBe('LV_ERR_CRASH_LOOP');
    expect(refusal?.reason).toBe('crash loop');
  });

  it('keeps one budget per user and per view', () => {
    const { supervisor, crash } = setup();
    for (let i = 0; i < BUDGET; i++) crash(ADA);

    expect(supervisor.checkCrashBudget(ADA, 'fragile')).not.toBeNull();
    expect(supervisor.checkCrashBudget(BOB, 'fragile')).toBeNull();
    expect(supervisor.checkCrashBudget(ADA, 'sturdy')).toBeNull();
    // The same user on another browser session (same live socket id) shares the budget.
    expect(supervisor.checkCrashBudget({ live_socket_id: ADA.live_socket_id, _csrf_token: 'other' }, 'fragile')).not.toBeNull();
  });

  it('keys an anonymous browser by its session, and does not count a connection with no session', () => {
    const { supervisor, crash } = setup();
    for (let i = 0; i < BUDGET; i++) crash(ANONYMOUS);
    for (let i = 0; i < BUDGET * 2; i++) crash(null);

    expect(supervisor.checkCrashBudget(ANONYMOUS, 'fragile')).not.toBeNull();
    expect(supervisor.checkCrashBudget({ _csrf_token: 'another-browser' }, 'fragile')).toBeNull();
    expect(supervisor.checkCrashBudget({}, 'fragile')).toBeNull();
  });

  it('slides the window: each crash stops counting once it is older than the window', () => {
    const { supervisor, crash, clock } = setup();
    // Crashes at 0 s, 10 s and 20 s: the budget (3) is spent until the first is 30 s old.
    crash(ADA);
    clock.advance(10_000);
    crash(ADA);
    clock.advance(10_000);
    crash(ADA);
    clock.advance(9_999);
    expect(supervisor.checkCrashBudget(ADA, 'fragile')).not.toBeNull();

    clock.advance(2); // 30.001 s: the first crash left the window, two remain
    expect(supervisor.checkCrashBudget(ADA, 'fragile')).toBeNull();

    // Not a fixed window that resets: one more crash now spends the budget again.
    crash(ADA);
    expect(supervisor.checkCrashBudget(ADA, 'fragile')).not.toBeNull();

    // Until the crash at 10 s slides out too.
    clock.advance(10_000);
    expect(supervisor.checkCrashBudget(ADA, 'fragile')).toBeNull();
  });

  it('forgets the budgets of (user, view) pairs whose crashes all left the window', () => {
    const { supervisor, crash, clock } = setup();
    // Sweeps run every 256 crashes: 255 pairs crash once, then time passes, then one more crash.
    for (let i = 0; i < 255; i++) crash({ _csrf_token: `browser-${i}` });
    expect(supervisor.budgetKeyCount()).toBe(255);
    clock.advance(WINDOW_MS + 1);
    crash(ADA);
    expect(supervisor.budgetKeyCount()).toBe(1);
  });
});
