// A view's socket between callbacks, through what views and the runtime call on it: assigns and
// what changed since the last render, push_event, the event reply, navigation (checked to be
// local), the flash, and the timers and subscriptions that end with the view. Real PubSub,
// clean-up stack and a manual clock; no server.

import { describe, expect, it } from 'vitest';
import { LiveViewSocket, NO_FLASH, type ViewSocketServices } from '../../runtime/view-socket.ts';
import { defineView } from '../../runtime/live-view.ts';
import { html } from '../../runtime/template.ts';
import { LocalPubSub } from '../../runtime/pubsub.ts';
import { CleanupStack } from '../../runtime/cleanup-stack.ts';
import { LiveError } from '../../runtime/errors.ts';
import { ManualClock } from '../support/manual-clock.ts';

interface Counter {
  count: number;
  label: string;
  tags: string[];
}

let renders = 0;
const CounterView = defineView<Counter>({
  name: 'counter',
  render: ({ count, label }) => {
    renders++;
    return html`<p>${label}: <b>${count}</b></p>`;
  },
});

function counterSocket(options: { parentAssigns?: Record<string, unknown> } = {}): LiveViewSocket<Counter> {
  const socket = new LiveViewSocket<Counter>({ id: 'phx-1', view: CounterView, connected: false, ...options });
  socket.assign({ count: 0, label: 'n', tags: [] });
  return socket;
}

/** Live services over a real LocalPubSub and clean-up stack, with the messages `handleInfo` would get. */
function liveServices(): ViewSocketServices & { clock: ManualClock; pubsub: LocalPubSub; infos: unknown[] } {
  const infos: unknown[] = [];
  return {
    clock: new ManualClock(),
    pubsub: new LocalPubSub(),
    cleanup: new CleanupStack(),
    deliverInfo: (message) => void infos.push(message),
    maxComponents: 10,
    infos,
  };
}

describe('LiveViewSocket assigns and change tracking', () => {
  it('starts with an empty flash in the assigns, and merges what is assigned', () => {
    const socket = new LiveViewSocket<Counter>({ id: 'phx-1', view: CounterView, connected: false });
    expect(socket.assigns).toEqual({ flash: {} });
    socket.assign({ count: 1 });
    socket.assign({ label: 'clicks' });
    expect(socket.assigns).toEqual({ flash: {}, count: 1, label: 'clicks' });
  });

  it('updates through an immer draft, leaving the previous assigns untouched', () => {
    const socket = counterSocket();
    const before = socket.assigns;
    socket.update((a) => {
      a.count++;
      a.tags.push('x');
    });
    expect(socket.assigns).toMatchObject({ count: 1, tags: ['x'] });
    expect(before).toMatchObject({ count: 0, tags: [] });
  });

  it('sends the full tree on join, then only what changed, and nothing when nothing did', () => {
    const socket = counterSocket();
    const joined = socket.renderJoin();
    expect(joined).toMatchObject({ 0: 'n', 1: '0' });

    socket.assign({ count: 1 });
    expect(socket.renderDiff()).toEqual({ 1: '1' });

    const rendersBefore = renders;
    expect(socket.renderDiff()).toEqual({});
    // A recipe that changes nothing is no change either: the view is not even rendered.
    socket.update(() => {});
    expect(socket.renderDiff()).toEqual({});
    expect(renders).toBe(rendersBefore);

    socket.assign({ count: 1 }); // an assign counts as a change; the diff of equal values is empty
    expect(socket.renderDiff()).toEqual({});
    expect(renders).toBe(rendersBefore + 1);
  });

  it("takes a key from the HTTP pipeline's assigns first, computing it only when absent", () => {
    const socket = new LiveViewSocket<Counter & { user: string; theme: string }>({
      id: 'phx-1',
      view: CounterView as never,
      connected: false,
      parentAssigns: { user: 'ada' },
    });
    let computed = 0;
    socket.assignNew('user', () => {
      computed++;
      return 'from compute';
    });
    socket.assignNew('theme', () => {
      computed++;
      return 'dark';
    });
    socket.assignNew('theme', () => {
      computed++;
      return 'light';
    });

    expect(socket.assigns).toMatchObject({ user: 'ada', theme: 'dark' });
    expect(computed).toBe(1);
    expect(socket.assignedFromParent).toEqual(['user']);
  });

  it('assigns a key named like an Object.prototype property with assignNew', () => {
    const socket = new LiveViewSocket<{ constructor: string; toString: string }>({
      id: 'phx-1',
      view: CounterView as never,
      connected: false,
      parentAssigns: { toString: 'from the pipeline' },
    });
    socket.assignNew('constructor', () => 'computed');
    socket.assignNew('toString', () => 'computed');
    expect(Object.hasOwn(socket.assigns, 'constructor') && socket.assigns.constructor).toBe('computed');
    expect(Object.hasOwn(socket.assigns, 'toString') && socket.assigns.toString).toBe('from the pipeline');
  });

  it('sends the page title on join and then only when it changes', () => {
    const socket = counterSocket();
    socket.setPageTitle('One');
    expect(socket.renderJoin().t).toBe('One');
    expect(socket.renderDiff()).toEqual({});
    socket.setPageTitle('Two');
    expect(socket.renderDiff()).toEqual({ t: 'Two' });
    socket.setPageTitle('Two');
    expect(socket.renderDiff()).toEqual({});
  });
});

