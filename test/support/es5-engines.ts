// Runs the ES5 script-tag build in MuJS and Duktape, the ES5 interpreters Debian packages
// (`mujs`, `duktape`; scripts/ensure.mjs --browser installs them), as an old browser's page would:
// one script made of the page (test/es5/page.js), the built-in recorder (test/es5/built-ins.js),
// the build, and a scenario, run as `mujs file.js` / `duk file.js` in a child process. The
// scenario prints its result with `page.done()`, one JSON line.
import {execFile} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {test} from 'vitest'
import {beyondEs5} from './es5-built-ins.js'
import {assertBuilt, distDir} from './paths.js'

const es5Dir = fileURLToPath(new URL('../es5/', import.meta.url))

export interface Es5Engine {
  name: 'MuJS' | 'Duktape'
  /** The interpreter's binary, from scripts/browser-paths.mjs (what scripts/ensure.mjs installs). */
  path: () => Promise<string>
}

interface EnginePathsModule {
  findMujs(): string | undefined
  findDuktape(): string | undefined
}

async function find(name: keyof EnginePathsModule, hint: string): Promise<string> {
  // A computed specifier: the untyped .mjs has no declaration file.
  const specifier = new URL('../../scripts/browser-paths.mjs', import.meta.url).href
  const found = ((await import(specifier)) as EnginePathsModule)[name]()
  if (found === undefined) throw new Error(`No ${hint} interpreter: run \`node scripts/ensure.mjs --browser\` (\`npm test\` does), or set ${hint === 'MuJS' ? 'MUJS_PATH' : 'DUK_PATH'}`)
  return found
}

export const ES5_ENGINES: Es5Engine[] = [
  {name: 'MuJS', path: () => find('findMujs', 'MuJS')},
  {name: 'Duktape', path: () => find('findDuktape', 'Duktape')},
]

/**
 * The script-tag builds: the full one (package.json `unpkg`, minified, and the readable one) and
 * the polyfill one (the EventSource alone), each minified and readable.
 */
export const SCRIPT_TAG_BUILDS = ['streamsource.global.min.js', 'streamsource.global.js', 'streamsource.polyfill.min.js', 'streamsource.polyfill.js'] as const

/** Whether a build has every export (the full one) rather than the EventSource alone. */
const isFullBuild = (build: string): boolean => build.startsWith('streamsource.global.')

/** What `page.done()` prints (test/es5/page.js). */
export interface Es5Result {
  log: string[]
  requests: {index: number; time: number; method: string; url: string; headers: Record<string, string>; body: string | null; withCredentials: boolean; aborted: boolean}[]
  /** Timers the page still holds at the end. */
  pendingTimers: number
  /** Listeners added to `window` and `document` and not removed. */
  pageListeners: number
  /** Exceptions thrown from tasks, as a browser would report them. */
  uncaught: string[]
  /** Built-ins beyond ES5 read while the build and the scenario ran (test/es5/built-ins.js). */
  touched: string[]
  extra: unknown
}

let tracked: string | undefined

/**
 * Runs `scenario` (ES5 source that ends with `page.done()`) after the script-tag build `build` in
 * `engine`. Rejects when the interpreter fails, writes to stderr, prints no result, or takes more
 * than 10 s.
 */
export async function runInEs5Engine(engine: Es5Engine, scenario: string, build: string = SCRIPT_TAG_BUILDS[0]): Promise<Es5Result> {
  assertBuilt()
  tracked ??= JSON.stringify(beyondEs5())
  const script = [
    readFileSync(join(es5Dir, 'page.js'), 'utf8'),
    readFileSync(join(es5Dir, 'built-ins.js'), 'utf8').replace('TRACKED_BUILT_INS', () => tracked!),
    readFileSync(join(distDir, build), 'utf8'),
    scenario,
  ].join('\n;\n')
  const dir = mkdtempSync(join(tmpdir(), 'streamsource-es5-'))
  const file = join(dir, 'page.js')
  writeFileSync(file, script)
  const binary = await engine.path()
  try {
    const {stdout, stderr, code} = await new Promise<{stdout: string; stderr: string; code: number | null}>((resolve) => {
      execFile(binary, [file], {timeout: 10_000, maxBuffer: 16 * 1024 * 1024}, (error, stdout, stderr) =>
        resolve({stdout, stderr, code: error ? ((error as {code?: number}).code ?? null) : 0}),
      )
    })
    const line = stdout.split('\n').find((text) => text.startsWith('RESULT '))
    // Anything on stderr fails too: MuJS only warns there of what ES5 lacks but it still runs
    // ("function statements are not standard": a function declared in a block).
    if (code !== 0 || line === undefined || stderr.trim() !== '') {
      throw new Error(`${engine.name} (${build}) exited with ${code}:\n${stderr}${stdout}`.slice(0, 4000))
    }
    return JSON.parse(line.slice('RESULT '.length)) as Es5Result
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}

/** Every engine with every script-tag build, for `describe.each`. */
export const ENGINE_BUILDS = ES5_ENGINES.flatMap((engine) =>
  SCRIPT_TAG_BUILDS.map((build) => ({engine, build, testFull: fullBuildTest(build), label: `${engine.name}, ${build}`})),
)

/**
 * `test` for a full build; for the polyfill build, one that registers nothing: what only the full
 * build has (the extensions, messages, sharing) is tested on it alone, rather than skipped.
 */
function fullBuildTest(build: string): typeof test {
  return isFullBuild(build) ? test : ((() => {}) as never)
}
