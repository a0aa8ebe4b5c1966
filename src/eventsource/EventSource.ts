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
import {normalizeInit, type EventSourceInit, type HeadersContext, type Settings} from './options.js'
import {closeOnAbort, EventSourceTarget, ownHandlerAttributes, type EventSourceEvents} from './event-source-target.js'
import {eventPerTask, nextTask} from '../platform/event-tasks.js'
import type {Hooks} from '../extensions/extension.js'
import {createEvent, createMessageEvent, defer, originOf, resolveURL, scope} from '../platform/web.js'
import {headerRecord, lastEventIdHeader} from './request-headers.js'
import {createStreamReader} from '../parser/stream-reader.js'
import {transport} from '../transport/index.js'

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
  private declare url_: string
  private declare settings_: Settings
  /**
   * Every event type a listener or handler was ever added for. A MessageEvent nobody could hear is
   * not dispatched (building and dispatching one is most of the cost of an event). Never shrinks:
   * an extra dispatch is harmless, a missed one is not.
   */
  private declare listened_: Set<string>
  /** Why the source failed, once it did: what an async iterator started later throws. */
  private declare failure_: [cause: unknown] | undefined
  // The state lives in the constructor's closure (locals minify to one letter, `this.` members do
  // not); these read and change it for the attributes, `close()` and the extensions.
  private declare readyState_: () => number
  private declare lastEventId_: () => string
  private declare close_: () => void
  private declare hook_: (hooks: Hooks) => void
  private declare lost_: (cause: unknown, message?: string) => void
  private declare retryNow_: () => void

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
    let href: string
    try {
      // The base URL: the document's, or the worker's location.
      href = this.url_ = resolveURL(url, scope.document?.baseURI ?? scope.location?.href)
    } catch {
      const message = `Invalid URL '${url}'`
      throw typeof DOMException == 'function' ? new DOMException(message, 'SyntaxError') : new SyntaxError(message)
    }
    const settings = (this.settings_ = normalizeInit(init))
    const {signal, maxEventSize} = settings
    const listened = (this.listened_ = new Set())
    // A number, not `0 | 1 | 2`: TypeScript would assume a callback (a listener) left it unchanged.
    let readyState: number = CONNECTING
    /** The spec's "last event ID string": sent as `Last-Event-ID`, and each event's `lastEventId`. */
    let lastEventId = settings.lastEventId
    /** The spec's "reconnection time": the initial delay until a `retry:` field sets it. */
    let reconnectionTime = settings.initialDelay
    /** Failed attempts in a row; back to 0 when a connection delivers an event. */
    let attempts = 0
    /**
     * The attempt in progress, as the function that cancels it (a no-op until the transport started);
     * compared by identity, it tells a callback whether its attempt is still the current one.
     */
    let cancel: (() => void) | undefined
    let reconnectTimer: ReturnType<typeof setTimeout> | undefined
    /** Origin of the final URL (after redirects) of the open connection: each event's `origin`. */
    let origin = ''
    /**
     * What the connection delivered and the page has not been handed yet, in order: each event, and
     * the end or failure of the connection behind them (see src/platform/event-tasks.ts). Empty when a
     * chunk's events are dispatched at once.
     */
    let pending: (() => void)[] = []
    /** Whether the current task already ran a step, and a task is scheduled for the next one. */
    let scheduled = false
    /** What the extensions (and the `signal` option) do at the core's hook points. */
    const hooks: Hooks[] = []

    /** Calls the hook `name` of every extension, in order: the first answer other than `undefined` counts. */
    const run = <Name extends keyof Hooks>(name: Name, arg?: unknown): ReturnType<NonNullable<Hooks[Name]>> | undefined => {
      let answer
      for (const hook of hooks) {
        const given = (hook[name] as ((arg: unknown) => unknown) | undefined)?.(arg)
        answer ??= given
      }
      return answer as ReturnType<NonNullable<Hooks[Name]>> | undefined
    }

    /**
     * Runs `step` once every event parsed before it was handed to the page: at once when a chunk's
     * events are dispatched together, else each in a task of its own, the first in the current one.
     */
    const inOrder = (step: () => void): void => {
      if (!eventPerTask) return step()
      pending.push(step)
      if (!scheduled) next()
    }
    /**
     * Runs the next pending step, if any, after scheduling a look at the next task: until then, the
     * current task is this step's, and steps that arrive wait for a task of their own.
     */
    const next = (): void => {
      const step = pending.shift()
      if ((scheduled = !!step)) {
        nextTask(next)
        step!()
      }
    }

    /** Ends the attempt in progress and every timer; the extensions' listeners too once CLOSED. */
    const stop = (): void => {
      const current = cancel
      cancel = undefined
      current?.()
      reader.reset()
      clearTimeout(reconnectTimer)
      reconnectTimer = undefined
      // What the attempt delivered and the page was not handed yet goes with it (a scheduled task
      // then finds nothing to do).
      pending = []
      run('stop')
    }

    /** The `error` event: with a `reconnectDelay` when a reconnect follows. */
    const dispatchError = (cause: unknown, message: string, response?: Response, reconnectDelay?: number): void => {
      this.dispatchEvent(
        new EventSourceErrorEvent({message, cause, response, willReconnect: reconnectDelay !== undefined, reconnectDelay, attempt: attempts}),
      )
    }

    /**
     * "Fail the connection": "If the readyState attribute is set to a value other than CLOSED, set the
     * readyState attribute to CLOSED and fire an event named error at the EventSource object. Once the
     * user agent has failed the connection, it does not attempt to reconnect."
     * The attempt that failed counts, as the error event's `attempt` says ("this one included"),
     * unless reestablish() `counted` it already.
     */
    const fail = (cause: unknown, message = describe(cause), response?: Response, counted?: boolean): void => {
      if (readyState === CLOSED) return
      if (!counted) attempts++
      readyState = CLOSED
      this.failure_ = [cause ?? new Error(message)]
      stop()
      dispatchError(cause, message, response)
    }

    /**
     * "Reestablish the connection": CONNECTING, `error`, wait, connect again. The wait is the
     * reconnection time, grown by the backoff policy, and at least `atLeast`; the policy may also give up.
     */
    const reestablish = (cause: unknown, message = describe(cause), response?: Response, atLeast = 0): void => {
      if (readyState === CLOSED) return
      stop()
      const attempt = ++attempts
      const giveUp = (why: string, error = cause): void => fail(error, `${message}; ${why}`, response, true)
      let delay = Math.max(backoffDelay(reconnectionTime, attempt, settings, Math.random()), atLeast)
      let verdict
      if (attempt > settings.maxAttempts) return giveUp(`gave up after ${settings.maxAttempts} reconnect attempts`)
      try {
        verdict = settings.shouldReconnect?.({attempt, delay, status: response?.status, response, cause})
      } catch (error) {
        // A policy that throws cannot be followed: fail with its error, rather than leave it
        // unhandled inside the transport (or a timer) and the source stuck.
        return giveUp(`shouldReconnect threw: ${describe(error)}`, error)
      }
      if (verdict === false) return giveUp('shouldReconnect said stop')
      if (typeof verdict == 'number') delay = clampDelay(verdict)
      // "1. Queue a task to run the following steps: If the readyState attribute is set to CLOSED, abort
      // the task. Set the readyState attribute to CONNECTING. Fire an event named error at the EventSource object."
      if (readyState === CLOSED) return // shouldReconnect closed it
      readyState = CONNECTING
      dispatchError(cause, message, response, delay)
      if (readyState !== CONNECTING) return
      this.dispatchEvent(new EventSourceReconnectEvent(attempt, delay))
      if (readyState !== CONNECTING || cancel) return
      // "2. Wait a delay equal to the reconnection time of the event source. 3. Optionally, wait some more."
      reconnectTimer = setTimeout(connect, delay)
    }

    /** The connection broke off (a network error, or an extension's timeout): reconnect, or fail. */
    const lost = (cause: unknown, message?: string): void =>
      // "[...] reestablish the connection, unless the user agent knows that to be futile, in which case
      // the user agent may fail the connection." Futile: a scheme fetch cannot open (ftp:, ws:, file:…),
      // unless a custom fetch, which may know it, was given. [non-spec] Or an extension says so.
      ((!settings.fetch && !/^https?:/.test(href)) || run('lost') ? fail : reestablish)(cause, message)

    /**
     * The request headers for one attempt: `Accept`, the user's (checked, lower-case names), and
     * `Last-Event-ID`, in a plain object, as the `eventsource` package gives a custom fetch.
     * "If ev's last event ID string is not the empty string, then set (`Last-Event-ID`, ev's last
     * event ID string, encoded as UTF-8) in request's header list." (As the engine takes header bytes.)
     * [non-spec] An ID no header can carry (a control character, which the stream may send: the spec
     * only excludes NULL) is left out: fetch would refuse every reconnect. The stream goes on, from
     * where the server starts a client without one, rather than end.
     */
    const requestHeaders = (given: Record<string, string>, id = lastEventIdHeader(lastEventId)): Record<string, string> => ({
      accept: 'text/event-stream',
      ...given,
      ...(id ? {'last-event-id': id} : {}),
    })

    /** One connection attempt: the spec's fetch and "processResponse" steps. */
    const connect = (): void => {
      clearTimeout(reconnectTimer)
      reconnectTimer = undefined
      // Reestablish step 5: "If the EventSource object's readyState attribute is not set to CONNECTING, then return."
      if (readyState !== CONNECTING) return
      let abort: (() => void) | undefined
      const current = (cancel = () => abort?.())
      // Runs `use` with an option's value for this attempt, while the attempt is still the current one.
      // [non-spec] A `headers` or `body` function that throws, or returns headers fetch would refuse,
      // fails the attempt: it may do better next time.
      const use = <T>(option: T | ((context: HeadersContext) => T | PromiseLike<T>), then: (value: T) => void): void =>
        resolve(
          option,
          {url: href},
          (value) => cancel === current && then(value),
          (error) => cancel === current && reestablish(error, `The headers or body function threw: ${describe(error)}`),
        )
      // [non-spec] An extension's timer (a heartbeat) covers the whole attempt, a `headers` function that never settles too.
      run('active')
      use(settings.headers, (given) => {
        // Static headers were checked once, by the constructor; a function's result is checked here.
        const headers = typeof settings.headers == 'function' ? headerRecord(given, 'headers') : (given as Record<string, string>)
        use(settings.body, (body) => {
          // [non-spec] A stream is read once: every later attempt would fail the same way.
          if ((body as ReadableStream | null | undefined)?.locked) return fail(new TypeError('`body`: a ReadableStream is sent once; pass a function that returns one'))
          reader.reset()
          run('active')
          abort = transport(
            {
              url: href,
              method: settings.method,
              headers: requestHeaders(headers),
              body,
              credentials: settings.credentials,
              fetch: settings.fetch,
              // Only with a last event ID to send: a restart without one would replay the stream, or
              // lose part of it.
              resume: (id = lastEventIdHeader(lastEventId)) => (id ? requestHeaders(headers, id) : undefined),
              maxEventSize,
            },
            {
              onResponse: (response) => {
                const status = response.status
                // "3. Otherwise, if res's status is not 200, or if res's `Content-Type` is not `text/event-stream`,
                // then fail the connection." (204 included: it is how a server says "stop".) The content type is
                // matched by its MIME type essence: parameters and case do not matter.
                if (status !== 200 || !/^\s*text\/event-stream\s*(;|$)/i.test(response.headers.get('content-type')!)) {
                  // The attempt is over, but not cancelled: that would error the body, which `error` listeners
                  // may read (`event.response.json()`); the transport lets it go after.
                  cancel = undefined
                  const fetched = response as Response
                  const error = status !== 200 ? new HTTPError(fetched, href) : new ContentTypeError(fetched, href)
                  // [non-spec] An extension (`retryOnStatus`) may reconnect after a delay instead.
                  const delay = status !== 200 ? run('status', response) : undefined
                  if (delay === undefined) fail(error, error.message, fetched)
                  else reestablish(error, error.message, fetched, delay)
                  return false
                }
                // "4. Otherwise, announce the connection and interpret res's body line by line."
                // Events carry "the serialization of the origin of the event stream's final URL (i.e., the URL
                // after redirects)". A custom fetch's Response may have no URL; then the request URL stands.
                origin = originOf(response.url || href)
                // Announce: "If ev's readyState attribute is set to a value other than CLOSED, then set ev's
                // readyState attribute to OPEN and fire an event named open at ev."
                readyState = OPEN
                this.dispatchEvent(createEvent('open'))
                return readyState === OPEN
              },
              // [non-spec] An extension may have the transport wait before the next read: a loop over
              // `messages(source)` that has not caught up with this chunk's events yet.
              onChunk: (chunk) => {
                run('active')
                reader.feed(chunk)
                return run('read')
              },
              // "processEventSourceEndOfBody given response res: If res is not a network error, then
              // reestablish the connection." After the events already parsed, as the spec's tasks run
              // in order. [non-spec] An extension (one-shot streams) may end the source instead.
              onEnd: () => inOrder(() => run('end') || reestablish(undefined, 'The server ended the stream')),
              // "2. Otherwise, if res is a network error, then reestablish the connection [...]"
              // [non-spec] A `fatal` error is a limit (`maxEventSize`) that a reconnect would reach
              // again: it fails the connection, as the parser's own limit does.
              onError: (error, fatal) => inOrder(() => (fatal ? fail(error) : lost(error, `Connection to ${href} failed: ${describe(error)}`))),
            },
          )
        })
      })
    }

    const reader = createStreamReader(
      {
        event: ({event, data}) => {
          // [non-spec] The connection proved healthy: reconnects back off from the start again.
          // Not on bytes alone: a server that sends one and closes would keep the delay at its first
          // step and defeat `maxAttempts` for ever.
          attempts = 0
          // The event takes the last event ID as it is now; the next `id:` may change it before the
          // event's task runs.
          const id = lastEventId
          // Dispatch steps 4–8: a MessageEvent with the type, data, origin and last event ID.
          // "Queue a task which, if the readyState attribute is set to a value other than CLOSED, dispatches
          // the newly created event at the EventSource object."
          // "If the event type buffer has a value other than the empty string, change the type of the newly
          // created event to equal the value of the event type buffer."
          const type = event || 'message'
          inOrder(() => {
            const heard = listened.has(type)
            if (readyState !== OPEN || !(heard || hooks.some((hook) => hook.message))) return
            const message = createMessageEvent(type, data, origin, id)
            if (heard) this.dispatchEvent(message)
            run('message', message)
          })
        },
        // Dispatch step 1: "Set the last event ID string of the event source to the value of the last
        // event ID buffer." (The reader reports it for every block that set one, even without data.)
        id: (id) => (lastEventId = id),
        // "If the field value consists of only ASCII digits, then interpret the field value as an integer
        // in base ten, and set the event stream's reconnection time to that integer."
        retry: (retry) => (reconnectionTime = clampDelay(retry)),
        // [non-spec] An event or line past `maxEventSize` fails the connection: reconnecting would most
        // likely fetch the same oversized event again. (Skipped lines are not errors in the spec.)
        overflow: () => {
          const error = new ParseError(`An event or line passed maxEventSize (${maxEventSize} characters)`, {type: 'max-buffer-size-exceeded'})
          inOrder(() => fail(error))
        },
      },
      maxEventSize,
    )

    this.readyState_ = () => readyState
    this.lastEventId_ = () => lastEventId
    this.close_ = () => {
      readyState = CLOSED
      stop()
    }
    this.hook_ = (hook) => hooks.push(hook)
    this.lost_ = lost
    // [non-spec] For `reconnectOnPageEvents()`: reconnect now, when a reconnect is waiting out its delay.
    this.retryNow_ = () => reconnectTimer && connect()
    if (signal?.aborted) readyState = CLOSED
    else {
      if (signal) {
        const unwatch = closeOnAbort(this, signal)
        this.hook_({stop: () => void (readyState === CLOSED && unwatch())})
      }
      for (const extension of settings.extensions) this.hook_(extension.hook(this as never))
      // "14. Fetch request." [...] Started after the constructor returns: as in browsers, a close()
      // right after construction sends no request at all.
      defer(connect)
    }
  }

  /** The URL of the event stream, resolved. */
  get url(): string {
    return this.url_
  }

  /** `CONNECTING` (0), `OPEN` (1) or `CLOSED` (2). */
  get readyState(): 0 | 1 | 2 {
    return this.readyState_() as 0 | 1 | 2
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
    return this.lastEventId_()
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
    this.close_()
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
