import { defineConfig } from 'vitest/config';

// Workspace packages are read from their TypeScript source (the `source` export condition),
// so tests never need a build of them first.
const conditions = ['source', 'module', 'node', 'development|production'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/harness/global-setup.ts'],
    setupFiles: ['test/harness/contract-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
