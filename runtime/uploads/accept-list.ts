// An upload's `accept` list, as HTML's `accept` attribute spells it: extensions (`.png`), MIME
// types (`image/png`) and MIME families (`image/*`). The same list checks what the client says
// (name and type, at registration) and what the bytes are (the sniffed type, at completion).

export type Accept = readonly string[] | 'any';

const ENTRY = /^(\.[a-z0-9]{1,16}|[a-z0-9.+-]{1,64}\/(\*|[a-z0-9.+-]{1,127}))$/;

/** Validates and lower-cases an accept list; throws a TypeError on a malformed entry. */
export function parseAccept(accept: Accept | undefined): Accept {
  if (accept === undefined || accept === 'any') return 'any';
  if (!Array.isArray(accept) || accept.length === 0) throw new TypeError("allowUpload: accept is 'any' or a non-empty list");
  return accept.map((item) => {
    const entry = String(item).trim().toLowerCase();
    if (!ENTRY.test(entry))
      throw new TypeError(`allowUpload: ${JSON.stringify(item)} is neither an extension (.png) nor a MIME type (image/png, image/*)`);
    return entry;
  });
}

/** The extension of a file name, lower-cased with its dot (`""` when none). */
export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot <= 0 || dot === name.length - 1 ? '' : name.slice(dot).toLowerCase();
}

/** True when the extension or the MIME type is in the list (either may be empty). */
export function isAccepted(accept: Accept, extension: string, mime: string): boolean {
  if (accept === 'any') return true;
  const type = mime.toLowerCase();
  const family = type.includes('/') ? `${type.slice(0, type.indexOf('/'))}/*` : null;
  return accept.some((entry) => (extension !== '' && entry === extension) || (type !== '' && (entry === type || entry === family)));
}

/**
 * True when the sniffed type fits the list: by MIME, or by the extension the sniffer knows the
 * type by (`.jpg` for image/jpeg). A list of extensions only would otherwise accept no content.
 */
export function isContentAccepted(accept: Accept, sniffed: { mime: string; ext: string } | null): boolean {
  if (accept === 'any') return true;
  if (sniffed === null) return false;
  const extensions = sniffed.ext === 'jpg' ? ['.jpg', '.jpeg'] : [`.${sniffed.ext}`];
  return isAccepted(accept, '', sniffed.mime) || extensions.some((extension) => isAccepted(accept, extension, ''));
}
