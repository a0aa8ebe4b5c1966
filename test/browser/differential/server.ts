// The server side of the differential EventSource tests: every run (one scenario with one
// implementation) gets a base path of its own, `/s/<token>`, on three origins, and every request
// under it is answered by the scenario and recorded in a form the two runs can be compared in.
import type {IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse} from 'node:http'
import {delay, startSse, type Handler, type SseStream} from '../../support/sse-server.js'

/**
 * The page's own origin (`self`: 127.0.0.1 and the main port), a cross-site one on the same server
 * (`other`: localhost, same port), and a cross-origin but same-site one (`peer`: 127.0.0.1, a second
 * server's port). Cookies only reach `peer`: Chromium sends none across sites to plain-HTTP localhost.
 */
export type Host = 'self' | 'other' | 'peer'

/** One request of one run, as the EventSource sent it, with the run's token taken out. */
export interface SeenRequest {
  method: string
  host: Host | string
  /** The path under the run's base, with the query: '' for the base itself. */
  path: string
  accept: string | null
  lastEventId: string | null
  cookie: string | null
  /** `self`, `other`, `peer`, or what the header said (`null` after a cross-origin redirect). */
  origin: string | null
  /** What a CORS preflight asked to send. */
  preflightHeaders: string | null
  fetchMode: string | null
  fetchDest: string | null
}

/** What a scenario's server side is given for each request. */
export interface Exchange {
  req: IncomingMessage
  res: ServerResponse
  /** The path under the run's base, with the query: '' for the base itself. */
  path: string
  /** How many requests of this run (to any path, any origin) came before this one. */
  index: number
  /** How many requests of this run came before this one to the same path and origin. */
  attempt: number
  /** Which origin the request came to. */
  host: Host
  /** The run's base URL on each origin, without a trailing slash. */
  base: Record<Host, string>
  /** The page's origin, e.g. for `Access-Control-Allow-Origin`. */
  pageOrigin: string
  headers: IncomingHttpHeaders
}

export type ScenarioHandler = (exchange: Exchange) => void | Promise<void>

interface Run {
  handler: ScenarioHandler
  requests: SeenRequest[]
  attempts: Map<string, number>
}

export interface Origins {
  self: string
  other: string
  peer: string
}

/** The runs in progress, by token, and the route that answers them on every origin. */
export class RunRegistry {
  #runs = new Map<string, Run>()
  #next = 0
  origins: Origins | undefined

  /** Registers a run and returns its token. */
  add(handler: ScenarioHandler): string {
    const token = `r${(this.#next++).toString(36)}${Math.random().toString(36).slice(2, 8)}`
    this.#runs.set(token, {handler, requests: [], attempts: new Map()})
    return token
  }

  base(token: string): Record<Host, string> {
    const origins = this.#origins()
    return {self: `${origins.self}/s/${token}`, other: `${origins.other}/s/${token}`, peer: `${origins.peer}/s/${token}`}
  }

  requests(token: string): SeenRequest[] {
    return this.#runs.get(token)?.requests ?? []
  }

  delete(token: string): void {
    this.#runs.delete(token)
  }

  /** The `'/s/*'` route for every server. */
  handler: Handler = async (req, res, {url}) => {
    const match = /^\/s\/([^/]+)(.*)$/.exec(url.pathname)
    const run = match === null ? undefined : this.#runs.get(match[1] ?? '')
    if (match === null || run === undefined) {
      // A late reconnect of a run already compared: nothing to record any more.
      res.writeHead(410, {'Content-Type': 'text/plain'})
      res.end('No such run\n')
      return
    }
    const token = match[1] ?? ''
    const path = (match[2] ?? '') + url.search
    const host = this.#hostOf(req.headers.host)
    const key = `${host} ${path}`
    const attempt = run.attempts.get(key) ?? 0
    run.attempts.set(key, attempt + 1)
    const index = run.requests.length
    run.requests.push(this.#describe(req, host, path))
    await run.handler({
      req,
      res,
      path,
      index,
      attempt,
      host,
      base: this.base(token),
      pageOrigin: this.#origins().self,
      headers: req.headers,
    })
  }

  #origins(): Origins {
    if (this.origins === undefined) throw new Error('RunRegistry.origins is not set yet')
    return this.origins
  }

  #hostOf(hostHeader: string | undefined): Host {
    const origins = this.#origins()
    for (const host of ['self', 'other', 'peer'] as const) {
      if (`http://${hostHeader}` === origins[host]) return host
    }
    throw new Error(`A request to an unknown host: ${hostHeader}`)
  }

  #describe(req: IncomingMessage, host: Host, path: string): SeenRequest {
    const headers = req.headers
    const one = (name: string): string | null => {
      const value = headers[name]
      return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value
    }
    const origin = one('origin')
    const origins = this.#origins()
    const originName = (['self', 'other', 'peer'] as const).find((name) => origins[name] === origin)
    return {
      method: req.method ?? 'GET',
      host,
      path,
      accept: one('accept'),
      lastEventId: one('last-event-id'),
      cookie: one('cookie'),
      origin: originName ?? origin,
      preflightHeaders: one('access-control-request-headers'),
      fetchMode: one('sec-fetch-mode'),
      fetchDest: one('sec-fetch-dest'),
    }
  }
}

