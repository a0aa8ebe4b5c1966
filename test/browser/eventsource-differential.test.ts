// The library's EventSource against the browser's own, in real Chromium: one page (served under
// `Content-Security-Policy: script-src 'self'`) runs every scenario of differential/scenarios.ts
// once with `window.EventSource` and once with the built library, each against its own copy of the
// scenario's server routes, and the two must see the same events, ids, readyStates and requests.
import {mkdirSync, writeFileSync} from 'node:fs'
import {createServer} from 'node:net'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {launchChromium, type ChromiumSession, type WatchedPage} from '../support/chromium.js'
import {assertBuilt, distDir} from '../support/paths.js'
import {serveDirectory, serveFile, startServer, type TestServer} from '../support/sse-server.js'
import {scenarios, type Outcome, type RunResult, type Scenario, type Stop, type Targets} from './differential/scenarios.js'
import {RunRegistry} from './differential/server.js'

/** What differential/harness.js takes for one run. */
interface PageSpec {
  url: string
  init?: {withCredentials: boolean}
  types: string[]
  stop: Stop
  closeIn?: string
  throwIn?: string
  fireOnError?: {target: 'window' | 'document'; type: string}
  timeout: number
  settle: number
}

declare global {
  interface Window {
    differential?: {
      pair(specs: {native: PageSpec; library: PageSpec}): Promise<{native: RunResult; library: RunResult}>
      violations: string[]
    }
  }
}

const CSP = "script-src 'self'"
/** A directory to write every scenario's two outcomes to, as JSON, when debugging. */
const dumpDir = process.env['DIFFERENTIAL_DUMP']
const fixture = (name: string) => fileURLToPath(new URL(`./differential/${name}`, import.meta.url))

/**
 * Pages in separate browser contexts, each running up to two scenarios (four event streams) at a
 * time: Chromium opens at most six HTTP/1.1 connections per host and context, and a scenario
 * queued behind another one's open streams could run into its own timeout.
 */
const PAGES = 3
const SCENARIOS_PER_PAGE = 2

