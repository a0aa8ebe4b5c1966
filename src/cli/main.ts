/**
 * `streamsource <url>`: curl for Server-Sent Events, on the library's own EventSource (its Node
 * build, which the CLI build keeps external: dist/cli.js imports ./node/index.js). The EventSource connects,
 * reconnects and dispatches; an observing `fetch` (./diagnostics.ts) shows what it reads: the
 * response, the time to first byte, the raw bytes, and (through a parser of its own) the comments,
 * `retry:` fields and ids that the EventSource consumes silently.
 *
 * Events print in stream order with the comments and `retry:` lines around them: the observing
 * parser sees each chunk before the EventSource does, queues what it finds, and each event the
 * EventSource dispatches prints what was queued before it, then itself; what follows the last
 * event of a chunk prints once the EventSource has taken the chunk.
 */
import {readFileSync} from 'node:fs'
import {
  ContentTypeError,
  createParser,
  EventSource,
  HeartbeatTimeoutError,
  HTTPError,
  ParseError,
  type EventSourceErrorEvent,
  type EventSourceParser,
  type EventSourceReconnectEvent,
} from '../index.js'
import {EXIT, helpText, parseCommandLine, UsageError, type CliOptions} from './args.js'
import {BURST_EVENTS, BURST_SILENCE, headerLines, isEventStream, observingFetch, STORMY_RETRY, warnings} from './diagnostics.js'
import {
  formatComment,
  formatEvent,
  formatLog,
  formatNdjson,
  formatRetry,
  painter,
  span,
  wantsColor,
  type LogKind,
  type Paint,
  type StdoutFormat,
} from './format.js'
import {eventSourceInit, planRequest, type RequestPlan} from './request.js'

/** Where the CLI writes and what it reads of its environment: the process's, or a test's. */
export interface Io {
  stdout: NodeJS.WriteStream
  stderr: NodeJS.WriteStream
  env: NodeJS.ProcessEnv
}

/** The version in the package.json beside dist/ (or src/). */
function version(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {version: string}).version
  } catch {
    return 'unknown'
  }
}

/** Runs the command line `argv` (without `node` and the script) and resolves with the exit code. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  const errorPaint = painter(wantsColor(io.stderr, io.env, undefined))
  let options: CliOptions
  let plan: RequestPlan
  try {
    const command = parseCommandLine(argv)
    if (command.kind === 'help') {
      io.stdout.write(helpText(version()))
      return EXIT.ok
    }
    if (command.kind === 'version') {
      io.stdout.write(`${version()}\n`)
      return EXIT.ok
    }
    options = command.options
    plan = await planRequest(options)
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    io.stderr.write(`${errorPaint(['bold', 'red'], 'streamsource:')} ${error.message}\nTry \`streamsource --help\`.\n`)
    return EXIT.usage
  }
  return new Session(options, plan, io).run()
}

/** What one connection showed: for its stderr lines and its warnings. */
interface Connection {
  /** 1 for the first attempt. */
  number: number
  /** `performance.now()` when the request went out, the response head came, the first and the last byte came. */
  requestAt: number
  headersAt?: number
  firstByteAt?: number
  lastByteAt?: number
  parser: EventSourceParser
  /** Events parsed, and how many had an `id:` field. */
  events: number
  ids: number
  /** Events parsed from the last read. */
  eventsInLastRead: number
  status?: number
  statusText?: string
  /** Where the request went, and where redirects led. */
  url: string
  finalUrl?: string
}

/** What the observing parser found, waiting for its turn on stdout. */
type Item =
  | {kind: 'event'; id: string | undefined; time: Date}
  | {kind: 'comment'; text: string; time: Date}
  | {kind: 'retry'; value: number; time: Date}

const LIFECYCLE = new Set(['open', 'error', 'reconnect', 'end'])

/** One run of the CLI: one EventSource, until the stream ends, a limit, an error or a signal. */
class Session {
  private readonly stdoutFormat: StdoutFormat
  private readonly paint: Paint
  private source: EventSource | undefined
  private connection: Connection | undefined
  private connections = 0
  private queue: Item[] = []
  private flushScheduled = false
  private listened = new Set<string>(LIFECYCLE)
  private warned = new Set<string>()
  private events = 0
  private anyId = false
  private lastEventAt: number | undefined
  private readonly startedAt = Date.now()
  private finished = false
  private finish: (code: number) => void = () => {}
  private timers: ReturnType<typeof setTimeout>[] = []
  /** Read by the final `error` listener: the failed response's body, to show. */
  private failedBody: Promise<string> | undefined

