// Exit codes a script can use: 0 for a stream that ended normally or --max-events, and distinct
// codes for each kind of failure. The codes this file does not run are run where their story is
// told: 0 for --once in cli-post, for --no-reconnect and --max-events in cli-events; 2 in cli-usage;
// 3 in cli-http-error; 4 for a server that is down in cli-server-down; 5 in cli-content-type;
// 130 and 143 in cli-sigint.
import {afterAll, beforeAll, expect, test} from 'vitest'
import {assertCliBuilt, cli} from './support/cli.js'
import {respond, sseHandler, startServer, startSse, type TestServer} from './support/sse-server.js'

let server: TestServer

beforeAll(async () => {
  assertCliBuilt()
  server = await startServer({
    '/open': (_req, res) => void startSse(res).send({id: '1', data: 'one'}),
    '/silent': (_req, res) => void startSse(res),
    '/drops': (_req, res) => {
      const stream = startSse(res)
      void stream.send({data: 'then a drop'}).then(() => stream.drop())
    },
    '/huge': sseHandler([`data: ${'x'.repeat(200)}\n\n`]),
    '/forbidden': respond(403, 'no'),
  })
})
afterAll(() => server.close())

test.concurrent.each([
  [1, 'an event past --max-event-size', ['/huge', '--max-event-size', '100'], /error An event or line passed maxEventSize \(100 characters\)\n/],
  [4, 'a connection that drops, with --no-reconnect', ['/drops', '--no-reconnect'], /error Connection to .*\/drops failed: /],
  [4, 'a drop without ids, with --once (no resume possible)', ['/drops', '--once'], /error Connection to .*\/drops failed: /],
  [6, '--timeout', ['/silent', '--timeout', '300ms'], /end timed out after 300 ms \(--timeout\): 0 events in /],
] as const)('exit %i: %s', async (expected, _name, [path, ...args], message) => {
  const {code, stderr} = await cli([`${server.url}${path.slice(1)}`, ...args])
  expect(code, stderr).toBe(expected)
  expect(stderr).toMatch(message)
  expect(stderr).toMatch(new RegExp(`exit ${expected}\\n$`))
})

test.concurrent('--quiet: nothing on stderr but the fatal error, with the same exit code', async () => {
  const [refused, fine] = await Promise.all([cli([`${server.url}forbidden`, '--quiet']), cli([`${server.url}open`, '--quiet', '--max-events', '1'])])
  expect(refused.code).toBe(3)
  expect(refused.stderr).toMatch(/^\S+ error EventSource request to .*\/forbidden failed: HTTP 403 Forbidden\n {4}response body: no\n$/)
  expect(fine.code).toBe(0)
  expect(fine.stderr).toBe('')
  expect(fine.stdout).toMatch(/ {2}one\n$/)
})
