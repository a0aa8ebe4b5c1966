// The library's EventSource against the browser's own, in real Chromium: one page (served under
// `Content-Security-Policy: script-src 'self'`) runs every scenario of differential/scenarios.ts
// once with `window.EventSource` and once with the built library, each against its own copy of the
// scenario's server routes, and the two must see the same events, ids, readyStates and requests.
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {launchChromium, type ChromiumSession} from '../support/chromium.js'
import {assertBuilt, distDir} from '../support/paths.js'
import {serveDirectory, serveFile} from '../support/sse-server.js'
import {
  compareOutcomes,
  CSP,
  fixtureDir,
  openHarnessPage,
  PagePool,
  runScenario,
  startDifferentialServers,
  type DifferentialServers,
} from './differential/driver.js'
import {scenarios} from './differential/scenarios.js'

/** A directory to write every scenario's two outcomes to, as JSON, when debugging. */
const dumpDir = process.env['DIFFERENTIAL_DUMP']

/** Pages in separate browser contexts, each running up to two scenarios (four event streams) at a time. */
const PAGES = 3
const pool = new PagePool(2)

let servers: DifferentialServers
let chromium: ChromiumSession

beforeAll(async () => {
  assertBuilt()
  servers = await startDifferentialServers({
    'GET /': serveFile(join(fixtureDir, 'page.html'), {'Content-Security-Policy': CSP}),
    'GET /dist/*': serveDirectory(distDir, '/dist/'),
  })
  chromium = await launchChromium()
  const pages = await Promise.all(Array.from({length: PAGES}, () => openHarnessPage(chromium, servers.main.url)))
  for (const page of pages) pool.add(page)
}, 60_000)

afterAll(async () => {
  await chromium?.close()
  await servers?.close()
})

// Each scenario bounds its own run (4 s by default); the test's limit only catches a hung page.
describe.concurrent('EventSource in Chromium: the library does what the browser does', {timeout: 30_000}, () => {
  for (const scenario of scenarios) {
    test(scenario.title, async ({expect}) => {
      const {native, library} = await runScenario(scenario, servers, (specs) =>
        pool.use(({page}) => page.evaluate((given) => window.differential!.pair(given), specs)),
      )
      if (dumpDir !== undefined) {
        mkdirSync(dumpDir, {recursive: true})
        const name = `${scenarios.indexOf(scenario)}-${scenario.title.replace(/[^\w]+/g, '-').slice(0, 60)}.json`
        writeFileSync(join(dumpDir, name), JSON.stringify({title: scenario.title, native, library}, null, 2))
      }
      compareOutcomes(scenario, native, library, expect)
    })
  }
})

test('the scenarios are many, the page ran them under its CSP without a violation, the server without an error', async () => {
  expect(scenarios.length).toBeGreaterThanOrEqual(60)
  expect(new Set(scenarios.map((scenario) => scenario.title)).size).toBe(scenarios.length)
  for (const {page} of pool.pages) expect(await page.evaluate(() => window.differential!.violations)).toEqual([])
  expect([...servers.main.errors, ...servers.peer.errors]).toEqual([])
})
