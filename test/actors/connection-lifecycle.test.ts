// The connection lifecycle as a transition table: what each event does in each state. The
// effects on a real socket (close frames, teardown at the handshake, heartbeat drops) are covered
// by test/actors/registry.test.ts and the integration tests (shutdown, heartbeat-timeout).

import { describe, expect, it } from 'vitest';
import { GOING_AWAY, nextLifecycle, type ConnectionState, type LifecycleEvent } from '../../actors/connection-lifecycle.ts';

const STATES: ConnectionState[] = ['open', 'draining', 'closed'];
const EVENTS: LifecycleEvent[] = ['socket.closed', 'heartbeat.timeout', 'kick', 'drain'];

describe('nextLifecycle', () => {
  it('moves open → draining on a kick or a drain, sending the close frame with its reason', () => {
    expect(nextLifecycle('open', 'kick')).toEqual(['draining', { kind: 'close', code: GOING_AWAY, reason: 'disconnected' }]);
    expect(nextLifecycle('open', 'drain')).toEqual(['draining', { kind: 'close', code: GOING_AWAY, reason: 'server shutting down' }]);
  });

  it('does not kick or drain a connection already closing', () => {
    expect(nextLifecycle('draining', 'kick')).toEqual(['draining', { kind: 'none' }]);
    expect(nextLifecycle('draining', 'drain')).toEqual(['draining', { kind: 'none' }]);
  });

  it('ends the views when the socket closes, open or draining', () => {
    expect(nextLifecycle('open', 'socket.closed')).toEqual(['closed', { kind: 'terminate' }]);
    expect(nextLifecycle('draining', 'socket.closed')).toEqual(['closed', { kind: 'terminate' }]);
  });

  it('drops an open socket on a heartbeat timeout, but not one already draining', () => {
    expect(nextLifecycle('open', 'heartbeat.timeout')).toEqual(['closed', { kind: 'drop' }]);
    expect(nextLifecycle('draining', 'heartbeat.timeout')).toEqual(['draining', { kind: 'none' }]);
  });

  it('keeps closed final: no event does anything there', () => {
    for (const event of EVENTS) expect(nextLifecycle('closed', event)).toEqual(['closed', { kind: 'none' }]);
  });

  it('answers every event in every state', () => {
    for (const state of STATES) for (const event of EVENTS) expect(nextLifecycle(state, event)[1]).toBeDefined();
  });
});