/** A free port with nothing listening on it, for the refused connection. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise((resolve) => server.close(resolve))
  if (address === null || typeof address === 'string') throw new Error('No port')
  return address.port
}

let main: TestServer
let peer: TestServer
let chromium: ChromiumSession
let refused: string
const registry = new RunRegistry()
const pages: WatchedPage[] = []
const freeSlots: WatchedPage[] = []
const waitingForSlot: ((page: WatchedPage) => void)[] = []

beforeAll(async () => {
  assertBuilt()
  const [mainServer, peerServer, refusedOrigin] = await Promise.all([
    startServer({
      'GET /': serveFile(fixture('page.html'), {'Content-Security-Policy': CSP}),
      'GET /differential/harness.js': serveFile(fixture('harness.js')),
      'GET /dist/*': serveDirectory(distDir, '/dist/'),
      '/s/*': registry.handler,
    }),
    startServer({'/s/*': registry.handler}),
    closedPort().then((port) => `http://127.0.0.1:${port}`),
  ])
  main = mainServer
  peer = peerServer
  refused = refusedOrigin
  registry.origins = {self: main.origin, other: `http://localhost:${main.port}`, peer: peer.origin}
  chromium = await launchChromium()
  await Promise.all(
    Array.from({length: PAGES}, async () => {
      const watched = await chromium.newPage()
      // Same-origin requests always carry it; cross-origin ones (to `peer`, which is same-site)
      // only with withCredentials. Chromium sends no cookie to the cross-site `other` at all.
      await watched.context.addCookies([{name: 'session', value: 'differential', domain: '127.0.0.1', path: '/'}])
      const response = await watched.page.goto(main.url)
      if (response?.headers()['content-security-policy'] !== CSP) throw new Error('The page was served without its CSP')
      await watched.page.waitForFunction(() => document.documentElement.dataset['ready'] === 'true', null, {timeout: 15_000})
      pages.push(watched)
      for (let slot = 0; slot < SCENARIOS_PER_PAGE; slot++) freeSlots.push(watched)
    }),
  )
}, 60_000)

afterAll(async () => {
  await chromium?.close()
  await Promise.all([main?.close(), peer?.close()])
})

async function withPage<T>(use: (watched: WatchedPage) => Promise<T>): Promise<T> {
  const watched = freeSlots.shift() ?? (await new Promise<WatchedPage>((resolve) => waitingForSlot.push(resolve)))
  try {
    return await use(watched)
  } finally {
    const next = waitingForSlot.shift()
    if (next === undefined) freeSlots.push(watched)
    else next(watched)
  }
}

function pageSpec(scenario: Scenario, token: string): PageSpec {
  const base = registry.base(token)
  const targets: Targets = {...base, relative: new URL(base.self).pathname, refused}
  return {
    url: (scenario.url ?? (({self}) => self))(targets),
    ...(scenario.withCredentials === undefined ? {} : {init: {withCredentials: scenario.withCredentials}}),
    types: scenario.types ?? [],
    stop: scenario.stop ?? {errors: 1},
    ...(scenario.closeIn === undefined ? {} : {closeIn: scenario.closeIn}),
    ...(scenario.throwIn === undefined ? {} : {throwIn: scenario.throwIn}),
    ...(scenario.fireOnError === undefined ? {} : {fireOnError: scenario.fireOnError}),
    timeout: scenario.timeout ?? 4000,
    settle: scenario.settle ?? 0,
  }
}

/** Runs the scenario with both implementations at once, each on its own token. */
async function runScenario(scenario: Scenario): Promise<{native: Outcome; library: Outcome}> {
  const tokens = {native: registry.add(scenario.serve), library: registry.add(scenario.serve)}
  try {
    const specs = {native: pageSpec(scenario, tokens.native), library: pageSpec(scenario, tokens.library)}
    const results = await withPage(({page}) => page.evaluate((given) => window.differential!.pair(given), specs))
    // The URL attribute holds the token; nothing else does (requests are recorded without it).
    const scrub = (result: RunResult, token: string): RunResult => JSON.parse(JSON.stringify(result).replaceAll(token, '<token>'))
    return {
      native: {result: scrub(results.native, tokens.native), requests: registry.requests(tokens.native)},
      library: {result: scrub(results.library, tokens.library), requests: registry.requests(tokens.library)},
    }
  } finally {
    registry.delete(tokens.native)
    registry.delete(tokens.library)
  }
}

/** Why the page stopped watching the run: `timeout` when no stop condition was met in time. */
function stopReason(outcome: Outcome): unknown {
  return outcome.result.trace?.find((entry) => entry.kind === 'stop')?.['reason']
}

// Each scenario bounds its own run (4 s by default); the test's limit only catches a hung page.
describe.concurrent('EventSource in Chromium: the library does what the browser does', {timeout: 30_000}, () => {
  for (const scenario of scenarios) {
    test(scenario.title, async ({expect}) => {
      const {native, library} = await runScenario(scenario)
      if (dumpDir !== undefined) {
        mkdirSync(dumpDir, {recursive: true})
        const name = `${scenarios.indexOf(scenario)}-${scenario.title.replace(/[^\w]+/g, '-').slice(0, 60)}.json`
        writeFileSync(join(dumpDir, name), JSON.stringify({title: scenario.title, native, library}, null, 2))
      }
      if (scenario.divergence !== undefined) {
        scenario.divergence.check(native, library)
        return
      }
      expect(library).toEqual(native)
      // Two runs that both timed out on a broken scenario would agree and prove nothing.
      if (!scenario.waits) expect(stopReason(native)).not.toBe('timeout')
    })
  }
})

test('the scenarios are many, the page ran them under its CSP without a violation, the server without an error', async () => {
  expect(scenarios.length).toBeGreaterThanOrEqual(60)
  expect(new Set(scenarios.map((scenario) => scenario.title)).size).toBe(scenarios.length)
  for (const {page} of pages) expect(await page.evaluate(() => window.differential!.violations)).toEqual([])
  expect([...main.errors, ...peer.errors]).toEqual([])
})