describe('LiveViewSocket push_event and reply', () => {
  it('carries the pushed events, in order, in the next render only', () => {
    const socket = counterSocket();
    socket.renderJoin();
    socket.pushEvent('highlight', { id: 1 });
    socket.pushEvent('scroll', { to: 'top' });
    expect(socket.renderDiff()).toEqual({
      e: [
        ['highlight', { id: 1 }],
        ['scroll', { to: 'top' }],
      ],
    });
    expect(socket.renderDiff()).toEqual({});
  });

  it('answers only the event being handled, with an object', () => {
    const socket = counterSocket();
    expect(() => socket.reply({ ok: true })).toThrow(/handleEvent/);

    socket.expectReply();
    expect(() => socket.reply([] as never)).toThrow(/must be an object/);
    expect(() => socket.reply(null as never)).toThrow(/must be an object/);
    socket.reply({ saved: 1 });
    expect(socket.takeReply()).toEqual({ saved: 1 });
    // Taken once; after the handler, reply() is refused again.
    expect(socket.takeReply()).toBeNull();
    expect(() => socket.reply({ late: true })).toThrow(/handleEvent/);

    socket.expectReply();
    expect(socket.takeReply()).toBeNull(); // a handler that did not reply
  });
});

describe('LiveViewSocket navigation', () => {
  it('records the last navigation asked for, taken once', () => {
    const socket = counterSocket();
    expect(socket.takeNavigation()).toBeNull();

    socket.pushPatch('/items?page=2');
    expect(socket.takeNavigation()).toEqual({ kind: 'patch', to: '/items?page=2', replace: false });
    expect(socket.takeNavigation()).toBeNull();

    socket.pushNavigate('/a', { replace: true });
    socket.redirect('/b');
    expect(socket.takeNavigation()).toEqual({ kind: 'redirect', to: '/b' });

    socket.pushNavigate('/c', { replace: true });
    expect(socket.takeNavigation()).toEqual({ kind: 'navigate', to: '/c', replace: true });
  });

  it('refuses any target that is not a local path, and keeps the previous one', () => {
    const socket = counterSocket();
    socket.pushPatch('/safe');
    const hostile = ['https://evil.example', '//evil.example', '/\\evil.example', 'javascript:alert(1)', '/a\nSet-Cookie: x', 'relative'];
    for (const to of hostile) {
      for (const go of [() => socket.pushPatch(to), () => socket.pushNavigate(to), () => socket.redirect(to)]) {
        expect(go).toThrow(LiveError);
      }
    }
    expect(socket.takeNavigation()).toEqual({ kind: 'patch', to: '/safe', replace: false });
  });
});

describe('LiveViewSocket flash', () => {
  it('puts a flash into the assigns (so render shows it) and marks the view changed', () => {
    const socket = counterSocket();
    socket.renderJoin();
    socket.putFlash('info', 'Saved');
    expect(socket.flash).toEqual({ info: 'Saved' });
    expect((socket.assigns as { flash?: unknown }).flash).toEqual({ info: 'Saved' });
    const rendersBefore = renders;
    socket.renderDiff();
    expect(renders).toBe(rendersBefore + 1); // the view was marked changed: it renders again
    expect(() => socket.putFlash('info', 42 as never)).toThrow(TypeError);
  });

  it('hands a redirect only the flash put since the last take', () => {
    const socket = new LiveViewSocket<Counter>({ id: 'phx-1', view: CounterView, connected: true, flash: { error: 'from before' } });
    expect(socket.takeFlashPut()).toEqual({});
    socket.putFlash('info', 'one');
    socket.putFlash('info', 'two');
    socket.putFlash('warn', 'careful');
    socket.clearFlash('warn');
    expect(socket.takeFlashPut()).toEqual({ info: 'two' });
    expect(socket.takeFlashPut()).toEqual({});
    expect(socket.flash).toEqual({ error: 'from before', info: 'two' });
  });

  it('clears one kind, or all of it', () => {
    const socket = new LiveViewSocket<Counter>({ id: 'phx-1', view: CounterView, connected: true, flash: { a: '1', b: '2' } });
    socket.clearFlash('a');
    expect(socket.flash).toEqual({ b: '2' });
    socket.clearFlash('missing');
    expect(socket.flash).toEqual({ b: '2' });
    socket.putFlash('c', '3');
    socket.clearFlash();
    expect(socket.flash).toBe(NO_FLASH);
    expect(socket.takeFlashPut()).toEqual({});
    socket.replaceFlash({ d: '4' });
    expect(socket.flash).toEqual({ d: '4' });
    socket.replaceFlash({});
    expect(socket.flash).toBe(NO_FLASH);
  });
});

