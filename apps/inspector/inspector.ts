// `/inspector` (liveSession `admin`): the running actor system, drawn and pushed live — the
// supervision tree (node → registry → connections → views; in a cluster every node's, as each last
// pushed it, and the nodes that did not), the state chart of a selected view
// drawn from the view machine's definition with its transitions and callback trace, a filterable
// timeline of decisions and lifecycle, charts, and two actions (disconnect a live socket id,
// terminate an account). Admin-only four times: the HTTP pipeline, the mount hook, the policy of
// every event, and a re-read of the admin before every push of the feed.

import {
  allow,
  defineView,
  describeDisconnectResult,
  html,
  keyed,
  raw,
  viewMachineGraph,
  type ConnectionDescription,
  type Flash,
  type PubSubHealth,
  type Rendered,
} from 'liveward';
import { flashGroup } from '../flash-group.ts';
import { isLiveSocketId, liveSocketIdFor, type Accounts, type User } from '../auth/accounts.ts';
import { LOGIN_PATH, isAdmin, signedInPolicy } from '../auth/auth-guards.ts';
import { userBar } from '../auth/user-bar.ts';
import {
  INSPECTOR_TOPIC,
  INSPECTOR_VIEW,
  SAMPLED_PER_SECOND,
  SHOWN_CONNECTIONS,
  type FeedEntry,
  type InspectorFeed,
  type ViewHistory,
} from './feed.ts';
import { sparklineSvg } from './sparkline.ts';
import { stateChartSvg, transitionLabel } from './state-chart.ts';

interface TimelineFilter {
  user: string;
  view: string;
  kind: string;
}

interface InspectorAssigns {
  flash: Flash;
  currentUser: User;
  csrfToken: string;
  snapshot: InspectorSnapshot;
  selected: string | null;
  filter: TimelineFilter;
  disconnectResult: string | null;
  notice: string | null;
}

type Registry = readonly ConnectionDescription[];

/** One node's tree: this node's, or another's as it last pushed it. */
interface NodeTree {
  nodeId: string;
  here: boolean;
  pubsub: PubSubHealth['state'];
  connections: number;
  registry: Registry;
}

interface InspectorSnapshot {
  now: number;
  counts: { connections: number; liveSocketIds: number; views: number; subscriptions: number };
  crashes: number;
  /** This node first, then the other nodes that described themselves. */
  nodes: NodeTree[];
  /** Nodes believed up that were asked to (a watch lease) but have not described themselves. */
  unanswered: readonly string[];
  /** Per live socket id: its connections, and the user it belongs to if any. */
  socketIds: { id: string; connections: number; userId: number | null }[];
  timeline: FeedEntry[];
  choices: { users: string[]; views: string[]; kinds: string[] };
  charts: { events: number[]; denials: number[]; views: number[] };
  detail: { topic: string; view: string; state: string; history: ViewHistory | null; assigns: Record<string, unknown> } | null;
  recentCrashes: { errorId: string; view: string; phase: string; message: string; at: number }[];
}

const SHOWN_ENTRIES = 100;
/** Rows of the live socket id table (every row has its buttons and an account lookup per push). */
const SHOWN_SOCKET_IDS = 200;
const NO_FILTER: TimelineFilter = { user: '', view: '', kind: '' };

