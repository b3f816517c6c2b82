import { describe, expect, it } from 'vitest';
import { extensionOf, isAccepted, isContentAccepted, parseAccept } from '../../../runtime/uploads/accept-list.ts';

describe('accept lists', () => {
  const images = parseAccept(['.PNG', 'image/jpeg', 'image/webp']);

  it('matches a declared name or type', () => {
    expect(isAccepted(images, extensionOf('me.png'), '')).toBe(true);
    expect(isAccepted(images, '', 'image/jpeg')).toBe(true);
    expect(isAccepted(images, extensionOf('notes.txt'), 'text/plain')).toBe(false);
    expect(isAccepted(parseAccept(['image/*']), '', 'image/gif')).toBe(true);
    expect(isAccepted('any', '', '')).toBe(true);
  });

  it('matches sniffed content by type or by the extensions the type goes by', () => {
    expect(isContentAccepted(images, { mime: 'image/png', ext: 'png' })).toBe(true);
    expect(isContentAccepted(parseAccept(['.jpeg']), { mime: 'image/jpeg', ext: 'jpg' })).toBe(true);
    expect(isContentAccepted(images, { mime: 'application/pdf', ext: 'pdf' })).toBe(false);
    expect(isContentAccepted(images, null)).toBe(false);
  });

  it('refuses malformed entries and empty lists at allowUpload', () => {
    expect(() => parseAccept(['png'])).toThrow(TypeError);
    expect(() => parseAccept([])).toThrow(TypeError);
    expect(extensionOf('.bashrc')).toBe('');
    expect(extensionOf('archive.tar.GZ')).toBe('.gz');
  });
});
