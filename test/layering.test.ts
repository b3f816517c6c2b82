// The folders are layered one way: runtime/ (protocol, rendering, security) → actors/ (the actor
// system) → server/ (the wiring and the public entry points) → testing/ (liveward/testing) → the
// demo app, the benchmark and the tests. A file may import its own folder and the folders below
// it, never one above: this reads every import of every source file (type-only, re-exports and
// dynamic `import()` included, through TypeScript's own pre-processor) and lists those that go
// the wrong way. The demo app is held to more: it imports the package by its public names only.

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

type Layer = 'runtime' | 'actors' | 'server' | 'testing' | 'apps' | 'bench' | 'test';

/** What each checked folder may import (besides npm packages and node: modules). */
const ALLOWED: Record<Exclude<Layer, 'test'>, readonly Layer[]> = {
  runtime: ['runtime'],
  actors: ['runtime', 'actors'],
  server: ['runtime', 'actors', 'server'],
  testing: ['runtime', 'actors', 'server', 'testing'],
  // The demo is a user of the package: the package only by name (below), relatively only itself.
  apps: ['apps'],
  bench: ['runtime', 'actors', 'server', 'testing', 'apps', 'bench'],
};

/** The package's public entry points, and the folder each resolves to. */
const PUBLIC_NAMES: Record<string, Layer> = { liveward: 'server', 'liveward/redis': 'server', 'liveward/testing': 'testing' };

/** The top folder of a repository-relative path, when it is one of the layers. */
function layerOf(path: string): Layer | null {
  const top = path.split(sep)[0] as Layer;
  return top in ALLOWED || top === 'test' ? top : null;
}

/**
 * Why importing `specifier` from `file` (repository-relative) goes against the layering, or null
 * when it does not.
 */
function violation(file: string, specifier: string): string | null {
  const from = layerOf(file);
  if (from === null || from === 'test') return null;
  let to: Layer | null;
  if (specifier.startsWith('.')) {
    to = layerOf(relative(root, resolve(root, dirname(file), specifier)));
    if (to === null) return `${file} imports ${specifier}, outside every layer`;
  } else if (specifier === 'liveward' || specifier.startsWith('liveward/')) {
    to = PUBLIC_NAMES[specifier] ?? null;
    if (to === null) return `${file} imports ${specifier}, which is not a public entry of the package`;
    // An app reaches the package by its public names; the library never names itself.
    if (from === 'apps' || from === 'bench') return null;
    return `${file} imports the package by name (${specifier}); inside the library, import the file`;
  } else {
    return null; // an npm package or a node: module
  }
  if (!ALLOWED[from].includes(to)) return `${file} (${from}/) imports ${specifier} (${to}/), against the layering`;
  if (from === 'apps') return featureViolation(file, relative(root, resolve(root, dirname(file), specifier)));
  return null;
}

/**
 * Inside the demo, a feature folder (blog, inspector, …) may use the shared authentication
 * (`apps/auth/`) and the demo's top-level files, never another feature: only the command-line
 * tools (`apps/cli/`) and the top-level composition (`app.ts`, `server.ts`) reach into features.
 */
function featureViolation(file: string, target: string): string | null {
  const [, feature] = file.split(sep);
  const [, targetFeature] = target.split(sep);
  const isFolder = (path: string): boolean => path.split(sep).length > 2;
  if (!isFolder(file) || !isFolder(target) || feature === targetFeature) return null;
  if (targetFeature === 'auth' || feature === 'cli') return null;
  return `${file} (apps/${feature}/) imports ${target} (apps/${targetFeature}/), another feature: against the layering`;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && entry.name !== 'dist' && entry.name !== 'results') out.push(...sourceFiles(path));
    } else if (entry.name.endsWith('.ts')) out.push(path);
  }
  return out;
}

function importsOf(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  return ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
}

describe('the layering of the folders', () => {
  const files = (['runtime', 'actors', 'server', 'testing', 'apps', 'bench'] as const).flatMap(sourceFiles);

  it('reads every source folder', () => {
    for (const folder of ['runtime', 'actors', 'server', 'testing', 'apps', 'bench']) {
      expect(files.some((f) => f.startsWith(folder + sep))).toBe(true);
    }
  });

  it('has no import against it', () => {
    const wrong = files.flatMap((file) =>
      importsOf(file)
        .map((spec) => violation(file, spec))
        .filter((v) => v !== null),
    );
    expect(wrong).toEqual([]);
  });

  it('tells an import that goes up from one that goes down', () => {
    expect(violation(join('runtime', 'mount.ts'), '../actors/registry.ts')).toMatch(/against the layering/);
    expect(violation(join('actors', 'registry.ts'), '../server/index.ts')).toMatch(/against the layering/);
    expect(violation(join('server', 'index.ts'), '../testing/index.ts')).toMatch(/against the layering/);
    expect(violation(join('apps', 'app.ts'), '../runtime/router.ts')).toMatch(/against the layering/);
    expect(violation(join('apps', 'app.ts'), 'liveward/dist/server/index.js')).toMatch(/not a public entry/);
    expect(violation(join('runtime', 'mount.ts'), 'liveward')).toMatch(/by name/);
    expect(violation(join('bench', 'run.ts'), '../test/support/live-client.ts')).toMatch(/against the layering/);
    expect(violation(join('actors', 'registry.ts'), '../runtime/frame.ts')).toBeNull();
    expect(violation(join('apps', 'blog', 'blog.ts'), '../app.ts')).toBeNull();
    expect(violation(join('apps', 'app.ts'), 'liveward/testing')).toBeNull();
    expect(violation(join('apps', 'app.ts'), 'better-sqlite3')).toBeNull();
    expect(violation(join('apps', 'inspector', 'inspector.ts'), '../blog/blog.ts')).toMatch(/against the layering/);
    expect(violation(join('apps', 'inspector', 'inspector.ts'), '../auth/accounts.ts')).toBeNull();
    expect(violation(join('apps', 'auth', 'accounts.ts'), '../database.ts')).toBeNull();
  });
});
