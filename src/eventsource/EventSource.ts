/**
 * EventSource: the WHATWG interface and its processing model on a pluggable transport (fetch by
 * default), plus the options of `EventSourceInit` that are plain values (headers, method, body,
 * fetch, credentials, signal, lastEventId, maxEventSize, the reconnect policy). Spec steps are
 * quoted beside the code that does them; anything the spec does not say is marked [non-spec].
 *
 * What else an EventSource can do (a heartbeat, one-shot streams, retrying statuses, page-lifecycle
 * reconnects, async iteration) is an extension in src/extensions/, which the core knows only
 * through the hooks of src/extensions/extension.ts: an app that imports none pays for none.
 *
 * What the core needs from the platform comes from `../platform/web.ts`, and the transport from
 * `../transport/index.ts`: with plain option values (a headers object, a string body) it needs no
 * `Promise`, `AbortController`, `URL`, `queueMicrotask`, `TextDecoder`, `fetch` or `Headers` of
 * its own; only a `headers` or `body` function that returns a thenable is waited for.
 *
 * Private members end in `_`: the build shortens them (see rollup.config.mjs), where `#private`
 * names would need WeakMaps in the ES5 build.
 *
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html#the-eventsource-interface
 */
import {backoffDelay, clampDelay} from './backoff.js'
import {ContentTypeError, HTTPError, ParseError} from '../errors.js'
import {EventSourceErrorEvent, EventSourceReconnectEvent} from './events.js'
import {normalizeInit, type EventSourceInit, type Settings} from './options.js'
import {closeOnAbort, EventSourceTarget, ownHandlerAttributes, type EventSourceEvents} from './event-source-target.js'
import {eventPerTask, nextTask} from '../platform/event-tasks.js'
import type {Hooks} from '../extensions/extension.js'
import {createEvent, createMessageEvent, defer, originOf, resolveURL, scope} from '../platform/web.js'
import {headerRecord, lastEventIdHeader} from './request-headers.js'
import {createStreamReader, type StreamReader} from '../parser/stream-reader.js'
import {transport, type TransportResponse} from '../transport/index.js'
import type {EventSourceMessage} from '../parser/types.js'

export type {EventHandlerAttributes, EventNames, EventSourceEventMap, EventSourceEvents, ListenerOptions, NamedEvent, RemoveListenerOptions, TypedMessageEvent} from './event-source-target.js'

const CONNECTING = 0
const OPEN = 1
const CLOSED = 2

/**
 * A Server-Sent Events client with the browser's `EventSource` interface, on `fetch`.
 *
 * `Events` types the events the server sends: their names (`EventSource<'price' | 'trade'>`), or a
 * map from name to the type of `data` (`EventSource<{price: string; status: 'up' | 'down'}>`); see
 * {@link EventSourceEvents}. Then `addEventListener` accepts only those names and the EventSource's
 * own events, and types each event's `data`. By default any name is accepted, with string `data`.
 *
 * @example
 * ```ts
 * const source = new EventSource('/events', {headers: () => ({Authorization: `Bearer ${token()}`})})
 * source.addEventListener('price', (event) => console.log(event.data, event.lastEventId))
 * ```
 * @public
 */
export class EventSource<Events extends EventSourceEvents<Events> = string> extends EventSourceTarget<Events> {
  // Defined once the class is, below: WebIDL constants are read-only and not configurable.
  /** `0`, the `readyState` while connecting or waiting to reconnect (standard DOM constant). */
  declare static readonly CONNECTING: typeof CONNECTING
  /** `1`, the `readyState` while the connection is open and events arrive (standard DOM constant). */
  declare static readonly OPEN: typeof OPEN
  /** `2`, the `readyState` once closed or failed: no more events or reconnects (standard DOM constant). */
  declare static readonly CLOSED: typeof CLOSED
  /** `0`, as `EventSource.CONNECTING` (standard DOM constant). */
  declare readonly CONNECTING: typeof CONNECTING
  /** `1`, as `EventSource.OPEN` (standard DOM constant). */
  declare readonly OPEN: typeof OPEN
  /** `2`, as `EventSource.CLOSED` (standard DOM constant). */
  declare readonly CLOSED: typeof CLOSED

