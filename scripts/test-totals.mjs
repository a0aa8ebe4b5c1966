// Prints vitest's JSON report as one plain line, `N passed, N failed`, for CI logs.
// Usage: node scripts/test-totals.mjs <report.json> [exit status of the test command]
import {existsSync, readFileSync} from 'node:fs'

const [report = 'test-results/vitest.json', status = '0'] = process.argv.slice(2)
if (!existsSync(report)) {
  // The run stopped before vitest (install, type-check or build failed): count that as a failure.
  console.log(`0 passed, ${status === '0' ? 0 : 1} failed`)
} else {
  const {numPassedTests, numFailedTests, numPendingTests = 0, numTodoTests = 0, testResults = []} = JSON.parse(
    readFileSync(report, 'utf8'),
  )
  // A test file that failed to load (an import that throws) has no test to fail: it counts as one failure.
  const brokenFiles = testResults.filter(
    (file) => file.status === 'failed' && !file.assertionResults?.some((test) => test.status === 'failed'),
  ).length
  // And a run that failed for a reason no count shows (a hook, an unhandled error) is not a green line.
  const failed = numFailedTests + brokenFiles || (status === '0' ? 0 : 1)
  const skipped = numPendingTests + numTodoTests
  console.log(`${numPassedTests} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`)
}
