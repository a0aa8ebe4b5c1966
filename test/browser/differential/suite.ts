// The library's EventSource against the browser's own, in one engine: one page (served under
// `Content-Security-Policy: script-src 'self'`) runs every scenario of differential/scenarios.ts
// once with `window.EventSource` and once with the built library, each against its own copy of the
// scenario's server routes, and the two must see the same events, ids, readyStates and requests,
// or exactly the difference pinned for that engine (Chromium's on the scenarios themselves, the
// others' in differential/divergences-<engine>.ts).
// eventsource-differential.test.ts registers it for Chromium, eventsource-differential-<engine>.test.ts
// for the other engines.
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {engineLabels, launchEngine, type EngineName, type EngineSession} from '../../support/engines.js'
import {assertBuilt, distDir} from '../../support/paths.js'
import {serveDirectory, serveFile} from '../../support/sse-server.js'
import {divergences as firefoxDivergences} from './divergences-firefox.js'
import {divergences as webkitDivergences} from './divergences-webkit.js'
import {
  compareOutcomes,
  CSP,
  divergenceFor,
  fixtureDir,
  openHarnessPage,
  PagePool,
  runScenario,
  startDifferentialServers,
  type DifferentialServers,
  type Divergences,
} from './driver.js'
import {scenarios} from './scenarios.js'

/** Every engine's pinned divergences but Chromium's, which the scenarios carry. */
export const engineDivergences: Partial<Record<EngineName, Divergences>> = {firefox: firefoxDivergences, webkit: webkitDivergences}

/** A directory to write every scenario's two outcomes to, as JSON, when debugging. */
const dumpDir = process.env['DIFFERENTIAL_DUMP']

/** Pages in separate browser contexts, each running up to two scenarios (four event streams) at a time. */
const PAGES = 3

/**
 * Checks that an engine's divergence table names only scenarios that exist, each with a reason,
 * and lists what is in use (for the README's list of departures).
 */
export function checkDivergenceTable(engine: EngineName, tables: Divergences[]): void {
  const titles = new Set(scenarios.map((scenario) => scenario.title))
  const inUse: string[] = []
  for (const table of tables) {
    for (const [title, divergence] of Object.entries(table)) {
      expect(titles, `a divergence for a scenario that does not exist: ${title}`).toContain(title)
      expect(divergence.reason.length).toBeGreaterThan(10)
      inUse.push(`- ${title}: ${divergence.reason}`)
    }
  }
  if (engine === 'chromium') {
    for (const scenario of scenarios) if (scenario.divergence) inUse.push(`- ${scenario.title}: ${scenario.divergence.reason}`)
  }
  console.log(`${engineLabels[engine]} divergences in use (${inUse.length}):\n${inUse.join('\n')}`)
}

export function registerDifferentialSuite(engine: EngineName): void {
  const label = engineLabels[engine]
  const divergences = engineDivergences[engine] ?? {}
  const pool = new PagePool(2)
  let servers: DifferentialServers
  let session: EngineSession | undefined

  beforeAll(async () => {
    assertBuilt()
    servers = await startDifferentialServers({
      'GET /': serveFile(join(fixtureDir, 'page.html'), {'Content-Security-Policy': CSP}),
      'GET /dist/*': serveDirectory(distDir, '/dist/'),
    })
    session = await launchEngine(engine)
    const started = session
    const pages = await Promise.all(Array.from({length: PAGES}, () => openHarnessPage(started, servers.main.url)))
    for (const page of pages) pool.add(page)
  }, 90_000)

  afterAll(async () => {
    await session?.close()
    await servers?.close()
  })

  // Each scenario bounds its own run (4 s by default); the test's limit only catches a hung page.
  describe.concurrent(`EventSource in ${label}: the library does what the browser does`, {timeout: 30_000}, () => {
    for (const scenario of scenarios) {
      test(scenario.title, async ({expect}) => {
        const {native, library} = await runScenario(scenario, servers, (specs) =>
          pool.use((page) => page.evaluate((given) => window.differential!.pair(given), specs)),
        )
        if (dumpDir !== undefined) {
          mkdirSync(dumpDir, {recursive: true})
          const name = `${engine}-${scenarios.indexOf(scenario)}-${scenario.title.replace(/[^\w]+/g, '-').slice(0, 60)}.json`
          writeFileSync(join(dumpDir, name), JSON.stringify({title: scenario.title, native, library}, null, 2))
        }
        compareOutcomes(scenario, divergenceFor(engine, scenario, divergences), native, library, expect)
      })
    }
  })

  test('the scenarios are many, the page ran them under its CSP without a violation, the server without an error', async () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(60)
    expect(new Set(scenarios.map((scenario) => scenario.title)).size).toBe(scenarios.length)
    for (const page of pool.pages) expect(await page.evaluate(() => window.differential!.violations, null)).toEqual([])
    expect([...servers.main.errors, ...servers.peer.errors]).toEqual([])
  })

  test(`the divergences pinned for ${label} name real scenarios, each with its reason`, () => {
    checkDivergenceTable(engine, [divergences])
  })
}
