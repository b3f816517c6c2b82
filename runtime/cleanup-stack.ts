// A LIFO stack of disposers, owned by whoever supervises a resource holder. Every exit path of a
// view (leave, crash, socket close, disconnect, shutdown) calls `dispose()`, so a subscription or a
// timer can never outlive its view. Disposal is idempotent and one failing disposer never stops
// the others.

export type Disposer = () => void;

export class CleanupStack {
  /** Made on the first `add`: many views (an idle counter) hold nothing to dispose of. */
  #disposers: Disposer[] | null = null;
  #disposed = false;
  readonly #onError: (err: unknown, owner: string) => void;
  readonly #owner: string;

  /**
   * `onError` hears of a disposer that threw, with `owner` (e.g. the view's topic): one shared
   * function serves every stack, instead of a closure per stack.
   */
  constructor(onError: (err: unknown, owner: string) => void = () => {}, owner = '') {
    this.#onError = onError;
    this.#owner = owner;
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  get size(): number {
    return this.#disposers?.length ?? 0;
  }

  /** Registers a disposer; after disposal it runs at once (the resource arrived too late). */
  add(disposer: Disposer): void {
    if (this.#disposed) {
      this.#run(disposer);
      return;
    }
    (this.#disposers ??= []).push(disposer);
  }

  /** Unregisters a disposer whose resource was released early (a fired one-shot timer). */
  remove(disposer: Disposer): void {
    const index = this.#disposers?.lastIndexOf(disposer) ?? -1;
    if (index >= 0) this.#disposers!.splice(index, 1);
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    const disposers = this.#disposers ?? [];
    this.#disposers = null;
    for (let i = disposers.length - 1; i >= 0; i--) this.#run(disposers[i]!);
  }

  #run(disposer: Disposer): void {
    try {
      disposer();
    } catch (err) {
      this.#onError(err, this.#owner);
    }
  }
}