export function inspectorView(feed: InspectorFeed, accounts: Accounts) {
  const adminsOnly = signedInPolicy<InspectorAssigns>('adminsOnly', accounts, isAdmin);
  const emailOf = (userId: string | null): string => {
    if (userId === null) return 'anonymous';
    return accounts.getUser(Number(userId))?.email ?? `user ${userId}`;
  };

  const snapshot = (selected: string | null, filter: TimelineFilter): InspectorSnapshot => {
    const { server } = feed;
    const now = Date.now();
    const { nodeId, counts, pubsub, connections: registry } = server.describe();
    const others = feed.otherNodes();
    const nodes: NodeTree[] = [
      { nodeId, here: true, pubsub: pubsub.state, connections: counts.connections, registry: registry.slice(0, SHOWN_CONNECTIONS) },
      ...others.nodes.map((n) => ({
        nodeId: n.nodeId,
        here: false,
        pubsub: n.pubsub.state,
        connections: n.counts.connections,
        registry: n.connections,
      })),
    ];
    // Every live socket id of the cluster: a disconnect reaches all nodes.
    const socketIds = new Map<string, { id: string; connections: number; userId: number | null }>();
    for (const c of [...registry, ...others.nodes.flatMap((n) => n.connections)]) {
      if (c.liveSocketId === null) continue;
      const entry = socketIds.get(c.liveSocketId) ?? { id: c.liveSocketId, connections: 0, userId: userIdOfSocket(c.liveSocketId) };
      entry.connections++;
      socketIds.set(c.liveSocketId, entry);
    }
    const all = feed.entries();
    const keep = (e: FeedEntry): boolean =>
      (filter.user === '' || userOf(e) === filter.user) &&
      (filter.view === '' || ('view' in e && e.view === filter.view)) &&
      (filter.kind === '' || e.type === filter.kind);
    let detail: InspectorSnapshot['detail'] = null;
    if (selected) {
      // The view drawn here is traced in full, not sampled, while it is drawn.
      feed.follow(selected);
      const live = nodes
        .flatMap((n) => n.registry)
        .flatMap((c) => c.views)
        .find((v) => v.topic === selected);
      const history = feed.history(selected);
      if (live || history) {
        detail = {
          topic: selected,
          view: live?.view ?? '(gone)',
          state: live?.state ?? history?.state ?? 'terminated',
          history,
          assigns: live?.assigns ?? {},
        };
      }
    }
    const series = feed.series();
    const crashes = server.crashes();
    return {
      now,
      counts,
      crashes: crashes.total,
      nodes,
      unanswered: others.unanswered,
      socketIds: [...socketIds.values()].slice(0, SHOWN_SOCKET_IDS),
      timeline: feed.recent(SHOWN_ENTRIES, keep),
      choices: {
        users: distinct(all.map(userOf).filter((u): u is string => u !== null)),
        views: distinct(all.flatMap((e) => ('view' in e ? [e.view] : []))),
        kinds: distinct(all.map((e) => e.type)),
      },
      charts: {
        events: series.map((p) => p.events),
        denials: series.map((p) => p.denials),
        views: series.map((p) => p.views),
      },
      detail,
      recentCrashes: crashes.recent.slice(0, 20),
    };
  };

  const refresh = (
    socket: { assigns: Readonly<InspectorAssigns>; assign(values: Partial<InspectorAssigns>): void },
    values: Partial<InspectorAssigns> = {},
  ): void => {
    const next = { ...socket.assigns, ...values };
    socket.assign({ ...values, snapshot: snapshot(next.selected, next.filter) });
  };

  const entryLine = (e: FeedEntry): string => describe(e, emailOf);

  // Another node's views have no history here (the feed hears this node's runtime events only).
  const nodeTree = (
    node: NodeTree,
    now: number,
    selected: string | null,
  ): Rendered => html`<div class="tree-node" data-node-id="${node.nodeId}">
        <div class="box node-box">node <code>${node.nodeId}</code>${node.here ? ' (this node)' : ''} · pubsub ${node.pubsub}</div>
        <ul><li><div class="box registry-box">registry · ${node.connections} connection(s)</div>
          <ul>${node.registry.map((c) =>
            keyed(
              c.connectionId,
              html`<li data-connection-id="${c.connectionId}">
            <div class="box connection-box">connection <code>${c.connectionId.slice(0, 8)}</code> · ${c.liveSocketId ?? '(anonymous)'} · ${c.state}</div>
            <ul>${c.views.map((v) =>
              keyed(
                v.topic,
                html`<li data-view-topic="${v.topic}" phx-click="select" phx-value-topic="${v.topic}" class="${v.topic === selected ? 'selected' : ''}">
              <div class="box view-box state-${v.state}"><b class="view-name">${v.view}</b> · <span class="view-user">${emailOf(v.userId)}</span> · <b class="view-state">${v.state}</b><br>
              <small>${v.liveSession ?? '—'} · up ${uptime(now, v.mountedAt)}${node.here ? ` · ${feed.history(v.topic)?.handled ?? 0} handled · ${feed.history(v.topic)?.denied ?? 0} denied` : ''}</small></div>
            </li>`,
              ),
            )}</ul>
          </li>`,
            ),
          )}</ul>
        </li></ul>
      </div>`;

  return defineView<InspectorAssigns>({
    name: INSPECTOR_VIEW,
    mount(_params, _session, socket) {
      socket.assign({ selected: null, filter: NO_FILTER, disconnectResult: null, notice: null, snapshot: snapshot(null, NO_FILTER) });
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
      refresh(socket);
    },
    handleEvent: {
      select: allow(adminsOnly, (value, socket) => {
        const topic = typeof value.topic === 'string' && value.topic.startsWith('lv:') ? value.topic.slice(0, 200) : null;
        refresh(socket, { selected: topic });
      }),
      filter: allow(adminsOnly, (value, socket) => {
        const pick = (key: string): string => (typeof value[key] === 'string' ? (value[key] as string).slice(0, 200) : '');
        refresh(socket, { filter: { user: pick('user'), view: pick('view'), kind: pick('kind') } });
      }),
      disconnect: allow(adminsOnly, async (value, socket) => {
        if (!isLiveSocketId(value.id)) {
          socket.assign({ notice: 'Not a live socket id.' });
          return;
        }
        const result = await feed.server.disconnect(value.id);
        refresh(socket, { disconnectResult: `${value.id}: ${describeDisconnectResult(result)}`, notice: null });
      }),
      terminate_account: allow(adminsOnly, async (value, socket) => {
        const user = accounts.getUser(Number(value.id));
        if (!user) {
          socket.assign({ notice: 'No such account.' });
          return;
        }
        // Revoke first, then disconnect: each reconnecting page mounts again and finds its login
        // session gone, so it ends on /login.
        accounts.deleteAllSessionTokens(user.id);
        const result = await feed.server.disconnect(liveSocketIdFor(user));
        feed.recordAction({
          type: 'account.terminated',
          userId: String(user.id),
          by: String(socket.assigns.currentUser.id),
          closed: result.closed,
          nodes: result.nodes.length,
          at: Date.now(),
        });
        refresh(socket, { disconnectResult: `${user.email}: logins revoked, ${describeDisconnectResult(result)}`, notice: null });
      }),
    },
    render: ({
      currentUser,
      csrfToken,
      snapshot: s,
      selected,
      filter,
      disconnectResult,
      notice,
      flash,
    }) => html`${userBar(currentUser, csrfToken)}${flashGroup(flash)}
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
  <section id="charts">
    <figure><figcaption>events/s <b id="rate-events">${s.charts.events.at(-1) ?? 0}</b></figcaption>${raw(sparklineSvg('events', s.charts.events))}</figure>
    <figure><figcaption>denials/s <b id="rate-denials">${s.charts.denials.at(-1) ?? 0}</b></figcaption>${raw(sparklineSvg('denials', s.charts.denials))}</figure>
    <figure><figcaption>open views <b id="rate-views">${s.charts.views.at(-1) ?? 0}</b></figcaption>${raw(sparklineSvg('views', s.charts.views))}</figure>
  </section>
  <div class="inspector-columns">
  <section>
    <h2>Supervision tree</h2>
    <div id="supervision-tree" class="tree">
      ${s.nodes.map((node) => keyed(node.nodeId, nodeTree(node, s.now, selected)))}
      ${s.unanswered.map((id) =>
        keyed(
          id,
          html`<div class="tree-node unanswered" data-node-id="${id}" data-unanswered="true">
        <div class="box node-box">node <code>${id}</code> · did not answer</div>
      </div>`,
        ),
      )}
    </div>
    <h2>Live socket ids</h2>
    <table id="socket-ids">
      <thead><tr><th>live socket id</th><th>connections</th><th>account</th><th></th></tr></thead>
      <tbody>${s.socketIds.map((id) =>
        keyed(
          id.id,
          html`<tr>
        <td><code>${id.id}</code></td><td>${id.connections}</td><td>${id.userId === null ? '—' : emailOf(String(id.userId))}</td>
        <td><button phx-click="disconnect" phx-value-id="${id.id}" data-disconnect="${id.id}" data-confirm="Disconnect every socket of ${id.id}?">Disconnect</button>
        ${id.userId === null ? '' : html`<button phx-click="terminate_account" phx-value-id="${String(id.userId)}" data-terminate-account="${String(id.userId)}" data-confirm="Terminate ${emailOf(String(id.userId))}: revoke every login and disconnect every socket?">Terminate account</button>`}</td>
      </tr>`,
        ),
      )}</tbody>
    </table>
    <p id="disconnect-result" class="notice">${disconnectResult ?? ''}</p>
  </section>
  <section id="view-detail">
    <h2>Selected view</h2>
    ${s.detail ? viewDetail(s.detail) : html`<p class="hint">Select a view in the tree.</p>`}
  </section>
  </div>
  <h2>Timeline</h2>
  <p id="timeline-sampling" class="hint">Allowed events, their handling and callback traces are sampled: at most ${SAMPLED_PER_SECOND} of each a second, and every one of the selected view. Denials, mounts, crashes and disconnects are all kept; the counts in the tree and the charts are exact.</p>
  <form id="timeline-filter" phx-change="filter" phx-submit="filter">
    <label>user <select name="user"><option value="">everyone</option>${s.choices.users.map((u) => html`<option value="${u}" ${u === filter.user ? 'selected' : ''}>${emailOf(u)}</option>`)}</select></label>
    <label>view <select name="view"><option value="">every view</option>${s.choices.views.map((v) => html`<option value="${v}" ${v === filter.view ? 'selected' : ''}>${v}</option>`)}</select></label>
    <label>kind <select name="kind"><option value="">every kind</option>${s.choices.kinds.map((k) => html`<option value="${k}" ${k === filter.kind ? 'selected' : ''}>${k}</option>`)}</select></label>
  </form>
  <ol id="timeline">${s.timeline.map((e) => html`<li data-kind="${e.type}" data-user="${userOf(e) ?? ''}"><time>${new Date(e.at).toISOString().slice(11, 23)}</time> <b>${e.type}</b> ${entryLine(e)}</li>`)}</ol>
  <h2>Crashes</h2>
  <ol id="crashes">${s.recentCrashes.map((c) => html`<li><code>${c.errorId}</code> ${c.view} (${c.phase}): ${c.message}</li>`)}</ol>
</main>`,
  });
}

