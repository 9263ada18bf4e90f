import { availableParallelism } from 'node:os';
import { defaultClientConditions, defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

// CI (CI=true, which every CI service sets) runs each property test with 1,000 cases; on a developer's machine the
// tests' own defaults keep `npm test` quicker. An explicit SLUICE_PROPERTY_RUNS wins either way.
const ci = Boolean(process.env.CI) && process.env.CI !== 'false' && process.env.CI !== '0';
const propertyRuns = process.env.SLUICE_PROPERTY_RUNS ?? (ci ? '1000' : undefined);

export default defineConfig({
  // The workspace packages (@sluice/format, @sluice/engine, @sluice/shell) are tested from their TypeScript sources
  // (the "sluice-source" condition of their package.json exports), not from their built dist/.
  resolve: { conditions: ['sluice-source', ...defaultClientConditions] },
  ssr: { resolve: { conditions: ['sluice-source', ...defaultServerConditions] } },
  test: {
    include: ['engine/test/**/*.test.ts', 'renderer/src/**/*.test.ts', 'electron/test/**/*.test.ts', 'build/test/**/*.test.ts'],
    environment: 'node',
    pool: 'forks',
    // Vitest's default is one worker fewer than the cores, i.e. one on a 2-core machine; its main process only
    // waits, so a worker per core uses both. (Timings stay out of assertions: the suite does not measure speed.)
    maxWorkers: Math.max(2, availableParallelism()),
    // Every row count a node reports instead of a count(*) is checked against a real count (see
    // runtime/execution/execute.ts), so a node whose report is wrong fails its own tests.
    env: { SLUICE_VERIFY_COUNTS: '1', ...(propertyRuns ? { SLUICE_PROPERTY_RUNS: propertyRuns } : {}) },
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
