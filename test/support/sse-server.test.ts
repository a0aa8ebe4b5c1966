// The test server helper itself: later suites lean on its routing, recording and stream
// helpers, so a mistake here would show up as confusing failures elsewhere.
import {request} from 'node:http'
import {fileURLToPath} from 'node:url'
import {afterEach, describe, expect, test} from 'vitest'
import {
  bytes,
  formatEvent,
  redirect,
  respond,
  serveDirectory,
  sseHandler,
  startServer,
  startSse,
  type SseStream,
  type TestServer,
} from './sse-server.js'

let server: TestServer | undefined

afterEach(async () => {
  await server?.close()
  server = undefined
})

describe('formatEvent', () => {
  test('writes fields in a fixed order, one data line per line of data, and the closing blank line', () => {
    expect(formatEvent({id: '7', event: 'tick', data: 'a\nb', retry: 10, comment: 'hi'})).toBe(
      ': hi\nretry: 10\nid: 7\nevent: tick\ndata: a\ndata: b\n\n',
    )
    expect(formatEvent({data: 'x'}, '\r\n')).toBe('data: x\r\n\r\n')
  })
})

describe('startServer', () => {
  test('routes by method and path (with /* prefixes), 404s the rest, and records every request', async () => {
    server = await startServer({
      'POST /echo': (_req, res, {request: recorded}) => {
        res.end(`posted ${recorded.body}`)
      },
      '/echo': respond(200, 'any method'),
      'GET /files/*': respond(200, 'a file'),
    })
    const post = await fetch(`${server.url}echo?x=1`, {method: 'POST', body: 'hello', headers: {'X-Test': 'yes'}})
    expect(await post.text()).toBe('posted hello')
    expect(await (await fetch(`${server.url}echo`)).text()).toBe('any method')
    expect(await (await fetch(`${server.url}files/a/b.txt`)).text()).toBe('a file')
    expect((await fetch(`${server.url}nothing`)).status).toBe(404)

    expect(server.requests.map(({method, url, path}) => ({method, url, path}))).toEqual([
      {method: 'POST', url: '/echo?x=1', path: '/echo'},
      {method: 'GET', url: '/echo', path: '/echo'},
      {method: 'GET', url: '/files/a/b.txt', path: '/files/a/b.txt'},
      {method: 'GET', url: '/nothing', path: '/nothing'},
    ])
    expect(server.requests[0]?.headers['x-test']).toBe('yes')
    expect(server.requests[0]?.body).toBe('hello')
  })

  test('writes event streams with the right headers, and redirects', async () => {
    server = await startServer({
      '/old': redirect('/stream', 307),
      '/stream': sseHandler(['data: one\n\n', bytes('data: tw', 'o\n\n')], {delay: 5}),
      '/teapot': sseHandler([], {status: 418, contentType: null, headers: {'X-Why': 'test'}}),
    })
    const response = await fetch(`${server.url}old`)
    expect(response.url).toBe(`${server.url}stream`)
    expect(response.headers.get('content-type')).toBe('text/event-stream')
    expect(response.headers.get('cache-control')).toBe('no-store')
    expect(await response.text()).toBe('data: one\n\ndata: two\n\n')

    const teapot = await fetch(`${server.url}teapot`)
    expect(teapot.status).toBe(418)
    expect(teapot.headers.get('content-type')).toBeNull()
    expect(teapot.headers.get('x-why')).toBe('test')
  })

  test('tracks open streams: a client that goes away, and dropConnections(), end them', async () => {
    const streams: SseStream[] = []
    server = await startServer((_req, res) => {
      const stream = startSse(res)
      streams.push(stream)
      void stream.send({data: 'first'})
    })

    // The client aborts: the server sees its stream close.
    const controller = new AbortController()
    const first = await fetch(server.url, {signal: controller.signal})
    const reader = first.body!.getReader()
    await reader.read()
    expect(server.activeRequests()).toBe(1)
    controller.abort()
    await streams[0]!.closed
    await expect.poll(() => server!.activeRequests()).toBe(0)

    // The server drops every connection: the client's read fails (no clean end of stream).
    const second = await fetch(server.url)
    const secondReader = second.body!.getReader()
    await secondReader.read()
    expect(server.openConnections()).toBeGreaterThan(0)
    server.dropConnections()
    await expect(secondReader.read()).rejects.toThrow()
    await expect.poll(() => server!.openConnections()).toBe(0)
  })

  test('waitForRequests resolves on arrival and rejects with a count on timeout', async () => {
    server = await startServer(respond(204))
    const waiting = server.waitForRequests(2, {filter: (recorded) => recorded.path === '/b'})
    await fetch(`${server.url}a`)
    await fetch(`${server.url}b`)
    await fetch(`${server.url}b`)
    expect((await waiting).map((recorded) => recorded.path)).toEqual(['/b', '/b'])
    await expect(server.waitForRequests(5, {timeout: 50})).rejects.toThrow(/got 3/)
  })

  test('a handler that throws answers 500 and is recorded in errors', async () => {
    server = await startServer(() => {
      throw new Error('boom')
    })
    const originalError = console.error
    console.error = () => {}
    try {
      expect((await fetch(server.url)).status).toBe(500)
    } finally {
      console.error = originalError
    }
    expect(server.errors).toEqual([new Error('boom')])
  })

  test('serveDirectory serves files under its prefix and nothing outside the directory', async () => {
    const dir = fileURLToPath(new URL('.', import.meta.url))
    server = await startServer({'GET /static/*': serveDirectory(dir, '/static/')})
    const file = await fetch(`${server.url}static/sse-server.ts`)
    expect(file.status).toBe(200)
    expect(await file.text()).toContain('export async function startServer')
    for (const path of ['/static/', '/static/..%2Fbrowser%2Fdemo.test.ts', '/static/%2e%2e/%2e%2e/package.json', '/static/missing']) {
      expect({path, status: await rawStatus(server.port, path)}).toEqual({path, status: 404})
    }
  })
})

/** The status for a path sent exactly as written (fetch would resolve `..` before sending). */
function rawStatus(port: number, path: string): Promise<number> {
  return new Promise((resolveStatus, rejectStatus) => {
    const req = request({host: '127.0.0.1', port, path}, (res) => {
      res.resume()
      resolveStatus(res.statusCode ?? 0)
    })
    req.on('error', rejectStatus)
    req.end()
  })
}
