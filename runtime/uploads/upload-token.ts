// The preflight's answer per entry: a signed token naming the node, the socket, the view instance,
// the upload and the entry it was made for, expiring after `uploadTokenMaxAgeS`. The upload
// channel admits exactly that entry with it, on that socket, while that view lives.

import type { Clock } from '../clock.ts';
import { LiveError } from '../errors.ts';
import { HmacJws } from '../security/hmac-jws.ts';
import type { Keyring } from '../security/keyring.ts';

const VERSION = 1;

export interface UploadClaims {
  /** The node holding the view. */
  node: string;
  /** The connection the view is joined on. */
  conn: string;
  /** The view instance (one per mount; a remount makes a new one). */
  view: string;
  /** The upload's ref (`data-phx-upload-ref`). */
  upload: string;
  /** The entry's ref. */
  entry: string;
}

export class UploadTokens {
  readonly #jws: HmacJws;

  constructor(keyring: Keyring, clock: Clock, maxAgeS: number) {
    this.#jws = new HmacJws(keyring, clock, maxAgeS);
  }

  sign(claims: UploadClaims): Promise<string> {
    return this.#jws.sign('upload-entry', { v: VERSION, ...claims });
  }

  /** The claims of `token`; a forged, expired, malformed or foreign-purpose token throws `LV_ERR_UPLOAD_TOKEN_INVALID`. */
  async verify(token: unknown): Promise<UploadClaims> {
    if (typeof token !== 'string' || token.length > 2048)
      throw new LiveError('LV_ERR_UPLOAD_TOKEN_INVALID', 'upload token missing or too long');
    let payload: Record<string, unknown>;
    try {
      payload = await this.#jws.verify('upload-entry', token);
    } catch (err) {
      throw new LiveError('LV_ERR_UPLOAD_TOKEN_INVALID', `upload token refused: ${(err as Error).name}`);
    }
    const { v, node, conn, view, upload, entry } = payload;
    if (v !== VERSION || ![node, conn, view, upload, entry].every((field) => typeof field === 'string')) {
      throw new LiveError('LV_ERR_UPLOAD_TOKEN_INVALID', 'upload token of another shape');
    }
    return { node, conn, view, upload, entry } as UploadClaims;
  }
}
