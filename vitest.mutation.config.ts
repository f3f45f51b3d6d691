import { defineConfig } from 'vitest/config';
import base, { nodeTests } from './vitest.config';

/**
 * The suite as Stryker runs it (`npm run test:mutation`): the unit and route tests, or only those
 * MUTATION_TESTS names (comma-separated globs), so one file's mutants can be studied in minutes:
 *   MUTATION_TESTS='src/core/money.test.ts' npm run test:mutation -- --mutate src/core/money.ts
 */
const only = process.env.MUTATION_TESTS?.split(',').filter(Boolean);

export default defineConfig({
  test: {
    ...base.test,
    projects: undefined,
    include: only ?? nodeTests,
  },
});
