// Exit codes a script can use, one scenario each: 0 for a stream that ended normally or
// --max-events, and distinct codes for another failure, bad usage, an HTTP error, a network
// failure, a response that is no event stream, --timeout, and Ctrl-C (see cli-sigint.test.ts).
import {afterAll, beforeAll, expect, test} from 'vitest'
import {assertCliBuilt, cli} from './support/cli.js'
import {formatEvent, respond, sseHandler, startServer, startSse, type TestServer} from './support/sse-server.js'

let server: TestServer
/** A port nothing listens on: a server's, once closed. */
let closedPort: number

beforeAll(async () => {
  assertCliBuilt()
  server = await startServer({
    '/ends': sseHandler([formatEvent({id: '1', data: 'one'})]),
    '/open': (_req, res) => void startSse(res).send({id: '1', data: 'one'}),
    '/silent': (_req, res) => void startSse(res),
    '/drops': (_req, res) => {
      const stream = startSse(res)
      void stream.send({data: 'then a drop'}).then(() => stream.drop())
    },
    '/huge': sseHandler([`data: ${'x'.repeat(200)}\n\n`]),
    '/forbidden': respond(403, 'no'),
    '/json': respond(200, '{}', {'Content-Type': 'application/json'}),
  })
  const closed = await startServer({})
  closedPort = closed.port
  await closed.close()
})
afterAll(() => server.close())

test.concurrent.each([
  [0, 'the stream ended (--once)', ['/ends', '--once']],
  [0, 'the stream ended (--no-reconnect)', ['/ends', '--no-reconnect']],
  [0, '--max-events reached', ['/open', '--max-events', '1']],
  [1, 'an event past --max-event-size', ['/huge', '--max-event-size', '100']],
  [2, 'bad usage', ['/ends', '--no-such-option']],
  [3, 'an HTTP error status', ['/forbidden']],
  [4, 'a connection that drops, with --no-reconnect', ['/drops', '--no-reconnect']],
  [4, 'a drop without ids, with --once (no resume possible)', ['/drops', '--once']],
  [5, 'a response that is no event stream', ['/json']],
  [6, '--timeout', ['/silent', '--timeout', '200ms']],
] as const)('exit %i: %s', async (expected, _name, [path, ...args]) => {
  const {code, stderr} = await cli([`${server.url}${path.slice(1)}`, ...args])
  expect(code, stderr).toBe(expected)
  if (expected !== 2) expect(stderr).toMatch(new RegExp(`exit ${expected}\\n$`))
})

test.concurrent('exit 4: a server that is down, with --no-reconnect', async () => {
  const {code, stdout, stderr} = await cli([`http://127.0.0.1:${closedPort}/events`, '--no-reconnect'])
  expect(code).toBe(4)
  expect(stdout).toBe('')
  expect(stderr).toMatch(/error Connection to http:\/\/127\.0\.0\.1:\d+\/events failed: fetch failed \(connect ECONNREFUSED 127\.0\.0\.1:\d+\)\n/)
})

test.concurrent('exit 6: --timeout while a server that is down keeps being retried', async () => {
  const {code, stderr} = await cli([`http://127.0.0.1:${closedPort}/events`, '--timeout', '0.3', '--initial-delay', '50'])
  expect(code).toBe(6)
  expect(stderr).toMatch(/reconnect attempt 1 in 50 ms/)
  expect(stderr).toMatch(/end timed out after 300 ms \(--timeout\): 0 events in .*, exit 6\n$/)
})