function viewDetail(d: NonNullable<InspectorSnapshot['detail']>): Rendered {
  const history = d.history;
  const last = history?.transitions.at(-1);
  const assignKeys = Object.keys(d.assigns);
  return html`<p><code>${d.topic}</code> · <b>${d.view}</b> · state <b id="selected-state">${d.state}</b></p>
  <div id="state-chart">${raw(stateChartSvg(viewMachineGraph(), d.state, last ?? null))}</div>
  <h3>Recent transitions</h3>
  <ol id="transitions">${(history?.transitions ?? [])
    .slice()
    .reverse()
    .map(
      (t) =>
        html`<li><time>${new Date(t.at).toISOString().slice(11, 23)}</time> ${t.from} → ${t.to} on <code>${transitionLabel(t)}</code>${t.detail ? ` (${t.detail})` : ''}</li>`,
    )}</ol>
  <h3>Callback trace</h3>
  <table id="callback-trace"><thead><tr><th>callback</th><th>ms</th><th>diff bytes</th></tr></thead>
    <tbody>${(history?.trace ?? [])
      .slice()
      .reverse()
      .map(
        (t) =>
          html`<tr data-callback="${t.callback.split(' ')[0]!}"><td>${t.callback}</td><td>${t.durationMs.toFixed(2)}</td><td>${t.diffBytes ?? ''}</td></tr>`,
      )}</tbody></table>
  <h3>Assigns</h3>
  <dl id="assigns">${assignKeys.map((k) => html`<dt>${k}</dt><dd><code>${preview(d.assigns[k])}</code></dd>`)}</dl>
  <p class="hint">${assignKeys.length === 0 ? 'This view marks no assigns inspectable; all are redacted.' : 'Only the assigns the view marks inspectable are shown; the others are redacted.'}</p>`;
}

