// `/counter`: the demo contract the browser tests rely on: `#count`, `#increment`, `#decrement`, and a
// `set` event with value `n`. The step lives in the URL (`?step=10`): the step links patch the URL
// over the socket and `handleParams` reads it, without remounting the view.

import { allow, anyone, defineView, html, memo, type Flash, type Params } from 'liveward';
import { flashGroup } from '../flash-group.ts';

interface CounterAssigns {
  count: number;
  step: number;
  flash: Flash;
}

const STEPS = [1, 10, 100];

function stepFrom(params: Params): number {
  const step = Number(params.step ?? 1);
  return STEPS.includes(step) ? step : 1;
}

/** The step links never change: `memo([])` renders them once per view and never diffs them again. */
function stepLinks() {
  return STEPS.map((s) => html`<a id="step-${s}" href="/counter?step=${s}" data-phx-link="patch" data-phx-link-state="replace">${s}</a> `);
}

const INTEGER = /^[+-]?\d{1,16}$/;

/**
 * The count a `set` form sends as `n`, or null: only a string of digits that is a safe integer.
 * A nested value (`n[a]=1` decodes to an object), a list, or anything else is ignored.
 */
function countFrom(value: unknown): number | null {
  if (typeof value !== 'string' || !INTEGER.test(value.trim())) return null;
  const n = Number(value.trim());
  return Number.isSafeInteger(n) ? n : null;
}

export const Counter = defineView<CounterAssigns>({
  name: 'counter',
  // Nothing here is secret: the inspector may show both.
  inspect: ['count', 'step'],
  mount(_params, _session, socket) {
    socket.assign({ count: 0, step: 1 });
    socket.setPageTitle('Counter');
  },
  handleParams(params, _url, socket) {
    socket.assign({ step: stepFrom(params) });
  },
  handleEvent: {
    increment: allow(anyone, (_value, socket) => socket.update((a) => void (a.count += a.step))),
    decrement: allow(anyone, (_value, socket) => socket.update((a) => void (a.count -= a.step))),
    set: allow(anyone, (value, socket) => {
      const n = countFrom(value.n);
      if (n !== null) socket.assign({ count: n });
    }),
    // Asked by the AskParity hook (apps/assets/hooks.js): the answer resolves its pushEvent.
    parity: allow(anyone, (_value, socket) => {
      const { count } = socket.assigns;
      socket.reply({ count, parity: count % 2 === 0 ? 'even' : 'odd' });
    }),
  },
  render: ({ count, step, flash }) => html`<main class="counter">
  <h1>Counter</h1>
  <p>Count: <span id="count">${count}</span></p>
  <button id="decrement" phx-click="decrement">-</button>
  <button id="increment" phx-click="increment">+</button>
  <form id="set-form" phx-submit="set"><input name="n" type="number" value="${count}"><button>Set</button></form>
  <p>Step <span id="step">${step}</span>: ${memo([], stepLinks)}</p>
  <p><button id="ask-parity" phx-hook="AskParity">Even or odd?</button>
    <span id="parity-answer" phx-update="ignore"></span></p>
  <p><a href="/clock" data-phx-link="redirect" data-phx-link-state="push" id="to-clock">Clock</a></p>
</main>${memo([flash], () => flashGroup(flash))}`,
});
