// One topic's queue on its own, with a worker that records what it is asked to do: jobs run in
// arrival order, a job's promise holds the jobs behind it until it settles, a failure is reported
// and the queue goes on, the worker hears when the queue has nothing left, and two queues never
// wait for each other. Promises are settled by hand, so every step is deterministic.

import { describe, expect, it } from 'vitest';
import { TopicQueue, type TopicWorker } from '../../actors/topic-queue.ts';

/** A job: its name, and what running it does (nothing, throw, or return a promise). */
interface Job {
  name: string;
  run?: () => Promise<void> | null;
}

/** A promise with its settling functions, so a test decides when an asynchronous job ends. */
function deferred(): { promise: Promise<void>; resolve: () => void; reject: (error: unknown) => void } {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets every settled promise's callbacks (the queue's `.catch` / `.finally`) run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

class RecordingWorker implements TopicWorker<TopicQueue<Job>, Job> {
  /** What happened, in order: `topic:job` for a job run, `failed topic:message`, `idle topic`. */
  readonly log: string[] = [];
  /** Whether the queue said it was idle each time it reported so. */
  readonly idleWhenReported: boolean[] = [];

  runJob(queue: TopicQueue<Job>, job: Job): Promise<void> | null {
    this.log.push(`${queue.topic}:${job.name}`);
    return job.run ? job.run() : null;
  }

  jobFailed(queue: TopicQueue<Job>, error: unknown): void {
    this.log.push(`failed ${queue.topic}:${(error as Error).message}`);
  }

  queueIdle(queue: TopicQueue<Job>): void {
    this.log.push(`idle ${queue.topic}`);
    this.idleWhenReported.push(queue.idle);
  }
}

describe('TopicQueue', () => {
  it('runs synchronous jobs at once, in arrival order, and reports the queue idle after each', () => {
    const queue = new TopicQueue<Job>('lv:a');
    const worker = new RecordingWorker();

    queue.push({ name: '1' }, worker);
    queue.push({ name: '2' }, worker);
    queue.push({ name: '3' }, worker);

    expect(worker.log).toEqual(['lv:a:1', 'idle lv:a', 'lv:a:2', 'idle lv:a', 'lv:a:3', 'idle lv:a']);
    expect(worker.idleWhenReported).toEqual([true, true, true]);
    expect(queue.idle).toBe(true);
    expect(queue.length).toBe(0);
  });

  it('holds the jobs behind a pending promise until it settles, then runs them in order', async () => {
    const queue = new TopicQueue<Job>('lv:a');
    const worker = new RecordingWorker();
    const join = deferred();

    queue.push({ name: 'join', run: () => join.promise }, worker);
    queue.push({ name: 'event 1' }, worker);
    queue.push({ name: 'event 2' }, worker);

    expect(worker.log).toEqual(['lv:a:join']);
    expect(queue.idle).toBe(false);
    expect(queue.length).toBe(2);

    join.resolve();
    await settle();

    expect(worker.log).toEqual(['lv:a:join', 'lv:a:event 1', 'lv:a:event 2', 'idle lv:a']);
    expect(queue.idle).toBe(true);
    expect(queue.length).toBe(0);
  });

  it('holds again behind a later asynchronous job, and counts only the waiting jobs in length', async () => {
    const queue = new TopicQueue<Job>('lv:a');
    const worker = new RecordingWorker();
    const first = deferred();
    const second = deferred();

    queue.push({ name: 'async 1', run: () => first.promise }, worker);
    queue.push({ name: 'async 2', run: () => second.promise }, worker);
    queue.push({ name: 'sync' }, worker);
    // The running job is not waiting: two are.
    expect(queue.length).toBe(2);

    first.resolve();
    await settle();
    expect(worker.log).toEqual(['lv:a:async 1', 'lv:a:async 2']);
    expect(queue.length).toBe(1);
    expect(queue.idle).toBe(false);

    second.resolve();
    await settle();
    expect(worker.log).toEqual(['lv:a:async 1', 'lv:a:async 2', 'lv:a:sync', 'idle lv:a']);
    expect(queue.idle).toBe(true);
  });

  it('reports a throwing job to jobFailed and runs the jobs behind it', () => {
    const queue = new TopicQueue<Job>('lv:a');
    const worker = new RecordingWorker();
    const jobs: Job[] = [
      {
        name: 'bad',
        run: () => {
          throw new Error('thrown');
        },
      },
      { name: 'good' },
    ];
    // Both waiting before the queue runs: the failure must not drop the job behind it.
    const held = deferred();
    queue.push({ name: 'hold', run: () => held.promise }, worker);
    for (const job of jobs) queue.push(job, worker);

    held.resolve();
    return settle().then(() => {
      expect(worker.log).toEqual(['lv:a:hold', 'lv:a:bad', 'failed lv:a:thrown', 'lv:a:good', 'idle lv:a']);
      expect(queue.idle).toBe(true);
    });
  });

  it('reports a rejected promise to jobFailed, then runs the jobs behind it', async () => {
    const queue = new TopicQueue<Job>('lv:a');
    const worker = new RecordingWorker();
    const failing = deferred();

    queue.push({ name: 'async', run: () => failing.promise }, worker);
    queue.push({ name: 'next' }, worker);
    failing.reject(new Error('rejected'));
    await settle();

    expect(worker.log).toEqual(['lv:a:async', 'failed lv:a:rejected', 'lv:a:next', 'idle lv:a']);
    expect(queue.idle).toBe(true);
  });

  it('lets two queues run independently: one held by a promise never holds the other', async () => {
    const worker = new RecordingWorker();
    const a = new TopicQueue<Job>('lv:a');
    const b = new TopicQueue<Job>('lv:b');
    const slow = deferred();

    a.push({ name: 'slow', run: () => slow.promise }, worker);
    a.push({ name: 'behind slow' }, worker);
    b.push({ name: '1' }, worker);
    b.push({ name: '2' }, worker);

    expect(worker.log).toEqual(['lv:a:slow', 'lv:b:1', 'idle lv:b', 'lv:b:2', 'idle lv:b']);
    expect(a.idle).toBe(false);
    expect(b.idle).toBe(true);

    slow.resolve();
    await settle();
    expect(worker.log.slice(5)).toEqual(['lv:a:behind slow', 'idle lv:a']);
  });
});