  /**
   * The resolved URL given to the constructor: the `url` attribute, and where every attempt goes.
   * [non-spec] Reconnects too, even after a redirect: the spec reuses one request, whose URL list a
   * redirect extended (whatwg/html#503), and Chromium reconnects to the final URL; Firefox, WebKit
   * and the `eventsource` package ask the first URL again, as this class does. That way the headers
   * a user gave (or a custom `fetch` adds) only ever go to the URL the user named, fetch strips the
   * credentials again on every cross-origin redirect, and a temporary redirect can be taken back.
   */
  private url_: string
  private settings_: Settings
  // A number, not `0 | 1 | 2`: TypeScript would assume a callback (a listener) left it unchanged.
  private readyState_: number = CONNECTING
  /** The spec's "last event ID string": sent as `Last-Event-ID`, and each event's `lastEventId`. */
  private lastEventId_: string
  /** The spec's "reconnection time": the initial delay until a `retry:` field sets it. */
  private reconnectionTime_: number
  /** Failed attempts in a row; back to 0 when a connection delivers an event. */
  private attempt_ = 0
  /** Why the source failed, once it did: what an async iterator started later throws. */
  private declare failure_: [cause: unknown] | undefined
  /**
   * The attempt in progress, as the function that cancels it (a no-op until the transport started);
   * compared by identity, it tells a callback whether its attempt is still the current one.
   */
  private declare cancel_: (() => void) | undefined
  private declare reconnectTimer_: ReturnType<typeof setTimeout> | undefined
  /** Origin of the final URL (after redirects) of the open connection: each event's `origin`. */
  private origin_ = ''
  private reader_: StreamReader
  /**
   * Every event type a listener or handler was ever added for. A MessageEvent nobody could hear is
   * not dispatched (building and dispatching one is most of the cost of an event). Never shrinks:
   * an extra dispatch is harmless, a missed one is not.
   */
  private listened_ = new Set<string>()
  /**
   * What the connection delivered and the page has not been handed yet, in order: each event, and
   * the end or failure of the connection behind them (see src/platform/event-tasks.ts). Empty when a
   * chunk's events are dispatched at once.
   */
  private pending_: (() => void)[] = []
  /** Whether the current task already ran a step, and a task is scheduled for the next one. */
  private scheduled_ = false
  /** What the extensions (and the `signal` option) do at the core's hook points. */
  private hooks_: Hooks[] = []

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
    url = String(url)
    try {
      // The base URL: the document's, or the worker's location.
      this.url_ = resolveURL(url, scope.document?.baseURI ?? scope.location?.href)
    } catch {
      const message = `Invalid URL '${url}'`
      throw typeof DOMException == 'function' ? new DOMException(message, 'SyntaxError') : new SyntaxError(message)
    }
    const settings = (this.settings_ = normalizeInit(init))
    const {signal, maxEventSize} = settings
    this.reconnectionTime_ = settings.initialDelay
    this.lastEventId_ = settings.lastEventId
    this.reader_ = createStreamReader(
      {
        event: (message) => {
          // [non-spec] The connection proved healthy: reconnects back off from the start again.
          // Not on bytes alone: a server that sends one and closes would keep the delay at its first
          // step and defeat `maxAttempts` for ever.
          this.attempt_ = 0
          // The event takes the last event ID as it is now; the next `id:` may change it before the
          // event's task runs.
          const lastEventId = this.lastEventId_
          this.inOrder_(() => this.dispatchMessage_(message, lastEventId))
        },
        // Dispatch step 1: "Set the last event ID string of the event source to the value of the last
        // event ID buffer." (The reader reports it for every block that set one, even without data.)
        id: (id) => (this.lastEventId_ = id),
        // "If the field value consists of only ASCII digits, then interpret the field value as an integer
        // in base ten, and set the event stream's reconnection time to that integer."
        retry: (retry) => (this.reconnectionTime_ = clampDelay(retry)),
        // [non-spec] An event or line past `maxEventSize` fails the connection: reconnecting would most
        // likely fetch the same oversized event again. (Skipped lines are not errors in the spec.)
        overflow: () => {
          const error = new ParseError(`An event or line passed maxEventSize (${maxEventSize} characters)`, {type: 'max-buffer-size-exceeded'})
          this.inOrder_(() => this.fail_(error, error.message))
        },
      },
      maxEventSize,
    )
    if (signal?.aborted) {
      this.readyState_ = CLOSED
      return
    }
    if (signal) {
      const unwatch = closeOnAbort(this, signal)
      this.hook_({stop: () => void (this.readyState_ === CLOSED && unwatch())})
    }
    for (const extension of settings.extensions) this.hook_(extension.hook(this as never))
    // "14. Fetch request." [...] Started after the constructor returns: as in browsers, a close()
    // right after construction sends no request at all.
    defer(() => this.connect_())
  }

  /** The URL of the event stream, resolved. */
  get url(): string {
    return this.url_
  }

  /** `CONNECTING` (0), `OPEN` (1) or `CLOSED` (2). */
  get readyState(): 0 | 1 | 2 {
    return this.readyState_ as 0 | 1 | 2
  }

  /** Whether cross-origin requests send credentials (the `withCredentials` option). */
  get withCredentials(): boolean {
    return this.settings_.withCredentials
  }

  /**
   * [non-spec] The last event ID: what the next reconnect sends as `Last-Event-ID`, and what a new
   * source resumes from (the `lastEventId` option). It moves as the stream is read, as the spec's
   * does, ahead of events still waiting for their task in browsers, which `close()` drops: to
   * resume after a `close()`, take the `lastEventId` of the last event you handled.
   */
  get lastEventId(): string {
    return this.lastEventId_
  }

  /** @internal */
  protected listen_(type: string): void {
    this.listened_.add(type)
  }

  /**
   * "The close() method must abort any instances of the fetch algorithm started for this EventSource
   * object, and must set the readyState attribute to CLOSED." No event fires; nothing happens later.
   */
  close(): void {
    this.readyState_ = CLOSED
    this.stop_()
  }

  // PRIVATES FOLLOW

  /** Adds an extension's hooks. */
  private hook_(hooks: Hooks): void {
    this.hooks_.push(hooks)
  }

  /** Calls the hook `name` of every extension, in order: the first answer other than `undefined` counts. */
  private run_<Name extends keyof Hooks>(name: Name, arg?: unknown): ReturnType<NonNullable<Hooks[Name]>> | undefined {
    let answer
    for (const hooks of this.hooks_) {
      const given = (hooks[name] as ((arg: unknown) => unknown) | undefined)?.(arg)
      answer ??= given
    }
    return answer as ReturnType<NonNullable<Hooks[Name]>> | undefined
  }

  /** One connection attempt: the spec's fetch and "processResponse" steps. */
  private connect_(): void {
    // Reestablish step 5: "If the EventSource object's readyState attribute is not set to CONNECTING, then return."
    if (this.readyState_ !== CONNECTING) return
    const settings = this.settings_
    const url = this.url_
    let cancel: (() => void) | undefined
    const current = (this.cancel_ = () => cancel?.())
    const isCurrent = (): boolean => this.cancel_ === current
    this.reconnectTimer_ = undefined
    // [non-spec] An extension's timer (a heartbeat) covers the whole attempt, a `headers` function that never settles too.
    this.run_('active')
    // [non-spec] A `headers` or `body` function that throws, or returns headers fetch would refuse,
    // fails the attempt: it may do better next time.
    const failed = (error: unknown): void => {
      if (isCurrent()) this.reestablish_(error, `The headers or body function threw: ${describe(error)}`)
    }
    resolve(
      settings.headers,
      {url},
      (given) => {
        if (!isCurrent()) return
        // Static headers were checked once, by the constructor; a function's result is checked here.
        const headers = typeof settings.headers == 'function' ? headerRecord(given, 'headers') : (given as Record<string, string>)
        resolve(
          settings.body,
          undefined,
          (body) => {
            if (!isCurrent()) return
            if ((body as ReadableStream | null | undefined)?.locked) {
              // [non-spec] A stream is read once: every later attempt would fail the same way.
              const error = new TypeError('`body`: a ReadableStream is sent once; pass a function that returns one')
              return this.fail_(error, error.message)
            }
            this.reader_.reset()
            this.run_('active')
            cancel = transport(
              {
                url,
                method: settings.method,
                headers: this.requestHeaders_(headers),
                body,
                credentials: settings.credentials,
                fetch: settings.fetch,
                // Only with a last event ID to send: a restart without one would replay the stream, or
                // lose part of it.
                resume: () => {
                  const resumed = this.requestHeaders_(headers)
                  return resumed['last-event-id'] ? resumed : undefined
                },
                maxEventSize: settings.maxEventSize,
              },
              {
                onResponse: (response) => this.onResponse_(response),
                onChunk: (chunk) => {
                  this.run_('active')
                  this.reader_.feed(chunk)
                },
                // "processEventSourceEndOfBody given response res: If res is not a network error, then
                // reestablish the connection." After the events already parsed, as the spec's tasks run
                // in order. [non-spec] An extension (one-shot streams) may end the source instead.
                onEnd: () => this.inOrder_(() => this.run_('end') || this.reestablish_(undefined, 'The server ended the stream')),
                // "2. Otherwise, if res is a network error, then reestablish the connection [...]"
                // [non-spec] A `fatal` error is a limit (`maxEventSize`) that a reconnect would reach
                // again: it fails the connection, as the parser's own limit does.
                onError: (error, fatal) =>
                  this.inOrder_(() => (fatal ? this.fail_(error, describe(error)) : this.lost_(error, `Connection to ${url} failed: ${describe(error)}`))),
              },
            )
          },
          failed,
        )
      },
      failed,
    )
  }

  /**
   * The request headers for one attempt: `Accept`, the user's (checked, lower-case names), and
   * `Last-Event-ID`, in a plain object, as the `eventsource` package gives a custom fetch.
   */
  private requestHeaders_(given: Record<string, string>): Record<string, string> {
    const headers: Record<string, string> = {accept: 'text/event-stream', ...given}
    // "If ev's last event ID string is not the empty string, then set (`Last-Event-ID`, ev's last
    // event ID string, encoded as UTF-8) in request's header list." (As the engine takes header bytes.)
    // [non-spec] An ID no header can carry (a control character, which the stream may send: the spec
    // only excludes NULL) is left out: fetch would refuse every reconnect. The stream goes on, from
    // where the server starts a client without one, rather than end.
    const id = lastEventIdHeader(this.lastEventId_)
    if (id) headers['last-event-id'] = id
    return headers
  }

  private onResponse_(response: TransportResponse): boolean {
    const status = response.status
    // "3. Otherwise, if res's status is not 200, or if res's `Content-Type` is not `text/event-stream`,
    // then fail the connection." (204 included: it is how a server says "stop".) The content type is
    // matched by its MIME type essence: parameters and case do not matter.
    if (status !== 200 || !/^\s*text\/event-stream\s*(;|$)/i.test(response.headers.get('content-type')!)) {
      // The attempt is over, but not cancelled: that would error the body, which `error` listeners
      // may read (`event.response.json()`); the transport lets it go after.
      this.cancel_ = undefined
      const fetched = response as Response
      const error = status !== 200 ? new HTTPError(fetched, this.url_) : new ContentTypeError(fetched, this.url_)
      // [non-spec] An extension (`retryOnStatus`) may reconnect after a delay instead.
      const delay = status !== 200 ? this.run_('status', response) : undefined
      if (delay === undefined) this.fail_(error, error.message, fetched)
      else this.reestablish_(error, error.message, fetched, delay)
      return false
    }
    // "4. Otherwise, announce the connection and interpret res's body line by line."
    // Events carry "the serialization of the origin of the event stream's final URL (i.e., the URL
    // after redirects)". A custom fetch's Response may have no URL; then the request URL stands.
    this.origin_ = originOf(response.url || this.url_)
    // Announce: "If ev's readyState attribute is set to a value other than CLOSED, then set ev's
    // readyState attribute to OPEN and fire an event named open at ev."
    this.readyState_ = OPEN
    this.dispatchEvent(createEvent('open'))
    return this.readyState_ === OPEN
  }

  /** The connection broke off (a network error, or an extension's timeout): reconnect, or fail. */
  private lost_(cause: unknown, message: string): void {
    // "[...] reestablish the connection, unless the user agent knows that to be futile, in which case
    // the user agent may fail the connection." Futile: a scheme fetch cannot open (ftp:, ws:, file:…),
    // unless a custom fetch, which may know it, was given. [non-spec] Or an extension says so.
    if ((!this.settings_.fetch && !/^https?:/.test(this.url_)) || this.run_('lost')) this.fail_(cause, message)
    else this.reestablish_(cause, message)
  }

  /**
   * Runs `step` once every event parsed before it was handed to the page: at once when a chunk's
   * events are dispatched together, else each in a task of its own, the first in the current one.
   */
  private inOrder_(step: () => void): void {
    if (!eventPerTask) return step()
    this.pending_.push(step)
    if (!this.scheduled_) this.next_()
  }

  /**
   * Runs the next pending step, if any, after scheduling a look at the next task: until then, the
   * current task is this step's, and steps that arrive wait for a task of their own.
   */
  private next_(): void {
    const step = this.pending_.shift()
    if ((this.scheduled_ = !!step)) {
      nextTask(() => this.next_())
      step!()
    }
  }

  /** Dispatch steps 4–8: a MessageEvent with the type, data, origin and last event ID. */
  private dispatchMessage_({event, data}: EventSourceMessage, lastEventId: string): void {
    // "Queue a task which, if the readyState attribute is set to a value other than CLOSED, dispatches
    // the newly created event at the EventSource object."
    // "If the event type buffer has a value other than the empty string, change the type of the newly
    // created event to equal the value of the event type buffer."
    const type = event || 'message'
    const listened = this.listened_.has(type)
    if (this.readyState_ !== OPEN || !(listened || this.hooks_.some((hooks) => hooks.message))) return
    const message = createMessageEvent(type, data, this.origin_, lastEventId)
    if (listened) this.dispatchEvent(message)
    this.run_('message', message)
  }

  /**
   * "Reestablish the connection": CONNECTING, `error`, wait, connect again. The wait is the
   * reconnection time, grown by the backoff policy, and at least `atLeast`; the policy may also give up.
   */
  private reestablish_(cause: unknown, message: string, response?: Response, atLeast = 0): void {
    if (this.readyState_ === CLOSED) return
    this.stop_()
    const settings = this.settings_
    const attempt = ++this.attempt_
    let delay = Math.max(backoffDelay(this.reconnectionTime_, attempt, settings, Math.random()), atLeast)
    let verdict
    if (attempt > settings.maxAttempts) return this.fail_(cause, `${message}; gave up after ${settings.maxAttempts} reconnect attempts`, response, true)
    try {
      verdict = settings.shouldReconnect?.({attempt, delay, status: response?.status, response, cause})
    } catch (error) {
      // A policy that throws cannot be followed: fail with its error, rather than leave it
      // unhandled inside the transport (or a timer) and the source stuck.
      return this.fail_(error, `${message}; shouldReconnect threw: ${describe(error)}`, response, true)
    }
    if (verdict === false) return this.fail_(cause, `${message}; shouldReconnect said stop`, response, true)
    if (typeof verdict == 'number') delay = clampDelay(verdict)
    // "1. Queue a task to run the following steps: If the readyState attribute is set to CLOSED, abort
    // the task. Set the readyState attribute to CONNECTING. Fire an event named error at the EventSource object."
    if (this.readyState_ === CLOSED) return // shouldReconnect closed it
    this.readyState_ = CONNECTING
    this.dispatchError_(cause, message, response, delay)
    if (this.readyState_ !== CONNECTING) return
    this.dispatchEvent(new EventSourceReconnectEvent(attempt, delay))
    if (this.readyState_ !== CONNECTING || this.cancel_) return
    // "2. Wait a delay equal to the reconnection time of the event source. 3. Optionally, wait some more."
    this.reconnectTimer_ = setTimeout(() => this.connect_(), delay)
  }

  /**
   * "Fail the connection": "If the readyState attribute is set to a value other than CLOSED, set the
   * readyState attribute to CLOSED and fire an event named error at the EventSource object. Once the
   * user agent has failed the connection, it does not attempt to reconnect."
   * The attempt that failed counts, as the error event's `attempt` says ("this one included"),
   * unless reestablish_() `counted` it already.
   */
  private fail_(cause: unknown, message: string, response?: Response, counted?: boolean): void {
    if (this.readyState_ === CLOSED) return
    if (!counted) this.attempt_++
    this.readyState_ = CLOSED
    this.failure_ = [cause ?? new Error(message)]
    this.stop_()
    this.dispatchError_(cause, message, response)
  }

  /** The `error` event: with a `reconnectDelay` when a reconnect follows. */
  private dispatchError_(cause: unknown, message: string, response?: Response, reconnectDelay?: number): void {
    this.dispatchEvent(
      new EventSourceErrorEvent({message, cause, response, willReconnect: reconnectDelay !== undefined, reconnectDelay, attempt: this.attempt_}),
    )
  }

  /** Ends the attempt in progress and every timer; the extensions' listeners too once CLOSED. */
  private stop_(): void {
    const cancel = this.cancel_
    this.cancel_ = undefined
    cancel?.()
    this.reader_.reset()
    clearTimeout(this.reconnectTimer_)
    this.reconnectTimer_ = undefined
    // What the attempt delivered and the page was not handed yet goes with it (a scheduled task
    // then finds nothing to do).
    this.pending_ = []
    this.run_('stop')
  }
}

