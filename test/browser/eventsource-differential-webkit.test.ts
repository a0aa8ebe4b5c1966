// The library's EventSource against WebKit's own, in WebKitGTK's MiniBrowser (test/support/webkit.ts):
// the scenarios of differential/scenarios.ts in the harness page (served under
// `Content-Security-Policy: script-src 'self'`), each once with `window.EventSource` and once with
// the library's module build, which must do the same, except where differential/divergences-webkit.ts
// pins WebKit's difference. Chromium's divergences (in scenarios.ts) do not apply here.
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {assertBuilt, distDir} from '../support/paths.js'
import {serveDirectory, serveFile} from '../support/sse-server.js'
import {launchWebKit, type EnginePage, type EngineSession} from '../support/webkit.js'
import {divergences} from './differential/divergences-webkit.js'
import {compareOutcomes, CSP, fixtureDir, runScenario, startDifferentialServers, type DifferentialServers} from './differential/driver.js'
import {scenarios, type Scenario} from './differential/scenarios.js'

/** A directory to write every scenario's two outcomes to, as JSON, when debugging. */
const dumpDir = process.env['DIFFERENTIAL_DUMP']

/**
 * Pages (each a MiniBrowser of its own) and the scenarios each runs at a time: two scenarios are
 * four event streams, and more with reconnects, within the six connections per host WebKit opens.
 */
const PAGES = 3
const SLOTS = 2

/** Pages that each run up to SLOTS scenarios at a time (driver.ts's PagePool, for any engine's page). */
class Pool {
  readonly pages: EnginePage[] = []
  #free: EnginePage[] = []
  #waiting: ((page: EnginePage) => void)[] = []

  add(page: EnginePage): void {
    this.pages.push(page)
    for (let slot = 0; slot < SLOTS; slot++) this.#free.push(page)
  }

  async use<T>(use: (page: EnginePage) => Promise<T>): Promise<T> {
    const page = this.#free.shift() ?? (await new Promise<EnginePage>((resolve) => this.#waiting.push(resolve)))
    try {
      return await use(page)
    } finally {
      const next = this.#waiting.shift()
      if (next === undefined) this.#free.push(page)
      else next(page)
    }
  }
}

/** The harness page with the `session` cookie a run may send, as driver.ts's openHarnessPage. */
async function openHarnessPage(webkit: EngineSession, url: string): Promise<EnginePage> {
  const page = await webkit.newPage()
  await page.addCookie({name: 'session', value: 'differential', domain: '127.0.0.1'})
  await page.goto(url)
  await page.waitFor(() => document.documentElement.dataset['ready'] === 'true', 30_000)
  return page
}

/** The scenario with WebKit's divergence, if any, in place of Chromium's. */
function forWebKit(scenario: Scenario): Scenario {
  const {divergence: _chromium, ...rest} = scenario
  const divergence = divergences[scenario.title]
  return divergence === undefined ? rest : {...rest, divergence}
}

const pool = new Pool()
let servers: DifferentialServers
let webkit: EngineSession

beforeAll(async () => {
  assertBuilt()
  servers = await startDifferentialServers({
    'GET /': serveFile(join(fixtureDir, 'page.html'), {'Content-Security-Policy': CSP}),
    'GET /dist/*': serveDirectory(distDir, '/dist/'),
  })
  webkit = await launchWebKit()
  const pages = await Promise.all(Array.from({length: PAGES}, () => openHarnessPage(webkit, servers.main.url)))
  for (const page of pages) pool.add(page)
}, 90_000)

afterAll(async () => {
  await webkit?.close()
  await servers?.close()
})

describe.concurrent('EventSource in WebKit: the library does what the browser does', {timeout: 30_000}, () => {
  for (const scenario of scenarios.map(forWebKit)) {
    test(scenario.title, async ({expect}) => {
      const {native, library} = await runScenario(scenario, servers, (specs) =>
        pool.use((page) => page.evaluate((given) => window.differential!.pair(given), specs)),
      )
      if (dumpDir !== undefined) {
        mkdirSync(dumpDir, {recursive: true})
        const name = `${scenarios.findIndex((given) => given.title === scenario.title)}-${scenario.title.replace(/[^\w]+/g, '-').slice(0, 60)}.json`
        writeFileSync(join(dumpDir, name), JSON.stringify({title: scenario.title, native, library}, null, 2))
      }
      compareOutcomes(scenario, native, library, expect)
    })
  }
})

test('every WebKit divergence names a scenario; the page ran under its CSP without a violation, the server without an error', async () => {
  const titles = new Set(scenarios.map((scenario) => scenario.title))
  expect(Object.keys(divergences).filter((title) => !titles.has(title))).toEqual([])
  for (const page of pool.pages) expect(await page.evaluate(() => window.differential!.violations, null)).toEqual([])
  expect([...servers.main.errors, ...servers.peer.errors]).toEqual([])
})
