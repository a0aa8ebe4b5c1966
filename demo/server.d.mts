// Types for demo/server.mjs, so the TypeScript tests can start the demo server.

export interface DemoServerOptions {
  /** Port to listen on; 0 picks a free one. Default 3000. */
  port?: number
  /** Address to bind. Default 127.0.0.1. */
  host?: string
  /** How many following ports to try when `port` is taken. Default 20 (0 when `port` is 0). */
  portAttempts?: number
  /** Where the built library is served from as /dist/. Default: the repository's dist/. */
  distDir?: string
  /** Milliseconds between ticks. Default 1000. */
  tickInterval?: number
  /** Milliseconds between `: keep-alive` comments. Default 15000. */
  keepAliveInterval?: number
  /** The `retry:` the ticker sends, in milliseconds. Default 2000. */
  retry?: number
  /** Milliseconds between the tokens of a /chat answer. Default 30. */
  chatTokenInterval?: number
  /** Milliseconds between the events of a /flaky attempt. Default 250. */
  flakyEventInterval?: number
  /** How long /ticker stays down (connections dropped unanswered) after POST /ticker/restart. Default 3000. */
  restartDowntime?: number
}

/** One POST /chat as the server saw it. */
export interface ChatRequest {
  /** The Authorization header as sent ('' when none). */
  authorization: string
  /** The Last-Event-ID it resumed after, when it sent one. */
  lastEventId: number | undefined
  /** What the server answered: 200 (the stream), 401, 400 or 413. */
  status: number
}

/** One GET /ticker as the server saw it. */
export interface TickerRequest {
  /** The `symbols` query parameter, null when absent (SSE alone). */
  symbols: string | null
  /** The X-Demo-Client header (the script-tag page sends it), its first 100 characters; undefined when absent. */
  client: string | undefined
  /** The Last-Event-ID it resumed after, when it sent one. */
  lastEventId: number | undefined
}

export interface DemoServer {
  /** e.g. `http://127.0.0.1:3000/` */
  url: string
  port: number
  /** How many /ticker responses are still streaming. */
  openStreams(): number
  /** How many /ticker streams have been opened since the server started. */
  tickerConnections(): number
  /** The last 100 POST /chat requests, oldest first. */
  chatRequests(): ChatRequest[]
  /** The last 100 GET /ticker requests (answered or refused), oldest first. */
  tickerRequests(): TickerRequest[]
  /**
   * Ends every /ticker stream cleanly, as a server restart would; clients are expected to reconnect.
   * (POST /ticker/restart, the pages' "Restart server" button, also keeps /ticker down a moment.)
   */
  disconnectClients(): void
  close(): Promise<void>
}

export function startDemoServer(options?: DemoServerOptions): Promise<DemoServer>
