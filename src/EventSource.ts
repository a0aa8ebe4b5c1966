/**
 * EventSource: the WHATWG interface and its processing model on a pluggable transport (fetch by
 * default), plus the extensions in `EventSourceInit`. Spec steps are quoted beside the code that
 * does them; anything the spec does not say is marked [non-spec].
 *
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html#the-eventsource-interface
 */
import {backoffDelay, clampDelay, parseRetryAfter} from './backoff.js'
import {ContentTypeError, HeartbeatTimeoutError, HTTPError, type ParseError} from './errors.js'
import {EventSourceErrorEvent, EventSourceReconnectEvent} from './events.js'
import {normalizeInit, type EventSourceInit, type HeadersValue, type Settings} from './options.js'
import {createParser} from './parse.js'
import {createFetchTransport, type Transport} from './transport/fetch.js'
import type {EventSourceMessage, EventSourceParser} from './types.js'

const CONNECTING = 0
const OPEN = 1
const CLOSED = 2

/** The events every EventSource fires, by type. Named events are `MessageEvent`s too. */
export interface EventSourceEventMap {
  open: Event
  message: MessageEvent<string>
  error: EventSourceErrorEvent
  /** [non-spec] A reconnect was scheduled. */
  reconnect: EventSourceReconnectEvent
  /** [non-spec] A `oneShot` stream ended cleanly; the source is CLOSED. */
  end: Event
}

type HandlerName = 'open' | 'message' | 'error'
type Listener<E> = (event: E) => unknown

/**
 * A Server-Sent Events client with the browser's `EventSource` interface, on `fetch`.
 *
 * `Events` names the event types the server sends (e.g. `EventSource<'price' | 'trade'>`), so
 * `addEventListener('price', e => e.data)` is typed; by default any name is accepted.
 *
 * @example
 * ```ts
 * const source = new EventSource('/events', {headers: () => ({Authorization: `Bearer ${token()}`})})
 * source.addEventListener('price', (event) => console.log(event.data, event.lastEventId))
 * ```
 * @public
 */
export class EventSource<Events extends string = string> extends EventTarget {
  static readonly CONNECTING = CONNECTING
  static readonly OPEN = OPEN
  static readonly CLOSED = CLOSED
  declare readonly CONNECTING: typeof CONNECTING
  declare readonly OPEN: typeof OPEN
  declare readonly CLOSED: typeof CLOSED

  /** The resolved URL given to the constructor: the `url` attribute. */
  #url: string
  /**
   * Where the next attempt goes: `#url`, or where the last redirect led. "Redirects modify request's
   * url list, and fetch uses request's current url" (whatwg/html#503): the spec reuses one request
   * for every reconnect, so a redirected stream reconnects to its final URL, as browsers do.
   */
  #requestUrl: string
  #settings: Settings
  #transport: Transport
  #readyState: 0 | 1 | 2 = CONNECTING
  /** The spec's "last event ID string": sent as `Last-Event-ID`, and each event's `lastEventId`. */
  #lastEventId = ''
  /** The spec's "reconnection time": the initial delay until a `retry:` field sets it. */
  #reconnectionTime: number
  /** Failed attempts in a row; back to 0 when a connection delivers data. */
  #attempt = 0
  #reconnectDelay: number | undefined
  #lastStatus: number | undefined
  /** The attempt in progress: aborting it silences its transport. */
  #attemptController: AbortController | undefined
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined
  #heartbeatTimer: ReturnType<typeof setTimeout> | undefined
  /** Origin of the final URL (after redirects) of the open connection: each event's `origin`. */
  #origin = ''
  #parser: EventSourceParser
  #handlers: Partial<Record<HandlerName, {handler: Listener<Event> | null; listener: Listener<Event>}>> = {}
  #iterators = new Set<MessageQueue>()
  /**
   * Every event type a listener or handler was ever added for. A MessageEvent nobody could hear is
   * not dispatched (building and dispatching one is most of the cost of an event, and an async
   * iterator needs none). Never shrinks: an extra dispatch is harmless, a missed one is not.
   */
  #listenedTypes = new Set<string>()
  /** Undo what the source listens to outside itself (page events, the `signal`): done once CLOSED. */
  #removeListeners: ((() => void) | undefined)[] = []

