// The built parser in real Chromium: a page served under `Content-Security-Policy:
// script-src 'self'` imports /dist/index.js, fetches an event stream that the server writes
// in deliberately awkward pieces, and reports what it parsed.
import {fileURLToPath} from 'node:url'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {useChromium, type WatchedPage} from '../support/chromium.js'
import {assertBuilt, distDir} from '../support/paths.js'
import {bytes, serveDirectory, serveFile, startServer, startSse, utf8, type TestServer} from '../support/sse-server.js'

interface ParsedEvent {
  id: string | undefined
  event: string | undefined
  data: string
}

interface FeedResult {
  status: number
  events: ParsedEvent[]
  retries: number[]
  comments: string[]
  errors: string[]
  /** Byte length of each read of the response body, in order. */
  reads: number[]
}

interface StreamResult {
  status: number
  events: ParsedEvent[]
  reads: number[]
}

// What fixtures/parser-harness.js puts on window.
declare global {
  interface Window {
    parserHarness?: {
      parseWithFeed(streamUrl: string, ackUrl: string): Promise<FeedResult>
      parseWithStream(streamUrl: string, ackUrl: string): Promise<StreamResult>
      violations: string[]
    }
  }
}

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url))
const CSP = "script-src 'self'"

/** The bytes of `char` cut at byte `at`: the two halves of a split multi-byte character. */
function cut(char: string, at: number): [Uint8Array, Uint8Array] {
  const encoded = utf8(char)
  return [encoded.subarray(0, at), encoded.subarray(at)]
}

const [bomHead, bomTail] = cut('\uFEFF', 2)
const [eAcuteHead, eAcuteTail] = cut('é', 1)
const [partyHead, partyTail] = cut('🎉', 2)
const sun = utf8('日')

// Each entry is one write; the server sends the next only after the page has read this one.
const awkwardChunks: Uint8Array[] = [
  bomHead, // the BOM cut after two of its three bytes
  bytes(bomTail, ': hello comment\r'), // a comment whose CRLF is split across writes…
  bytes('\nretry: 1500\r\n\r'), // …and so is the blank line's after `retry`
  // CR | LF inside an event: read as two line ends, it would dispatch before `data` arrives.
  bytes('\nid: 1\r\nevent: greeting\r'),
  bytes('\ndata: h', eAcuteHead), // 'é' cut between its two bytes
  bytes(eAcuteTail, 'llo w'),
  bytes('örld\r\n\r\nda'), // a field name cut: 'da' | 'ta:'
  bytes('ta: line one\ndata: line two\n'),
  bytes('\nid: 2\rdata: emoji ', partyHead), // bare CR line ends; a 4-byte emoji cut in half
  bytes(partyTail, ' and ', sun.subarray(0, 1)), // a 3-byte character cut into three writes
  sun.subarray(1, 2),
  bytes(sun.subarray(2), '本\r'),
  bytes('\r'), // the blank line that dispatches, alone in its write
  bytes(': another comment\nevent: update\r\ndata: {"price":42}\r\nid: 3\r\n\r\n'),
  bytes('data:no space\ndata:  two spaces\n\nid\ndata: reset\n\n'),
  // No blank line follows before the stream ends, so this event is never dispatched.
  bytes('data: never dispatched\n'),
]

const expectedEvents: ParsedEvent[] = [
  {id: '1', event: 'greeting', data: 'héllo wörld'},
  {id: undefined, event: undefined, data: 'line one\nline two'},
  {id: '2', event: undefined, data: 'emoji 🎉 and 日本'},
  {id: '3', event: 'update', data: '{"price":42}'},
  // Only the one space after the colon is dropped.
  {id: undefined, event: undefined, data: 'no space\n two spaces'},
  // `id` with no colon sets an empty id.
  {id: '', event: undefined, data: 'reset'},
]

/** Byte offsets where one write ends and the next begins. */
const boundaries = awkwardChunks.slice(0, -1).reduce<number[]>((offsets, chunk) => {
  offsets.push((offsets.at(-1) ?? 0) + chunk.length)
  return offsets
}, [])

/** Byte counts each run's page has acknowledged, so the stream can wait for them. */
class Acks {
  #received = new Map<string, number>()
  #wakers = new Set<() => void>()

