// Ctrl-C (SIGINT) closes cleanly: the connection is closed (the server sees it go), a summary on
// stderr, exit 130; SIGTERM the same with 143.
import {beforeAll, expect, test, type TestContext} from 'vitest'
import {assertCliBuilt, runCli} from './support/cli.js'
import {startServer, startSse, type SseStream, type TestServer} from './support/sse-server.js'

beforeAll(() => assertCliBuilt())

test.concurrent.for([
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const)('%s: the connection closes at the server, and the CLI exits %i', async ([signal, expected], {onTestFinished}) => {
  const streams: SseStream[] = []
  const server = await serve(onTestFinished, {
    '/events': (_req, res) => {
      const stream = startSse(res)
      streams.push(stream)
      void stream.send({id: '1', data: 'first'})
    },
  })
  const run = runCli([`${server.url}events`])
  await run.waitForStdout('  first\n')
  expect(server.activeRequests()).toBe(1)
  run.child.kill(signal)
  const {code, signal: killedBy, stderr} = await run.exited
  expect(killedBy).toBe(null)
  expect(code).toBe(expected)
  expect(stderr).toMatch(new RegExp(`end interrupted \\(${signal}\\): 1 event in .*, exit ${expected}\\n$`))
  await streams[0]!.closed
  expect(server.activeRequests()).toBe(0)
  expect(streams).toHaveLength(1)
})

/** A server for one test, closed when it ends (tests here run concurrently, each with its own). */
async function serve(onTestFinished: TestContext['onTestFinished'], ...args: Parameters<typeof startServer>): Promise<TestServer> {
  const server = await startServer(...args)
  onTestFinished(() => server.close())
  return server
}