  /**
   * @param url - The event stream's URL, resolved against the document's base URL where there is one.
   * @param init - `withCredentials` and the extensions; see {@link EventSourceInit}.
   * @throws `SyntaxError` (a `DOMException`) when `url` is not a valid URL;
   *   `TypeError` when an option has an impossible value.
   */
  // `init` has a default so that `EventSource.length` is 1, as WebIDL gives optional arguments.
  constructor(url: string | URL, init: EventSourceInit | null | undefined = undefined) {
    super()
    // "1. Let ev be a new EventSource object. [...] 3. Let urlRecord be the result of encoding-parsing a
    // URL given url, relative to settings. 4. If urlRecord is failure, then throw a "SyntaxError"
    // DOMException. 5. Set ev's url to urlRecord."
    this.#url = resolveURL(url)
    this.#requestUrl = this.#url
    this.#settings = normalizeInit(init)
    const settings = this.#settings
    if (settings.body != null && (settings.method === 'GET' || settings.method === 'HEAD')) {
      throw new TypeError(`EventSource option \`body\` needs a method other than ${settings.method}, e.g. POST`)
    }
    this.#reconnectionTime = settings.initialDelay
    this.#lastEventId = settings.lastEventId
    const fetchImpl = settings.fetch ?? globalThis.fetch
    this.#transport = createFetchTransport((input, requestInit) => fetchImpl(input, requestInit))
    this.#parser = createParser({
      onEvent: (message) => this.#dispatchMessage(message),
      // Dispatch step 1: "Set the last event ID string of the event source to the value of the last
      // event ID buffer." (The parser reports it for every block that set one, even without data.)
      onId: (id) => {
        this.#lastEventId = id
      },
      // "If the field value consists of only ASCII digits, then interpret the field value as an integer
      // in base ten, and set the event stream's reconnection time to that integer."
      onRetry: (retry) => {
        this.#reconnectionTime = clampDelay(retry)
      },
      onError: (error) => this.#onParseError(error),
      maxBufferSize: settings.maxEventSize,
    })
    if (settings.signal?.aborted) {
      this.#readyState = CLOSED
      return
    }
    this.#removeListeners = [
      settings.reconnectOnPageEvents ? this.#listenToPage() : undefined,
      settings.signal === undefined ? undefined : this.#listenToSignal(settings.signal),
    ]
    // "14. Fetch request." [...] Started after the constructor returns: as in browsers, a close()
    // right after construction sends no request at all.
    queueMicrotask(() => this.#connect())
  }

  /** The URL of the event stream, resolved. */
  get url(): string {
    return this.#url
  }

  /** `CONNECTING` (0), `OPEN` (1) or `CLOSED` (2). */
  get readyState(): 0 | 1 | 2 {
    return this.#readyState
  }

  /** Whether cross-origin requests send credentials (the `withCredentials` option). */
  get withCredentials(): boolean {
    return this.#settings.withCredentials
  }

  /** [non-spec] The last event ID: what the next reconnect sends as `Last-Event-ID`. */
  get lastEventId(): string {
    return this.#lastEventId
  }

  /** [non-spec] How many connection attempts in a row have failed (0 once data flows). */
  get attempt(): number {
    return this.#attempt
  }

  /** [non-spec] The delay of the reconnect scheduled last, in milliseconds. */
  get reconnectDelay(): number | undefined {
    return this.#reconnectDelay
  }

  /** [non-spec] The status of the last response, if any. */
  get lastStatus(): number | undefined {
    return this.#lastStatus
  }

  // The getters' types are the DOM's (`(event: Event) => unknown`) so that an instance can be passed
  // where lib.dom's `EventSource` is expected; the setters' types give handlers the precise event.
  get onopen(): Listener<Event> | null {
    return this.#getHandler('open')
  }
  set onopen(handler: Listener<Event> | null) {
    this.#setHandler('open', handler)
  }
  get onmessage(): Listener<MessageEvent> | null {
    return this.#getHandler('message')
  }
  set onmessage(handler: Listener<MessageEvent<string>> | null) {
    this.#setHandler('message', handler as Listener<Event> | null)
  }
  get onerror(): Listener<Event> | null {
    return this.#getHandler('error')
  }
  set onerror(handler: Listener<EventSourceErrorEvent> | null) {
    this.#setHandler('error', handler as Listener<Event> | null)
  }

  override addEventListener<K extends keyof EventSourceEventMap>(
    type: K,
    listener: Listener<EventSourceEventMap[K]> | null,
    options?: boolean | AddEventListenerOptions,
  ): void
  override addEventListener(
    type: Events,
    listener: Listener<MessageEvent<string>> | null,
    options?: boolean | AddEventListenerOptions,
  ): void
  override addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void
  override addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | Listener<never> | null,
    options?: boolean | AddEventListenerOptions,
  ): void {
    this.#listenedTypes.add(type)
    super.addEventListener(type, listener as EventListenerOrEventListenerObject | null, options)
  }

  override removeEventListener<K extends keyof EventSourceEventMap>(
    type: K,
    listener: Listener<EventSourceEventMap[K]> | null,
    options?: boolean | EventListenerOptions,
  ): void
  override removeEventListener(
    type: Events,
    listener: Listener<MessageEvent<string>> | null,
    options?: boolean | EventListenerOptions,
  ): void
  override removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions,
  ): void
  override removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | Listener<never> | null,
    options?: boolean | EventListenerOptions,
  ): void {
    super.removeEventListener(type, listener as EventListenerOrEventListenerObject | null, options)
  }

  /**
   * "The close() method must abort any instances of the fetch algorithm started for this EventSource
   * object, and must set the readyState attribute to CLOSED." No event fires; nothing happens later.
   */
  close(): void {
    if (this.#readyState === CLOSED && this.#attemptController === undefined) return
    this.#readyState = CLOSED
    this.#stop()
    for (const queue of this.#iterators) queue.finish()
  }

  /**
   * [non-spec] Every `MessageEvent` (named ones too), in order, until the source closes; breaking
   * out of the loop closes the source. A source that fails (CLOSED by an error) throws the cause.
   *
   * @example
   * ```ts
   * for await (const event of new EventSource(url, {method: 'POST', body, oneShot: true})) print(event.data)
   * ```
   */
  [Symbol.asyncIterator](): AsyncIterableIterator<MessageEvent<string>> {
    const queue = new MessageQueue(() => {
      this.#iterators.delete(queue)
      this.close()
    })
    if (this.#readyState === CLOSED) queue.finish()
    else this.#iterators.add(queue)
    return queue
  }

  // PRIVATES FOLLOW

  /** A method rather than a comparison, so TypeScript does not assume a callback left it unchanged. */
  #isClosed(): boolean {
    return this.#readyState === CLOSED
  }

  #getHandler<E>(name: HandlerName): Listener<E> | null {
    return (this.#handlers[name]?.handler as Listener<E> | undefined) ?? null
  }

  /**
   * Event handler IDL attributes: the first non-null value adds a listener that stays in its place
   * among the others while the value changes; null removes it.
   */
  #setHandler(name: HandlerName, handler: Listener<Event> | null): void {
    const current = this.#handlers[name]
    if (typeof handler !== 'function') handler = null
    if (current !== undefined && handler !== null) {
      current.handler = handler
    } else if (current !== undefined) {
      super.removeEventListener(name, current.listener)
      delete this.#handlers[name]
    } else if (handler !== null) {
      const entry = {
        handler: handler as Listener<Event> | null,
        listener: (event: Event) => entry.handler?.call(this, event),
      }
      this.#handlers[name] = entry
      this.#listenedTypes.add(name)
      super.addEventListener(name, entry.listener)
    }
  }

  /** One connection attempt: the spec's fetch and "processResponse" steps. */
  async #connect(): Promise<void> {
    // Reestablish step 5: "If the EventSource object's readyState attribute is not set to CONNECTING, then return."
    if (this.#readyState !== CONNECTING) return
    this.#reconnectTimer = undefined
    const controller = new AbortController()
    this.#attemptController = controller
    let headers: Record<string, string>
    let body
    try {
      headers = await this.#requestHeaders()
      body = typeof this.#settings.body === 'function' ? await this.#settings.body() : this.#settings.body
    } catch (error) {
      // [non-spec] A throwing `headers` or `body` function counts as a failed attempt.
      if (this.#attemptController === controller) this.#reestablish(error, 'The headers or body function threw')
      return
    }
    if (this.#attemptController !== controller) return
    if (typeof ReadableStream === 'function' && body instanceof ReadableStream && body.locked) {
      // [non-spec] A stream is read once: every later attempt would fail the same way.
      const error = new TypeError('A ReadableStream `body` can only be sent once: pass a function that returns a new one')
      return this.#fail(error, error.message)
    }
    this.#parser.reset()
    this.#transport(
      {
        url: this.#requestUrl,
        method: this.#settings.method,
        headers,
        body,
        credentials: this.#settings.credentials,
        signal: controller.signal,
      },
      {
        onResponse: (response) => this.#onResponse(response),
        onChunk: (chunk) => {
          this.#restartHeartbeat()
          this.#attempt = 0
          this.#parser.feed(chunk)
        },
        onEnd: () => this.#onEnd(),
        // "2. Otherwise, if res is a network error, then reestablish the connection [...]"
        onError: (error) => this.#onNetworkError(error),
      },
    )
    this.#restartHeartbeat()
  }

  /** The request headers for one attempt: the user's, `Accept`, and `Last-Event-ID`. */
  async #requestHeaders(): Promise<Record<string, string>> {
    const option = this.#settings.headers
    const given: HeadersValue | undefined = typeof option === 'function' ? await option() : option
    // A plain object, as the `eventsource` package gives a custom fetch; names lower-cased by Headers.
    const headers: Record<string, string> = {accept: 'text/event-stream'}
    if (given !== undefined) new Headers(given).forEach((value, name) => (headers[name] = value))
    // "If ev's last event ID string is not the empty string, then set (`Last-Event-ID`, ev's last
    // event ID string, encoded as UTF-8) in request's header list."
    if (this.#lastEventId !== '') headers['last-event-id'] = utf8AsByteString(this.#lastEventId)
    return headers
  }

  #onResponse(response: Response): boolean {
    this.#lastStatus = response.status
    // A custom fetch's Response may have no URL; then the request URL stands.
    if (response.redirected && response.url !== '') this.#requestUrl = response.url
    // "3. Otherwise, if res's status is not 200, or if res's `Content-Type` is not `text/event-stream`,
    // then fail the connection." (204 included: it is how a server says "stop".)
    if (response.status !== 200 || !isEventStream(response.headers.get('content-type'))) {
      // The attempt is over, but its fetch is let be rather than aborted: aborting would error the
      // body, which `error` listeners may read (`event.response.json()`); discardBody() lets it go after.
      this.#attemptController = undefined
    }
    if (response.status !== 200) {
      const error = new HTTPError(response, this.#url)
      if (this.#settings.retryOnStatus.includes(response.status)) {
        // [non-spec] Opted-in statuses reconnect, no sooner than `Retry-After` asks.
        this.#reestablish(error, error.message, response, parseRetryAfter(response.headers.get('retry-after')))
      } else {
        this.#fail(error, error.message, response)
      }
      discardBody(response)
      return false
    }
    if (!isEventStream(response.headers.get('content-type'))) {
      const error = new ContentTypeError(response, this.#url)
      this.#fail(error, error.message, response)
      discardBody(response)
      return false
    }
    // "4. Otherwise, announce the connection and interpret res's body line by line."
    // Events carry "the serialization of the origin of the event stream's final URL (i.e., the URL
    // after redirects)".
    this.#origin = new URL(response.url || this.#requestUrl).origin
    // Announce: "If ev's readyState attribute is set to a value other than CLOSED, then set ev's
    // readyState attribute to OPEN and fire an event named open at ev."
    this.#readyState = OPEN
    this.dispatchEvent(new Event('open'))
    return this.#readyState === OPEN
  }

  /** "processEventSourceEndOfBody given response res: If res is not a network error, then reestablish the connection." */
  #onEnd(): void {
    if (this.#readyState === CLOSED) return
    if (this.#settings.oneShot) {
      // [non-spec] One-shot streams end here: no reconnect, no replayed request.
      this.#readyState = CLOSED
      this.#stop()
      this.dispatchEvent(new Event('end'))
      for (const queue of this.#iterators) queue.finish()
      return
    }
    this.#reestablish(undefined, 'The server ended the stream')
  }

  #onNetworkError(error: unknown): void {
    this.#onConnectionLost(error, `Connection to ${this.#url} failed: ${describe(error)}`)
  }

  /** The connection broke off (a network error, or a heartbeat timeout): reconnect, or fail a one-shot. */
  #onConnectionLost(cause: unknown, message: string): void {
    if (this.#settings.oneShot && this.#lastEventId === '') {
      // [non-spec] A one-shot request is not sent again unless the server gave an id to resume from.
      return this.#fail(cause, message)
    }
    this.#reestablish(cause, message)
  }

  #onParseError(error: ParseError): void {
    // [non-spec] An event or line past `maxEventSize` fails the connection: reconnecting would
    // most likely fetch the same oversized event again.
    if (error.type === 'max-buffer-size-exceeded') this.#fail(error, error.message)
  }

  /** Dispatch steps 4–8: a MessageEvent with the type, data, origin and last event ID. */
  #dispatchMessage(message: EventSourceMessage): void {
    // "Queue a task which, if the readyState attribute is set to a value other than CLOSED, dispatches
    // the newly created event at the EventSource object."
    if (this.#readyState !== OPEN) return
    // "If the event type buffer has a value other than the empty string, change the type of the newly
    // created event to equal the value of the event type buffer."
    const type = message.event ?? 'message'
    const listened = this.#listenedTypes.has(type)
    if (!listened && this.#iterators.size === 0) return
    const event = new MessageEvent(type, {data: message.data, origin: this.#origin, lastEventId: this.#lastEventId})
    if (listened) this.dispatchEvent(event)
    for (const queue of this.#iterators) queue.push(event)
  }

  /**
   * "Reestablish the connection": CONNECTING, `error`, wait, connect again. The wait is the
   * reconnection time, grown by the backoff policy; the policy may also give up.
   */
  #reestablish(cause: unknown, message: string, response?: Response, retryAfter?: number): void {
    if (this.#readyState === CLOSED) return
    this.#stop()
    this.#attempt++
    let delay = backoffDelay(this.#reconnectionTime, this.#attempt, this.#settings, Math.random())
    if (retryAfter !== undefined) delay = Math.max(delay, retryAfter)
    if (this.#attempt > this.#settings.maxAttempts) {
      return this.#fail(cause, `${message}; gave up after ${this.#settings.maxAttempts} reconnect attempts`, response, {
        counted: true,
      })
    }
    let verdict
    try {
      verdict = this.#settings.shouldReconnect?.({attempt: this.#attempt, delay, status: response?.status, response, cause})
    } catch (error) {
      // A policy that throws cannot be followed: fail with its error, rather than leave it
      // unhandled inside the transport (or a timer) and the source stuck.
      return this.#fail(error, `${message}; shouldReconnect threw: ${describe(error)}`, response, {counted: true})
    }
    if (verdict === false) return this.#fail(cause, `${message}; shouldReconnect said stop`, response, {counted: true})
    if (typeof verdict === 'number') delay = clampDelay(verdict)
    if (this.#isClosed()) return // shouldReconnect closed it
    this.#reconnectDelay = delay
    // "1. Queue a task to run the following steps: If the readyState attribute is set to CLOSED, abort
    // the task. Set the readyState attribute to CONNECTING. Fire an event named error at the EventSource object."
    this.#readyState = CONNECTING
    this.dispatchEvent(
      new EventSourceErrorEvent({message, cause, response, willReconnect: true, reconnectDelay: delay, attempt: this.#attempt}),
    )
    if (this.#readyState !== CONNECTING) return
    this.dispatchEvent(new EventSourceReconnectEvent(this.#attempt, delay))
    if (this.#readyState !== CONNECTING || this.#attemptController !== undefined) return
    // "2. Wait a delay equal to the reconnection time of the event source. 3. Optionally, wait some more."
    this.#reconnectTimer = setTimeout(() => void this.#connect(), delay)
  }

  /**
   * "Fail the connection": "If the readyState attribute is set to a value other than CLOSED, set the
   * readyState attribute to CLOSED and fire an event named error at the EventSource object. Once the
   * user agent has failed the connection, it does not attempt to reconnect."
   */
  #fail(cause: unknown, message: string, response?: Response, {counted = false} = {}): void {
    if (this.#readyState === CLOSED) return
    // The attempt that failed counts, as the error event's `attempt` says ("this one included"),
    // unless #reestablish counted it already.
    if (!counted) this.#attempt++
    this.#readyState = CLOSED
    this.#stop()
    this.dispatchEvent(new EventSourceErrorEvent({message, cause, response, willReconnect: false, attempt: this.#attempt}))
    for (const queue of this.#iterators) queue.fail(cause ?? new Error(message))
  }

  /** Ends the attempt in progress and every timer; the page listeners too once CLOSED. */
  #stop(): void {
    this.#attemptController?.abort()
    this.#attemptController = undefined
    this.#parser.reset()
    clearTimeout(this.#reconnectTimer)
    clearTimeout(this.#heartbeatTimer)
    this.#reconnectTimer = undefined
    this.#heartbeatTimer = undefined
    if (this.#readyState === CLOSED) {
      for (const remove of this.#removeListeners.splice(0)) remove?.()
    }
  }

  /** [non-spec] `heartbeatTimeout`: drop a connection on which nothing arrived for that long. */
  #restartHeartbeat(): void {
    const timeout = this.#settings.heartbeatTimeout
    if (timeout === undefined) return
    clearTimeout(this.#heartbeatTimer)
    const controller = this.#attemptController
    this.#heartbeatTimer = setTimeout(() => {
      if (this.#attemptController !== controller) return
      const error = new HeartbeatTimeoutError(timeout)
      this.#onConnectionLost(error, error.message)
    }, timeout)
  }

  /**
   * [non-spec] The `signal` option closes the source. The listener goes once the source is CLOSED,
   * so that one long-lived signal shared by many sources does not collect a listener for each.
   */
  #listenToSignal(signal: AbortSignal): () => void {
    const onAbort = (): void => this.close()
    signal.addEventListener('abort', onAbort, {once: true})
    return () => signal.removeEventListener('abort', onAbort)
  }

  /**
   * [non-spec] `reconnectOnPageEvents`: reconnect at once, rather than wait out the delay, when
   * waiting no longer makes sense: the network came back (`online`), the page came back from the
   * back/forward cache (`pageshow` with `persisted`), or a hidden page became visible. Only events
   * the browser fired count (`isTrusted`), and only real changes of state.
   */
  #listenToPage(): (() => void) | undefined {
    const scope = globalThis as {addEventListener?: typeof addEventListener; removeEventListener?: typeof removeEventListener}
    if (typeof scope.addEventListener !== 'function' || typeof scope.removeEventListener !== 'function') return undefined
    const doc = (globalThis as {document?: Document}).document
    let wasHidden = doc?.visibilityState === 'hidden'
    const reconnectNow = (): void => {
      if (this.#reconnectTimer === undefined || doc?.visibilityState === 'hidden') return
      clearTimeout(this.#reconnectTimer)
      void this.#connect()
    }
    const onOnline = (event: Event): void => {
      if (event.isTrusted) reconnectNow()
    }
    const onPageShow = (event: Event): void => {
      if (event.isTrusted && (event as PageTransitionEvent).persisted) reconnectNow()
    }
    const onVisibilityChange = (event: Event): void => {
      const hidden = doc?.visibilityState === 'hidden'
      const becameVisible = wasHidden && !hidden
      wasHidden = hidden
      if (event.isTrusted && becameVisible) reconnectNow()
    }
    scope.addEventListener('online', onOnline)
    scope.addEventListener('pageshow', onPageShow)
    doc?.addEventListener('visibilitychange', onVisibilityChange)
    return () => {
      scope.removeEventListener?.('online', onOnline)
      scope.removeEventListener?.('pageshow', onPageShow)
      doc?.removeEventListener('visibilitychange', onVisibilityChange)
    }
  }
}

// WebIDL constants are read-only, enumerable and not configurable on the interface object and its
// prototype alike; static fields would be writable and configurable.
for (const target of [EventSource, EventSource.prototype]) {
  const constant = (value: number) => ({value, writable: false, enumerable: true, configurable: false})
  Object.defineProperties(target, {CONNECTING: constant(CONNECTING), OPEN: constant(OPEN), CLOSED: constant(CLOSED)})
}
// As WebIDL gives every interface: `Object.prototype.toString.call(source)` is `[object EventSource]`.
Object.defineProperty(EventSource.prototype, Symbol.toStringTag, {value: 'EventSource', configurable: true})

/**
 * The async iterator over an EventSource's messages: a queue that buffers what arrives between
 * two `next()` calls.
 */
class MessageQueue implements AsyncIterableIterator<MessageEvent<string>> {
  // Read from `#head` on, as `shift()` moves every remaining element; compacted once drained.
  #buffer: MessageEvent<string>[] = []
  #head = 0
  #waiting: {resolve: (result: IteratorResult<MessageEvent<string>>) => void; reject: (error: unknown) => void} | undefined
  #ended: {error: unknown} | undefined
  #onReturn: () => void

  constructor(onReturn: () => void) {
    this.#onReturn = onReturn
  }

  push(event: MessageEvent<string>): void {
    if (this.#ended !== undefined) return
    if (this.#waiting === undefined) this.#buffer.push(event)
    else {
      this.#waiting.resolve({value: event, done: false})
      this.#waiting = undefined
    }
  }

  finish(): void {
    this.#end({error: undefined})
  }

  fail(error: unknown): void {
    this.#end({error})
  }

  #end(ended: {error: unknown}): void {
    if (this.#ended !== undefined) return
    this.#ended = ended
    const waiting = this.#waiting
    this.#waiting = undefined
    if (waiting === undefined) return
    if (ended.error === undefined) waiting.resolve({value: undefined, done: true})
    else waiting.reject(ended.error)
  }

  next(): Promise<IteratorResult<MessageEvent<string>>> {
    if (this.#head < this.#buffer.length) {
      const event = this.#buffer[this.#head++]!
      if (this.#head === this.#buffer.length) {
        this.#buffer = []
        this.#head = 0
      }
      return Promise.resolve({value: event, done: false})
    }
    if (this.#ended !== undefined) {
      const {error} = this.#ended
      this.#ended = {error: undefined} // report a failure once, then stay done
      return error === undefined ? Promise.resolve({value: undefined, done: true}) : Promise.reject(error)
    }
    return new Promise((resolve, reject) => (this.#waiting = {resolve, reject}))
  }

  return(): Promise<IteratorResult<MessageEvent<string>>> {
    this.#buffer = []
    this.#head = 0
    this.#end({error: undefined})
    this.#onReturn()
    return Promise.resolve({value: undefined, done: true})
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<MessageEvent<string>> {
    return this
  }
}

/** The URL parsed against the document's base URL, or the worker's location; a SyntaxError if invalid. */
function resolveURL(url: string | URL): string {
  const scope = globalThis as {document?: {baseURI?: string}; location?: {href?: string}}
  const base = scope.document?.baseURI ?? scope.location?.href
  try {
    return new URL(String(url), base).href
  } catch {
    const message = `Failed to construct 'EventSource': The URL '${String(url)}' is invalid.`
    throw typeof DOMException === 'function' ? new DOMException(message, 'SyntaxError') : new SyntaxError(message)
  }
}

/** Whether a Content-Type's MIME type essence is `text/event-stream`; parameters do not matter. */
function isEventStream(contentType: string | null): boolean {
  if (contentType === null) return false
  const semicolon = contentType.indexOf(';')
  const essence = (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase()
  return essence === 'text/event-stream'
}

/** A header value holding the UTF-8 bytes of `value`, one byte per character, as headers carry them. */
function utf8AsByteString(value: string): string {
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(value)) return value
  let result = ''
  for (const byte of new TextEncoder().encode(value)) result += String.fromCharCode(byte)
  return result
}

/** Lets the connection go unless an `error` listener started reading the body. */
function discardBody(response: Response): void {
  if (!response.bodyUsed && response.body !== null && !response.body.locked) response.body.cancel().catch(() => {})
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as {cause?: unknown}).cause
    return cause instanceof Error ? `${error.message} (${cause.message})` : error.message
  }
  return String(error)
}
