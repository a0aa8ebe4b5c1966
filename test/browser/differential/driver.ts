// What the differential tests share besides their scenarios: the servers every run goes to, the
// page spec of a run, a pool of pages with a bounded number of runs each, and the comparison.
// differential/suite.ts runs both implementations in one page; differential/legacy-suite.ts runs
// the browser's in a normal page and the script-tag build in a page without modern APIs. Each
// suite runs in every engine (test/support/engines.ts), with that engine's divergences.
import {createServer} from 'node:net'
import {fileURLToPath} from 'node:url'
import {expect as globalExpect} from 'vitest'
import type {EngineName, EnginePage, EngineSession} from '../../support/engines.js'
import {serveDirectory, startServer, STRICT_CSP, type Routes, type TestServer} from '../../support/sse-server.js'
import type {Divergence, Outcome, RunResult, Scenario, Stop, Targets} from './scenarios.js'
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
export async function openHarnessPage(session: EngineSession, url: string): Promise<EnginePage> {
  const page = await session.newPage()
  // Same-origin requests always carry it; cross-origin ones (to `peer`, which is same-site)
  // only with withCredentials. Chromium sends no cookie to the cross-site `other` at all.
  await page.addCookie({name: 'session', value: 'differential', domain: '127.0.0.1'})
  const headers = await page.goto(url)
  // Where the driver cannot tell the headers ({}), the harness's own violation list still shows a
  // page whose policy blocked something; a header that is there must be the policy.
  if (Object.keys(headers).length > 0 && headers['content-security-policy'] !== CSP) throw new Error(`${url} was served without its CSP`)
  await page.waitFor(() => document.documentElement.dataset['ready'] === 'true', 15_000)
  return page
}

/**
 * Pages that each run up to `slots` scenarios at a time: Chromium and Firefox each open at most six
 * HTTP/1.1 connections per host and context, and a scenario queued behind another one's open
 * streams could run into its own timeout.
 */
export class PagePool {
  readonly pages: EnginePage[] = []
  #free: EnginePage[] = []
  #waiting: ((page: EnginePage) => void)[] = []

  constructor(readonly slots: number) {}

  add(page: EnginePage): void {
    this.pages.push(page)
    for (let slot = 0; slot < this.slots; slot++) this.#free.push(page)
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

/**
 * An engine's departures from the spec (or choices the spec leaves open), by scenario title:
 * differential/divergences-<engine>.ts. Chromium's stay on the scenarios themselves.
 */
export type Divergences = Record<string, Divergence>

/** The divergence pinned for `scenario` in `engine`, if any. */
export function divergenceFor(engine: EngineName, scenario: Scenario, divergences: Divergences): Divergence | undefined {
  return engine === 'chromium' ? scenario.divergence : divergences[scenario.title]
}

/** The verdict on one scenario: the pinned divergence, or the same outcome on both sides. */
export function compareOutcomes(
  scenario: Scenario,
  divergence: Divergence | undefined,
  native: Outcome,
  library: Outcome,
  expect = globalExpect,
): void {
  if (divergence !== undefined) {
    divergence.check(native, library)
    return
  }
  expect(library).toEqual(native)
  // Two runs that both timed out on a broken scenario would agree and prove nothing.
  if (!scenario.waits) expect(stopReason(native)).not.toBe('timeout')
}
