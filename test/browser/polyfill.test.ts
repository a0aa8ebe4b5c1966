// The built polyfill and createEventSource in real Chromium, on pages served with
// `Content-Security-Policy: script-src 'self'` (so nothing relies on inline script or eval):
// - a page whose classic script deletes window.EventSource before the module loads
//   /dist/polyfill.js, which must install the library's class, and it must stream events;
// - a normal page, where the polyfill must leave the native class alone and createEventSource must
//   give the native class for plain options and the library's class once headers are asked for.
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {useChromium, type WatchedPage} from '../support/chromium.js'
import {assertBuilt, distDir} from '../support/paths.js'
import {serveDirectory, servePage, startServer, startSse, STRICT_CSP as CSP, type Handler, type TestServer} from '../support/sse-server.js'

interface Collected {
  /** `type data` of each event until `count` messages, or `error` if the source failed first. */
  events: string[]
  readyState: number
  withCredentials: boolean
  isLibrary: boolean
  isNative: boolean
}

interface PageApi {
  /** What window.EventSource was before the polyfill module ran (set by the classic script). */
  before?: string
  /** Whether window.EventSource is the library's class, and whether it is the browser's. */
  globalIsLibrary(): boolean
  globalIsNative(): boolean
  /** `new EventSource(url)` by the global name, or `createEventSource(url, init)`; collects `count` messages. */
  collect(url: string, count: number, how: 'global' | 'create', init?: Record<string, unknown>): Promise<Collected>
}

declare global {
  interface Window {
    polyfillPage?: PageApi
  }
}


/** A classic script, so it runs before any module: the page then has no EventSource at all. */
const hideNative = `window.polyfillPage = {before: typeof window.EventSource}
delete window.EventSource
`

// Static imports run before the module body, so the polyfill is in place by the first line.
const pageModule = `import '/dist/polyfill.js'
import {createEventSource, EventSource as Library} from '/dist/index.js'

const isNative = (value) => typeof value === 'function' && /\\[native code\\]/.test(Function.prototype.toString.call(value))

window.polyfillPage = {
  ...window.polyfillPage,
  globalIsLibrary: () => window.EventSource === Library,
  globalIsNative: () => isNative(window.EventSource),
  collect(url, count, how, init) {
    const source = how === 'global' ? new EventSource(url) : createEventSource(url, init)
    const events = []
    const report = () => ({
      events,
      readyState: source.readyState,
      withCredentials: source.withCredentials,
      isLibrary: source instanceof Library,
      isNative: isNative(source.constructor),
    })
    return new Promise((resolve) => {
      source.onmessage = (event) => {
        events.push('message ' + event.data)
        if (events.length < count) return
        source.close()
        resolve(report())
      }
      source.onerror = () => {
        events.push('error')
        source.close()
        resolve(report())
      }
    })
  },
}
document.documentElement.dataset.ready = 'true'
`

function page(head: string): Handler {
  return servePage('streamsource polyfill', head, '<p>Driven by test/browser/polyfill.test.ts.</p>')
}

function script(source: string): Handler {
  return (_req, res) => {
    res.writeHead(200, {'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'no-store'})
    res.end(source)
  }
}

describe('polyfill and createEventSource in Chromium', {timeout: 60_000}, () => {
  let server: TestServer

  beforeAll(async () => {
    assertBuilt()
    server = await startServer({
      'GET /without-native': page('<script src="/hide-native.js"></script>\n<script type="module" src="/page.js"></script>'),
      'GET /with-native': page('<script type="module" src="/page.js"></script>'),
      'GET /hide-native.js': script(hideNative),
      'GET /page.js': script(pageModule),
      'GET /dist/*': serveDirectory(distDir, '/dist/'),
      // Two events, then the stream stays open: the page closes the source once it has both.
      'GET /events': async (_req, res, {url}) => {
        const stream = startSse(res)
        const run = url.searchParams.get('run') ?? ''
        await stream.send({data: `${run} one`})
        await stream.send({data: `${run} two`})
      },
    })
  })
  const chromium = useChromium()

  afterAll(async () => {
    await server?.close()
  })

  function open(path: string): Promise<WatchedPage> {
    return chromium.openPage(new URL(path, server.url).href, {
      csp: CSP,
      ready: () => document.documentElement.dataset['ready'] === 'true',
      timeout: 15_000,
    })
  }

  function requestsFor(run: string) {
    return server.requests.filter((request) => request.url === `/events?run=${run}`)
  }

  test('where EventSource was deleted, the polyfill installs the library class and it streams', async () => {
    const {page, errors} = await open('/without-native')
    expect(await page.evaluate(() => window.polyfillPage!.before)).toBe('function')
    expect(await page.evaluate(() => window.polyfillPage!.globalIsLibrary())).toBe(true)
    expect(await page.evaluate(() => window.polyfillPage!.globalIsNative())).toBe(false)

    const result = await page.evaluate(() => window.polyfillPage!.collect('/events?run=global', 2, 'global'))
    expect(result).toEqual({
      events: ['message global one', 'message global two'],
      readyState: 2,
      withCredentials: false,
      isLibrary: true,
      isNative: false,
    })
    expect(requestsFor('global')).toHaveLength(1)
    expect(requestsFor('global')[0]!.headers['accept']).toBe('text/event-stream')
    expect(errors).toEqual([])
  })

  test('with no native class, createEventSource gives the library class even for plain options', async () => {
    const {page, errors} = await open('/without-native')
    const result = await page.evaluate(() => window.polyfillPage!.collect('/events?run=create-polyfilled', 2, 'create'))
    expect(result).toEqual({
      events: ['message create-polyfilled one', 'message create-polyfilled two'],
      readyState: 2,
      withCredentials: false,
      isLibrary: true,
      isNative: false,
    })
    expect(errors).toEqual([])
  })

  test('in a normal page the polyfill leaves the native EventSource in place', async () => {
    const {page, errors} = await open('/with-native')
    expect(await page.evaluate(() => window.polyfillPage!.globalIsNative())).toBe(true)
    expect(await page.evaluate(() => window.polyfillPage!.globalIsLibrary())).toBe(false)
    expect(errors).toEqual([])
  })

  test('createEventSource gives the native class for plain options', async () => {
    const {page, errors} = await open('/with-native')
    for (const [run, init] of [
      ['native-none', undefined],
      ['native-empty', {}],
      ['native-credentials', {withCredentials: true}],
    ] as const) {
      const result = await page.evaluate(
        ([url, options]) => window.polyfillPage!.collect(url, 2, 'create', options),
        [`/events?run=${run}`, init] as const,
      )
      expect(result, run).toEqual({
        events: [`message ${run} one`, `message ${run} two`],
        readyState: 2,
        withCredentials: init?.withCredentials === true,
        isLibrary: false,
        isNative: true,
      })
    }
    expect(errors).toEqual([])
  })

  test('createEventSource gives the library class once headers are asked for, and sends them', async () => {
    const {page, errors} = await open('/with-native')
    const result = await page.evaluate(() =>
      window.polyfillPage!.collect('/events?run=headers', 2, 'create', {headers: {'X-Token': 'abc'}}),
    )
    expect(result).toEqual({
      events: ['message headers one', 'message headers two'],
      readyState: 2,
      withCredentials: false,
      isLibrary: true,
      isNative: false,
    })
    expect(requestsFor('headers').map((request) => request.headers['x-token'])).toEqual(['abc'])
    expect(errors).toEqual([])
  })
})
