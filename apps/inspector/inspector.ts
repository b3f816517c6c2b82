// `/inspector` (liveSession `admin`): the live actors and their states, the registry (live socket
// id → connections → views), recent decisions and crashes. Admin-only four times: the HTTP
// pipeline, the mount hook, the policy of every action, and a re-read of the admin before every
// push of the feed. Disconnecting goes through the same
// `registry.disconnect` as logout.

import { allow, defineView, html, keyed, type ConnectionDescription, type CrashDescription } from 'liveward';
import { isLiveSocketId, type Accounts, type User } from '../blog/accounts.ts';
import { LOGIN_PATH, isAdmin, signedInPolicy } from '../blog/auth.ts';
import { userBar } from '../blog/user-bar.ts';
import { INSPECTOR_TOPIC, INSPECTOR_VIEW, type InspectorFeed, type StampedEvent } from './feed.ts';

interface InspectorAssigns {
  currentUser: User;
  csrfToken: string;
  snapshot: InspectorSnapshot;
  notice: string | null;
}

interface InspectorSnapshot {
  counts: { connections: number; liveSocketIds: number; views: number; subscriptions: number };
  crashes: number;
  registry: readonly ConnectionDescription[];
  events: StampedEvent[];
  recentCrashes: readonly CrashDescription[];
}

const SHOWN_EVENTS = 50;
const SHOWN_CONNECTIONS = 200;

export function inspectorView(feed: InspectorFeed, accounts: Accounts) {
  const adminsOnly = signedInPolicy<InspectorAssigns>('adminsOnly', accounts, isAdmin);

  const snapshot = (): InspectorSnapshot => {
    const { server } = feed;
    const crashes = server.crashes();
    return {
      counts: server.counts(),
      crashes: crashes.total,
      registry: server.describe().connections.slice(0, SHOWN_CONNECTIONS),
      events: feed.recent(SHOWN_EVENTS),
      recentCrashes: crashes.recent.slice(0, 20),
    };
  };

  return defineView<InspectorAssigns>({
    name: INSPECTOR_VIEW,
    mount(_params, _session, socket) {
      socket.assign({ snapshot: snapshot(), notice: null });
      socket.setPageTitle('Inspector');
      if (socket.connected) {
        socket.onCleanup(feed.watch());
        socket.subscribe(INSPECTOR_TOPIC);
      }
    },
    handleInfo(_message, socket) {
      // The feed is pushed, not asked for, so each push is authorized too: an admin demoted or
      // deleted since the mount is sent to /login at the next change, not at the next reconnect.
      if (!isAdmin(accounts.getUser(socket.assigns.currentUser.id))) {
        socket.redirect(LOGIN_PATH);
        return;
      }
      socket.assign({ snapshot: snapshot() });
    },
    handleEvent: {
      disconnect: allow(adminsOnly, async (value, socket) => {
        if (!isLiveSocketId(value.id)) {
          socket.assign({ notice: 'Not a live socket id.' });
          return;
        }
        const { closed } = await feed.server.disconnect(value.id);
        socket.assign({ notice: `Disconnected ${closed} connection(s) of ${value.id}.`, snapshot: snapshot() });
      }),
    },
    render: ({ currentUser, csrfToken, snapshot: s, notice }) => html`${userBar(currentUser, csrfToken)}
<main class="inspector">
  <h1>Inspector</h1>
  ${notice ? html`<p id="notice" class="notice">${notice}</p>` : ''}
  <section id="counts">
    <span>connections <b id="count-connections">${s.counts.connections}</b></span>
    <span>views <b id="count-views">${s.counts.views}</b></span>
    <span>live socket ids <b id="count-socket-ids">${s.counts.liveSocketIds}</b></span>
    <span>subscriptions <b id="count-subscriptions">${s.counts.subscriptions}</b></span>
    <span>crashes <b id="count-crashes">${s.crashes}</b></span>
  </section>
  <h2>Registry</h2>
  <table id="registry">
    <thead><tr><th>live socket id</th><th>connection</th><th>state</th><th>views (topic · view · state)</th><th></th></tr></thead>
    <tbody>${s.registry.map((c) => keyed(c.connectionId, html`<tr>
      <td>${c.liveSocketId ?? '(anonymous)'}</td><td><code>${c.connectionId.slice(0, 8)}</code></td><td>${c.state}</td>
      <td>${c.views.map((v) => html`<div><code>${v.topic}</code> · ${v.view} · <b>${v.state}</b></div>`)}</td>
      <td>${c.liveSocketId
        ? html`<button phx-click="disconnect" phx-value-id="${c.liveSocketId}">Disconnect</button>`
        : ''}</td>
    </tr>`))}</tbody>
  </table>
  <h2>Decisions and lifecycle</h2>
  <ol id="events">${s.events.map((e) => html`<li><time>${new Date(e.at).toISOString().slice(11, 23)}</time> <b>${e.type}</b> ${describe(e)}</li>`)}</ol>
  <h2>Crashes</h2>
  <ol id="crashes">${s.recentCrashes.map((c) => html`<li><code>${c.errorId}</code> ${c.view} (${c.phase}): ${c.message}</li>`)}</ol>
</main>`,
  });
}

function describe(event: StampedEvent): string {
  switch (event.type) {
    case 'event.allowed':
      return `${event.view} ${event.event} by ${event.userId ?? 'anonymous'} (policy ${event.policy})`;
    case 'event.denied':
      return `${event.view} ${event.event} by ${event.userId ?? 'anonymous'}: ${event.why}`;
    case 'event.handled':
      return `${event.view} ${event.event} in ${event.durationMs.toFixed(2)} ms`;
    case 'view.mounted':
      return `${event.view} on ${event.topic} for ${event.userId ?? 'anonymous'}`;
    case 'view.join_refused':
      return `${event.topic}: ${event.reason} (${event.code})`;
    case 'view.terminated':
      return `${event.view} on ${event.topic}: ${event.why}`;
    case 'view.crashed':
      return `${event.view} on ${event.topic} in ${event.phase}, error ${event.errorId}`;
    case 'socket.disconnected':
      return `${event.liveSocketId}: ${event.closed} closed`;
    case 'connection.opened':
      return `${event.connectionId.slice(0, 8)} ${event.liveSocketId ?? '(anonymous)'}`;
    case 'connection.closed':
      return `${event.connectionId.slice(0, 8)} code ${event.code}`;
    default:
      return '';
  }
}
