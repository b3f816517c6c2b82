import { describe, expect, it } from 'vitest';
import { renderToString } from '../../../runtime/template.ts';
import { liveFileInput } from '../../../runtime/uploads/live-file-input.ts';
import type { UploadView } from '../../../runtime/uploads/upload-config.ts';

const entry = (ref: string, fields: Partial<UploadView['entries'][number]>) => ({
  ref,
  uploadRef: 'phx-u',
  clientName: `${ref}.png`,
  clientType: 'image/png',
  clientSize: 1,
  progress: 0,
  preflighted: false,
  done: false,
  valid: true,
  errors: [],
  ...fields,
});

describe('liveFileInput', () => {
  it('renders every attribute the client hook reads', () => {
    const upload: UploadView = {
      name: 'photos',
      ref: 'phx-u',
      accept: ['.png', 'image/png'],
      maxEntries: 3,
      maxFileSize: 10,
      autoUpload: true,
      entries: [
        entry('0', { preflighted: true, done: true }),
        entry('1', { preflighted: true }),
        entry('2', { valid: false, errors: ['too_large'] }),
      ],
      errors: [
        ['2', 'too_large'],
        ['phx-u', 'too_many_files'],
      ],
    };
    expect(renderToString(liveFileInput(upload, { class: 'a"b' }))).toBe(
      '<input id="phx-u" type="file" name="photos" accept=".png,image/png" data-phx-hook="Phoenix.LiveFileUpload" data-phx-upload-ref="phx-u"' +
        ' data-phx-active-refs="0,1,2" data-phx-done-refs="0" data-phx-preflighted-refs="0,1" data-phx-error-refs="2,phx-u" data-phx-auto-upload multiple class="a&quot;b">',
    );
  });

  it('leaves out accept, auto-upload and multiple when they do not apply', () => {
    const html = renderToString(
      liveFileInput({ name: 'a', ref: 'r', accept: 'any', maxEntries: 1, maxFileSize: 1, autoUpload: false, entries: [], errors: [] }),
    );
    expect(html).not.toMatch(/accept=|data-phx-auto-upload|multiple/);
    expect(html).toContain('data-phx-error-refs=""');
  });
});
