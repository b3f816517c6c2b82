// The server's side of uploads: the entry tokens, the private temporary directory, and the views
// that have uploads open (by view instance), which is how an upload channel finds its view.

import type { Clock } from '../clock.ts';
import type { Keyring } from '../security/keyring.ts';
import { TempFileStore } from './temp-file-store.ts';
import { UploadTokens } from './upload-token.ts';
import type { ViewUploads } from './view-uploads.ts';

export class UploadService {
  readonly nodeId: string;
  readonly tokens: UploadTokens;
  readonly store: TempFileStore;
  readonly #views = new Map<string, ViewUploads>();

  constructor(options: { keyring: Keyring; clock: Clock; nodeId: string; tokenMaxAgeS: number; dir?: string }) {
    this.nodeId = options.nodeId;
    this.tokens = new UploadTokens(options.keyring, options.clock, options.tokenMaxAgeS);
    this.store = new TempFileStore(options.dir);
  }

  register(uploads: ViewUploads): void {
    this.#views.set(uploads.instanceId, uploads);
  }

  unregister(uploads: ViewUploads): void {
    if (this.#views.get(uploads.instanceId) === uploads) this.#views.delete(uploads.instanceId);
  }

  view(instanceId: string): ViewUploads | undefined {
    return this.#views.get(instanceId);
  }

  /** Views with uploads open, and temporary files held: both return to zero when views end. */
  counts(): { views: number; tempFiles: number } {
    return { views: this.#views.size, tempFiles: this.store.count };
  }

  /** Shutdown: every view has ended by now; remove whatever file is still held. */
  close(): void {
    for (const uploads of [...this.#views.values()]) uploads.dispose();
    this.store.removeAll();
  }
}
