// The package as npm would publish it: publint checks package.json against the packed files
// (exports, formats, sideEffects…), and arethetypeswrong checks that TypeScript finds the right
// declarations for every entry under every resolution mode. Both pack with `npm pack`, offline.
// The SharedWorker script is checked for what a browser and a bundler need of it, and the `bin`
// (the CLI) as npm users get it: `npm pack`, installed in a fresh project, run with `npx`.
import {execFile} from 'node:child_process'
import {mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {promisify} from 'node:util'
import {parse} from 'acorn'
import {publint} from 'publint'
import {formatMessage} from 'publint/utils'
import {beforeAll, describe, expect, test} from 'vitest'
import {packedSize} from '../scripts/package-size.mjs'
import {assertBuilt, repoRoot} from './support/paths.js'
import {startServer, startSse} from './support/sse-server.js'

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

test('arethetypeswrong finds no problem for node10, node16 (ESM and CJS) and bundler resolution', {timeout: 60_000}, async () => {
  // TypeScript's `node10` resolution predates `exports`: `typesVersions` gives it the subpaths.
  // Every entry point is checked, the SharedWorker script too (a `.cjs` copy for `require`).
  const args = ['--pack', '.', '--format', 'json']
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
  expect(Object.keys(report.analysis.entrypoints)).toEqual(expect.arrayContaining(['./react', './shared', './shared-worker.js']))
  expect(report.analysis.problems).toEqual([])
  expect(exitCode).toBe(0)
})

test('`streamsource/shared-worker.js` is the SharedWorker script: a classic script, beside the modules that look for it', () => {
  const required = createRequire(import.meta.url).resolve('streamsource/shared-worker.js')
  const imported = fileURLToPath(import.meta.resolve('streamsource/shared-worker.js'))
  expect([imported, required]).toEqual([join(repoRoot, 'dist', 'shared-worker.js'), join(repoRoot, 'dist', 'shared-worker.cjs')])
  // The same script under both names, but for the line that names the `.js` one's source map.
  const code = (file: string): string => readFileSync(file, 'utf8').replace(/\/\/# sourceMappingURL=.*\s*$/, '').trimEnd()
  expect(code(required)).toBe(code(imported))
  // `new SharedWorker(url)` runs a classic script: an `import` or `export` would not parse there.
  expect(() => parse(code(imported), {ecmaVersion: 'latest', sourceType: 'script'})).not.toThrow()
  for (const module of ['shared-worker-url.js', 'shared.min.js']) {
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
  expect(readFileSync(join(repoRoot, 'dist', 'node', 'shared', 'source.js'), 'utf8')).toMatch(/from '\.\.\/eventsource\/EventSource\.js'/)
})

describe('the `streamsource` command, from the packed tarball in a fresh project', () => {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
  const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx'
  /** npm offline (the tarball has no dependencies: nothing to download), with nothing to say but results. */
  const env = {...process.env, npm_config_offline: 'true', npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false'}
  let dir: string
  let project: string

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'streamsource-pack-'))
    project = join(dir, 'project')
    const {stdout} = await run(npm, ['pack', '--json', '--pack-destination', dir], {cwd: repoRoot, env})
    const [{filename}] = JSON.parse(stdout) as [{filename: string}]
    mkdirSync(project)
    writeFileSync(join(project, 'package.json'), JSON.stringify({name: 'fresh-project', version: '1.0.0', private: true}))
    await run(npm, ['install', '--no-package-lock', join(dir, filename)], {cwd: project, env})
    return () => rmSync(dir, {recursive: true, force: true})
  }, 120_000)

  test('the bin is there, executable, with its shebang', () => {
    const installed = join(project, 'node_modules', 'streamsource')
    const {bin} = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as {bin: Record<string, string>}
    expect(bin).toEqual({streamsource: 'dist/cli.js'})
    expect(readFileSync(join(installed, 'dist', 'cli.js'), 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/)
    expect(statSync(join(project, 'node_modules', '.bin', 'streamsource')).mode & 0o111).not.toBe(0)
  })

  test('`npx streamsource --help` and `--version` work', {timeout: 60_000}, async () => {
    const help = await run(npx, ['streamsource', '--help'], {cwd: project, env})
    expect(help.stdout).toMatch(/^streamsource \S+: curl for Server-Sent Events\n\nUsage: streamsource \[options\] <url>\n/)
    const {version} = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {version: string}
    expect((await run(npx, ['streamsource', '--version'], {cwd: project, env})).stdout).toBe(`${version}\n`)
  })

  test('the installed command streams, on the installed package\'s own Node entry', {timeout: 60_000}, async () => {
    const server = await startServer({'/events': (_req, res) => void startSse(res).send({id: '1', data: 'from the tarball'})})
    try {
      const {stdout} = await run(npx, ['streamsource', `${server.url}events`, '--max-events', '1', '--ndjson'], {cwd: project, env})
      expect(JSON.parse(stdout)).toMatchObject({type: 'message', data: 'from the tarball', id: '1'})
    } finally {
      await server.close()
    }
  })
})

test('the package says what it needs and how it may be used: Node 20 or later, the MIT license in a LICENSE file', () => {
  const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {engines: {node: string}; license: string}
  // The README and the CLI say Node 20; the tests run on nothing older.
  expect(manifest.engines.node).toBe('>=20')
  expect(manifest.license).toBe('MIT')
  expect(readFileSync(join(repoRoot, 'LICENSE'), 'utf8')).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} /)
})

