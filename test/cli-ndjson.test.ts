// --ndjson: one JSON object per event on stdout, nothing else there, for jq and scripts. Piped
// through a real pipe into another process that parses each line.
import {spawn} from 'node:child_process'
import {afterAll, beforeAll, expect, test} from 'vitest'
import {assertCliBuilt, cleanEnv, cliPath} from './support/cli.js'
import {formatEvent, sseHandler, startServer, type TestServer} from './support/sse-server.js'

let server: TestServer

beforeAll(async () => {
  assertCliBuilt()
  server = await startServer({
    '/events': sseHandler([
      ': a comment, which NDJSON leaves out\nretry: 5000\n\n',
      formatEvent({id: '1', event: 'price', data: '{"symbol":"SSE","price":101.5}'}),
      formatEvent({data: 'line one\nline "two"'}),
      formatEvent({event: 'price', id: '3', data: '{"symbol":"ACME","price":42}'}),
    ]),
  })
})
afterAll(() => server.close())

/** A consumer at the other end of the pipe: parses every line as JSON, and prints what it parsed. */
const PARSER = `
let text = ''
process.stdin.setEncoding('utf8').on('data', (chunk) => (text += chunk)).on('end', () => {
  const lines = text.split('\\n')
  if (lines.pop() !== '') throw new Error('the last line has no newline')
  process.stdout.write(JSON.stringify(lines.map((line) => JSON.parse(line))))
})`

test('--ndjson piped into a JSON parser: every line parses, one per event, with type, data, id, lastEventId and time', async () => {
  // A shell pipeline, as a user writes one; the CLI's exit code goes to stderr, after its own lines.
  const pipeline = `{ "$NODE" "$CLI" "$URL" --ndjson --no-reconnect; echo "exit $?" >&2; } | "$NODE" -e "$PARSER"`
  const shell = spawn('sh', ['-c', pipeline], {
    env: cleanEnv({NODE: process.execPath, CLI: cliPath, URL: `${server.url}events`, PARSER}),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let parsed = ''
  let stderr = ''
  shell.stdout.setEncoding('utf8').on('data', (chunk: string) => (parsed += chunk))
  shell.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const parserCode = await new Promise((resolve) => shell.on('close', resolve))
  const code = Number(/exit (\d+)\n$/.exec(stderr)?.[1])
  expect(code).toBe(0)
  expect(parserCode).toBe(0)
  const events = JSON.parse(parsed) as {type: string; data: string; id: string | null; lastEventId: string; time: string}[]
  expect(events.map(({time, ...event}) => event)).toEqual([
    {type: 'price', data: '{"symbol":"SSE","price":101.5}', id: '1', lastEventId: '1'},
    {type: 'message', data: 'line one\nline "two"', id: null, lastEventId: '1'},
    {type: 'price', data: '{"symbol":"ACME","price":42}', id: '3', lastEventId: '3'},
  ])
  for (const {time} of events) expect(new Date(time).toISOString()).toBe(time)
  expect(JSON.parse(events[2]!.data)).toEqual({symbol: 'ACME', price: 42})
  // The connection's story stays on stderr.
  expect(stderr).toMatch(/open 200 OK/)
})
