// Request/response over the child_process IPC channel: the orchestrator drives the server, the
// echo floor and the load generator with named commands and awaits their answers. Each child is a
// separate `node` process, pinned to a core with `taskset` when it exists: the measured targets run
// their compiled JavaScript (bench/build-targets.ts) under plain `node`, the load generator its
// sources through tsx.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The commands a child serves: one argument in, a JSON-serializable answer out. */
// biome-ignore lint/suspicious/noExplicitAny: each command declares its own argument type; a map of them needs a parameter every one accepts
export type Commands = Record<string, (args: any) => unknown>;

interface Request {
  id: number;
  cmd: string;
  args: unknown;
}

interface Response {
  id: number;
  ok: boolean;
  result?: unknown;
  error?: string;
}

export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Child side: answers the parent's requests; exits when the parent goes away. */
export function serveControl(commands: Commands): void {
  if (!process.send) throw new Error('this script is started by bench/run.ts (it needs an IPC channel)');
  process.on('message', (message: Request) => {
    void (async () => {
      const handler = commands[message.cmd];
      let response: Response;
      try {
        if (!handler) throw new Error(`unknown command ${message.cmd}`);
        response = { id: message.id, ok: true, result: await handler(message.args) };
      } catch (err) {
        response = { id: message.id, ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) };
      }
      process.send!(response);
    })();
  });
  process.on('disconnect', () => process.exit(0));
  process.send({ id: 0, ok: true, result: 'ready' } satisfies Response);
}

let tasksetChecked: boolean | null = null;

/** Whether `taskset` (util-linux) can pin processes here. */
export function canPin(): boolean {
  tasksetChecked ??= spawnSync('taskset', ['-c', '0', 'true']).status === 0;
  return tasksetChecked;
}

export interface SpawnOptions {
  /** Human name for error messages. */
  name: string;
  /** Core to pin to, or null to run unpinned. */
  core: number | null;
  env?: Record<string, string>;
  /** Extra node flags (before the script). */
  nodeFlags?: string[];
  /**
   * Run `script` (a path ending in `.js`) under plain `node`, with no loader and the default export
   * conditions, so `liveward` resolves to dist/. Otherwise the TypeScript script runs through tsx on
   * the sources.
   */
  compiled?: boolean;
}

type Args<F> = F extends (args: infer A) => unknown ? A : never;

/** Parent side: one child process and its commands. */
export class ControlChannel<C extends Commands> {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pinnedTo: number | null;
  #nextId = 1;
  readonly #pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  readonly #exited: Promise<number | null>;

  private constructor(name: string, child: ChildProcess, pinnedTo: number | null) {
    this.name = name;
    this.child = child;
    this.pinnedTo = pinnedTo;
    this.#exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    child.on('message', (message: Response) => {
      const waiter = this.#pending.get(message.id);
      if (!waiter) return;
      this.#pending.delete(message.id);
      if (message.ok) waiter.resolve(message.result);
      else waiter.reject(new Error(`${name}: ${message.error}`));
    });
    void this.#exited.then((code) => {
      for (const waiter of this.#pending.values()) waiter.reject(new Error(`${name} exited (code ${code})`));
      this.#pending.clear();
    });
  }

  /** Starts `script` (relative to the project root) and waits until it serves commands. */
  static start<C extends Commands>(script: string, options: SpawnOptions): Promise<ControlChannel<C>> {
    // `liveward-source`: an uncompiled script imports `liveward` by name and gets the sources.
    const loader = options.compiled ? [] : ['--conditions=liveward-source', '--import', 'tsx'];
    const node = [...(options.nodeFlags ?? []), ...loader, script];
    const pin = options.core !== null && canPin();
    const [command, args] = pin ? ['taskset', ['-c', String(options.core), process.execPath, ...node]] : [process.execPath, node];
    const child = spawn(command, args, {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: { ...process.env, ...options.env },
    });
    const channel = new ControlChannel<C>(options.name, child, pin ? options.core : null);
    return new Promise((resolve, reject) => {
      const onReady = (message: Response): void => {
        if (message.id !== 0) return;
        child.off('message', onReady);
        resolve(channel);
      };
      child.on('message', onReady);
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`${options.name} exited before it was ready (code ${code})`)));
    });
  }

  call<K extends keyof C & string>(cmd: K, args: Args<C[K]>, timeoutMs = 600_000): Promise<Awaited<ReturnType<C[K]>>> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`${this.name}: ${cmd} did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(id, {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value as Awaited<ReturnType<C[K]>>);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.child.send({ id, cmd, args } satisfies Request);
    });
  }

  /** Closes the channel (the child exits on `disconnect`); kills it if it lingers. */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    if (this.child.connected) this.child.disconnect();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.#exited;
    clearTimeout(timer);
  }
}