function preview(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = '(not serializable)';
  }
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

function userIdOfSocket(liveSocketId: string): number | null {
  const match = /^users_socket:(\d+)$/.exec(liveSocketId);
  return match ? Number(match[1]) : null;
}

function userOf(e: FeedEntry): string | null {
  if ('userId' in e && typeof e.userId === 'string') return e.userId;
  if (e.type === 'socket.disconnected') {
    const id = userIdOfSocket(e.liveSocketId);
    return id === null ? null : String(id);
  }
  return null;
}

function distinct(values: string[]): string[] {
  return [...new Set(values)].sort();
}

function uptime(now: number, since: number): string {
  if (since === 0) return '—';
  const s = Math.max(0, Math.floor((now - since) / 1000));
  return s < 60 ? `${s}s` : s < 3600 ? `${Math.floor(s / 60)}m${s % 60}s` : `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`;
}

function describe(event: FeedEntry, emailOf: (id: string | null) => string): string {
  switch (event.type) {
    case 'event.allowed':
      return `${event.view} ${event.event} by ${emailOf(event.userId)} (policy ${event.policy})`;
    case 'event.denied':
      return `${event.view} ${event.event} by ${emailOf(event.userId)}: ${event.why}${event.policy ? ` (policy ${event.policy})` : ''}`;
    case 'event.handled':
      return `${event.view} ${event.event} in ${event.durationMs.toFixed(2)} ms`;
    case 'view.mounted':
      return `${event.view} on ${event.topic} for ${emailOf(event.userId)}`;
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
    case 'account.terminated':
      return `${emailOf(event.userId)} by ${emailOf(event.by)}: logins revoked, ${event.closed} connection(s) closed on ${event.nodes} node(s)`;
    default:
      return '';
  }
}
