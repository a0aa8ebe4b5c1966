// An ES5 script-tag build (dist/streamsource.global.min.js, as unpkg serves it, or the polyfill
// build dist/streamsource.polyfill.min.js) in one engine,
// loaded with a plain <script src> in pages served with `Content-Security-Policy: script-src 'self'`:
// - in a page where EventSource, fetch, Request, Response, Headers, ReadableStream, TextDecoder,
//   AbortController, Promise and URL were deleted first (legacy/strip-modern.js), every scenario of
//   the differential tests runs with the build's EventSource, and its events, ids, readyStates,
//   requests and reconnects must be the native EventSource's in a normal page (same scenarios,
//   same divergences, same comparison: differential/driver.ts), but for what XMLHttpRequest
//   cannot do in that engine (its legacy divergences);
// - there too: the bounded XMLHttpRequest restart on a long stream, UTF-8 cut between progress
//   events, multi-byte ids, and that XMLHttpRequest carried it all;
// - in a normal page, the same build streams over fetch and leaves the native EventSource alone.
// legacy.test.ts registers it for Chromium, legacy-<engine>.test.ts for the other engines.
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {engineLabels, launchEngine, type EngineName, type EnginePage, type EngineSession} from '../../support/engines.js'
import {assertBuilt, distDir} from '../../support/paths.js'
import {delay, serveDirectory, servePage, startSse, type Handler, type RecordedRequest} from '../../support/sse-server.js'
import type {Collected} from '../../support/xhr-pages.js'
import {legacyDivergences as firefoxLegacyDivergences} from './divergences-firefox.js'
import {legacyDivergences as webkitLegacyDivergences} from './divergences-webkit.js'
import {
  compareOutcomes,
  divergenceFor,
  openHarnessPage,
  PagePool,
  runScenario,
  startDifferentialServers,
  type DifferentialServers,
  type Divergences,
} from './driver.js'
import {scenarios, summary, xhrHeadersAtFirstByte} from './scenarios.js'
import {checkDivergenceTable, engineDivergences} from './suite.js'

const legacyDir = fileURLToPath(new URL('../legacy/', import.meta.url))
/** A script-tag build: its file in dist/, and the modules whose exports its `StreamSource` holds. */
export interface ScriptTagBuild {
  file: string
  exports: () => Promise<string[]>
}

/** The full build: every export of the root and of streamsource/shared. */
export const FULL_BUILD: ScriptTagBuild = {
  file: 'streamsource.global.min.js',
  exports: async () => [...Object.keys(await import(join(distDir, 'index.js'))), ...Object.keys(await import(join(distDir, 'shared.js')))],
}

/** The polyfill build: the EventSource, and the classes its `error` events carry. */
export const POLYFILL_BUILD: ScriptTagBuild = {
  file: 'streamsource.polyfill.min.js',
  exports: async () => ['ContentTypeError', 'EventSource', 'EventSourceErrorEvent', 'HTTPError', 'ParseError', 'StreamSourceError'],
}
/** The RESTART_AFTER of src/transport/xhr.ts: characters of responseText before a restart. */
const RESTART_AFTER = 256 * 1024


declare global {
  interface Window {
    stripped?: string[]
    transportCounts?: {xhr: number; fetch: number}
    legacyPage?: {installed: boolean; exports: string[]}
    collect?: (url: string, options?: {until?: string; timeout?: number; init?: Record<string, unknown>}) => Promise<Collected>
    StreamSource?: Record<string, unknown>
    /** In /legacy-host: the window of the page without modern APIs. */
    legacy?: () => Window
  }
}

function page(scripts: string[], body = ''): Handler {
  const head = scripts.map((src) => `<script src="${src}"></script>`).join('\n')
  return servePage('streamsource script-tag build', head, `<p>Driven by test/browser/differential/legacy-suite.ts.</p>${body}`)
}

