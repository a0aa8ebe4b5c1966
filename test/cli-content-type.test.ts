// A 200 that is no event stream (an HTML error page from a proxy, say): EventSource
// clients fail the connection, so the CLI warns, shows the start of the body, and exits 5.
import {afterAll, beforeAll, expect, test} from 'vitest'
import {assertCliBuilt, cli} from './support/cli.js'
import {respond, startServer, type TestServer} from './support/sse-server.js'

let server: TestServer

beforeAll(async () => {
  assertCliBuilt()
  server = await startServer({
    '/page': respond(200, `<!doctype html>\n${'<p>line</p>\n'.repeat(20)}`, {'Content-Type': 'text/html; charset=utf-8'}),
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
