import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Builds dist/ when src/ is newer (the CLI tests run bin/graft.js, which runs dist/).
    globalSetup: ['test/global-setup.ts'],
    setupFiles: ['test/setup.ts'],
    // Native addons and worker threads do not mix: run test files in child processes.
    pool: 'forks',
    // Memory tests call global.gc() to check that graphs and buffers are released.
    execArgv: ['--expose-gc'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
