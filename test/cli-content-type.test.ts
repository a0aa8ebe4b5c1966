// A 200 that is no event stream (an HTML error page, JSON, no Content-Type at all): EventSource
// clients fail the connection, so the CLI warns, shows the start of the body, and exits 5.
import {afterAll, beforeAll, expect, test} from 'vitest'
import {assertCliBuilt, cli} from './support/cli.js'
import {respond, startServer, type TestServer} from './support/sse-server.js'

let server: TestServer

beforeAll(async () => {
  assertCliBuilt()
  server = await startServer({
    '/page': respond(200, `<!doctype html>\n${'<p>line</p>\n'.repeat(20)}`, {'Content-Type': 'text/html; charset=utf-8'}),
    '/untyped': (_req, res) => {
      res.writeHead(200)
      res.end('data: looks like a stream\n\n')
    },
  })
})
afterAll(() => server.close())

test.concurrent('text/html: a warning that names the type, the error, the first lines of the body, exit 5', async () => {
  const {code, stdout, stderr} = await cli([`${server.url}page`])
  expect(code).toBe(5)
  expect(stdout).toBe('')
  expect(stderr).toMatch(/warning The response's Content-Type is "text\/html; charset=utf-8", not text\/event-stream: .*Content-Type: text\/event-stream\n/)
  expect(stderr).toMatch(/error EventSource response from .*\/page has Content-Type "text\/html; charset=utf-8", not "text\/event-stream"\n {4}response body: <!doctype html>\n(?: {4}<p>line<\/p>\n){6} {4}<p>line<\/p>…\n/)
  expect(stderr).toMatch(/exit 5\n$/)
  expect(server.requests.filter((request) => request.path === '/page')).toHaveLength(1)
})

test.concurrent('no Content-Type at all: the same, though the body looks like events', async () => {
  const {code, stdout, stderr} = await cli([`${server.url}untyped`])
  expect(code).toBe(5)
  expect(stdout).toBe('')
  expect(stderr).toMatch(/warning The response's Content-Type is missing, not text\/event-stream/)
  expect(stderr).toMatch(/has Content-Type \(none\)/)
})