  record(run: string, received: number) {
    this.#received.set(run, Math.max(received, this.#received.get(run) ?? 0))
    for (const wake of [...this.#wakers]) wake()
  }

  /** Resolves once `run` has read `count` bytes, or after `timeout` anyway: the boundary check then fails and says so. */
  waitFor(run: string, count: number, timeout = 10_000): Promise<void> {
    return new Promise((resolveWait) => {
      const check = () => {
        if ((this.#received.get(run) ?? 0) < count) return
        done()
      }
      const done = () => {
        clearTimeout(timer)
        this.#wakers.delete(check)
        resolveWait()
      }
      const timer = setTimeout(done, timeout)
      this.#wakers.add(check)
      check()
    })
  }
}

// A busy two-core machine can be slow to start Chromium and load pages: generous limits.
describe('parser in Chromium', {timeout: 60_000}, () => {
  let server: TestServer
  const acks = new Acks()
  let runs = 0

  beforeAll(async () => {
    assertBuilt()
    server = await startServer({
      'GET /': serveFile(fixture('parser-page.html'), {'Content-Security-Policy': CSP}),
      'GET /harness.js': serveFile(fixture('parser-harness.js')),
      'GET /dist/*': serveDirectory(distDir, '/dist/'),
      'GET /stream/awkward': async (_req, res, {url}) => {
        const run = url.searchParams.get('run') ?? ''
        const stream = startSse(res)
        await stream.writeChunks(awkwardChunks, {
          between: (index) => acks.waitFor(run, boundaries[index - 1] ?? 0),
        })
        await stream.end()
      },
      'POST /ack': (_req, res, {url}) => {
        acks.record(url.searchParams.get('run') ?? '', Number(url.searchParams.get('received')))
        res.writeHead(204)
        res.end()
      },
    })
  })
  const chromium = useChromium()

  afterAll(async () => {
    await server?.close()
  })

  /** Opens the harness page and waits until its module (and so /dist/index.js) has loaded. */
  function openHarness(): Promise<WatchedPage> {
    return chromium.openPage(server.url, {
      csp: CSP,
      ready: () => document.documentElement.dataset['ready'] === 'true',
      timeout: 15_000,
    })
  }

  function streamUrls() {
    const run = String(++runs)
    return [`/stream/awkward?run=${run}`, `/ack?run=${run}`] as const
  }

  /** Cumulative read offsets in the page: every write boundary must be among them. */
  function missingBoundaries(reads: number[]): number[] {
    const offsets = new Set<number>()
    let total = 0
    for (const length of reads) offsets.add((total += length))
    return boundaries.filter((boundary) => !offsets.has(boundary))
  }

  test('createParser().feed(Uint8Array) parses a stream cut at every awkward place', async () => {
    const {page, errors} = await openHarness()
    const urls = streamUrls()
    const result = await page.evaluate(([stream, ack]) => window.parserHarness!.parseWithFeed(stream, ack), urls)

    expect(result.status).toBe(200)
    // The splits really reached the parser as separate feeds (not merged on the way).
    expect(missingBoundaries(result.reads)).toEqual([])
    expect(result.events).toEqual(expectedEvents)
    expect(result.retries).toEqual([1500])
    // Whether the space after ':' is kept is the parser's business; the text is not.
    expect(result.comments.map((comment) => comment.trim())).toEqual(['hello comment', 'another comment'])
    expect(result.errors).toEqual([])
    expect(await page.evaluate(() => window.parserHarness!.violations)).toEqual([])
    expect(errors).toEqual([])
  })

  test('response.body.pipeThrough(new EventSourceParserStream()) gives the same events', async () => {
    const {page, errors} = await openHarness()
    const urls = streamUrls()
    const result = await page.evaluate(([stream, ack]) => window.parserHarness!.parseWithStream(stream, ack), urls)

    expect(result.status).toBe(200)
    expect(missingBoundaries(result.reads)).toEqual([])
    expect(result.events).toEqual(expectedEvents)
    expect(await page.evaluate(() => window.parserHarness!.violations)).toEqual([])
    expect(errors).toEqual([])
  })

  test('the CSP is really enforced on that page: an inline script is refused', async () => {
    // Without this, the tests above would also pass on a page that ignored the policy.
    const {page, errors} = await openHarness()
    await page.evaluate(() => {
      const script = document.createElement('script')
      script.textContent = 'window.inlineScriptRan = true'
      document.head.append(script)
    })
    await page.waitForFunction(() => window.parserHarness!.violations.length > 0, null, {timeout: 10_000})
    expect(await page.evaluate(() => 'inlineScriptRan' in window)).toBe(false)
    expect(await page.evaluate(() => window.parserHarness!.violations)).toEqual([
      expect.stringMatching(/^script-src/),
    ])
    // Chromium reports the refusal on the console too (so the error collection the other
    // tests rely on does see CSP problems); the message may trail the DOM event a little.
    await expect.poll(() => errors, {timeout: 10_000}).toEqual([expect.stringContaining('Content Security Policy')])
  })
})
