// The docs and comments stand on their own: none of them points a reader to design notes that were
// written while building Liveward and never shipped with it. Where a fact came from Phoenix, the
// comment names Phoenix's own source (`channel.ex`, `session.ex`, …), which anyone can read.

import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SELF = relative(ROOT, fileURLToPath(import.meta.url));

/** Folders holding code, tests and docs; files at the top level are read too. */
const FOLDERS = ['runtime', 'actors', 'apps', 'testing', 'test', 'bench', 'examples', 'scripts', '.ci'];
const SKIP = new Set(['node_modules', 'dist', 'results']);
const TEXT = /\.(ts|js|mjs|cjs|md|json|jsonc|css|html)$|^run$/;

/** Names of the notes, written so that this file does not match itself. */
const OUTSIDE_NOTES: readonly RegExp[] = [
  /PROTOCOL(-FEATURES)?\.md/,
  /XSTATE-NOTES/,
  /BRIEF\.md/,
  /SECURITY-TESTS/,
  /shared\/design/,
  /design brief/i,
  /\bbrief \(?§/i,
];

function textFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return SKIP.has(entry.name) ? [] : textFiles(path);
    return TEXT.test(entry.name) ? [path] : [];
  });
}

describe('the docs and comments', () => {
  it('point to nothing outside the repository but public sources', () => {
    const topLevel = readdirSync(ROOT, { withFileTypes: true })
      .filter((entry) => entry.isFile() && TEXT.test(entry.name) && entry.name !== 'package-lock.json')
      .map((entry) => entry.name);
    const files = [...topLevel, ...FOLDERS.flatMap(textFiles)].filter((path) => path !== SELF);
    expect(files.length).toBeGreaterThan(100);

    const found = files.flatMap((path) =>
      readFileSync(join(ROOT, path), 'utf8')
        .split('\n')
        .flatMap((line, i) => (OUTSIDE_NOTES.some((name) => name.test(line)) ? [`${path}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(found).toEqual([]);
  });
});
