import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Native addons and worker threads do not mix: run test files in child processes.
    pool: 'forks',
    // Memory tests call global.gc() to check that graphs and buffers are released.
    execArgv: ['--expose-gc'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
