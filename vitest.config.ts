import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['conformance/src/**/*.test.ts', 'server/src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default', './scripts/summaryReporter.ts'],
  },
});
