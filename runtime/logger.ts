// Structured, redacted log lines on stderr. Error stacks are logged here (server side) and
// nowhere else: the client only ever sees an opaque error id.

import { redact } from './redact.ts';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface Logger {
  debug(event: string, fields?: Record<string, unknown>): void;
  info(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
  error(event: string, fields?: Record<string, unknown>): void;
}

function threshold(): number {
  // Tests provoke errors on purpose; they read the log only when they set LOG_LEVEL themselves.
  const configured = (process.env.LOG_LEVEL ?? (process.env.VITEST ? 'silent' : 'info')) as LogLevel;
  return LEVELS[configured] ?? LEVELS.info;
}

/** The node id every line carries once a server runs (one per process: the last server set it). */
let nodeId: string | null = null;

/** Stamps every later log line with `node`, so the lines of a cluster can be told apart. */
export function setLogNodeId(id: string): void {
  nodeId = id;
}

function write(level: LogLevel, event: string, fields: Record<string, unknown> = {}): void {
  if (LEVELS[level] < threshold()) return;
  const { error, ...rest } = fields;
  const line: Record<string, unknown> = { t: new Date().toISOString(), level, event };
  if (nodeId !== null) line.node = nodeId;
  Object.assign(line, redact(rest) as object);
  if (error instanceof Error) {
    line.error = error.message;
    if (level === 'error') line.stack = error.stack;
  } else if (error !== undefined) {
    line.error = redact(error);
  }
  process.stderr.write(JSON.stringify(line) + '\n');
}

export const logger: Logger = {
  debug: (event, fields) => write('debug', event, fields),
  info: (event, fields) => write('info', event, fields),
  warn: (event, fields) => write('warn', event, fields),
  error: (event, fields) => write('error', event, fields),
};
