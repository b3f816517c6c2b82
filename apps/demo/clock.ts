// `/clock`: re-renders itself every second from the server (`#now`).

import { defineView, html, type Flash } from 'liveward';
import { flashGroup } from '../flash-group.ts';

const TICK = 'tick';

export const Clock = defineView<{ now: Date; flash: Flash }>({
  name: 'clock',
  mount(_params, _session, socket) {
    socket.assign({ now: new Date() });
    socket.setPageTitle('Clock');
    if (socket.connected) socket.every(1000, TICK);
  },
  handleInfo(message, socket) {
    if (message === TICK) socket.assign({ now: new Date() });
  },
  render: ({ now, flash }) => html`${flashGroup(flash)}<main class="clock">
  <h1>Clock</h1>
  <p>Server time: <time id="now" datetime="${now.toISOString()}">${now.toISOString().slice(11, 19)}</time></p>
  <p><a href="/counter" data-phx-link="redirect" data-phx-link-state="push" id="to-counter">Counter</a></p>
</main>`,
});
