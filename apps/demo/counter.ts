// `/counter`: the demo contract of the brief (§5): `#count`, `#increment`, `#decrement`, and a
// `set` event with value `n`.

import { allow, anyone, defineView, html } from '../../runtime/index.ts';

interface CounterAssigns {
  count: number;
}

export const Counter = defineView<CounterAssigns>({
  name: 'counter',
  mount(_params, _session, socket) {
    socket.assign({ count: 0 });
    socket.setPageTitle('Counter');
  },
  handleEvent: {
    increment: allow(anyone, (_value, socket) => socket.update((a) => void a.count++)),
    decrement: allow(anyone, (_value, socket) => socket.update((a) => void a.count--)),
    set: allow(anyone, (value, socket) => {
      const n = Number(value.n);
      if (Number.isSafeInteger(n)) socket.assign({ count: n });
    }),
  },
  render: ({ count }) => html`<main class="counter">
  <h1>Counter</h1>
  <p>Count: <span id="count">${count}</span></p>
  <button id="decrement" phx-click="decrement">-</button>
  <button id="increment" phx-click="increment">+</button>
  <form id="set-form" phx-submit="set"><input name="n" type="number" value="${count}"><button>Set</button></form>
  <p><a href="/clock" data-phx-link="redirect" data-phx-link-state="push" id="to-clock">Clock</a></p>
</main>`,
});
