// A server that is down: with the defaults the CLI keeps trying, as EventSource does, and says
// so; once the server is back the stream flows. With --no-reconnect it exits 4 at once.
import {beforeAll, expect, test, type TestContext} from 'vitest'
import {assertCliBuilt, cli, runCli} from './support/cli.js'
import {startServer, startSse, type TestServer} from './support/sse-server.js'

beforeAll(() => assertCliBuilt())

/** A port nothing listens on: a server's, once closed. */
async function closedPort(): Promise<number> {
  const closed = await startServer({})
  await closed.close()
  return closed.port
}

test.concurrent('the CLI retries a server that is down, each attempt on stderr, and streams once it is up', async ({onTestFinished}) => {
  const port = await closedPort()
  const run = runCli([`http://127.0.0.1:${port}/events`, '--initial-delay', '100ms', '--max-events', '1'])
  await run.waitForStderr(/reconnect attempt 2 in/)
  expect(run.stdout()).toBe('')
  await serve(onTestFinished, {'/events': (_req, res) => void startSse(res).send({data: 'back up'})}, {port})
  const {code, stdout, stderr} = await run.exited
  expect(code).toBe(0)
  expect(stdout).toMatch(/ {2}back up\n$/)
  expect(stderr).toMatch(/error Connection to http:\/\/127\.0\.0\.1:\d+\/events failed: fetch failed \(connect ECONNREFUSED 127\.0\.0\.1:\d+\)\n.* reconnect attempt 1 in 100 ms, no Last-Event-ID\n/)
  expect(stderr).toMatch(/ open 200 OK/)
})

test.concurrent('--no-reconnect: exit 4 at the first refusal, with the reason', async () => {
  const {code, stdout, stderr} = await cli([`http://127.0.0.1:${await closedPort()}/events`, '--no-reconnect'])
  expect(code).toBe(4)
  expect(stdout).toBe('')
  expect(stderr).toMatch(/error .*ECONNREFUSED.*\n.* end 0 events in .*, exit 4\n$/)
  expect(stderr).not.toMatch(/reconnect/)
})

/** A server for one test, closed when it ends (tests here run concurrently, each with its own). */
async function serve(onTestFinished: TestContext['onTestFinished'], ...args: Parameters<typeof startServer>): Promise<TestServer> {
  const server = await startServer(...args)
  onTestFinished(() => server.close())
  return server
}