// --- Building blocks for scenario handlers ----------------------------------------------

export interface StreamOptions {
  /** Default 200. */
  status?: number
  /** Default `text/event-stream`; null sends none. */
  contentType?: string | null
  headers?: OutgoingHttpHeaders | ((exchange: Exchange) => OutgoingHttpHeaders)
  /** Milliseconds between two writes, so that they tend to reach the browser as reads of their own. */
  delay?: number
  /** What happens after the last write: end the response (default), keep it open, or cut the connection. */
  then?: 'end' | 'hold' | 'drop'
  /** Milliseconds between the last write and `then`. */
  linger?: number
}

export type Part = string | Uint8Array

/** Writes each part as its own write, then ends (or holds, or drops) the response. */
export function stream(parts: Part[], options: StreamOptions = {}): ScenarioHandler {
  return async (exchange) => {
    const sse = open(exchange, options)
    await sse.writeChunks(parts, {delay: options.delay ?? 10})
    if (options.linger !== undefined) await delay(options.linger)
    await finish(sse, options.then ?? 'end')
  }
}

/** Event-stream headers with the options' status, type and headers. */
export function open(exchange: Exchange, options: StreamOptions = {}): SseStream {
  const {headers = {}} = options
  return startSse(exchange.res, {
    status: options.status ?? 200,
    contentType: options.contentType === undefined ? 'text/event-stream' : options.contentType,
    headers: typeof headers === 'function' ? headers(exchange) : headers,
  })
}

async function finish(sse: SseStream, then: 'end' | 'hold' | 'drop'): Promise<void> {
  if (then === 'end') return sse.end()
  if (then === 'drop') return sse.drop()
  // Until the EventSource goes away (close() aborts the request) or the server closes.
  return sse.closed
}

/** The first connection to the base path gets the first handler, the second the second, and so on; the last repeats. */
export function attempts(...handlers: ScenarioHandler[]): ScenarioHandler {
  return (exchange) => {
    const handler = handlers[Math.min(exchange.attempt, handlers.length - 1)]
    return handler?.(exchange)
  }
}

/** Different handlers for different paths under the run's base ('' is the base itself). */
export function paths(table: Record<string, ScenarioHandler>): ScenarioHandler {
  return (exchange) => {
    const handler = table[exchange.path]
    if (handler !== undefined) return handler(exchange)
    exchange.res.writeHead(404, {'Content-Type': 'text/plain'})
    exchange.res.end(`No ${exchange.path} in this scenario\n`)
  }
}

/** A plain (non-stream) response. */
export function reply(status: number, body = '', headers: OutgoingHttpHeaders = {}): ScenarioHandler {
  return ({res}) => {
    res.writeHead(status, {'Content-Type': 'text/plain', ...headers})
    res.end(body)
  }
}

/** A redirect to a path under the run's base on `host` (the page's origin by default). */
export function redirectTo(
  status: 301 | 302 | 303 | 307 | 308,
  path: string,
  host: Host = 'self',
  headers: (exchange: Exchange) => OutgoingHttpHeaders = () => ({}),
): ScenarioHandler {
  return (exchange) => {
    exchange.res.writeHead(status, {Location: exchange.base[host] + path, ...headers(exchange)})
    exchange.res.end()
  }
}

/** CORS response headers that let the page read the response; `credentials` also lets cookies through. */
export function cors(
  {credentials = false, origin}: {credentials?: boolean; origin?: string} = {},
): (exchange: Exchange) => OutgoingHttpHeaders {
  return (exchange) => ({
    'Access-Control-Allow-Origin': origin ?? exchange.pageOrigin,
    ...(credentials ? {'Access-Control-Allow-Credentials': 'true'} : {}),
  })
}

/** Answers a CORS preflight (OPTIONS) allowing `Last-Event-ID`; anything else goes to `handler`. */
export function withPreflight(handler: ScenarioHandler): ScenarioHandler {
  return (exchange) => {
    if (exchange.req.method !== 'OPTIONS') return handler(exchange)
    exchange.res.writeHead(204, {
      'Access-Control-Allow-Origin': exchange.pageOrigin,
      'Access-Control-Allow-Headers': 'Last-Event-ID',
      'Access-Control-Allow-Credentials': 'true',
    })
    exchange.res.end()
  }
}
