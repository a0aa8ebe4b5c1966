import {defineConfig} from 'vitest/config'
import {NODE_SWAPS, swapModules} from './scripts/platform-swaps.mjs'

export default defineConfig({
  // Every test in Node runs what `import 'streamsource'` gives there (the `node` export condition):
  // the modules of the Node build. Browsers get the others: the tests in test/browser/ run the builds there.
  plugins: [swapModules(NODE_SWAPS)],
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    // The JSON report is what .ci/run turns into its `N passed, N failed` line.
    reporters: ['default', ['json', {outputFile: 'test-results/vitest.json'}]],
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
})
