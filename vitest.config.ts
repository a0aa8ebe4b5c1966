import {defineConfig} from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    setupFiles: ['test/support/node-entry.ts'],
    // The JSON report is what .ci/run turns into its `N passed, N failed` line.
    reporters: ['default', ['json', {outputFile: 'test-results/vitest.json'}]],
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
})