describe('the tarball', () => {
  // Measured when these limits were set: 359 kB packed, 1654 kB unpacked (two builds of every
  // module, browser and Node, each as ES modules and CommonJS without comments, with their maps and
  // declarations; the sources once; the documentation; the two script-tag builds minified; the
  // SharedWorker script; the CLI). Growth past them is a decision.
  const PACKED_LIMIT = 370_000
  const UNPACKED_LIMIT = 1_750_000
  const tarball = packedSize()

  test(`weighs less than ${PACKED_LIMIT / 1000} kB packed and ${UNPACKED_LIMIT / 1000} kB unpacked`, () => {
    expect(tarball.packed).toBeLessThan(PACKED_LIMIT)
    expect(tarball.unpacked).toBeLessThan(UNPACKED_LIMIT)
  })

  test("the README's links to the documentation work on the registry: each is a file of the package, on unpkg", () => {
    const paths = new Set(tarball.paths.map((file) => file.path))
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8')
    // A relative link resolves nowhere on npmjs.com without a repository to resolve it against.
    expect(readme.match(/\]\((?!https?:|#)[^)]*\)/g) ?? []).toEqual([])
    const docs = [...readme.matchAll(/\]\(https:\/\/unpkg\.com\/streamsource\/([^)#]+)/g)].map((match) => match[1]!)
    expect(docs).toEqual(expect.arrayContaining(['docs/migrating.md', 'docs/faq.md', 'docs/api/README.md']))
    for (const doc of docs) expect(paths.has(doc), doc).toBe(true)
  })

  test('ships what users run and debug with: no unminified script-tag copies, and every source map points at a shipped source', () => {
    const paths = new Set(tarball.paths.map((file) => file.path))
    expect(paths.has('dist/streamsource.global.min.js')).toBe(true)
    expect(paths.has('dist/streamsource.global.js')).toBe(false)
    expect(paths.has('dist/streamsource.polyfill.min.js')).toBe(true)
    expect(paths.has('dist/streamsource.polyfill.js')).toBe(false)
    const maps = [...paths].filter((path) => path.endsWith('.map'))
    expect(maps.length).toBeGreaterThan(0)
    for (const map of maps) {
      const {sources, sourcesContent} = JSON.parse(readFileSync(join(repoRoot, map), 'utf8')) as {sources: string[]; sourcesContent?: unknown}
      // One copy of each source, in src/, rather than one inside every map.
      expect(sourcesContent, map).toBeUndefined()
      for (const source of sources) expect(paths.has(join(dirname(map), source).split('\\').join('/')), `${map} → ${source}`).toBe(true)
    }
  })
})
