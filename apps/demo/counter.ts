// `/counter`: the demo contract of the brief (§5): `#count`, `#increment`, `#decrement`, and a
// `set` event with value `n`. The step lives in the URL (`?step=10`): the step links patch the URL
// over the socket and `handleParams` reads it, without remounting the view.

import { allow, anyone, defineView, html, type Params } from 'liveward';

interface CounterAssigns {
  count: number;
  step: number;
}

const STEPS = [1, 10, 100];

function stepFrom(params: Params): number {
  const step = Number(params.step ?? 1);
  return STEPS.includes(step) ? step : 1;
}

export const Counter = defineView<CounterAssigns>({
  name: 'counter',
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
      const n = Number(value.n);
      if (Number.isSafeInteger(n)) socket.assign({ count: n });
    }),
  },
  render: ({ count, step }) => html`<main class="counter">
  <h1>Counter</h1>
  <p>Count: <span id="count">${count}</span></p>
  <button id="decrement" phx-click="decrement">-</button>
  <button id="increment" phx-click="increment">+</button>
  <form id="set-form" phx-submit="set"><input name="n" type="number" value="${count}"><button>Set</button></form>
  <p>Step <span id="step">${step}</span>: ${STEPS.map(
    (s) => html`<a id="step-${s}" href="/counter?step=${s}" data-phx-link="patch" data-phx-link-state="replace">${s}</a> `,
  )}</p>
  <p><a href="/clock" data-phx-link="redirect" data-phx-link-state="push" id="to-clock">Clock</a></p>
</main>`,
});
