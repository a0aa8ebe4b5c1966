// `node scripts/size-floor.mjs` keeps measuring what it says: every step still finds the code it
// takes out of a copy of src/ (the script stops when one does not), and taking it out makes the
// bundle smaller. No size is asserted: the script prints figures, as `npm run size` does.
import {execFile} from 'node:child_process'
import {join} from 'node:path'
import {promisify} from 'node:util'
import {expect, test} from 'vitest'
import {repoRoot} from './support/paths.js'

const run = promisify(execFile)

test('every step of the size-floor script still takes code out of the core', {timeout: 60_000}, async () => {
  const {stdout} = await run(process.execPath, [join(repoRoot, 'scripts', 'size-floor.mjs'), '--json'], {cwd: repoRoot, timeout: 50_000})
  const {rows} = JSON.parse(stdout) as {rows: {name: string; saved: number}[]}
  expect(rows.length).toBeGreaterThan(5)
  for (const {name, saved} of rows.slice(1)) expect({name, saved: saved > 0}).toEqual({name, saved: true})
})
