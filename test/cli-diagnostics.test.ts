// What the CLI tells about an endpoint beyond its events: the time to first byte, and warnings
// for what breaks event streams in production, each once: compression, a Content-Length, events
// held back and delivered together (a buffering proxy), no ids to resume from, a retry: that would
// storm, lines that are no field. A well-behaved stream gets none.
import {gzipSync} from 'node:zlib'
import {afterAll, beforeAll, expect, test} from 'vitest'
import {assertCliBuilt, cli} from './support/cli.js'
import {delay, formatEvent, sseHandler, startServer, startSse, type TestServer} from './support/sse-server.js'

let server: TestServer
const threeEvents = formatEvent({id: '1', data: 'a'}) + formatEvent({id: '2', data: 'b'}) + formatEvent({id: '3', data: 'c'})

beforeAll(async () => {
  assertCliBuilt()
  server = await startServer({
    '/good': sseHandler([': ok\nretry: 3000\n\n', formatEvent({id: '1', data: 'x'}), formatEvent({id: '2', data: 'y'})]),
    '/gzip': (_req, res) => {
      res.writeHead(200, {'Content-Type': 'text/event-stream', 'Content-Encoding': 'gzip'})
      res.end(gzipSync(threeEvents))
    },
    '/whole': (_req, res) => {
      res.writeHead(200, {'Content-Type': 'text/event-stream', 'Content-Length': Buffer.byteLength(threeEvents)})
      res.end(threeEvents)
    },
    // Headers at once, then every event in one write as the response ends, as a buffering proxy delivers them.
    '/held': async (_req, res) => {
      const stream = startSse(res)
      await delay(1000)
      await stream.write(threeEvents)
      await stream.end()
    },
    // Events, then silence, then a burst: a proxy that flushes its buffer now and then.
    '/burst': async (_req, res) => {
      const stream = startSse(res)
      await stream.send({id: '0', data: 'first'})
      await delay(2600)
      await stream.write(threeEvents)
    },
    '/no-ids': sseHandler([formatEvent({data: 'a'}), formatEvent({event: 'x', data: 'b'})]),
    '/stormy': sseHandler([formatEvent({retry: 100, id: '1', data: 'a'}), formatEvent({retry: 50, id: '2', data: 'b'})]),
    '/typo': sseHandler(['dat: oops\n\n', formatEvent({id: '1', data: 'fine'}), 'dat: again\nretry: soon\n\n']),
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

test.concurrent('Content-Encoding: the events still arrive, with a warning about compression', async () => {
  const {code, stdout, stderr} = await cli([`${server.url}gzip`, '--no-reconnect'])
  expect(code).toBe(0)
  expect(stdout.match(/^ {2}[abc]$/gm)).toEqual(['  a', '  b', '  c'])
  expect(warningsIn(stderr)).toEqual([expect.stringMatching(/^The stream is compressed \(Content-Encoding: gzip\): .*flush/)])
})

test.concurrent('Content-Length: the response was not streamed', async () => {
  const {stderr} = await cli([`${server.url}whole`, '--no-reconnect'])
  expect(warningsIn(stderr)).toEqual([expect.stringMatching(/^The response has a Content-Length \(\d+\): it was sent whole, not streamed/)])
})

test.concurrent('every event in the last read, well after the headers: something buffered the stream', async () => {
  const {code, stderr} = await cli([`${server.url}held`, '--no-reconnect'])
  expect(code).toBe(0)
  expect(warningsIn(stderr), stderr).toEqual([expect.stringMatching(/^All 3 events of the connection arrived in its last read, \d+ ms after the headers, as it ended: something buffered/)])
})

test.concurrent('a burst of events after seconds of silence: maybe a buffering proxy', async () => {
  const {code, stderr} = await cli([`${server.url}burst`, '--max-events', '4'])
  expect(code).toBe(0)
  expect(warningsIn(stderr), stderr).toEqual([expect.stringMatching(/^3 events arrived in one read after 2\.\d\d s without a byte: .*X-Accel-Buffering: no/)])
})

test.concurrent('no id: on any event: a reconnect cannot resume', async () => {
  const {stderr} = await cli([`${server.url}no-ids`, '--no-reconnect'])
  expect(warningsIn(stderr)).toEqual([expect.stringMatching(/^None of the 2 events had an id: field, so a reconnect cannot resume \(no Last-Event-ID\)/)])
  // With --max-events too, once.
  const one = await cli([`${server.url}no-ids`, '--max-events', '1'])
  expect(warningsIn(one.stderr)).toEqual([expect.stringMatching(/^The event had no id: field, so a reconnect cannot resume/)])
})

test.concurrent('retry: below a second: a reconnect storm waiting to happen, said once', async () => {
  const {stdout, stderr} = await cli([`${server.url}stormy`, '--no-reconnect'])
  expect(stdout).toMatch(/ retry: 100\n/)
  expect(stdout).toMatch(/ retry: 50\n/)
  expect(warningsIn(stderr)).toEqual([expect.stringMatching(/^retry: 100 asks clients to reconnect 100 ms after a drop: .*reconnect storm/)])
})

test.concurrent('lines that are no field: each unknown name once, and a retry: that is no number', async () => {
  const {stdout, stderr} = await cli([`${server.url}typo`, '--no-reconnect'])
  expect(stdout).toMatch(/ {2}fine\n$/)
  expect(warningsIn(stderr)).toEqual([
    'Ignored the unknown field "dat": "dat: oops" (the fields are data, event, id and retry; the line was skipped)',
    'Ignored a retry: that is not a whole number of milliseconds: "retry: soon"',
  ])
})