describe('LiveViewSocket timers and subscriptions', () => {
  it('delivers broadcasts on subscribed topics to handleInfo until the view is cleaned up', async () => {
    const services = liveServices();
    const socket = new LiveViewSocket<Counter>({ id: 'phx-1', view: CounterView, connected: true, services });
    socket.subscribe('room:1');
    socket.broadcast('room:1', { said: 'hi' });
    socket.broadcast('room:2', { said: 'elsewhere' });
    await Promise.resolve();
    expect(services.infos).toEqual([{ said: 'hi' }]);

    services.cleanup.dispose();
    expect(services.pubsub.subscriptionCount()).toBe(0);
    services.pubsub.broadcast('room:1', { said: 'late' });
    await Promise.resolve();
    expect(services.infos).toEqual([{ said: 'hi' }]);
  });

  it('sends a message after a delay, and every interval, until cleaned up', () => {
    const services = liveServices();
    const socket = new LiveViewSocket<Counter>({ id: 'phx-1', view: CounterView, connected: true, services });
    socket.sendAfter(1_000, 'once');
    socket.every(400, 'tick');

    services.clock.advance(999);
    expect(services.infos).toEqual(['tick', 'tick']);
    services.clock.advance(1);
    expect(services.infos).toEqual(['tick', 'tick', 'once']);
    // A fired sendAfter leaves nothing behind in the clean-up stack.
    expect(services.cleanup.size).toBe(1);

    services.cleanup.dispose();
    services.clock.advance(10_000);
    expect(services.infos).toEqual(['tick', 'tick', 'once']);
    expect(services.clock.pending).toBe(0);
    expect(() => socket.every(0, 'never')).toThrow(/positive/);
  });

  it('refuses a delay a Node timer cannot hold, rather than firing it at once (every millisecond, for every)', () => {
    const services = liveServices();
    const socket = new LiveViewSocket<Counter>({ id: 'phx-1', view: CounterView, connected: true, services });
    const thirtyDays = 30 * 24 * 3600 * 1000; // over 2^31 - 1 ms, which Node turns into 1 ms
    expect(() => socket.every(thirtyDays, 'monthly')).toThrow(/every\(ms\)/);
    expect(() => socket.sendAfter(thirtyDays, 'later')).toThrow(/sendAfter\(ms\)/);
    expect(() => socket.sendAfter(Number.NaN, 'never')).toThrow(/sendAfter\(ms\)/);
    expect(services.clock.pending).toBe(0);
    expect(services.cleanup.size).toBe(0);
    // The longest delay a timer holds is still accepted.
    socket.every(2 ** 31 - 1, 'longest');
    socket.sendAfter(2 ** 31 - 1, 'longest');
    expect(services.clock.pending).toBe(2);
  });

  it('cancels a pending sendAfter when the view ends first', () => {
    const services = liveServices();
    const socket = new LiveViewSocket<Counter>({ id: 'phx-1', view: CounterView, connected: true, services });
    socket.sendAfter(1_000, 'too late');
    services.cleanup.dispose();
    services.clock.advance(2_000);
    expect(services.infos).toEqual([]);
  });

  it('acquires nothing on the dead render, which does not live to receive anything', () => {
    const socket = counterSocket();
    expect(() => {
      socket.subscribe('room:1');
      socket.sendAfter(10, 'x');
      socket.every(10, 'y');
      socket.onCleanup(() => {});
      socket.broadcast('room:1', 'ignored');
    }).not.toThrow();
  });
});

describe('LiveViewSocket event targets', () => {
  it('addresses the view without a cid, and nothing for a cid it does not hold', () => {
    const socket = counterSocket();
    expect(socket.eventTarget(undefined)).toMatchObject({ name: 'counter', cid: null });
    expect(socket.eventTarget(undefined)!.assigns).toBe(socket.assigns);
    for (const cid of [1, 0, -1, 1.5, '1', null, Number.MAX_SAFE_INTEGER + 2]) expect(socket.eventTarget(cid)).toBeNull();
  });
});
