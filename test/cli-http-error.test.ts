// A status other than 200: the CLI says which, shows what the response body says (the reason,
// usually), and exits 3; a status given to --retry-on-status reconnects instead.
import {afterAll, beforeAll, expect, test} from 'vitest'
import {assertCliBuilt, cli} from './support/cli.js'
import {respond, startServer, startSse, type TestServer} from './support/sse-server.js'

let server: TestServer
let busy = 0

beforeAll(async () => {
  assertCliBuilt()
  server = await startServer({
    '/private': respond(401, '{"error": "invalid_token", "detail": "Token expired"}', {
      'Content-Type': 'application/json',
      'WWW-Authenticate': 'Bearer error="invalid_token"',
    }),
    '/busy': (_req, res) => {
      if (++busy === 1) return void respond(503, 'try later', {'Retry-After': '0'})(_req, res, undefined as never)
      void startSse(res).send({data: 'served'})
    },
  })
})
afterAll(() => server.close())

test.concurrent('a 401: the status, the response body, exit 3, no reconnect; -v shows the response head, credentials shortened', async () => {
  const {code, stdout, stderr} = await cli([`${server.url}private`, '-v', '-H', 'Authorization: Bearer sekrit-token'])
  expect(code).toBe(3)
  expect(stdout).toBe('')
  expect(stderr).toMatch(/ > GET http:\/\/127\.0\.0\.1:\d+\/private\n {4}accept: text\/event-stream\n {4}authorization: Bearer \*\*\* \(19 characters\)\n/)
  expect(stderr).not.toContain('sekrit')
  expect(stderr).toMatch(/ < HTTP 401 Unauthorized\n(?: {4}.*\n)* {4}www-authenticate: Bearer error="invalid_token"\n/)
  expect(stderr).toMatch(/error EventSource request to http:\/\/127\.0\.0\.1:\d+\/private failed: HTTP 401 Unauthorized\n {4}response body: \{"error": "invalid_token", "detail": "Token expired"\}\n/)
  expect(stderr).toMatch(/end 0 events in .*, exit 3\n$/)
  expect(server.requests.filter((request) => request.path === '/private')).toHaveLength(1)
})

test.concurrent('--retry-on-status 503: the 503 is an error that reconnects, and the stream follows', async () => {
  const {code, stdout, stderr} = await cli([`${server.url}busy`, '--retry-on-status', '503', '--initial-delay', '10', '--max-events', '1'])
  expect(code).toBe(0)
  expect(stdout).toMatch(/ {2}served\n$/)
  expect(stderr).toMatch(/error EventSource request to .*\/busy failed: HTTP 503 Service Unavailable\n.* reconnect attempt 1 in 10 ms, no Last-Event-ID\n.* open 200 OK/)
})
