// Serves the official client bundles straight from node_modules (never a copy or a fork), plus
// the few lines that start `LiveSocket`.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Conn } from './conn.ts';

const require = createRequire(import.meta.url);

export interface Asset {
  file: string;
  type: string;
  /** The file's text, read on the first request and kept. */
  body?: string;
}

function packageFile(pkg: string, file: string): string {
  return join(dirname(require.resolve(pkg)), file);
}

const ASSETS: Record<string, Asset> = {
  '/assets/phoenix.mjs': { file: packageFile('phoenix', 'phoenix.mjs'), type: 'text/javascript' },
  '/assets/phoenix_live_view.esm.js': {
    file: packageFile('phoenix_live_view', 'phoenix_live_view.esm.js'),
    type: 'text/javascript',
  },
  '/assets/app.js': { file: fileURLToPath(new URL('../assets/app.js', import.meta.url)), type: 'text/javascript' },
  '/assets/app.css': { file: fileURLToPath(new URL('../assets/app.css', import.meta.url)), type: 'text/css' },
  // The app's client hooks (`app.js` imports them); an app replaces this empty set with its own.
  '/assets/hooks.js': { file: fileURLToPath(new URL('../assets/hooks.js', import.meta.url)), type: 'text/javascript' },
};

const TYPES: Record<string, string> = { js: 'text/javascript', mjs: 'text/javascript', css: 'text/css' };

/**
 * The asset table with an app's own files (`/assets/…` path → file on disk) over the runtime's.
 * Only `.js`, `.mjs` and `.css` files: an app's assets are code and style, served as such.
 */
export function assetTable(own: Readonly<Record<string, string>> = {}): Readonly<Record<string, Asset>> {
  const table: Record<string, Asset> = { ...ASSETS };
  for (const [path, file] of Object.entries(own)) {
    const type = TYPES[file.split('.').pop() ?? ''];
    if (!path.startsWith('/assets/') || !type) throw new TypeError(`asset ${path} → ${file}: an /assets/ path to a .js or .css file`);
    table[path] = { file, type };
  }
  return table;
}

/** Answers `GET /assets/…` from `table` (see `assetTable`); returns false for any other path. */
export function serveAsset(conn: Conn, table: Readonly<Record<string, Asset>>): boolean {
  if (conn.method !== 'GET' && conn.method !== 'HEAD') return false;
  const asset = Object.hasOwn(table, conn.path) ? table[conn.path] : undefined;
  if (!asset) return false;
  asset.body ??= readFileSync(asset.file, 'utf8');
  conn.status = 200;
  conn.headers.set('content-type', `${asset.type}; charset=utf-8`);
  conn.headers.set('cache-control', 'public, max-age=3600');
  conn.body = conn.method === 'HEAD' ? '' : asset.body;
  conn.halt();
  return true;
}
