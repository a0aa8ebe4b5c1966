// What the differential tests share besides their scenarios: the servers every run goes to, the
// page spec of a run, a pool of pages with a bounded number of runs each, and the comparison.
// eventsource-differential.test.ts runs both implementations in one page; legacy.test.ts runs the
// browser's in a normal page and the script-tag build in a page without modern APIs.
import {createServer} from 'node:net'
import {fileURLToPath} from 'node:url'
import {expect as globalExpect} from 'vitest'
import type {ChromiumSession, WatchedPage} from '../../support/chromium.js'
import {serveDirectory, startServer, STRICT_CSP, type Routes, type TestServer} from '../../support/sse-server.js'
import type {Outcome, RunResult, Scenario, Stop, Targets} from './scenarios.js'
import {RunRegistry} from './server.js'

/** What differential/runner.js takes for one run. */
export interface PageSpec {
  url: string
  init?: {withCredentials: boolean}
  types: string[]
  stop: Stop
  closeIn?: string
  throwIn?: string
  fireOnError?: {target: 'window' | 'document'; type: string}
  microtasks?: boolean
  closeInMicrotask?: boolean
  timeout: number
  settle: number
}

type Implementation = 'native' | 'library'

declare global {
  interface Window {
    differential?: {
      run(name: Implementation, spec: PageSpec): Promise<RunResult>
      pair(specs: Record<Implementation, PageSpec>): Promise<Record<Implementation, RunResult>>
      violations: string[]
    }
  }
}

export const CSP = STRICT_CSP
/** differential/ itself, served at /differential/ by the main server. */
export const fixtureDir = fileURLToPath(new URL('./', import.meta.url))

/** A free port with nothing listening on it, for the refused connection. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise((resolve) => server.close(resolve))
  if (address === null || typeof address === 'string') throw new Error('No port')
  return address.port
}

export interface DifferentialServers {
  /** The pages' origin (`self`), which also answers on localhost (`other`). */
  main: TestServer
  /** Cross-origin, same-site (`peer`). */
  peer: TestServer
  /** An origin where nothing listens. */
  refused: string
  registry: RunRegistry
  close(): Promise<void>
}

/** The servers of the runs: `routes` (the pages) and /differential/ on the main one, runs on both. */
export async function startDifferentialServers(routes: Routes): Promise<DifferentialServers> {
  const registry = new RunRegistry()
  const [main, peer, refused] = await Promise.all([
    startServer({...routes, 'GET /differential/*': serveDirectory(fixtureDir, '/differential/'), '/s/*': registry.handler}),
    startServer({'/s/*': registry.handler}),
    closedPort().then((port) => `http://127.0.0.1:${port}`),
  ])
  registry.origins = {self: main.origin, other: `http://localhost:${main.port}`, peer: peer.origin}
  return {main, peer, refused, registry, close: async () => void (await Promise.all([main.close(), peer.close()]))}
}

/**
 * Opens a page at `url` (checked for its CSP) with the `session` cookie a run may send, and waits
 * until its harness is ready.
 */
export async function openHarnessPage(chromium: ChromiumSession, url: string): Promise<WatchedPage> {
  const watched = await chromium.newPage()
  // Same-origin requests always carry it; cross-origin ones (to `peer`, which is same-site)
  // only with withCredentials. Chromium sends no cookie to the cross-site `other` at all.
  await watched.context.addCookies([{name: 'session', value: 'differential', domain: '127.0.0.1', path: '/'}])
  const response = await watched.page.goto(url)
  if (response?.headers()['content-security-policy'] !== CSP) throw new Error(`${url} was served without its CSP`)
  await watched.page.waitForFunction(() => document.documentElement.dataset['ready'] === 'true', null, {timeout: 15_000})
  return watched
}

/**
 * Pages that each run up to `slots` scenarios at a time: Chromium opens at most six HTTP/1.1
 * connections per host and context, and a scenario queued behind another one's open streams
 * could run into its own timeout.
 */
export class PagePool {
  readonly pages: WatchedPage[] = []
  #free: WatchedPage[] = []
  #waiting: ((page: WatchedPage) => void)[] = []

  constructor(readonly slots: number) {}

  add(page: WatchedPage): void {
    this.pages.push(page)
    for (let slot = 0; slot < this.slots; slot++) this.#free.push(page)
  }

  async use<T>(use: (watched: WatchedPage) => Promise<T>): Promise<T> {
    const watched = this.#free.shift() ?? (await new Promise<WatchedPage>((resolve) => this.#waiting.push(resolve)))
    try {
      return await use(watched)
    } finally {
      const next = this.#waiting.shift()
      if (next === undefined) this.#free.push(watched)
      else next(watched)
    }
  }
}

export function pageSpec(scenario: Scenario, servers: DifferentialServers, token: string): PageSpec {
  const base = servers.registry.base(token)
  const targets: Targets = {...base, relative: new URL(base.self).pathname, refused: servers.refused}
  return {
    url: (scenario.url ?? (({self}) => self))(targets),
    ...(scenario.withCredentials === undefined ? {} : {init: {withCredentials: scenario.withCredentials}}),
    types: scenario.types ?? [],
    stop: scenario.stop ?? {errors: 1},
    ...(scenario.closeIn === undefined ? {} : {closeIn: scenario.closeIn}),
    ...(scenario.microtasks === undefined ? {} : {microtasks: scenario.microtasks}),
    ...(scenario.closeInMicrotask === undefined ? {} : {closeInMicrotask: scenario.closeInMicrotask}),
    ...(scenario.throwIn === undefined ? {} : {throwIn: scenario.throwIn}),
    ...(scenario.fireOnError === undefined ? {} : {fireOnError: scenario.fireOnError}),
    timeout: scenario.timeout ?? 4000,
    settle: scenario.settle ?? 0,
  }
}

/**
 * Runs the scenario with both implementations at once, each on its own token: `run` gets both
 * page specs and resolves with both results.
 */
export async function runScenario(
  scenario: Scenario,
  servers: DifferentialServers,
  run: (specs: Record<Implementation, PageSpec>) => Promise<Record<Implementation, RunResult>>,
): Promise<Record<Implementation, Outcome>> {
  const {registry} = servers
  const tokens = {native: registry.add(scenario.serve), library: registry.add(scenario.serve)}
  try {
    const results = await run({native: pageSpec(scenario, servers, tokens.native), library: pageSpec(scenario, servers, tokens.library)})
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

/** The verdict on one scenario: the pinned divergence, or the same outcome on both sides. */
export function compareOutcomes(scenario: Scenario, native: Outcome, library: Outcome, expect = globalExpect): void {
  if (scenario.divergence !== undefined) {
    scenario.divergence.check(native, library)
    return
  }
  expect(library).toEqual(native)
  // Two runs that both timed out on a broken scenario would agree and prove nothing.
  if (!scenario.waits) expect(stopReason(native)).not.toBe('timeout')
}
