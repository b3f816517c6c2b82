// Policy: what per-event authorization costs on the demo's own policies, so the table shows the
// checks are on the path. One user (bob, a confirmed reader) signs in; N sockets (the event
// phase's largest N) GET and join /posts/1 with his cookie. Two closed-loop windows follow on the
// same server: `validate_comment` (allowed by `confirmedUsers`, which reads the user back from
// SQLite by the session's token on every event; then the form is validated and re-rendered) and a
// forged `update_post` (refused by `editorsOnly` after the same read: the denial path, an `error`
// reply). Server CPU per event in each, against the floor's at the same client count.

import { sleep, type BenchContext } from './bench-context.ts';
import { EVENT_PHASE_LIMITS, measureWindow, type EventLevel, type EventRun } from './event-phase.ts';
import { FAN_OUT_USER, fanOutLimits } from './fan-out-phase.ts';
import type { Row } from './report.ts';
import { repeated } from './samples.ts';

export interface PolicyRun {
  rep: number;
  clients: number;
  /** Sockets that joined /posts/1 (the windows are measured only when all did). */
  joined: number;
  allowed: EventLevel;
  denied: EventLevel;
}

const POST_PATH = '/posts/1';
/** A comment being typed: `phx-change` sends the form urlencoded, with the field that changed. */
const ALLOWED = '{"type":"form","event":"validate_comment","value":"body=Nice%20post&_target=body"}';
/** What a reader forging an editor's event sends: the demo's policy refuses it before the handler. */
const DENIED = '{"type":"form","event":"update_post","value":"title=Taken&body=over&_target=title"}';

export async function runPolicyPhase(ctx: BenchContext, rep: number): Promise<PolicyRun> {
  const { options, loadgen } = ctx;
  const clients = Math.max(...options.clients);
  const target = await ctx.startTarget('liveward', { ...EVENT_PHASE_LIMITS, ...fanOutLimits(clients) });
  try {
    ctx.log(`policy: run ${rep + 1}, ${clients} socket(s) of one reader on ${POST_PATH}: allowed, then denied events`);
    const cookie = await loadgen.call('login', { baseUrl: target.baseUrl, email: FAN_OUT_USER, password: 'bob-password' });
    const ramp = await ctx.ramp(target, clients, { path: POST_PATH, cookie });
    if (ramp.failed > 0) ctx.log(`  ${ramp.failed} socket(s) failed to join: ${ramp.errors.join('; ')}`);
    const window = async (payload: string): Promise<EventLevel> => {
      await loadgen.call('startEvents', { count: clients, payload });
      await sleep(options.warmupS * 1000);
      const level = await measureWindow(ctx, target, clients, options.measureS, { countErrors: true });
      await loadgen.call('stopEvents', undefined);
      return level;
    };
    const allowed = await window(ALLOWED);
    const denied = await window(DENIED);
    return { rep, clients, joined: ramp.opened, allowed, denied };
  } finally {
    await loadgen.call('closeAll', undefined);
    await target.stop();
  }
}

/** The table's rows: CPU per allowed and per denied event, each against the floor's at the same N. */
export function policyRows(runs: PolicyRun[], events: EventRun[]): Row[] {
  const complete = runs.filter((r) => r.joined === r.clients);
  if (complete.length === 0) return [];
  const clients = complete[0]!.clients;
  const n = `${clients.toLocaleString('en-US')} clients`;
  const floorLevels = events.filter((r) => r.kind === 'floor').flatMap((r) => r.levels.filter((l) => l.clients === clients));
  const floor = floorLevels.length > 0 ? repeated(floorLevels.map((l) => l.serverCpuPerEventMicros)) : null;
  const row = (figure: string, pick: (r: PolicyRun) => EventLevel): Row => {
    const liveward = repeated(complete.map((r) => pick(r).serverCpuPerEventMicros));
    return { area: 'Policy', figure, n, unit: 'µs', liveward, floor, ratio: floor ? liveward.median / floor.median : null };
  };
  return [
    row('server CPU per event, allowed: `validate_comment` (policy re-reads the user from SQLite, form validated)', (r) => r.allowed),
    row('server CPU per event, denied: forged `update_post` (policy re-reads the user, refuses)', (r) => r.denied),
  ];
}

export function policyNotes(runs: PolicyRun[]): string[] {
  const short = runs.filter((r) => r.joined !== r.clients).length;
  const notes = short > 0 ? [`**Not every socket joined ${POST_PATH} in ${short} policy run(s)**; those runs are left out.`] : [];
  // The denied window must be all denials, the allowed one all allowed: else the rows mean nothing.
  const mixed = runs.filter((r) => r.allowed.failed > 0 || r.denied.failed !== r.denied.events);
  if (mixed.length > 0)
    notes.push(`**Unexpected replies in ${mixed.length} policy run(s)**: an allowed event was refused or a forged one was not.`);
  return notes;
}

/** The "how it is measured" bullet. */
export const POLICY_METHOD =
  "- **Policy.** On a fresh server per run, bob (a confirmed reader) signs in and as many sockets as the event phase's largest client count GET and join /posts/1 with his cookie. Closed loop as in the event phase, two windows: `validate_comment` (allowed by the demo's `confirmedUsers` policy, which looks the user up in SQLite by the session's token on every event, then the form is validated and re-rendered) and a forged `update_post` (refused by `editorsOnly` after the same lookup; an `error` reply, counted as an event). The floor column is the event phase's floor at the same client count.";