// WebIDL constants are read-only, enumerable and not configurable on the interface object and its
// prototype alike (what defineProperty gives when only `enumerable` is set).
;['CONNECTING', 'OPEN', 'CLOSED'].forEach((name, value) => {
  for (const target of [EventSource, EventSource.prototype]) Object.defineProperty(target, name, {value, enumerable: true})
})
ownHandlerAttributes(EventSource.prototype)
// As WebIDL gives every interface: `Object.prototype.toString.call(source)` is `[object EventSource]`.
Object.defineProperty(EventSource.prototype, Symbol.toStringTag, {value: 'EventSource', configurable: true})
// [non-spec] The flag the `eventsource` package puts on its class, which libraries check before they
// pass a `fetch` option: this class takes one too.
Object.defineProperty(EventSource, Symbol.for('eventsource.supports-fetch-override'), {value: true})

/**
 * Calls `use` with an option's value for this attempt: the option itself, or what a function option
 * returns, waited for only when that is a thenable. A throw (of `use` too) or a rejection goes to `failed`.
 */
function resolve<T, C>(option: T | ((context: C) => T | PromiseLike<T>), context: C, use: (value: T) => void, failed: (error: unknown) => void): void {
  try {
    const value = typeof option == 'function' ? (option as (context: C) => T | PromiseLike<T>)(context) : option
    // What `use` throws after a thenable goes to `failed` too: nothing rejects unheard. (A thenable
    // need not return one from `then`: where there is no `Promise`, a headers function may hand one-off thenables.)
    if (typeof (value as PromiseLike<T> | null)?.then == 'function') (value as PromiseLike<T>).then((given) => resolve(() => given, context, use, failed), failed)
    else use(value as T)
  } catch (error) {
    failed(error)
  }
}

function describe(error: unknown): string {
  const cause = (error as {cause?: unknown})?.cause
  return error instanceof Error ? error.message + (cause instanceof Error ? ` (${cause.message})` : '') : String(error)
}
