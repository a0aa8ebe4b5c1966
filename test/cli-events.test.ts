// `streamsource <url>` prints each event as it arrives: time, gap, type, id and data, with the
// comments and retry: fields of the stream in their place, dimmed on a terminal (plain here:
// stdout is a pipe). Run as a child process against a real local server.
import {beforeAll, expect, test, type TestContext} from 'vitest'
import {assertCliBuilt, cli, runCli} from './support/cli.js'
import {formatEvent, redirect, sseHandler, startServer, startSse, type TestServer} from './support/sse-server.js'

beforeAll(() => assertCliBuilt())

/** `HH:MM:SS.mmm +N ms` (or `+N.NN s`): the start of every event line. */
const HEAD = String.raw`\d\d:\d\d:\d\d\.\d{3} \+\d+(?:\.\d+)? (?:ms|s)`

test.concurrent('events, named events and ids print in stream order, with the comments and retry: between them (an event named error or open too)', async ({onTestFinished}) => {
  const server = await serve(onTestFinished, {
    '/events': sseHandler([
      ': hello\n\n',
      formatEvent({data: 'plain'}) + formatEvent({event: 'tick', id: '7', data: '{"n":7}'}),
      formatEvent({retry: 2500, data: 'two\nlines'}) + ': trailing comment\n\n',
      formatEvent({event: 'tick', data: ''}),
      formatEvent({id: '', data: 'cleared'}),
      // Named like the EventSource's own events: messages all the same.
      formatEvent({event: 'error', data: 'not a failure'}) + formatEvent({event: 'open', data: 'x'}),
    ]),
  })
  const {code, stdout, stderr} = await cli([`${server.url}events`, '--no-reconnect'])
  expect(code).toBe(0)
  const lines = stdout.split('\n')
  const expected = [
    /^\d\d:\d\d:\d\d\.\d{3} : hello$/,
    new RegExp(`^${HEAD} message$`),
    /^ {2}plain$/,
    new RegExp(`^${HEAD} tick id 7$`),
    // Not a terminal: the JSON stays as the server sent it.
    /^ {2}\{"n":7\}$/,
    /^\d\d:\d\d:\d\d\.\d{3} retry: 2500$/,
    new RegExp(`^${HEAD} message$`),
    /^ {2}two$/,
    /^ {2}lines$/,
    /^\d\d:\d\d:\d\d\.\d{3} : trailing comment$/,
    new RegExp(`^${HEAD} tick$`),
    /^ {2}\(empty\)$/,
    new RegExp(`^${HEAD} message id \\(cleared\\)$`),
    /^ {2}cleared$/,
    new RegExp(`^${HEAD} error$`),
    /^ {2}not a failure$/,
    new RegExp(`^${HEAD} open$`),
    /^ {2}x$/,
    /^$/,
  ]
  expect(lines).toHaveLength(expected.length)
  lines.forEach((line, index) => expect(line).toMatch(expected[index]!))
  // No colours on a pipe.
  expect(stdout + stderr).not.toContain('\u001b[')
  expect(stderr).toMatch(/open 200 OK/)
  expect(stderr).toMatch(/the server ended the stream \(--no-reconnect\): 7 events in .*, exit 0/)
})

test.concurrent('an event prints as it arrives, not when the stream ends, with the gap since the one before', async ({onTestFinished}) => {
  let stream: ReturnType<typeof startSse> | undefined
  const server = await serve(onTestFinished, {
    '/slow': (_req, res) => {
      stream = startSse(res)
      void stream.send({id: '1', data: 'first'})
    },
  })
  const run = runCli([`${server.url}slow`, '--max-events', '2'])
  await run.waitForStdout('first\n')
  expect(run.stdout()).toMatch(new RegExp(`^${HEAD} message id 1\n {2}first\n$`))
  await stream!.send({id: '2', data: 'second'})
  const {code, stdout, stderr} = await run.exited
  expect(code).toBe(0)
  expect(stdout).toMatch(/\n\d\d:\d\d:\d\d\.\d{3} \+\d+(?:\.\d+)? (?:ms|s) message id 2\n {2}second\n$/)
  expect(stderr).toMatch(/end --max-events 2 reached: 2 events in .*, exit 0\n$/)
  // The CLI closed its connection: the server sees the stream end.
  await stream!.closed
})

test.concurrent('a redirect is followed, and the open line says where it led', async ({onTestFinished}) => {
  const server = await serve(onTestFinished, {'/old': redirect('/new', 307), '/new': sseHandler([formatEvent({data: 'moved'})])})
  const {code, stdout, stderr} = await cli([`${server.url}old`, '--no-reconnect'])
  expect(code).toBe(0)
  expect(stdout).toMatch(/ {2}moved\n$/)
  expect(stderr).toMatch(/ open 200 OK \(redirected to http:\/\/127\.0\.0\.1:\d+\/new\), headers /)
})

/** A server for one test, closed when it ends (tests here run concurrently, each with its own). */
async function serve(onTestFinished: TestContext['onTestFinished'], ...args: Parameters<typeof startServer>): Promise<TestServer> {
  const server = await startServer(...args)
  onTestFinished(() => server.close())
  return server
}
