// The runtime-wide services a connection and its views work with, built as a LiveServer builds
// them (real tokens, PubSub, supervisor, silence watch, session tally) but without a server: for
// unit tests of the actors that take them.

import type { Services } from '../../actors/view-context.ts';
import { SessionTally } from '../../actors/session-tally.ts';
import { SilenceWatch } from '../../actors/silence-watch.ts';
import { Supervisor } from '../../actors/supervisor.ts';
import type { Clock } from '../../runtime/clock.ts';
import { resolveLimits, type Limits } from '../../runtime/limits.ts';
import { LocalPubSub, type PubSub } from '../../runtime/pubsub.ts';
import { Router } from '../../runtime/router.ts';
import { RuntimeEvents } from '../../runtime/runtime-events.ts';
import { FlashTokens } from '../../runtime/security/flash-token.ts';
import { Keyring } from '../../runtime/security/keyring.ts';
import { ViewTokens } from '../../runtime/security/view-token.ts';
import { UploadService } from '../../runtime/uploads/upload-service.ts';
import { ManualClock } from './manual-clock.ts';

export interface TestServices extends Services {
  clock: Clock;
  events: RuntimeEvents;
}

export function runtimeServices(options: { limits?: Partial<Limits>; clock?: Clock; pubsub?: PubSub; router?: Router } = {}): TestServices {
  const limits = resolveLimits(options.limits);
  const clock = options.clock ?? new ManualClock();
  const keyring = new Keyring('runtime-services-test-secret-key-base-0123456789');
  const events = new RuntimeEvents();
  return {
    router: options.router ?? new Router(),
    tokens: new ViewTokens(keyring, clock, limits.sessionMaxAgeS),
    flash: new FlashTokens(keyring, clock, limits.flashMaxAgeS),
    pubsub: options.pubsub ?? new LocalPubSub(),
    clock,
    limits,
    events,
    supervisor: new Supervisor(limits, clock, events),
    silence: new SilenceWatch(clock, limits.heartbeatTimeoutMs),
    sessions: new SessionTally(),
    uploads: new UploadService({ keyring, clock, nodeId: 'test-node', tokenMaxAgeS: limits.uploadTokenMaxAgeS }),
  };
}
