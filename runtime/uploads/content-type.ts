// What a file is, read from its first bytes (magic numbers) with `file-type`: the name and the
// type the client declared are only claims. A file `file-type` does not recognise is `null`.

import { fileTypeFromFile } from 'file-type';

export interface SniffedType {
  mime: string;
  ext: string;
}

export async function sniffContentType(path: string): Promise<SniffedType | null> {
  const found = await fileTypeFromFile(path);
  return found ? { mime: found.mime, ext: found.ext } : null;
}
