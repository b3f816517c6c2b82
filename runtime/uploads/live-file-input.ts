// The file input of an upload, with exactly the attributes the official client's
// `Phoenix.LiveFileUpload` hook and uploader read: the upload ref, and the entry refs that are
// active, preflighted, done and in error (the client submits the form only once the preflighted
// refs equal the done refs).

import { escapeHtml, html, raw, type Rendered } from '../template.ts';
import type { UploadView } from './upload-config.ts';

/**
 * Renders `<input type="file">` for `upload` (`assigns.uploads[name]`). `attributes` adds plain
 * attributes (`class`, `aria-describedby`, …), escaped.
 *
 * @example
 *   html`<form id="avatar-form" phx-change="validate" phx-submit="save">${liveFileInput(assigns.uploads.avatar)}</form>`
 */
export function liveFileInput(upload: UploadView, attributes: Readonly<Record<string, string>> = {}): Rendered {
  const refs = (pick: (entry: UploadView['entries'][number]) => boolean): string =>
    upload.entries
      .filter(pick)
      .map((entry) => entry.ref)
      .join(',');
  const errorRefs = [...new Set(upload.errors.map(([ref]) => ref))].join(',');
  const accept = upload.accept === 'any' ? null : upload.accept.join(',');
  let extra = '';
  for (const [name, value] of Object.entries(attributes)) {
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:.-]*$/.test(name)) throw new TypeError(`liveFileInput: ${JSON.stringify(name)} is not an attribute name`);
    extra += ` ${name}="${escapeHtml(value)}"`;
  }
  return html`<input id="${upload.ref}" type="file" name="${upload.name}"${accept === null ? '' : raw(` accept="${escapeHtml(accept)}"`)} data-phx-hook="Phoenix.LiveFileUpload" data-phx-upload-ref="${upload.ref}" data-phx-active-refs="${refs(() => true)}" data-phx-done-refs="${refs((entry) => entry.done)}" data-phx-preflighted-refs="${refs((entry) => entry.preflighted)}" data-phx-error-refs="${errorRefs}"${upload.autoUpload ? raw(' data-phx-auto-upload') : ''}${upload.maxEntries > 1 ? raw(' multiple') : ''}${raw(extra)}>`;
}

/** Words for an upload error, for pages that show them. */
export function uploadErrorText(reason: string): string {
  switch (reason) {
    case 'too_large':
      return 'The file is too large.';
    case 'too_many_files':
      return 'You have selected too many files.';
    case 'not_accepted':
      return 'This type of file is not accepted.';
    default:
      return 'The upload failed.';
  }
}
