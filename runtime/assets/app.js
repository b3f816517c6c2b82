// The few lines that start the official LiveView client. Everything else in the browser is the
// unmodified `phoenix` and `phoenix_live_view` packages, plus the app's hooks (`/assets/hooks.js`).
import { Socket } from '/assets/phoenix.mjs';
import { LiveSocket } from '/assets/phoenix_live_view.esm.js';
import hooks from '/assets/hooks.js';

// `data-confirm`, as Phoenix's `phoenix_html` script does it (the LiveView client leaves it to that
// script): ask first, and a refusal stops the click before the LiveView client sees it.
window.addEventListener(
  'click',
  (event) => {
    const element = event.target instanceof Element ? event.target.closest('[data-confirm]') : null;
    if (element && !window.confirm(element.getAttribute('data-confirm'))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  },
  true,
);

const csrfToken = document.querySelector("meta[name='csrf-token']").getAttribute('content');
const liveSocket = new LiveSocket('/live', Socket, { params: { _csrf_token: csrfToken }, hooks });
liveSocket.connect();
window.liveSocket = liveSocket;

// A page with no live view (an HTTP form, say) has no server to clear its flash: the browser
// removes a clicked flash itself. Inside a live view the server does it (`lv:clear-flash`).
document.addEventListener('click', (event) => {
  const flash = event.target instanceof Element && event.target.closest('[phx-click="lv:clear-flash"]');
  if (flash && !flash.closest('[data-phx-session]')) flash.remove();
});
