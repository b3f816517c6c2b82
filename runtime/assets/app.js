// The few lines that start the official LiveView client. Everything else in the browser is the
// unmodified `phoenix` and `phoenix_live_view` packages.
import { Socket } from '/assets/phoenix.mjs';
import { LiveSocket } from '/assets/phoenix_live_view.esm.js';

const csrfToken = document.querySelector("meta[name='csrf-token']").getAttribute('content');
const liveSocket = new LiveSocket('/live', Socket, { params: { _csrf_token: csrfToken } });
liveSocket.connect();
window.liveSocket = liveSocket;
