import { defineConfig } from 'vitest/config';

/** Browser journeys: `npm run test:e2e`, apart from `npm test` because they need a built app and Chromium. */
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.ts'],
    globalSetup: ['test/e2e/support/build-web-app.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
