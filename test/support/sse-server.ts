// A throwaway HTTP server for tests: binds 127.0.0.1 on a free port, records every request,
// and has helpers to answer with event streams the awkward ways real servers do (odd
// chunking, slow writes, dropped connections), plus plain files for browser pages.
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type ServerResponse,
} from 'node:http'
import type {AddressInfo, Socket} from 'node:net'
import {readFile, stat} from 'node:fs/promises'
import {extname, resolve, sep} from 'node:path'

/**
 * The server is the world outside the source: it keeps the real clock when a test fakes the one the
 * source's timers run on (vi.useFakeTimers replaces the globals; these were taken before).
 */
const realSetTimeout = globalThis.setTimeout
const realClearTimeout = globalThis.clearTimeout

export interface RecordedRequest {
  method: string
  /** Path and query exactly as sent, e.g. `/stream?x=1`. */
  url: string
  /** The path without the query string, as routes match it. */
  path: string
  /** Lower-cased names, as Node gives them. */
  headers: IncomingHttpHeaders
  /** The request body as UTF-8 text ('' when there is none). */
  body: string
  /** performance.now() when the request arrived, to measure reconnection delays. */
  time: number
}

export interface RequestContext {
  /** This request as recorded; its body is already read. */
  request: RecordedRequest
  /** The request URL resolved against the server's origin. */
  url: URL
  server: TestServer
}

export type Handler = (req: IncomingMessage, res: ServerResponse, context: RequestContext) => void | Promise<void>

/**
 * Keys are `'/path'` (any method) or `'GET /path'`; a key ending in `/*` matches every path
 * under it. Paths match without the query string; the first matching key wins, in the
 * order written. Unmatched requests get a 404.
 */
export type Routes = Record<string, Handler>

export interface TestServer {
  /** `http://127.0.0.1:PORT/` */
  url: string
  /** `http://127.0.0.1:PORT` */
  origin: string
  port: number
  /** Every request so far, in arrival order. */
  requests: RecordedRequest[]
  /** Errors thrown by handlers; a test can assert this stays empty. */
  errors: unknown[]
  /** TCP connections currently open, including idle keep-alive ones. */
  openConnections(): number
  /**
   * TCP connections currently open that carried at least one request: not counting those a client's
   * pool opens ahead of need (Node's fetch opens one after an aborted request) and never uses.
   */
  usedConnections(): number
  /** Requests whose response has neither finished nor lost its connection (an open event stream counts). */
  activeRequests(): number
  /** Resolves once at least `count` requests (matching `filter`, when given) have arrived. */
  waitForRequests(
    count: number,
    options?: {filter?: (request: RecordedRequest) => boolean; timeout?: number},
  ): Promise<RecordedRequest[]>
  /**
   * Destroys every connection at once, like a network failure (no clean end of the response); with
   * `unused`, only the open connections that never carried a request.
   */
  dropConnections(options?: {unused?: boolean}): void
  close(): Promise<void>
}

/**
 * Starts a server on 127.0.0.1 and a free port (or `port`, to bring a closed server back where it
 * was); `close()` it in afterAll/afterEach.
 */
export async function startServer(handlerOrRoutes: Handler | Routes, {port: wantedPort = 0}: {port?: number} = {}): Promise<TestServer> {
  const handler = typeof handlerOrRoutes === 'function' ? handlerOrRoutes : router(handlerOrRoutes)
  const sockets = new Set<Socket>()
  /** The sockets that carried a request. */
  const used = new WeakSet<Socket>()
  const active = new Set<ServerResponse>()
  const requests: RecordedRequest[] = []
  const errors: unknown[] = []
  const waiters = new Set<() => void>()

  const server = createServer({noDelay: true}, (req, res) => {
    void serve(req, res)
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })

  async function serve(req: IncomingMessage, res: ServerResponse) {
    const time = performance.now()
    used.add(req.socket)
    active.add(res)
    res.on('close', () => active.delete(res))
    try {
      const body = await readBody(req).catch((error: unknown) => {
        // A client that gives up while sending its body (an aborted upload) is no handler failure.
        if (req.destroyed) return undefined
        throw error
      })
      if (body === undefined) return
      const url = new URL(req.url ?? '/', origin)
      const request: RecordedRequest = {
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        path: url.pathname,
        headers: req.headers,
        body,
        time,
      }
      requests.push(request)
      for (const wake of [...waiters]) wake()
      await handler(req, res, {request, url, server: testServer})
    } catch (error) {
      errors.push(error)
      console.error('[test server] handler failed:', error)
      if (!res.headersSent) {
        res.writeHead(500, {'Content-Type': 'text/plain'})
        res.end(String(error))
      } else {
        res.destroy()
      }
    }
  }

  await new Promise<void>((resolveListen, rejectListen) => {
    server.once('error', rejectListen)
    server.listen(wantedPort, '127.0.0.1', () => {
      server.off('error', rejectListen)
      resolveListen()
    })
  })
  const {port} = server.address() as AddressInfo
  const origin = `http://127.0.0.1:${port}`

  const testServer: TestServer = {
    url: `${origin}/`,
    origin,
    port,
    requests,
    errors,
    openConnections: () => sockets.size,
    usedConnections: () => [...sockets].filter((socket) => used.has(socket)).length,
    activeRequests: () => [...active].filter((res) => !res.writableFinished && !res.destroyed).length,
    waitForRequests(count, {filter = () => true, timeout = 10_000} = {}) {
      const matching = () => requests.filter(filter)
      return new Promise((resolveWait, rejectWait) => {
        const check = () => {
          const found = matching()
          if (found.length < count) return
          cleanup()
          resolveWait(found)
        }
        const timer = realSetTimeout(() => {
          cleanup()
          rejectWait(new Error(`Timed out after ${timeout} ms waiting for ${count} requests; got ${matching().length}`))
        }, timeout)
        const cleanup = () => {
          realClearTimeout(timer)
          waiters.delete(check)
        }
        waiters.add(check)
        check()
      })
    },
    dropConnections({unused = false} = {}) {
      for (const socket of sockets) if (!unused || !used.has(socket)) socket.destroy()
    },
    close() {
      return new Promise((resolveClose, rejectClose) => {
        server.close((error) => (error ? rejectClose(error) : resolveClose()))
        // Open streams and idle keep-alive sockets would otherwise keep close() waiting.
        for (const socket of sockets) socket.destroy()
      })
    },
  }
  return testServer
}

