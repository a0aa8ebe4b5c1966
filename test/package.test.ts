// The package as npm would publish it: publint checks package.json against the packed files
// (exports, formats, sideEffects…), and arethetypeswrong checks that TypeScript finds the right
// declarations for every entry under every resolution mode. Both pack with `npm pack`, offline.
// The SharedWorker script is checked for what a browser and a bundler need of it.
import {execFile} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {dirname, join} from 'node:path'
import {promisify} from 'node:util'
import {parse} from 'acorn'
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
  // `./shared-worker.js` is the SharedWorker's classic script, exported for its URL (a bundler's
  // `?url`, `require.resolve`), not a module to import or require: nothing there to type.
  const args = ['--pack', '.', '--profile', 'node16', '--exclude-entrypoints', './shared-worker.js', '--format', 'json']
  const {stdout, exitCode} = await run(process.execPath, [attwBin(), ...args], {
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

test('`streamsource/shared-worker.js` is the SharedWorker script: a classic script, beside the modules that look for it', () => {
  const file = createRequire(import.meta.url).resolve('streamsource/shared-worker.js')
  expect(file).toBe(join(repoRoot, 'dist', 'shared-worker.js'))
  // `new SharedWorker(url)` runs a classic script: an `import` or `export` would not parse there.
  expect(() => parse(readFileSync(file, 'utf8'), {ecmaVersion: 'latest', sourceType: 'script'})).not.toThrow()
  for (const module of ['shared-tabs.js', 'index.min.js']) {
    expect(readFileSync(join(repoRoot, 'dist', module), 'utf8')).toMatch(/new URL\(["']\.\/shared-worker\.js["'],\s*import\.meta\.url\)/)
  }
})

test('in Node, the root, the polyfill and the React hook load one build (dist/node/), so they share their classes', async () => {
  const script = `
    const root = await import('streamsource')
    await import('streamsource/polyfill')
    console.log(JSON.stringify({
      resolved: ['streamsource', 'streamsource/polyfill', 'streamsource/react'].map((name) => import.meta.resolve(name)),
      polyfillIsRoot: globalThis.EventSource === root.EventSource,
    }))`
  const {stdout} = await run(process.execPath, ['--input-type=module', '-e', script], {cwd: repoRoot})
  const {resolved, polyfillIsRoot} = JSON.parse(stdout) as {resolved: string[]; polyfillIsRoot: boolean}
  expect(resolved.map((url) => url.slice(url.indexOf('/dist/')))).toEqual(['/dist/node/index.js', '/dist/node/polyfill.js', '/dist/node/react.js'])
  expect(polyfillIsRoot).toBe(true)
  // The hook's module imports the EventSource of the same tree: one class, one HTTPError.
  expect(readFileSync(join(repoRoot, 'dist', 'node', 'shared-source.js'), 'utf8')).toMatch(/from '\.\/EventSource\.js'/)
})
