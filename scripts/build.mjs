// `npm run build`: compiles the library (runtime, actors, server, testing) to dist/ with declarations,
// then copies the files tsc does not emit (the browser assets the runtime serves).
import { spawnSync } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';

const root = new URL('..', import.meta.url);
rmSync(new URL('dist', root), { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
if (result.status !== 0) process.exit(result.status ?? 1);
cpSync(new URL('runtime/assets', root), new URL('dist/runtime/assets', root), { recursive: true });
