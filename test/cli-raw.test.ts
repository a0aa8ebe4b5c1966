// --raw: the bytes as the server sent them, for debugging framing: CRLF, comments, a split
// multi-byte character, an unterminated last event, all untouched; the events still count.
import {afterAll, beforeAll, expect, test} from 'vitest'
import {assertCliBuilt, cli} from './support/cli.js'
import {bytes, sseHandler, startServer, type TestServer} from './support/sse-server.js'

let server: TestServer
const euro = new TextEncoder().encode('€')
const chunks = [
  bytes(': hi\r\n\r\ndata: a\r'),
  bytes('\n\r\nevent: x\ndata: ', euro.subarray(0, 1)),
  bytes(euro.subarray(1), '\n\n'),
  bytes('data: never dispatched'),
]

beforeAll(async () => {
  assertCliBuilt()
  server = await startServer({'/raw': sseHandler(chunks)})
})
afterAll(() => server.close())

test('--raw prints the bytes as received, and nothing else on stdout', async () => {
  const {code, stdout, stderr} = await cli([`${server.url}raw`, '--raw', '--no-reconnect'])
  expect(code).toBe(0)
  expect(stdout).toBe(': hi\r\n\r\ndata: a\r\n\r\nevent: x\ndata: €\n\ndata: never dispatched')
  expect(stderr).toMatch(/the server ended the stream \(--no-reconnect\): 2 events in/)
})
