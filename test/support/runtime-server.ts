// The server the runtime suites talk to (test/runtimes/suite.mjs, test/runtimes/worker.mjs): every
// route the suite needs, each request recorded under the `key` query parameter its test gives, and
// `GET /log?key=K` to read those records back from inside the runtime. Started twice, for two
// origins (the redirect test).
import type {IncomingMessage, ServerResponse} from 'node:http'
import {startServer, type RequestContext, type TestServer} from './sse-server.js'

/** One request as `/log` returns it. */
interface Logged {
  method: string
  path: string
  headers: IncomingMessage['headers']
  body: string
  /** When the request arrived, in ms (`performance.now()` of the server). */
  time: number
  /** When its response ended or its connection closed, in ms; absent while it is open. */
  closedAt?: number
}

/** What /utf8 streams, cut inside characters (see UTF8_EVENTS in suite.mjs). */
const UTF8_STREAM = new TextEncoder().encode('data: héllo €\n\nid: 5\ndata: ü😀\n\ndata: 日本語\n\n')

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export async function startRuntimeServer(): Promise<TestServer> {
  const logs = new Map<string, Logged[]>()

  const sse = (res: ServerResponse, status = 200) => {
    res.writeHead(status, {'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store'})
    res.flushHeaders()
  }

  const route = async (req: IncomingMessage, res: ServerResponse, {request, url}: RequestContext): Promise<unknown> => {
    const key = url.searchParams.get('key') ?? ''
    const param = (name: string) => url.searchParams.get(name)
    if (url.pathname === '/log') {
      res.writeHead(200, {'Content-Type': 'application/json'})
      res.end(JSON.stringify(logs.get(param('key') ?? '') ?? []))
      return
    }
    const entry: Logged = {method: request.method, path: url.pathname, headers: request.headers, body: request.body, time: request.time}
    const list = logs.get(key) ?? []
    logs.set(key, list)
    list.push(entry)
    const count = list.filter((logged) => logged.path === url.pathname).length
    res.on('close', () => (entry.closedAt = performance.now()))
    /** Writes until the client goes: an open stream. */
    const hold = () => new Promise((resolve) => res.on('close', resolve))

    switch (url.pathname) {
      case '/events':
        sse(res)
        res.write('data: one\n\nevent: named\nid: 7\ndata: two\n\n: a comment\n\ndata: line 1\ndata: line 2\n\n')
        return hold()
      case '/ticks': {
        sse(res)
        for (let tick = 1; !res.destroyed && tick <= 200; tick++) {
          res.write(`id: ${tick}\ndata: ${tick}\n\n`)
          await wait(30)
        }
        return res.end()
      }
      case '/resume': {
        sse(res)
        const last = req.headers['last-event-id']
        if (last === undefined) return res.end(`retry: ${param('retry')}\nid: 1\ndata: first\n\n`)
        res.write(`id: ${Number(last) + 1}\ndata: after ${last}\n\n`)
        return hold()
      }
      case '/ending':
        // Every connection: one event with its number as id, then the end, so the source reconnects.
        sse(res)
        return res.end(`retry: ${param('retry')}\nid: ${count}\ndata: connection ${count}\n\n`)
      case '/status': {
        const status = Number(param('code'))
        res.writeHead(status, {'Content-Type': 'text/plain'})
        return res.end('no such stream')
      }
      case '/json':
        res.writeHead(200, {'Content-Type': 'application/json'})
        return res.end('{"data": 1}')
      case '/echo':
        sse(res)
        res.write(`data: ${JSON.stringify({method: request.method, headers: request.headers, body: request.body})}\n\n`)
        return hold()
      case '/oneshot':
        sse(res)
        res.write('data: a\n\n')
        await wait(20)
        return res.end('data: b\n\n')
      case '/utf8': {
        // Cuts inside é (at 8), € (14), 😀 (34) and 本 (46), each part sent on its own.
        sse(res)
        let start = 0
        for (const end of [8, 14, 34, 46, UTF8_STREAM.length]) {
          res.write(UTF8_STREAM.subarray(start, end))
          start = end
          await wait(15)
        }
        return param('end') ? res.end() : hold()
      }
      case '/redirect':
        res.writeHead(Number(param('status') ?? 302), {Location: param('to')!})
        return res.end()
      default:
        res.writeHead(404, {'Content-Type': 'text/plain'})
        return res.end('no route')
    }
  }
  return startServer(async (req, res, context) => {
    await route(req, res, context)
  })
}
