// Ctrl-C (SIGINT) closes cleanly: the connection is closed (the server sees it go), a summary on
// stderr, exit 130; SIGTERM the same with 143.
import {afterEach, beforeAll, expect, test} from 'vitest'
import {assertCliBuilt, runCli} from './support/cli.js'
import {startServer, startSse, type SseStream, type TestServer} from './support/sse-server.js'

let server: TestServer | undefined

beforeAll(() => assertCliBuilt())
afterEach(async () => {
  await server?.close()
  server = undefined
})

test.each([
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const)('%s: the connection closes at the server, and the CLI exits %i', async (signal, expected) => {
  const streams: SseStream[] = []
  server = await startServer({
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