/** The runs' pages: the build without modern APIs, the build in a normal page, the browser's own. */
const routesFor = (BUILD: string) => ({
  'GET /legacy': page([
    '/legacy/strip-modern.js',
    '/legacy/count-transports.js',
    BUILD,
    '/differential/runner.js',
    '/legacy/harness.js',
    '/legacy/collect.js',
  ]),
  // The drivers' page scripts need `Promise`: the tests reach the stripped page through this one.
  'GET /legacy-host': page([], '<iframe src="/legacy"></iframe><script src="/legacy/host.js"></script>'),
  'GET /modern': page(['/legacy/count-transports.js', BUILD, '/legacy/collect.js']),
  'GET /native': page(['/differential/runner.js', '/legacy/native-harness.js']),
  'GET /legacy/*': serveDirectory(legacyDir, '/legacy/'),
  'GET /dist/*': serveDirectory(distDir, '/dist/'),
})

/** Events with ids 1…count, each `size` characters of data; resumed after the Last-Event-ID the request carries. */
function longStream(count: number, size: number): Handler {
  return async (req, res) => {
    const stream = startSse(res)
    const from = Number(req.headers['last-event-id'] ?? 0) + 1
    const event = (id: number) => `id: ${id}\ndata: ${String(id).padEnd(size, '.')}\n\n`
    let pending = ''
    let writes = 0
    for (let id = from; id <= count && !stream.isClosed; id++) {
      pending += event(id)
      // Writes of about 20 KiB, two of three ending inside an event, the third between two.
      if (pending.length >= 20_000) {
        const cut = ++writes % 3 === 0 ? pending.length : pending.length - 7
        await stream.write(pending.slice(0, cut))
        pending = pending.slice(cut)
        // Long enough apart to reach the page as progress events of their own (browsers fire one per 50 ms at most).
        await delay(25)
      }
    }
    await stream.write(`${pending}event: done\ndata: end\n\n`)
    await stream.closed
  }
}

/**
 * Where XMLHttpRequest cannot do what the native EventSource does, in Chromium: its readyState
 * reaches HEADERS_RECEIVED only with the first byte of the body (or its end), so a stream that
 * sends headers and no data yet opens late: at its first byte, or never when none comes. Servers
 * that send a comment first (as many do, for proxies) open at once. Everything else is the same.
 */
const chromiumLegacyDivergences: Divergences = {
  'open fires when the headers arrive, before any data': xhrHeadersAtFirstByte('Chromium'),
  'headers, then the connection is cut: open, then error and reconnect': {
    reason: 'XMLHttpRequest in Chromium reports the headers with the first byte of the body',
    check(native, library) {
      expect(summary(native)).toEqual(['open(1)', 'error(0)', 'stop:1 errors'])
      expect(summary(library)).toEqual(['error(0)', 'stop:1 errors'])
      expect(library.requests).toEqual(native.requests)
    },
  },
}

/**
 * Each engine's divergences in the legacy page, on top of its divergences in the module build:
 * where the engine's XMLHttpRequest cannot do what its EventSource does.
 */
const legacyEngineDivergences: Partial<Record<EngineName, Divergences>> = {
  chromium: chromiumLegacyDivergences,
  firefox: firefoxLegacyDivergences,
  webkit: webkitLegacyDivergences,
}

const PAGES = 3

