import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    // Failure detectors, not speed limits: two waits of PATIENCE_MS (test/support/wait-for.ts,
    // 60 s) for a test, three for a hook; a test that waits for more says so itself.
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // CCXT parsing is CPU-heavy; two cores, so keep file parallelism modest.
    maxWorkers: 2,
  },
});
