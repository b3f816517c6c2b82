// One topic's ordered work on a connection: jobs run one at a time, in arrival order, and a job
// that returns a promise (a join, an async handler) holds the ones behind it until it settles.
// So frames of a topic are handled strictly in order even when the client pipelines, while
// different topics never wait for each other. Like ws's `limiter.js`, with a concurrency of one.

/** What runs a queue's jobs (the connection); one object serves all of its topics' queues. */
export interface TopicWorker<Q, J> {
  /** Runs `job`; a returned promise holds the queue until it settles. May throw. */
  runJob(queue: Q, job: J): Promise<void> | null;
  /** A job threw, or its promise rejected: the queue goes on. */
  jobFailed(queue: Q, error: unknown): void;
  /** The queue has nothing left to run: its owner may forget it. */
  queueIdle(queue: Q): void;
}

export class TopicQueue<J> {
  readonly topic: string;
  /**
   * Jobs waiting behind a running one; made only when one has to wait, dropped once empty (an
   * idle view's queue holds no array: there is one queue per view).
   */
  #jobs: J[] | null = null;
  #busy = false;

  constructor(topic: string) {
    this.topic = topic;
  }

  /** Jobs waiting (not the one running). */
  get length(): number {
    return this.#jobs?.length ?? 0;
  }

  /** Nothing waiting and nothing running. */
  get idle(): boolean {
    return this.#jobs === null && !this.#busy;
  }

  /** Queues `job` and runs what can run now. */
  push<Q extends TopicQueue<J>>(this: Q, job: J, worker: TopicWorker<Q, J>): void {
    if (this.#busy || this.#jobs !== null) {
      this.#jobs ??= [];
      this.#jobs.push(job);
      this.run(worker);
      return;
    }
    // Nothing waiting and nothing running (most frames): the job runs now, through no array.
    if (!this.#start(job, worker)) worker.queueIdle(this);
  }

  /** Runs jobs until one is asynchronous (the rest wait for it) or none is left. */
  run<Q extends TopicQueue<J>>(this: Q, worker: TopicWorker<Q, J>): void {
    // A push behind a pending job: that job's settling runs the queue; it is not idle now.
    if (this.#busy) return;
    while (!this.#busy && this.#jobs !== null) {
      const job = this.#jobs.shift()!;
      if (this.#jobs.length === 0) this.#jobs = null;
      if (this.#start(job, worker)) return;
    }
    worker.queueIdle(this);
  }

  /** Runs one job; true when it is asynchronous (the queue is busy until it settles). */
  #start<Q extends TopicQueue<J>>(this: Q, job: J, worker: TopicWorker<Q, J>): boolean {
    let pending: Promise<void> | null = null;
    try {
      pending = worker.runJob(this, job);
    } catch (err) {
      worker.jobFailed(this, err);
    }
    if (!pending) return false;
    this.#busy = true;
    pending
      .catch((err: unknown) => worker.jobFailed(this, err))
      .finally(() => {
        this.#busy = false;
        this.run(worker);
      });
    return true;
  }
}
