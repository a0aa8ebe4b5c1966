// An event stream server that resumes, as the servers createSharedEventSource is meant for do:
// every event it ever sent is kept, numbered 1, 2, 3… (odd ones `message`, even ones `tick`), and
// a connection that sends `Last-Event-ID` first gets the events after that ID again. It records
// each connection to count them and to see where each resumed from.
import {formatEvent, startServer, startSse, type Routes, type SseFields, type SseStream, type TestServer} from './sse-server.js'

export interface StreamConnection {
  /** Path and query, as sent: `/stream?x=1`. */
  url: string
  /** The `Last-Event-ID` header the connection sent, if any. */
  lastEventId: string | undefined
  /** performance.now() when it arrived. */
  time: number
  stream: SseStream
}

export interface ResumableServer {
  server: TestServer
  /** Every connection to `path`, in order. */
  connections: StreamConnection[]
  /** The connections to `path` still open. */
  openConnections(): StreamConnection[]
  /** Sends the next `count` events, in one write to every open connection; resolves once written. */
  emit(count: number): Promise<void>
  /** How many events were sent so far: the last ID. */
  sent(): number
}

/** The ID, type and data of event `n`, as the server sends it. */
export function numberedEvent(n: number): SseFields {
  const fields: SseFields = {id: String(n), data: `event ${n}`}
  if (n % 2 === 0) fields.event = 'tick'
  return fields
}

/** Serves the resumable stream at `path` (any query), beside `routes`. */
export async function startResumableServer(path: string, routes: Routes = {}): Promise<ResumableServer> {
  const log: string[] = []
  const connections: StreamConnection[] = []
  const server = await startServer({
    [`GET ${path}`]: async (req, res, {request}) => {
      const header = req.headers['last-event-id']
      const lastEventId = Array.isArray(header) ? header[0] : header
      const stream = startSse(res)
      connections.push({url: request.url, lastEventId, time: request.time, stream})
      // Event n is log[n - 1]: a connection resumes after the ID it sent, a new one gets what comes next.
      const from = lastEventId === undefined ? log.length : Number(lastEventId)
      // A comment first, as servers commonly greet: Firefox hands a response to fetch only with the
      // first byte of its body (pinned in browser/differential/divergences-firefox.ts), so without
      // one its tabs would stay CONNECTING until the first event.
      await stream.write(`: resumes after Last-Event-ID\n\n${from < log.length ? log.slice(from).join('') : ''}`)
    },
    ...routes,
  })
  const openConnections = () => connections.filter((connection) => !connection.stream.isClosed)
  return {
    server,
    connections,
    openConnections,
    async emit(count) {
      let chunk = ''
      for (let index = 0; index < count; index++) {
        const event = formatEvent(numberedEvent(log.length + 1))
        log.push(event)
        chunk += event
      }
      await Promise.all(openConnections().map((connection) => connection.stream.write(chunk)))
    },
    sent: () => log.length,
  }
}