  constructor(
    private readonly options: CliOptions,
    private readonly plan: RequestPlan,
    private readonly io: Io,
  ) {
    this.paint = painter(wantsColor(io.stderr, io.env, options.color))
    this.stdoutFormat = {paint: painter(wantsColor(io.stdout, io.env, options.color)), pretty: io.stdout.isTTY === true}
  }

  run(): Promise<number> {
    const done = new Promise<number>((resolve) => (this.finish = resolve))
    const {options} = this
    // Node loads its fetch (undici) on first use: now, so that the first request's timings are the network's.
    void globalThis.Response
    const init = eventSourceInit(options, this.plan)
    init.fetch = observingFetch({
      request: (url, requestInit) => this.onRequest(url, requestInit),
      response: (response) => this.onResponse(response),
      chunk: (bytes) => this.onChunk(bytes),
    })
    let source: EventSource
    try {
      source = this.source = new EventSource(options.url, init)
    } catch (error) {
      // An option the library refuses: a header value fetch cannot send, say.
      this.io.stderr.write(`${this.paint(['bold', 'red'], 'streamsource:')} ${(error as Error).message}\n`)
      return Promise.resolve(EXIT.usage)
    }
    for (const type of LIFECYCLE) source.addEventListener(type, (event) => this.onLifecycle(event))

    const onSignal = (signal: NodeJS.Signals): void => {
      // A second Ctrl-C while the first is being handled: at once.
      if (this.finished) process.exit(signal === 'SIGINT' ? EXIT.interrupted : EXIT.terminated)
      this.stop(signal === 'SIGINT' ? EXIT.interrupted : EXIT.terminated, `interrupted (${signal})`)
    }
    process.on('SIGINT', onSignal)
    process.on('SIGTERM', onSignal)
    // `| head`: the reader went away; nothing more to say.
    this.io.stdout.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') this.stop(EXIT.ok, 'stdout closed', true)
    })
    if (options.timeout !== undefined) {
      const timeout = options.timeout
      this.timers.push(setTimeout(() => this.stop(EXIT.timeout, `timed out after ${span(timeout)} (--timeout)`), timeout))
    }
    return done.finally(() => {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
    })
  }

  // --- What the observing fetch reports ---------------------------------------------------

  private onRequest(url: string, init: {method: string; headers: Record<string, string>}): void {
    const number = ++this.connections
    this.connection = {number, url, requestAt: performance.now(), parser: this.createParser(), events: 0, ids: 0, eventsInLastRead: 0}
    // What the previous connection left unprinted (events the EventSource did not dispatch) goes.
    this.queue = []
    if (this.options.verbose) {
      const body = this.plan.body === undefined ? [] : [`(body: ${this.plan.body.length} bytes)`]
      this.log('request', [`${init.method} ${url}${number > 1 ? ` (request ${number})` : ''}`, ...headerLines(Object.entries(init.headers)), ...body].join('\n'))
    }
  }

  private onResponse(response: Response): boolean {
    const connection = this.connection!
    connection.headersAt = performance.now()
    connection.status = response.status
    connection.statusText = response.statusText
    connection.finalUrl = response.url
    if (this.options.verbose) {
      this.log('response', [`HTTP ${response.status} ${response.statusText}`.trimEnd(), ...headerLines(response.headers)].join('\n'))
    }
    const stream = isEventStream(response)
    if (response.status === 200 && !stream) this.warn('contentType', warnings.contentType(response.headers.get('content-type')))
    if (stream) {
      const encoding = response.headers.get('content-encoding')
      if (encoding && encoding.toLowerCase() !== 'identity') this.warn('compressed', warnings.compressed(encoding))
      const length = response.headers.get('content-length')
      if (length !== null) this.warn('contentLength', warnings.contentLength(length))
    }
    return stream
  }

  private onChunk(bytes: Uint8Array): void {
    const connection = this.connection!
    const now = performance.now()
    if (connection.firstByteAt === undefined) {
      connection.firstByteAt = now
      if (!this.options.quiet) {
        const headers = connection.headersAt! - connection.requestAt
        this.log('ttfb', `${span(now - connection.requestAt)} to the first byte (headers: ${span(headers)})`)
      }
    }
    const silence = now - (connection.lastByteAt ?? connection.headersAt!)
    connection.lastByteAt = now
    if (this.options.output === 'raw' && !this.finished) this.io.stdout.write(bytes)
    const before = connection.events
    try {
      connection.parser.feed(bytes)
    } catch {
      // Past --max-event-size the parser refuses more: the EventSource fails the connection.
    }
    const events = (connection.eventsInLastRead = connection.events - before)
    if (events >= BURST_EVENTS && silence >= BURST_SILENCE) this.warn('burst', warnings.burst(events, silence, span))
    // What follows the chunk's last event prints once the EventSource has taken the chunk.
    if (!this.flushScheduled && this.queue.length > 0) {
      this.flushScheduled = true
      setImmediate(() => {
        this.flushScheduled = false
        this.flushQueue()
      })
    }
  }

  /** The observing parser of one connection: what it finds is queued, for stdout in stream order. */
  private createParser(): EventSourceParser {
    const text = this.options.output === 'text'
    return createParser({
      onEvent: (message) => {
        const connection = this.connection!
        connection.events++
        if (message.id !== undefined) {
          connection.ids++
          this.anyId = true
        }
        // The EventSource dispatches only the types someone listens to.
        const type = message.event || 'message'
        if (!this.listened.has(type)) {
          this.listened.add(type)
          this.source!.addEventListener(type, (event) => this.onMessage(event as MessageEvent<string>))
        }
        this.queue.push({kind: 'event', id: message.id, time: new Date()})
      },
      onComment: (comment) => {
        if (text) this.queue.push({kind: 'comment', text: comment, time: new Date()})
      },
      onRetry: (retry) => {
        if (text) this.queue.push({kind: 'retry', value: retry, time: new Date()})
        if (retry < STORMY_RETRY) this.warn('retry', warnings.stormyRetry(retry))
      },
      onError: (error) => {
        if (error.type === 'unknown-field') this.warn(`field:${error.field}`, warnings.unknownField(error.field ?? '', error.line))
        else if (error.type === 'invalid-retry') this.warn('invalid-retry', warnings.invalidRetry(error.line))
      },
      maxBufferSize: this.options.maxEventSize ?? 32 * 1024 * 1024,
    })
  }

  // --- What the EventSource dispatches -----------------------------------------------------

  private onMessage(event: MessageEvent<string>): void {
    if (this.finished) return
    // The comments and retry: fields before this event, then the event's own entry.
    let item: Item | undefined
    while ((item = this.queue.shift()) && item.kind !== 'event') this.printItem(item)
    const time = item?.time ?? new Date()
    const previous = this.lastEventAt ?? this.startedAt
    this.lastEventAt = time.getTime()
    const printed = {
      type: event.type,
      data: event.data,
      id: item?.kind === 'event' ? item.id : undefined,
      lastEventId: event.lastEventId,
      time,
      gap: Math.max(0, time.getTime() - previous),
    }
    this.events++
    if (this.options.output === 'text') this.io.stdout.write(formatEvent(printed, this.stdoutFormat))
    else if (this.options.output === 'ndjson') this.io.stdout.write(formatNdjson(printed))
    if (this.options.maxEvents !== undefined && this.events >= this.options.maxEvents) {
      this.stop(EXIT.ok, `--max-events ${this.options.maxEvents} reached`)
    }
  }

  private onLifecycle(event: Event): void {
    // A server may name its events `error` or `open`: those are messages.
    if (event instanceof MessageEvent) return this.onMessage(event as MessageEvent<string>)
    if (this.finished) return
    switch (event.type) {
      case 'open': {
        const connection = this.connection!
        const after = span(connection.headersAt! - connection.requestAt)
        const redirected = connection.finalUrl && connection.finalUrl !== connection.url ? ` (redirected to ${connection.finalUrl})` : ''
        this.log('open', `${connection.status} ${connection.statusText ?? ''}`.trimEnd() + `${redirected}, headers ${after} after the request`)
        return
      }
      case 'error':
        return this.onError(event as EventSourceErrorEvent)
      case 'reconnect': {
        const {attempt, delay} = event as EventSourceReconnectEvent
        const id = this.source!.lastEventId
        this.log('reconnect', `attempt ${attempt} in ${span(delay)}, ${id === '' ? 'no Last-Event-ID' : `Last-Event-ID: ${id}`}`)
        return
      }
      case 'end':
        this.connectionEnded(true)
        return this.stop(EXIT.ok, 'the server ended the stream (--once)')
    }
  }

  private onError(event: EventSourceErrorEvent): void {
    const {cause, response, willReconnect} = event
    const ended = cause === undefined && response === undefined
    this.connectionEnded(ended)
    let message = event.message
    if (!this.options.reconnect) message = message.replace(/; gave up after 0 reconnect attempts$/, '')
    if (willReconnect) {
      this.log('error', message)
      return
    }
    // Final. The body of a refused response says why, often: read it now, before it is let go.
    if (response && !response.bodyUsed) this.failedBody = response.text().catch(() => '')
    let code: number
    if (cause instanceof HTTPError) code = EXIT.http
    else if (cause instanceof ContentTypeError) code = EXIT.contentType
    else if (cause instanceof ParseError) code = EXIT.failure
    else if (ended && !this.options.reconnect) {
      // --no-reconnect: the stream's end is the normal end.
      return this.stop(EXIT.ok, 'the server ended the stream (--no-reconnect)')
    } else if (cause instanceof HeartbeatTimeoutError || cause instanceof TypeError || ended) code = EXIT.network
    else code = EXIT.failure
    this.stop(code, message, false, true)
  }

  /** A connection is over: the warnings that need its whole story. */
  private connectionEnded(cleanly: boolean): void {
    const connection = this.connection
    if (!connection || connection.headersAt === undefined) return
    this.flushQueue()
    if (connection.events > 0 && !this.anyId && this.source!.lastEventId === '') this.warn('noIds', warnings.noIds(connection.events))
    const {events, eventsInLastRead, lastByteAt, headersAt} = connection
    if (cleanly && events >= 2 && eventsInLastRead === events && lastByteAt !== undefined && lastByteAt - headersAt >= 500) {
      this.warn('allAtEnd', warnings.allAtEnd(events, lastByteAt - headersAt, span))
    }
  }

  // --- Output ---------------------------------------------------------------------------

  /** Prints the queued comments and retry: fields up to the next event not dispatched yet. */
  private flushQueue(): void {
    while (this.queue.length > 0 && this.queue[0]!.kind !== 'event' && !this.finished) this.printItem(this.queue.shift()!)
  }

  private printItem(item: Item): void {
    if (item.kind === 'comment') this.io.stdout.write(formatComment(item.text, item.time, this.stdoutFormat))
    else if (item.kind === 'retry') this.io.stdout.write(formatRetry(item.value, item.time, this.stdoutFormat))
  }

  private log(kind: LogKind, message: string): void {
    if (this.options.quiet) return
    this.io.stderr.write(formatLog(kind, message, new Date(), this.paint))
  }

  private warn(key: string, message: string): void {
    if (this.warned.has(key)) return
    this.warned.add(key)
    this.log('warning', message)
  }

  /**
   * The end of the run: the source closed (its connection aborted), the summary on stderr, then the
   * exit code. `silent`: nothing more to write (stdout is gone); `fatal`: an error, which `--quiet`
   * still shows.
   */
  private stop(code: number, reason: string, silent = false, fatal = false): void {
    if (this.finished) return
    this.flushQueue()
    this.finished = true
    this.source?.close()
    for (const timer of this.timers) clearTimeout(timer)
    if (this.events > 0 && !this.anyId) this.warn('noIds', warnings.noIds(this.events))
    const body = this.failedBody
    const report = (text: string): void => {
      if (silent) return this.finish(code)
      const elapsed = span(Date.now() - this.startedAt)
      const snippet = text.trim()
      const bodyLines = snippet === '' ? '' : `\nresponse body: ${excerpt(snippet)}`
      const summary = `${this.events} event${this.events === 1 ? '' : 's'} in ${elapsed}, exit ${code}`
      if (fatal && this.options.quiet) {
        this.io.stderr.write(formatLog('error', reason + bodyLines, new Date(), this.paint))
      } else if (fatal) {
        this.log('error', reason + bodyLines)
        this.log('end', summary)
      } else this.log('end', `${reason}: ${summary}`)
      this.finish(code)
    }
    if (!body) return report('')
    // A body that never ends is not waited for long.
    const timer = setTimeout(() => report(''), 2000)
    void body.then((text) => {
      clearTimeout(timer)
      report(text)
    })
  }
}

/** The start of a response body: its first 8 lines, 500 characters at most. */
function excerpt(text: string): string {
  const lines = text.split('\n')
  let start = lines.slice(0, 8).join('\n')
  if (start.length > 500) start = start.slice(0, 500)
  return start.length < text.length ? `${start}…` : start
}

/** Runs the CLI in this process and exits with its code once stdout and stderr are written. */
export function cli(): void {
  const io: Io = {stdout: process.stdout, stderr: process.stderr, env: process.env}
  main(process.argv.slice(2), io).then(
    (code) => exitWhenWritten(code),
    (error: unknown) => {
      process.stderr.write(`streamsource: unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
      exitWhenWritten(EXIT.failure)
    },
  )
}

/**
 * Exits once what was written has gone out: `process.exit` right away could cut a pipe's output
 * short, and waiting for the event loop to empty would wait for fetch's idle connections.
 */
function exitWhenWritten(code: number): void {
  let pending = 2
  const done = (): void => {
    if (--pending === 0) process.exit(code)
  }
  for (const stream of [process.stdout, process.stderr]) {
    if (stream.destroyed || !stream.writable) done()
    else stream.write('', () => done())
  }
}
