// Prints vitest's JSON report as one plain line, `N passed, N failed`, for CI logs.
// Usage: node scripts/test-totals.mjs <report.json> [exit status of the test command]
import {existsSync, readFileSync} from 'node:fs'

const [report = 'test-results/vitest.json', status = '0'] = process.argv.slice(2)
if (!existsSync(report)) {
  // The run stopped before vitest (install, type-check or build failed): count that as a failure.
  console.log(`0 passed, ${status === '0' ? 0 : 1} failed`)
} else {
  const {numPassedTests, numFailedTests, numPendingTests = 0, numTodoTests = 0} = JSON.parse(
    readFileSync(report, 'utf8'),
  )
  const skipped = numPendingTests + numTodoTests
  console.log(`${numPassedTests} passed, ${numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}`)
}
