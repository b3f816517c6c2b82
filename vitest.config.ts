import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

// Tests run against the TypeScript sources: the `liveward-source` export condition (package.json)
// makes `import … from 'liveward'` (in the demo app, in liveward/testing's tests) resolve to
// server/index.ts rather than to dist/, the same condition tsconfig.json's customConditions sets
// for the type checker. One mapping, kept in package.json, serves both.
const conditions = ['liveward-source', ...defaultServerConditions];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: conditions } },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // Two cores: run files in parallel on both, never more.
    maxWorkers: 2,
    minWorkers: 1,
  },
});
