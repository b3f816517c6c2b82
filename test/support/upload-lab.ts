// A server with one upload view, for the upload protocol tests: small limits (so sizes and chunk
// counts are easy to reason about), a private upload directory to count temporary files in, and
// helpers that speak the official client's upload frames over a raw socket.

import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Router,
  allow,
  anyone,
  createLiveServer,
  defineView,
  html,
  liveFileInput,
  type LiveServer,
  type LiveServerOptions,
  type UploadOptions,
  type UploadView,
} from '../../server/index.ts';
import { RenderedTree } from '../../testing/rendered.ts';
import { TEST_SECRET } from './demo-server.ts';
import { joinLivePage, type JoinedPage, type Payload, type Reply } from './live-client.ts';

export const PNG_1X1 = Buffer.from(
  '89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
    '1f15c4890000000d49444154789c6300010000000500010d0a2db40000000049454e44ae426082',
  'hex',
);

interface Saved {
  name: string;
  type: string | null;
  size: number;
  bytes: string;
}

interface UploaderAssigns {
  uploads: Record<string, UploadView>;
  saved: Saved[];
}

export const LAB_UPLOAD: UploadOptions = {
  accept: ['.png', 'image/png'],
  maxEntries: 2,
  maxFileSize: 200,
  chunkSize: 100,
  chunkTimeout: 5_000,
};

function uploaderView(options: UploadOptions) {
  return defineView<UploaderAssigns>({
    name: 'uploader',
    mount(_params, _session, socket) {
      socket.assign({ saved: [] });
      socket.allowUpload('photo', options);
    },
    handleEvent: {
      validate: allow(anyone, () => {}),
      save: allow(anyone, async (_value, socket) => {
        const saved = await socket.consumeUploadedEntries('photo', (file) => ({
          name: file.clientName,
          type: file.type,
          size: file.clientSize,
          bytes: readFileSync(file.path).toString('hex'),
        }));
        socket.update((a) => void a.saved.push(...saved));
      }),
      cancel: allow(anyone, (value, socket) => socket.cancelUpload('photo', String(value.ref))),
      explode: allow(anyone, () => {
        throw new Error('boom');
      }),
    },
    render: ({ uploads, saved }) => html`<form id="f" phx-change="validate" phx-submit="save">${liveFileInput(uploads.photo!)}</form>
<ul id="errors">${uploads.photo!.errors.map(([ref, reason]) => html`<li>${ref}:${reason}</li>`)}</ul>
<ul id="saved">${saved.map((s) => html`<li>${s.name}|${s.type}|${s.size}|${s.bytes}</li>`)}</ul>`,
  });
}

export interface UploadLab {
  server: LiveServer;
  baseUrl: string;
  uploadDir: string;
  /** Temporary files in the upload directory now. */
  tempFiles(): string[];
  stop(): Promise<void>;
}

export async function startUploadLab(options: Partial<LiveServerOptions> = {}, upload: UploadOptions = LAB_UPLOAD): Promise<UploadLab> {
  const dataDir = mkdtempSync(join(tmpdir(), 'liveward-upload-lab-'));
  const uploadDir = join(dataDir, 'uploads');
  const router = new Router();
  router.liveSession('lab', {}, (s) => s.live('/upload', uploaderView(upload)));
  const server = createLiveServer({ router, secretKeyBase: TEST_SECRET, dataDir, uploadDir, ...options });
  const { port } = await server.listen(0, '127.0.0.1');
  return {
    server,
    baseUrl: `http://127.0.0.1:${port}`,
    uploadDir,
    tempFiles: () => readdirSync(uploadDir),
    async stop() {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A joined upload page and the client's view of its HTML. */
export interface UploadPage extends JoinedPage {
  tree: RenderedTree;
  /** The upload's ref, read from the rendered input. */
  uploadRef: string;
  html(): string;
  /** Merges a reply's diff (if any) into the tree. */
  apply(reply: Reply): Reply;
}

export async function openUploadPage(baseUrl: string): Promise<UploadPage> {
  const joined = await joinLivePage(baseUrl, '/upload');
  const tree = new RenderedTree();
  tree.reset(joined.reply.response.rendered as Record<string, unknown>);
  const uploadRef = /data-phx-upload-ref="([^"]+)"/.exec(tree.toHtml())![1]!;
  return {
    ...joined,
    tree,
    uploadRef,
    html: () => tree.toHtml(),
    apply(reply) {
      if (reply.status === 'ok' && reply.response.diff) tree.merge(reply.response.diff as Record<string, unknown>);
      return reply;
    },
  };
}

/** A client entry as the official client's `serializeUploads` / `toPreflightPayload` sends it. */
export function clientEntry(ref: string, name: string, size: number, type = 'image/png'): Payload {
  return { path: 'photo', ref, last_modified: 1_700_000_000_000, name, relative_path: '', type, size };
}

/** The change event that registers `entries` (as selecting files does). */
export function selectFiles(page: UploadPage, entries: Payload[]): Promise<Reply> {
  return page.channel
    .push('event', { type: 'form', event: 'validate', value: '', meta: { _target: 'photo' }, uploads: { [page.uploadRef]: entries } })
    .then((reply) => page.apply(reply));
}

export function preflight(page: UploadPage, entries: Payload[]): Promise<Reply> {
  return page.channel.push('allow_upload', { ref: page.uploadRef, entries }).then((reply) => page.apply(reply));
}

export function progress(page: UploadPage, entryRef: string, value: number | { error: string }): Promise<Reply> {
  return page.channel
    .push('progress', { event: null, ref: page.uploadRef, entry_ref: entryRef, progress: value })
    .then((reply) => page.apply(reply));
}

/** Reads an attribute of the file input from the page's current HTML. */
export function inputAttribute(page: UploadPage, name: string): string | null {
  const match = new RegExp(`${name}="([^"]*)"`).exec(page.html());
  return match ? match[1]! : null;
}

/** Sends `bytes` in chunks of `chunkSize` on the joined upload channel; returns the last reply. */
export async function sendChunks(channel: JoinedPage['channel'], bytes: Buffer, chunkSize: number): Promise<Reply> {
  let last: Reply | null = null;
  for (let offset = 0; offset < bytes.length; offset += chunkSize) {
    last = await channel.pushBinary('chunk', bytes.subarray(offset, offset + chunkSize));
    if (last.status !== 'ok') return last;
  }
  return last!;
}
