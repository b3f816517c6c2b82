// The processes the bench measures run the demo as it is deployed: compiled JavaScript under plain
// `node`, no loader. This builds the library (dist/) and the demo (apps/dist/) as `npm start` does,
// then strips the types from the two target scripts (the Liveward server and the echo floor) and
// the bench modules they import into bench/dist/, so neither target process loads tsx.

import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { PROJECT_ROOT } from './control-channel.ts';

/** The target scripts and the bench modules they import (relative to bench/). */
const TARGET_MODULES = ['server-process.ts', 'echo-server.ts', 'control-channel.ts', 'process-sample.ts', 'wall-clock.ts'];

/** Where the compiled target scripts go (`bench/dist/server-process.js`, …). */
export const TARGETS_DIR = join(PROJECT_ROOT, 'bench', 'dist');

function run(args: string[]): void {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, args, { cwd: PROJECT_ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  if (result.status !== 0) throw new Error(`npm ${args.join(' ')} failed (exit ${result.status})`);
}

/** Builds dist/, apps/dist/ and bench/dist/ (the type check is `npm run typecheck`'s job). */
export function buildTargets(): void {
  run(['run', 'build']);
  run(['run', 'build', '-w', 'apps']);
  mkdirSync(TARGETS_DIR, { recursive: true });
  for (const file of TARGET_MODULES) {
    const source = readFileSync(join(PROJECT_ROOT, 'bench', file), 'utf8');
    const { outputText } = ts.transpileModule(source, {
      fileName: file,
      compilerOptions: {
        module: ts.ModuleKind.ESNext,
        target: ts.ScriptTarget.ES2022,
        rewriteRelativeImportExtensions: true,
        verbatimModuleSyntax: true,
      },
    });
    writeFileSync(join(TARGETS_DIR, file.replace(/\.ts$/, '.js')), outputText);
  }
}
