import { defineConfig } from 'vitest/config';

/** The server's tests and the web app's small unit tests, in Node. */
export const nodeTests = ['src/**/*.test.ts', 'test/**/*.test.ts', 'web/src/**/*.test.{ts,tsx}'];

export default defineConfig({
  test: {
    exclude: ['test/e2e/**', 'node_modules/**'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: { name: 'node', include: nodeTests, globalSetup: ['test/support/announce-database.ts'] },
      },
      {
        // The web app's pages in jsdom against a whole Tally in the same process.
        extends: true,
        test: {
          name: 'pages',
          include: ['web/test/**/*.test.tsx'],
          environment: './web/test/support/jsdom-environment.ts',
        },
      },
    ],
  },
});
