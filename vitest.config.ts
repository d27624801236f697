import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Test files start real servers (Temporal, the emulator, warehouses); two at a time fit 2 cores.
    pool: 'forks',
    maxWorkers: 2,
    minWorkers: 1,
    testTimeout: 120_000,
    hookTimeout: 180_000,
    env: {
      SNOWFLAKE_DISABLE_PLATFORM_DETECTION: 'true',
      METADATA_SERVER_DETECTION: 'none',
    },
  },
});
