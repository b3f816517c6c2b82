// What a view actor works with: the topic it serves, the connection it writes to, the runtime
// services, and the resources it holds (through a cleanup stack the supervisor also reaches).

import { CleanupStack } from '../runtime/cleanup-stack.ts';
import type { Clock } from '../runtime/clock.ts';
import type { Limits } from '../runtime/limits.ts';
import type { PubSub } from '../runtime/pubsub.ts';
import type { Router, LiveRoute } from '../runtime/router.ts';
import type { RuntimeEvents } from '../runtime/runtime-events.ts';
import type { CookieSession } from '../runtime/security/cookie-session.ts';
import type { ViewTokens } from '../runtime/security/view-token.ts';
import type { FlashTokens } from '../runtime/security/flash-token.ts';
import { logger } from '../runtime/logger.ts';
import type { LiveViewSocket, ViewSocketServices } from '../runtime/view-socket.ts';
import type { UploadService } from '../runtime/uploads/upload-service.ts';
import type { UploadHost } from '../runtime/uploads/view-uploads.ts';
import type { SessionTally } from './session-tally.ts';
import type { SilenceWatch } from './silence-watch.ts';
import type { Supervisor } from './supervisor.ts';
import type { ViewEvent } from './view.machine.ts';

/** Runtime-wide services, shared by every connection and view. */
export interface Services {
  router: Router;
  tokens: ViewTokens;
  /** Signs the flash a redirect carries; verifies the one a navigation's join brings. */
  flash: FlashTokens;
  pubsub: PubSub;
  clock: Clock;
  limits: Limits;
  events: RuntimeEvents;
  supervisor: Supervisor;
  /** Drops sockets that stopped heartbeating. */
  silence: SilenceWatch;
  /** Sockets and views per session, for `maxSocketsPerSession` and `maxViewsPerSession`. */
  sessions: SessionTally;
  /** Upload tokens, the private temporary directory, the views with uploads open. */
  uploads: UploadService;
}

/** The part of a connection a view may use. */
export interface ConnectionPort {
  readonly id: string;
  readonly cookieSession: CookieSession | null;
  /** Writes a frame to the socket (dropped once the socket is closed). */
  send(text: string): void;
  /** Queues a `handleInfo` message for the view on `topic`, behind its pending frames. */
  deliverInfo(topic: string, joinRef: string, message: unknown): void;
}

/**
 * One joined topic's state, shared by the view actor, the connection and the supervisor. It is
 * also what the view's `LiveViewSocket` uses to reach the runtime (clock, PubSub, clean-up, its own
 * info queue): a class with methods rather than an object of closures, because one exists per view
 * and idle views are most of the heap.
 */
export class ViewContext implements ViewSocketServices {
  readonly topic: string;
  readonly joinRef: string;
  readonly connection: ConnectionPort;
  readonly services: Services;
  /** The `phx_join` payload, until the join is authorized (then dropped). */
  joinPayload: Record<string, unknown> | null;
  readonly cleanup: CleanupStack;
  socket: LiveViewSocket | null = null;
  /** The session the view mounted with, for policies (server-side only). */
  session: Readonly<Record<string, unknown>> = {};
  route: LiveRoute | null = null;
  /** The view's name once known (after the token is verified). */
  viewName = '(joining)';
  /** When the join was accepted (clock ms), for the inspector's uptime; 0 while mounting. */
  mountedAt = 0;
  /** The view actor itself, so work finishing outside a transition can end the view. */
  self: { send(event: ViewEvent): void } | null = null;

  constructor(topic: string, joinRef: string, connection: ConnectionPort, services: Services, joinPayload: Record<string, unknown>) {
    this.topic = topic;
    this.joinRef = joinRef;
    this.connection = connection;
    this.services = services;
    this.joinPayload = joinPayload;
    this.cleanup = new CleanupStack(logCleanupFailure, topic);
  }

  get clock(): Clock {
    return this.services.clock;
  }

  get pubsub(): PubSub {
    return this.services.pubsub;
  }

  get maxComponents(): number {
    return this.services.limits.maxComponentsPerView;
  }

  // uploads: made only when the view calls allowUpload
  get uploadHost(): UploadHost {
    return { service: this.services.uploads, connectionId: this.connection.id, onCleanup: (dispose) => this.cleanup.add(dispose) };
  }

  /** Queues a `handleInfo` message behind the view's pending frames (PubSub, timers). */
  deliverInfo(message: unknown): void {
    this.connection.deliverInfo(this.topic, this.joinRef, message);
  }
}

function logCleanupFailure(error: unknown, topic: string): void {
  logger.error('view.cleanup_failed', { topic, error });
}

/** The user id a view runs for, by convention `assigns.currentUser.id` (null when anonymous). */
export function userIdOf(context: ViewContext): string | null {
  const user = (context.socket?.assigns as { currentUser?: { id?: unknown } } | undefined)?.currentUser;
  return user && (typeof user.id === 'string' || typeof user.id === 'number') ? String(user.id) : null;
}
