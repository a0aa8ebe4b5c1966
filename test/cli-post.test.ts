// curl's request options: -X, repeatable -H, and bodies from -d, --data-binary and --json, given
// inline, from a file (@file) or from standard input (@-), sent again as they were on a reconnect.
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, expect, test} from 'vitest'
import {assertCliBuilt, cli} from './support/cli.js'
import {startServer, startSse, type TestServer} from './support/sse-server.js'

let server: TestServer
const dir = mkdtempSync(join(tmpdir(), 'streamsource-cli-'))

beforeAll(async () => {
  assertCliBuilt()
  server = await startServer({
    // An LLM-style completion: the answer, then the end of the response.
    '/chat': async (req, res, {request}) => {
      const stream = startSse(res)
      await stream.send({data: JSON.stringify({method: request.method, type: req.headers['content-type'] ?? null, body: request.body})})
      await stream.send({data: '[DONE]'})
      await stream.end()
    },
  })
})

/** The requests of one test (they run concurrently): those with its `?test=` query. */
function requestsOf(name: string) {
  return server.requests.filter((request) => request.url === `/chat?test=${name}`)
}
afterAll(async () => {
  await server.close()
  rmSync(dir, {recursive: true, force: true})
})

/** The first event's data, as the /chat route echoes the request. */
function echoed(stdout: string): {method: string; type: string | null; body: string} {
  return JSON.parse(stdout.split('\n')[1]!.trim())
}

test.concurrent('--json @- POSTs standard input as JSON, with the -H headers, and --once exits 0 when the response ends', async () => {
  const prompt = JSON.stringify({prompt: 'Hello', stream: true})
  const {code, stdout, stderr} = await cli(
    [`${server.url}chat?test=json`, '--once', '--json', '@-', '-H', 'Authorization: Bearer t0ken', '-H', 'X-One: 1', '-H', 'x-one: again'],
    {input: prompt},
  )
  expect(code).toBe(0)
  expect(echoed(stdout)).toEqual({method: 'POST', type: 'application/json', body: prompt})
  expect(stdout).toMatch(/ {2}\[DONE\]\n$/)
  const requests = requestsOf('json')
  expect(requests).toHaveLength(1)
  expect(requests[0]!.headers['authorization']).toBe('Bearer t0ken')
  expect(requests[0]!.headers['accept']).toBe('text/event-stream')
  // -H is repeatable, and a name given twice sends both values.
  expect(requests[0]!.headers['x-one']).toBe('1, again')
  expect(stderr).toMatch(/end the server ended the stream \(--once\): 2 events in .*, exit 0\n$/)
})

test.concurrent('-d is form-encoded unless a Content-Type is given, joins repeats with &, and drops the newlines of a file', async () => {
  writeFileSync(join(dir, 'form.txt'), 'b=2\nc=3\r\n')
  const form = await cli([`${server.url}chat`, '--once', '-d', 'a=1', '-d', `@${join(dir, 'form.txt')}`])
  expect(form.code).toBe(0)
  expect(echoed(form.stdout)).toEqual({method: 'POST', type: 'application/x-www-form-urlencoded', body: 'a=1&b=2c=3'})

  writeFileSync(join(dir, 'body.json'), '{\n  "x": 1\n}\n')
  const binary = await cli([`${server.url}chat`, '--once', '-X', 'put', '-H', 'content-type: application/json', '--data-binary', `@${join(dir, 'body.json')}`])
  expect(binary.code).toBe(0)
  expect(echoed(binary.stdout)).toEqual({method: 'PUT', type: 'application/json', body: '{\n  "x": 1\n}\n'})
})

test.concurrent('a body from standard input goes again, unchanged, with each reconnect', async () => {
  const {code, stderr} = await cli([`${server.url}chat?test=again`, '--json', '@-', '--initial-delay', '10', '--max-events', '4'], {input: '{"again": true}'})
  expect(code).toBe(0)
  expect(requestsOf('again').map((request) => request.body)).toEqual(['{"again": true}', '{"again": true}'])
  expect(stderr).toMatch(/reconnect attempt 1 in 10 ms/)
})