export function registerLegacySuite(engine: EngineName, build: ScriptTagBuild = FULL_BUILD): void {
  let servers: DifferentialServers
  let session: EngineSession | undefined
  const nativePool = new PagePool(2)
  const legacyPool = new PagePool(2)
  const label = build === FULL_BUILD ? engineLabels[engine] : `${engineLabels[engine]} (${build.file})`
  const divergences = engineDivergences[engine] ?? {}
  const legacyDivergences = legacyEngineDivergences[engine] ?? {}

  beforeAll(async () => {
    assertBuilt()
    servers = await startDifferentialServers({
      ...routesFor(`/dist/${build.file}`),
      'GET /long': longStream(3000, 400),
      'GET /utf8': async (_req, res) => {
        const stream = startSse(res)
        const bytes = Buffer.from('id: é→😀\ndata: 日本 é🎉\n\nevent: done\ndata: x\n\n')
        // Cut inside 'é', '→', '😀', '日' and '🎉', each piece its own write (so its own progress event).
        for (const [start, end] of [[0, 5], [5, 8], [8, 12], [12, 20], [20, 34], [34, 36], [36, bytes.length]]) {
          await stream.write(bytes.subarray(start, end))
          await delay(30)
        }
        await stream.closed
      },
      'GET /ids': async (req, res, {url}) => {
        const stream = startSse(res)
        const id = url.searchParams.get('id') ?? ''
        if (req.headers['last-event-id'] === undefined) await stream.write(`retry: 20\nid: ${id}\ndata: first\n\n`)
        else await stream.write(`data: again\n\nevent: done\ndata: x\n\n`)
        await stream.end()
      },
      'GET /plain': async (_req, res) => {
        const stream = startSse(res)
        await stream.write('id: 1\ndata: one\n\nid: 2\ndata: two\n\nevent: done\ndata: x\n\n')
        await stream.closed
      },
    })
    session = await launchEngine(engine)
    const started = session
    const [natives, legacies] = await Promise.all([
      Promise.all(Array.from({length: PAGES}, () => openHarnessPage(started, `${servers.main.origin}/native`))),
      Promise.all(Array.from({length: PAGES}, () => openHarnessPage(started, `${servers.main.origin}/legacy-host`))),
    ])
    for (const page of natives) nativePool.add(page)
    for (const page of legacies) legacyPool.add(page)
  }, 90_000)

  /** The engine, once beforeAll launched it. */
  const running = (): EngineSession => {
    if (session === undefined) throw new Error(`${label} is not running: the suite's beforeAll launches it.`)
    return session
  }

  afterAll(async () => {
    await session?.close()
    await servers?.close()
  })

  const requestsTo = (path: string): RecordedRequest[] => servers.main.requests.filter((request) => request.path === path)

  describe.concurrent(`the script-tag build without modern APIs does what the native EventSource does, in ${label}`, {timeout: 30_000}, () => {
    for (const scenario of scenarios) {
      const divergence = legacyDivergences[scenario.title] ?? divergenceFor(engine, scenario, divergences)
      test(scenario.title, async ({expect}) => {
        const {native, library} = await runScenario(scenario, servers, async (specs) => {
          const [nativeResult, libraryResult] = await Promise.all([
            nativePool.use((page) => page.evaluate((spec) => window.differential!.run('native', spec), specs.native)),
            legacyPool.use((page) => page.evaluate(async (spec) => await window.legacy!().differential!.run('library', spec), specs.library)),
          ])
          return {native: nativeResult, library: libraryResult}
        })
        compareOutcomes(scenario, divergence, native, library, expect)
      })
    }
  })

  describe('the script-tag build without modern APIs', {timeout: 30_000}, () => {
    let legacy: EnginePage

    beforeAll(async () => {
      legacy = await openHarnessPage(running(), `${servers.main.origin}/legacy-host`)
    })

    test('loads after every listed API was deleted, installs EventSource, and defines StreamSource with every root export', async () => {
      expect(await legacy.evaluate(() => window.legacy!().stripped, null)).toEqual([
        'EventSource',
        'fetch',
        'Request',
        'Response',
        'Headers',
        'ReadableStream',
        'TextDecoder',
        'AbortController',
        'Promise',
        'URL',
      ])
      expect(await legacy.evaluate(() => window.legacy!().legacyPage, null)).toEqual({installed: true, exports: (await build.exports()).sort()})
    })

    test('restarts the request past the responseText limit at an event boundary: no event lost or repeated, no error', async () => {
      // Read before the stream starts: WebKit's driver may run two evaluate calls in either order.
      const before = await legacy.evaluate(() => window.legacy!().transportCounts!.xhr, null)
      const result = await legacy.evaluate(async () => await window.legacy!().collect!('/long', {timeout: 20_000}), null)
      expect(result.reason).toBe('done')
      expect(result.errors).toEqual([])
      expect(result.opens).toBe(1)
      expect(result.ids).toEqual(Array.from({length: 3000}, (_, index) => String(index + 1)))
      expect(new Set(result.readyStates)).toEqual(new Set([1]))
      // 3000 events of about 410 characters: about 1.2 M characters, restarted every 256 Ki or a bit more.
      const requests = requestsTo('/long')
      expect(requests.length).toBeGreaterThanOrEqual(3)
      expect(requests.length).toBeLessThanOrEqual(6)
      const resumedFrom = requests.slice(1).map((request) => Number(request.headers['last-event-id']))
      for (const [index, id] of resumedFrom.entries()) {
        // Each restart resumes after the last event passed on, once past the limit.
        expect(id * 410).toBeGreaterThan((index + 1) * RESTART_AFTER * 0.9)
        expect(result.ids).toContain(String(id))
      }
      expect(requests[0]!.headers['last-event-id']).toBeUndefined()
      for (const request of requests) expect(request.url).toBe('/long')
      // Every request the server saw came over XMLHttpRequest; one more may have been opened: a restart
      // begun with the last chunk, which close() aborted before it reached the server.
      const opened = (await legacy.evaluate(() => window.legacy!().transportCounts!.xhr, null)) - before
      expect(opened === requests.length || opened === requests.length + 1, `${opened} opened, ${requests.length} seen`).toBe(true)
    })

    test('decodes UTF-8 cut between progress events, and sends a non-ASCII id as UTF-8 Last-Event-ID', async () => {
      const utf8 = await legacy.evaluate(async () => await window.legacy!().collect!('/utf8'), null)
      expect(utf8).toMatchObject({reason: 'done', errors: [], data: ['日本 é🎉'], ids: ['é→😀']})
      // WebKit's XMLHttpRequest refuses header characters above U+00FF, so an id holding one cannot
      // be sent there (divergences-webkit.ts); a Latin-1 one can, as UTF-8.
      const id = engine === 'webkit' ? 'café' : 'é→😀'
      const ids = await legacy.evaluate(async (path) => await window.legacy!().collect!(path), `/ids?id=${encodeURIComponent(id)}`)
      expect(ids).toMatchObject({reason: 'done', data: ['first', 'again'], ids: [id, id]})
      expect(ids.errors.map((error) => error.readyState)).toEqual([0])
      // Header values are bytes; Node reads them as Latin-1.
      expect(requestsTo('/ids').map((request) => request.headers['last-event-id'])).toEqual([
        undefined,
        Buffer.from(id).toString('latin1'),
      ])
    })

    test('ran under its CSP without a violation, on XMLHttpRequest alone', async () => {
      for (const page of [...legacyPool.pages, legacy]) {
        expect(await page.evaluate(() => window.legacy!().differential!.violations, null)).toEqual([])
        expect(await page.evaluate(() => window.legacy!().transportCounts!.fetch, null)).toBe(0)
      }
      expect([...servers.main.errors, ...servers.peer.errors]).toEqual([])
    })
  })

  describe('the script-tag build in a modern page', {timeout: 30_000}, () => {
    test('streams over fetch and leaves the native EventSource in place', async () => {
      const page = await openHarnessPage(running(), `${servers.main.origin}/modern`)
      try {
        const result = await page.evaluate(() => window.collect!('/plain'), null)
        expect(result).toMatchObject({reason: 'done', opens: 1, errors: [], data: ['one', 'two'], ids: ['1', '2']})
        expect(await page.evaluate(() => window.transportCounts, null)).toEqual({xhr: 0, fetch: 1})
        expect(await page.evaluate(() => /\[native code\]/.test(String(window.EventSource)), null)).toBe(true)
        expect(page.errors).toEqual([])
      } finally {
        await page.close()
      }
    })
  })

  test(`the divergences pinned for ${label}, in the legacy page, name real scenarios, each with its reason`, () => {
    checkDivergenceTable(engine, [divergences, legacyDivergences])
  })
}
