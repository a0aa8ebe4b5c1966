// The CLI reconnects as the library does, and says so on stderr: each error, each reconnect with
// its attempt, delay and the Last-Event-ID it resumes from; `--last-event-id` resumes from the start.
import {beforeAll, expect, test, type TestContext} from 'vitest'
import {assertCliBuilt, runCli} from './support/cli.js'
import {startServer, startSse, type TestServer} from './support/sse-server.js'

beforeAll(() => assertCliBuilt())

test.concurrent('after the stream ends, the CLI reconnects with Last-Event-ID and goes on from there', async ({onTestFinished}) => {
  const server = await serve(onTestFinished, {
    '/feed': async (req, res) => {
      const stream = startSse(res)
      const last = Number(req.headers['last-event-id'] ?? 0)
      await stream.send({id: String(last + 1), data: `event ${last + 1}`})
      await stream.send({id: String(last + 2), data: `event ${last + 2}`})
      // The first connection ends cleanly; the second stays open until the CLI leaves.
      if (last === 0) await stream.end()
    },
  })
  const run = runCli([`${server.url}feed`, '--initial-delay', '50ms', '--max-events', '4'])
  const {code, stdout, stderr} = await run.exited
  expect(code).toBe(0)
  expect(server.requests.map((request) => request.headers['last-event-id'])).toEqual([undefined, '2'])
  expect(stdout.match(/^ {2}event \d$/gm)).toEqual(['  event 1', '  event 2', '  event 3', '  event 4'])
  expect(stderr).toMatch(/error The server ended the stream\n.* reconnect attempt 1 in 50 ms, Last-Event-ID: 2\n.* open 200 OK/)
  expect(stderr.match(/ open 200 OK/g)).toHaveLength(2)
})

test.concurrent('--last-event-id is sent from the first request on; a drop reconnects, with the id the stream sent since', async ({onTestFinished}) => {
  const server = await serve(onTestFinished, {
    '/resume': async (req, res) => {
      const stream = startSse(res)
      if (req.headers['last-event-id'] === '41') {
        await stream.send({id: '42', data: 'resumed'})
        // A dropped connection, not a clean end.
        stream.drop()
      } else await stream.send({data: `after ${String(req.headers['last-event-id'])}`})
    },
  })
  const run = runCli([`${server.url}resume`, '--last-event-id', '41', '--initial-delay', '10', '--max-events', '2'])
  const {code, stdout, stderr} = await run.exited
  expect(code).toBe(0)
  expect(server.requests.map((request) => request.headers['last-event-id'])).toEqual(['41', '42'])
  expect(stdout).toMatch(/ message id 42\n {2}resumed\n.* message\n {2}after 42\n$/)
  expect(stderr).toMatch(/error Connection to .* failed: .*\n.* reconnect attempt 1 in 10 ms, Last-Event-ID: 42\n/)
})

test.concurrent('--max-attempts gives up on a server that keeps refusing: each reconnect shown, then exit 4', async ({onTestFinished}) => {
  const server = await serve(onTestFinished, {'/down': (req) => void req.socket.destroy()})
  const run = runCli([`${server.url}down`, '--initial-delay', '10', '--max-attempts', '2'])
  const {code, stderr} = await run.exited
  expect(code).toBe(4)
  expect(server.requests).toHaveLength(3)
  expect(stderr.match(/reconnect attempt \d+ in \S+ ms, no Last-Event-ID/g)).toEqual([
    expect.stringContaining('attempt 1 in 10 ms'),
    expect.stringContaining('attempt 2 in'),
  ])
  expect(stderr).toMatch(/error Connection to .* failed: .*; gave up after 2 reconnect attempts\n.* end 0 events in .*, exit 4\n$/)
})

/** A server for one test, closed when it ends (tests here run concurrently, each with its own). */
async function serve(onTestFinished: TestContext['onTestFinished'], ...args: Parameters<typeof startServer>): Promise<TestServer> {
  const server = await startServer(...args)
  onTestFinished(() => server.close())
  return server
}
