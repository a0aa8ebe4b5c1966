// What the CLI tells about an endpoint beyond its events: the time to first byte, and warnings
// for what breaks event streams in production, each once: compression, a Content-Length, events
// held back and delivered together (a buffering proxy), no ids to resume from, a retry: that would
// storm, lines that are no field. A well-behaved stream gets none.
import {gzipSync} from 'node:zlib'
import {afterAll, beforeAll, expect, test} from 'vitest'
import {warnings} from '../src/cli/diagnostics.js'
import {assertCliBuilt, cli, runCli} from './support/cli.js'
import {delay, formatEvent, sseHandler, startServer, startSse, type TestServer} from './support/sse-server.js'

let server: TestServer
/** By path: resolves once the CLI has shown what the server waits for before it goes on. */
const cliSaw = new Map<string, Promise<unknown>>()
const threeEvents = formatEvent({id: '1', data: 'a'}) + formatEvent({id: '2', data: 'b'}) + formatEvent({id: '3', data: 'c'})

beforeAll(async () => {
  assertCliBuilt()
  server = await startServer({
    '/good': sseHandler([': ok\nretry: 3000\n\n', formatEvent({id: '1', data: 'x'}), formatEvent({id: '2', data: 'y'})]),
    // Compressed, and sent whole: what a framework's compression middleware does to a stream.
    '/gzip': (_req, res) => {
      const body = gzipSync(threeEvents)
      res.writeHead(200, {'Content-Type': 'text/event-stream', 'Content-Encoding': 'gzip', 'Content-Length': body.length})
      res.end(body)
    },
    // Headers at once, then every event in one write as the response ends, as a buffering proxy
    // delivers them: a while after the CLI has seen the headers (it says `open`).
    '/held': async (_req, res) => {
      const stream = startSse(res)
      await cliSaw.get('/held')
      await delay(700)
      await stream.write(threeEvents)
      await stream.end()
    },
    // An event, then silence (from when the CLI has printed the event), then a burst: a proxy that
    // flushes its buffer now and then.
    '/burst': async (_req, res) => {
      const stream = startSse(res)
      await stream.send({id: '0', data: 'first'})
      await cliSaw.get('/burst')
      await delay(2200)
      await stream.write(threeEvents)
    },
    // No ids, a retry: that storms (twice), an unknown field (twice), a retry: that is no number.
    '/messy': sseHandler([
      formatEvent({retry: 100, data: 'a'}),
      'dat: oops\n\n',
      formatEvent({retry: 50, event: 'x', data: 'b'}),
      'dat: again\nretry: soon\n\n',
      formatEvent({data: 'fine'}),
    ]),
  })
})
afterAll(() => server.close())

/** The warnings on stderr, their timestamps left out. */
function warningsIn(stderr: string): string[] {
  return [...stderr.matchAll(/^\S+ warning (.*)$/gm)].map((match) => match[1]!)
}

test.concurrent('a well-behaved stream: the time to first byte, no warning', async () => {
  const {code, stderr} = await cli([`${server.url}good`, '--no-reconnect'])
  expect(code).toBe(0)
  expect(stderr).toMatch(/ ttfb \d+(?:\.\d+)? m?s to the first byte \(headers: \d+(?:\.\d+)? m?s\)\n/)
  expect(warningsIn(stderr)).toEqual([])
})

test.concurrent('Content-Encoding and Content-Length: the events still arrive, with a warning about each', async () => {
  const {code, stdout, stderr} = await cli([`${server.url}gzip`, '--no-reconnect'])
  expect(code).toBe(0)
  expect(stdout.match(/^ {2}[abc]$/gm)).toEqual(['  a', '  b', '  c'])
  expect(warningsIn(stderr)).toEqual([
    expect.stringMatching(/^The stream is compressed \(Content-Encoding: gzip\): .*flush/),
    expect.stringMatching(/^The response has a Content-Length \(\d+\): it was sent whole, not streamed/),
  ])
})

test.concurrent('every event in the last read, well after the headers: something buffered the stream', async () => {
  const run = runCli([`${server.url}held`, '--no-reconnect'])
  cliSaw.set('/held', run.waitForStderr(' open 200 OK'))
  const {code, stderr} = await run.exited
  expect(code).toBe(0)
  // (On a loaded machine the read may also come seconds after the headers: a burst warning too.)
  expect(warningsIn(stderr), stderr).toContainEqual(expect.stringMatching(/^All 3 events of the connection arrived in its last read, \d+ ms after the headers, as it ended: something buffered/))
})

test.concurrent('a burst of events after seconds of silence: maybe a buffering proxy', async () => {
  const run = runCli([`${server.url}burst`, '--max-events', '4'])
  cliSaw.set('/burst', run.waitForStdout('  first\n'))
  const {code, stderr} = await run.exited
  expect(code).toBe(0)
  expect(warningsIn(stderr), stderr).toEqual([expect.stringMatching(/^3 events arrived in one read after \d+\.\d\d s without a byte: .*X-Accel-Buffering: no/)])
})

test.concurrent('no ids, a stormy retry:, lines that are no field: each said once, in the order met', async () => {
  const {code, stdout, stderr} = await cli([`${server.url}messy`, '--no-reconnect'])
  expect(code).toBe(0)
  expect(stdout).toMatch(/ retry: 100\n/)
  expect(stdout).toMatch(/ retry: 50\n/)
  expect(stdout).toMatch(/ {2}fine\n$/)
  expect(warningsIn(stderr)).toEqual([
    expect.stringMatching(/^retry: 100 asks clients to reconnect 100 ms after a drop: .*reconnect storm/),
    'Ignored the unknown field "dat": "dat: oops" (the fields are data, event, id and retry; the line was skipped)',
    'Ignored a retry: that is not a whole number of milliseconds: "retry: soon"',
    expect.stringMatching(/^None of the 3 events had an id: field, so a reconnect cannot resume \(no Last-Event-ID\)/),
  ])
})

test('the warning about ids for a single event', () => {
  expect(warnings.noIds(1)).toMatch(/^The event had no id: field, so a reconnect cannot resume/)
})
