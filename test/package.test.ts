// The package as npm would publish it: publint checks package.json against the packed files
// (exports, formats, sideEffects…), and arethetypeswrong checks that TypeScript finds the right
// declarations for every entry under every resolution mode. Both pack with `npm pack`, offline.
import {execFile} from 'node:child_process'
import {createRequire} from 'node:module'
import {dirname, join} from 'node:path'
import {promisify} from 'node:util'
import {publint} from 'publint'
import {formatMessage} from 'publint/utils'
import {beforeAll, expect, test} from 'vitest'
import {assertBuilt, repoRoot} from './support/paths.js'

const run = promisify(execFile)

beforeAll(() => assertBuilt())

test('publint finds nothing to say, suggestions included', async () => {
  const {messages, pkg} = await publint({pkgDir: repoRoot, level: 'suggestion', strict: true, pack: 'npm'})
  expect(messages.map((message) => `${message.type} ${message.code}: ${formatMessage(message, pkg, {color: false})}`)).toEqual([])
})

interface AttwProblem {
  kind: string
  entrypoint?: string
  resolutionKind?: string
}

/** The `attw` command of @arethetypeswrong/cli, which exports no path to it. */
function attwBin(): string {
  const require = createRequire(import.meta.url)
  const manifest = require.resolve('@arethetypeswrong/cli/package.json')
  const {bin} = require(manifest) as {bin: {attw: string}}
  return join(dirname(manifest), bin.attw)
}

test('arethetypeswrong finds no problem for node16 (ESM and CJS) and bundler resolution', {timeout: 60_000}, async () => {
  // `--profile node16` leaves out TypeScript's `node10` resolution, which predates `exports` and so
  // cannot see subpaths such as `streamsource/polyfill` (the root still resolves there, through
  // `main` and `types`). Every runtime and bundler this package supports reads `exports`.
  const {stdout, exitCode} = await run(process.execPath, [attwBin(), '--pack', '.', '--profile', 'node16', '--format', 'json'], {
    cwd: repoRoot,
    maxBuffer: 64 * 1024 * 1024,
  }).then(
    ({stdout}) => ({stdout, exitCode: 0}),
    // attw exits 1 on a problem: the JSON says which, so it is read either way.
    (error: {stdout?: string; code?: number}) => ({stdout: error.stdout ?? '', exitCode: error.code}),
  )
  const report = JSON.parse(stdout) as {analysis: {problems: AttwProblem[]; entrypoints: Record<string, unknown>}}
  expect(Object.keys(report.analysis.entrypoints)).toEqual(expect.arrayContaining(['.', './polyfill']))
  expect(report.analysis.problems.filter((problem) => problem.resolutionKind !== 'node10')).toEqual([])
  expect(exitCode).toBe(0)
})