function router(routes: Routes): Handler {
  const table = Object.entries(routes).map(([key, handler]) => {
    const space = key.indexOf(' ')
    const method = space === -1 ? undefined : key.slice(0, space).toUpperCase()
    const pattern = space === -1 ? key : key.slice(space + 1)
    const prefix = pattern.endsWith('/*') ? pattern.slice(0, -1) : undefined
    return {method, pattern, prefix, handler}
  })
  return (req, res, context) => {
    const {path, method} = context.request
    const route = table.find(
      (entry) =>
        (entry.method === undefined || entry.method === method) &&
        (entry.prefix === undefined ? entry.pattern === path : path.startsWith(entry.prefix)),
    )
    if (!route) {
      res.writeHead(404, {'Content-Type': 'text/plain'})
      res.end(`No route for ${method} ${path}\n`)
      return
    }
    return route.handler(req, res, context)
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

// --- Event streams ---------------------------------------------------------------------

export interface SseFields {
  id?: string
  event?: string
  /** Split on `\n` into one `data:` line each, as the format requires. */
  data?: string
  retry?: number
  comment?: string
}

/**
 * One event in the text/event-stream format, ending with the blank line that dispatches it.
 * `eol` picks the line ending, since parsers must accept `\n`, `\r\n` and `\r`.
 */
export function formatEvent(fields: SseFields, eol: '\n' | '\r\n' | '\r' = '\n'): string {
  const lines: string[] = []
  if (fields.comment !== undefined) lines.push(...fields.comment.split('\n').map((line) => `: ${line}`))
  if (fields.retry !== undefined) lines.push(`retry: ${fields.retry}`)
  if (fields.id !== undefined) lines.push(`id: ${fields.id}`)
  if (fields.event !== undefined) lines.push(`event: ${fields.event}`)
  if (fields.data !== undefined) lines.push(...fields.data.split('\n').map((line) => `data: ${line}`))
  return lines.map((line) => line + eol).join('') + eol
}

export interface SseHeadOptions {
  /** Default 200. */
  status?: number
  /** Default `text/event-stream`; pass `null` to send no Content-Type at all. */
  contentType?: string | null
  /** Extra or overriding response headers. */
  headers?: OutgoingHttpHeaders
}

/** An event stream being written to one response. */
export class SseStream {
  /** Resolves when the response closes: ended by us, dropped, or the client went away. */
  readonly closed: Promise<void>
  #isClosed = false

  constructor(readonly res: ServerResponse) {
    this.closed = new Promise((resolveClosed) => {
      res.once('close', () => {
        this.#isClosed = true
        resolveClosed()
      })
    })
  }

  get isClosed(): boolean {
    return this.#isClosed
  }

  /** Writes raw bytes or text as is; resolves once handed to the socket. */
  write(chunk: string | Uint8Array): Promise<void> {
    if (this.#isClosed) return Promise.resolve()
    return new Promise((resolveWrite) => {
      this.res.write(chunk, () => resolveWrite())
    })
  }

  send(fields: SseFields, eol?: '\n' | '\r\n' | '\r'): Promise<void> {
    return this.write(formatEvent(fields, eol))
  }

  comment(text = ''): Promise<void> {
    return this.write(`:${text === '' ? '' : ` ${text}`}\n`)
  }

  /**
   * Writes each chunk as its own write, pausing `delay` ms between them so they tend to
   * reach the client as separate reads (TCP may still merge them; see `between` for a
   * way to wait for the client instead).
   */
  async writeChunks(
    chunks: Iterable<string | Uint8Array>,
    {delay: pause = 10, between}: {delay?: number; between?: (index: number) => Promise<void>} = {},
  ): Promise<void> {
    let index = 0
    for (const chunk of chunks) {
      if (this.#isClosed) return
      if (index > 0) await (between ? between(index) : delay(pause))
      await this.write(chunk)
      index++
    }
  }

  /** Ends the response cleanly (the stream's normal end, which EventSource reconnects after). */
  end(): Promise<void> {
    return new Promise((resolveEnd) => {
      if (this.#isClosed) return resolveEnd()
      this.res.end(() => resolveEnd())
    })
  }

  /** Cuts the connection mid-stream, without the chunked encoding's final chunk. */
  drop(): void {
    this.res.socket?.destroy()
    this.res.destroy()
  }
}

/** Sends event-stream headers right away (clients see the connection open before any event). */
export function startSse(res: ServerResponse, {status = 200, contentType = 'text/event-stream', headers = {}}: SseHeadOptions = {}): SseStream {
  const head: OutgoingHttpHeaders = {'Cache-Control': 'no-store', ...headers}
  if (contentType !== null) head['Content-Type'] = contentType
  res.writeHead(status, head)
  res.flushHeaders()
  return new SseStream(res)
}

/** A handler that answers with an event stream written as the given chunks, then ends it. */
export function sseHandler(chunks: Iterable<string | Uint8Array>, options: SseHeadOptions & {delay?: number} = {}): Handler {
  return async (_req, res) => {
    const stream = startSse(res, options)
    await stream.writeChunks(chunks, options.delay === undefined ? {} : {delay: options.delay})
    await stream.end()
  }
}

// --- Plain responses -------------------------------------------------------------------

const mimeTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.cjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
}

/** A handler answering with a fixed status, headers and body. */
export function respond(status: number, body: string | Uint8Array = '', headers: OutgoingHttpHeaders = {}): Handler {
  return (_req, res) => {
    res.writeHead(status, {'Content-Type': 'text/plain; charset=utf-8', ...headers})
    res.end(body)
  }
}

/** A handler that redirects to `location` (relative or absolute) with the given status. */
export function redirect(location: string, status: 301 | 302 | 303 | 307 | 308 = 302): Handler {
  return (_req, res) => {
    res.writeHead(status, {Location: location})
    res.end()
  }
}

/** The policy the browser tests serve their pages with: scripts from the page's origin only, no inline code, no eval. */
export const STRICT_CSP = "script-src 'self'"

/**
 * Serves a small HTML page under {@link STRICT_CSP}: `title`, then `head` markup (scripts from
 * 'self' only) and `body` markup.
 */
export function servePage(title: string, head: string, body: string): Handler {
  return (_req, res) => {
    res.writeHead(200, {'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': STRICT_CSP, 'Cache-Control': 'no-store'})
    res.end(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${title}</title>
<link rel="icon" href="data:,">
${head}
</head>
<body>${body}</body>
</html>
`)
  }
}

/** Serves one file with its MIME type (by extension). */
export function serveFile(file: string, headers: OutgoingHttpHeaders = {}): Handler {
  return (_req, res) => sendFile(res, file, headers)
}

/**
 * Serves the files of `dir` under a `'/prefix/*'` route: the rest of the path after
 * `prefix` names the file. Paths that would leave `dir` get a 404.
 */
export function serveDirectory(dir: string, prefix: string, headers: OutgoingHttpHeaders = {}): Handler {
  const root = resolve(dir)
  return async (_req, res, {request}) => {
    let relative: string
    try {
      relative = decodeURIComponent(request.path.slice(prefix.length).replace(/^\/+/, ''))
    } catch {
      relative = ''
    }
    const file = resolve(root, relative)
    const isInside = relative !== '' && !relative.includes('\0') && file.startsWith(root + sep)
    if (!isInside || !(await stat(file).then((info) => info.isFile(), () => false))) {
      res.writeHead(404, {'Content-Type': 'text/plain'})
      res.end('Not found\n')
      return
    }
    await sendFile(res, file, headers)
  }
}

async function sendFile(res: ServerResponse, file: string, headers: OutgoingHttpHeaders): Promise<void> {
  const body = await readFile(file)
  res.writeHead(200, {'Content-Type': contentTypeOf(file), 'Cache-Control': 'no-store', ...headers})
  res.end(body)
}

export function contentTypeOf(file: string): string {
  return mimeTypes[extname(file)] ?? 'application/octet-stream'
}

// --- Small utilities -------------------------------------------------------------------

export function delay(ms: number): Promise<void> {
  return new Promise((resolveDelay) => realSetTimeout(resolveDelay, ms))
}

const encoder = new TextEncoder()

/** The UTF-8 bytes of `text`. */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text)
}

/** Concatenates strings (as UTF-8) and byte arrays into one chunk. */
export function bytes(...parts: (string | Uint8Array)[]): Uint8Array {
  const encoded = parts.map((part) => (typeof part === 'string' ? utf8(part) : part))
  const out = new Uint8Array(encoded.reduce((sum, part) => sum + part.length, 0))
  let offset = 0
  for (const part of encoded) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}
