// A first Liveward app: a counter anyone can use, and a page only a signed-in user sees.
// Plain ESM, no build step: `npm install liveward && node server.js`.
import {
  CSRF_SESSION_KEY,
  Router,
  allow,
  anyone,
  cont,
  createLiveServer,
  defineView,
  halt,
  html,
  maskCsrfToken,
  protectFromForgery,
} from 'liveward';

const Counter = defineView({
  name: 'counter',
  mount: (_params, _session, socket) => socket.assign({ count: 0 }),
  // Every event names the policy that may run it; an undeclared event is denied.
  handleEvent: { increment: allow(anyone, (_value, socket) => socket.update((a) => void a.count++)) },
  render: ({ count }) => html`<p>Count: <span id="count">${count}</span></p>
<button id="increment" phx-click="increment">+</button> <a href="/secret">Secret page</a>`,
});

const Secret = defineView({
  name: 'secret',
  mount: (_params, session, socket) => socket.assign({ name: session.user }),
  render: ({ name }) => html`<h1 id="hello">Hello, ${name}</h1>`,
});

// Runs before every mount of the private liveSession, on the HTTP render and again over the socket.
const signedIn = (_params, session) => (typeof session.user === 'string' ? cont() : halt('/login'));

const router = new Router();
router.liveSession('public', {}, (s) => s.live('/', Counter));
router.liveSession('private', { onMount: [signedIn] }, (s) => s.live('/secret', Secret));
router.get(
  '/login',
  (conn) =>
    void conn.html(
      200,
      `<form method="post">
<input type="hidden" name="_csrf_token" value="${maskCsrfToken(String(conn.getSession(CSRF_SESSION_KEY)))}">
<input name="name" placeholder="your name"> <button>Log in</button></form>`,
    ),
);
router.post('/login', async (conn) => {
  const name = (await conn.form()).get('name') ?? '';
  if (!/^\w{1,32}$/.test(name)) return void conn.redirect('/login');
  // A new session at login (no fixation); live_socket_id lets a logout disconnect its sockets.
  conn.clearSession().putSession('user', name).putSession('live_socket_id', `user:${name}`);
  conn.redirect('/secret');
});

const server = createLiveServer({ router, pipeline: [protectFromForgery], secretKeyBase: process.env.SECRET_KEY_BASE });
const { port } = await server.listen(Number(process.env.PORT ?? 4000));
console.log(`listening on http://127.0.0.1:${port}`);
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
