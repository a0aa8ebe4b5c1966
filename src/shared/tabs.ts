/**
 * `createSharedEventSource`: one connection per URL and options for every tab (and worker) of an
 * origin, each tab holding an object with the EventSource interface. Browsers allow six HTTP/1.1
 * connections per origin; an app open in many tabs would otherwise spend one on each, and every tab
 * would download the same events.
 *
 * One protocol, two kinds of leader. Every shared source listens on the BroadcastChannel named
 * after its sharing key. The source holding the exclusive Web Lock of the same name (the leader)
 * opens the library's `EventSource` and posts every event and state change there; every source,
 * the leader's own included, dispatches them through one path (`apply_`), so all tabs see the same
 * sequence. The leader is:
 * - a SharedWorker, where there is one and the options hold no function: each tab subscribes to
 *   it over a MessagePort, and the worker (shared-worker-host.ts) runs a source of its own per key,
 *   which competes for the lock as a tab's would and leads. No tab leads, so a closing tab hands
 *   nothing over; the worker closes the connection when the last tab subscribed to it leaves.
 * - else one of the tabs: each competes for the lock itself.
 * Both being one protocol on one channel, they mix: a tab that does not use the worker (`worker:
 * false`, a function option, a script that did not load) shares the worker's connection, or leads
 * one that the worker's source follows; and should the worker die, the browser releases its lock
 * and the tabs compete for it, resuming as after any hand-over.
 *
 * Hand-over:
 * - The browser releases a lock when its holder closes it, or when the tab closes, navigates away or
 *   crashes (or the worker ends); the next waiting source is then granted it and opens the
 *   connection at once (no reconnection delay), with `Last-Event-ID` set to the last ID it
 *   received. It announces that ID (`lead`) before anything else.
 * - Exactly once across a hand-over: the old leader may have posted events that reached some tabs
 *   but were still queued on the channel when the lock reached the new leader, so the new leader
 *   resumes from an earlier ID and the server sends them again. Each source remembers the IDs of
 *   the events it dispatched (the last {@link HISTORY}); on `lead`, the IDs it holds after the
 *   announced one are the events it must not dispatch twice, and the new connection's events with
 *   those IDs are skipped (the first event with an ID not on that list ends the skipping). Messages
 *   of any source but the current leader are ignored once `lead` is heard, so the old leader's late
 *   ones never reach the new leader twice either. A channel delivers one sender's messages in order,
 *   and a tab cannot hear the new leader's `lead` before an old-leader message that the new leader
 *   itself heard, so no source is ever behind the ID a new leader resumes from.
 *   This needs an `id:` on every event: events without one cannot be resumed (the server cannot be
 *   told where to start), and after a hand-over they may be lost or repeated, as on any reconnect.
 * - Event types: an EventSource only builds events for types someone listens to, and there is no
 *   "every type" listener, so each source posts the types its listeners want (`types`), and
 *   repeats them when a source joins (`hello`) or a leader takes over (`lead`); every source keeps
 *   the union, so the next leader listens to all of them from its first byte. A tab also gives its
 *   types to the worker when it subscribes, before the worker's source is on the channel.
 * - A source that joins asks (`hello`) and the leader answers (`sync`) with the readyState, last
 *   event ID and origin, so a tab opened later starts OPEN, and can resume from the right ID should
 *   it lead before any event arrives.
 *
 * The SharedWorker:
 * - Its script is the package's `dist/shared-worker.js`, one classic script with the library in
 *   it (rollup.config.mjs). A tab finds it beside this module, `new URL('./worker.js',
 *   import.meta.url)`: right for the ES module build served as it is, and for bundlers that copy
 *   the file that expression names (Vite, webpack 5, Parcel). The ES5 script-tag build looks beside
 *   its own `<script src>`; the CommonJS build has no `import.meta` and finds none. `worker` names
 *   a copy the app serves itself. A worker needs a script at a URL of the page's origin: `blob:` and
 *   `data:` ones break under a strict CSP (`script-src 'self'`), which every build must run under.
 * - A script that fails (a 404, a type other than JavaScript, refused by the CSP, another origin,
 *   or no answer within {@link WORKER_TIMEOUT}) costs the request and nothing else: the tab competes
 *   for the lock itself, and no `error` event is fired.
 * - No function crosses to the worker: with a function option (`headers`, `body`, `fetch`,
 *   `reconnect.shouldReconnect`) a tab competes for the lock itself, so the secret a function
 *   returns never leaves the tab that owns it. The other options are sent to the worker, which
 *   opens the connection with them: it is the library's own code, on the page's own origin.
 * - Tabs leave with a message (`leave`) on `close()` and `pagehide` (and subscribe again on a
 *   `pageshow` from the back/forward cache). A tab that goes without a word (a crash) is noticed
 *   by a Web Lock: each subscribed tab holds one of its own, and the worker asks for it, which the
 *   browser grants once the tab is gone (a MessagePort has no event for a closed end in every
 *   browser). The same the other way round: the worker holds a lock for life, and each tab asks
 *   for it, so a tab learns that the worker is gone and competes for the lock.
 * - The worker's source posts on the channel rather than to each port: the channel also reaches
 *   the tabs that do not use the worker, which is what lets the two leaders mix.
 *
 * What crosses tabs: only events (type, data, lastEventId, origin) and states (readyState, error
 * details without the `Response`). Options never do: every tab computes the sharing key from its
 * own options, and a leading tab opens the connection with its own. (The worker is sent each
 * subscribing tab's options, functions never among them, and opens it with the first one's.) The
 * lock and channel names are a SHA-256 of the key, so a header value or URL token in the key
 * cannot be read from `navigator.locks.query()`. Function options run in the tab that leads, and
 * only with a `key`, which says which tabs may share what they return.
 *
 * Where Web Locks, BroadcastChannel or `crypto.subtle` is missing (Node, old browsers, pages not
 * served over HTTPS or from localhost), the result is a plain per-tab `EventSource`; a SharedWorker
 * alone is not enough, the fallback being leader election.
 */

import {closeOnAbort, EventSourceTarget, ownHandlerAttributes, type AnyListener, type EventHandlerAttributes, type EventNames, type EventSourceEvents, type Listener, type ListenerOptions, type NamedEvent, type RemoveListenerOptions, type TypedMessageEvent} from '../eventsource/event-source-target.js'
import {EventSource, type EventSourceEventMap} from '../eventsource/EventSource.js'
import {EventSourceErrorEvent, EventSourceReconnectEvent} from '../eventsource/events.js'
import {normalizeInit, type EventSourceInit} from '../eventsource/options.js'
import type {FromWorker, ToWorker, WorkerInit} from './protocol.js'
import {libraryWorker} from '../shared-worker-url.js'
import {readInit, sharingKey, type SharingKey} from './key.js'

const CONNECTING = 0
const OPEN = 1
const CLOSED = 2

/** How many event IDs each source remembers, for skipping what a new leader's server sends again. */
const HISTORY = 256

/** Events of the EventSource itself rather than of the stream; always forwarded by the leader. */
const LIFECYCLE = ['open', 'error', 'reconnect', 'end']

/**
 * How long a tab waits for the worker's first answer before it competes for the lock too: a script
 * that loads but never answers (a syntax error in an old browser, some other script at that URL)
 * fires no `error`. Ample for a worker to start on a busy machine; and the tab stays subscribed,
 * so a worker that was only slow changes nothing but who holds the lock: this tab or the worker's
 * source leads, the other follows.
 */
const WORKER_TIMEOUT = 5000


/**
 * The options of {@link createSharedEventSource}: every `EventSourceInit` option, `key` and `worker`.
 *
 * @public
 */
export interface SharedEventSourceInit extends EventSourceInit {
  /**
   * Extra text for the sharing key: tabs share a connection only when their URL, request options
   * and `key` are equal. Required when an option is a function (`headers`, `body`, `fetch`,
   * `reconnect.shouldReconnect`): what a function returns cannot be compared across tabs, so `key`
   * must say which tabs may share it (the signed-in user's ID, say). The function is called in the
   * tab that holds the connection.
   * @defaultValue `undefined`
   */
  key?: string | undefined
  /**
   * The SharedWorker script that holds the connections, used where the browser has `SharedWorker`
   * and no option is a function: `true` for the package's own `dist/shared-worker.js` (also
   * `streamsource/shared-worker.js`), found beside the module that calls this function; a URL, or
   * a string resolved against the document's base URL, of the page's origin, for a copy the app
   * serves itself (needed with the CommonJS build, and with bundlers that do not copy the file);
   * `false` for none, the tabs electing one of them to hold the connection. A worker that fails to
   * start costs nothing but the request: the tabs elect a holder instead. Sources with any
   * `worker` value share a connection. Options with a function never go to a worker, so that a
   * secret a function returns stays in the tab that owns it.
   * @defaultValue `true` (the package's script; none from the CommonJS build, which cannot find it)
   */
  worker?: string | URL | boolean | undefined
}

/**
 * What {@link createSharedEventSource} returns: the EventSource interface. `readyState` follows the
 * shared connection; `close()` detaches this object only.
 *
 * @public
 */
export interface SharedEventSource<Events extends EventSourceEvents<Events> = string> extends EventTarget, EventHandlerAttributes {
  /** The URL of the event stream, resolved. */
  readonly url: string
  /** The shared connection's state: `CONNECTING` (0), `OPEN` (1) or `CLOSED` (2, also after `close()`). */
  readonly readyState: 0 | 1 | 2
  /** Whether cross-origin requests send credentials. */
  readonly withCredentials: boolean
  /** The last event ID received. */
  readonly lastEventId: string
  /**
   * `true` in the tab that holds the connection, `false` in the others (in all of them while the
   * SharedWorker holds it); `undefined` where the platform cannot share and the source is a plain
   * per-tab `EventSource`.
   */
  readonly isLeader?: boolean | undefined
  /** `0`, the `readyState` while connecting or waiting to reconnect (standard DOM constant). */
  readonly CONNECTING: 0
  /** `1`, the `readyState` while the connection is open (standard DOM constant). */
  readonly OPEN: 1
  /** `2`, the `readyState` once closed or failed (standard DOM constant). */
  readonly CLOSED: 2
  /** Detaches this object: no more events here. The connection closes once no tab uses it. */
  close(): void
  /**
   * Listens to one of the EventSource's own events (`open`, `message`, `error`, `reconnect`,
   * `end`), with the event typed as {@link EventSourceEventMap} says (standard DOM method).
   */
  addEventListener<K extends keyof EventSourceEventMap>(
    type: K,
    listener: Listener<EventSourceEventMap[K]> | null,
    options?: boolean | ListenerOptions,
  ): void
  /**
   * Listens to a named event (`event: price` in the stream): a `MessageEvent` whose `data` is a
   * string, or the type the `Events` parameter gives it. With an `Events` parameter other than
   * `string`, only its names (and the EventSource's own events) are accepted.
   */
  addEventListener<K extends EventNames<Events>>(type: K, listener: Listener<NamedEvent<Events, K>> | null, options?: boolean | ListenerOptions): void
  /** Any listener the DOM's `EventTarget` takes, such as an object with `handleEvent` (standard DOM method). */
  addEventListener(type: EventNames<Events> | keyof EventSourceEventMap, listener: AnyListener | null, options?: boolean | ListenerOptions): void
  /** Removes a listener added for one of the EventSource's own events (standard DOM method). */
  removeEventListener<K extends keyof EventSourceEventMap>(
    type: K,
    listener: Listener<EventSourceEventMap[K]> | null,
    options?: boolean | RemoveListenerOptions,
  ): void
  /** Removes a listener added for a named event (standard DOM method). */
  removeEventListener<K extends EventNames<Events>>(
    type: K,
    listener: Listener<NamedEvent<Events, K>> | null,
    options?: boolean | RemoveListenerOptions,
  ): void
  /** Removes any listener the DOM's `EventTarget` took (standard DOM method). */
  removeEventListener(type: EventNames<Events> | keyof EventSourceEventMap, listener: AnyListener | null, options?: boolean | RemoveListenerOptions): void
}

/**
 * Opens an event stream shared by every tab of the origin that asks for the same URL and options:
 * one connection serves them all, held by a SharedWorker until the last tab closes, or, without
 * one, opened by one tab (the leader) and taken over by another when that tab closes or crashes,
 * resuming with `Last-Event-ID` so that no event is lost or delivered twice (given an `id:` on
 * every event).
 *
 * Options shared by value: the URL, `method` (in any case), a string or `URLSearchParams` `body`,
 * `headers` as an object, `Headers` or pairs (names in any case and order), `withCredentials`,
 * `credentials`, the `reconnect` numbers, `maxEventSize`, the `extensions` (by what each describes
 * itself as, `['heartbeat', 30000]`, which the SharedWorker rebuilds it from), and `key`; read as the EventSource reads them, inherited
 * keys included, and compared as `useEventSource` compares them. Options of this object alone:
 * `signal` (closes it), `lastEventId` (where to start, should this tab be the first to connect) and
 * `worker`. Function options need a `key`, and keep the connection out of the SharedWorker, in the
 * tab whose function it calls; other bodies (a `Blob`, `FormData`, a stream) cannot be shared.
 *
 * Where tabs cannot share (no Web Locks, BroadcastChannel or `crypto.subtle`: Node, old browsers,
 * a page not served over HTTPS or from localhost), it returns the library's `EventSource`.
 *
 * @param url - The event stream's URL, resolved against the document's base URL.
 * @param init - `EventSourceInit` options, `key` and `worker`; see {@link SharedEventSourceInit}.
 * @throws `SyntaxError` (a `DOMException`) when `url` is not a valid URL; `TypeError` when an option
 *   has an impossible value, is a function without `key`, or is a body that cannot be compared.
 * @example
 * ```ts
 * const source = createSharedEventSource('/prices')
 * source.addEventListener('price', (event) => render(event.data)) // in every tab, one connection
 * ```
 * @public
 */
export function createSharedEventSource<Events extends EventSourceEvents<Events> = string>(
  url: string | URL,
  init?: SharedEventSourceInit | null,
): SharedEventSource<Events> {
  // Read as the EventSource reads them (inherited keys too), into an object of own keys, which the
  // spread here and the structured clone to the worker see in full.
  const given = readInit(init)
  const {key: _, worker = true, ...options} = given
  // Checked here, in every tab and on every platform, so that options which work in one place
  // cannot throw in another.
  normalizeInit(options)
  if (typeof worker != 'boolean' && typeof worker != 'string' && !(typeof URL == 'function' && worker instanceof URL)) {
    throw new TypeError(`createSharedEventSource: \`worker\` must be true, false or the URL of a worker script, got ${String(worker)}`)
  }
  const sharing = tabSharingKey(given)
  const global = globalThis as {navigator?: Partial<Navigator>; crypto?: Partial<Crypto>}
  const locks = global.navigator?.locks
  if (typeof BroadcastChannel != 'function' || typeof locks?.request != 'function' || !global.crypto?.subtle) {
    return new EventSource<Events>(url, options)
  }
  const scope = globalThis as {document?: Document; location?: Location}
  let resolved: string
  try {
    // Resolved as the EventSource resolves it: against the document's base URL, or the worker's location.
    resolved = new URL(String(url), scope.document?.baseURI ?? scope.location?.href).href
  } catch {
    throw new DOMException(`Failed to construct 'EventSource': The URL '${String(url)}' is invalid.`, 'SyntaxError')
  }
  const script =
    worker === false || sharing.hasFunction || typeof SharedWorker != 'function' ? undefined : worker === true ? libraryWorker() : worker
  return new TabSource<Events>(resolved, options, sharing.at(resolved), locks, script)
}

/** What the channel carries, without the sender. */
type Message =
  | {k: 'hello'; types: string[]}
  | {k: 'types'; types: string[]}
  | {k: 'sync'; to: string; state: number; id: string; origin: string}
  | {k: 'lead'; id: string}
  | {k: 'open'}
  | {k: 'error'; state: number; error: WireError}
  | {k: 'reconnect'; attempt: number; delay: number}
  | {k: 'end'}
  | {k: 'message'; type: string; data: string; id: string; origin: string}

/** A message with its sender: the random ID of the source that posted it. */
type Wire = Message & {from: string}

/** An `error` event's details as they cross tabs: the `Response` cannot, the cause as name and message. */
interface WireError {
  message: string
  willReconnect: boolean
  reconnectDelay: number | undefined
  attempt: number
  status: number | undefined
  statusText: string | undefined
  cause: {name: string; message: string} | undefined
}

/**
 * One tab's shared source: a follower, or the leader holding the lock and the connection. The
 * SharedWorker runs one per key too (shared-worker-host.ts), which leads for the tabs subscribed to it.
 * @internal
 */
export class TabSource<Events extends EventSourceEvents<Events>> extends EventSourceTarget<Events> {
  declare readonly CONNECTING: 0
  declare readonly OPEN: 1
  declare readonly CLOSED: 2

  private url_: string
  private init_: EventSourceInit
  /** The sharing key, and the name of the lock and channel (a hash of it, once computed). */
  private key_: string
  private name_ = ''
  private locks_: LockManager
  private withCredentials_: boolean
  private readyState_: number = CONNECTING
  /** This source's name on the channel. */
  private id_ = uniqueId()
  /** The source whose messages are dispatched: the leader, as far as this source knows. */
  private leader_: string | undefined
  private lastId_: string
  private origin_ = ''
  /** The last event IDs dispatched, oldest first. */
  private history_: string[] = []
  /** IDs that the new leader's connection will send again and this source has dispatched already. */
  private skip_: string[] = []
  /** The event types this object listens to, and those any source does (this one's included). */
  private types_ = new Set<string>()
  private known_ = new Set<string>()
  private declare channel_: BroadcastChannel | undefined
  /** While waiting for the lock: aborting gives up waiting. */
  private abort_ = new AbortController()
  /** While leading: releases the lock. */
  private declare release_: (() => void) | undefined
  /** While leading: the connection. */
  private declare source_: EventSource | undefined
  private declare unwatch_: (() => void) | undefined
  /** Set on the leader once its connection failed or ended: it holds the lock until a source joins. */
  private declare ended_: boolean | undefined
  /** While subscribed to the SharedWorker: the port, and what ends the subscription's listeners and lock requests. */
  private declare port_: MessagePort | undefined
  private declare subscribed_: AbortController | undefined
  /** While subscribed: releases this tab's own lock, which the worker watches. */
  private declare releaseTab_: (() => void) | undefined
  /** Set once this source has asked for the lock. */
  private declare competing_: boolean | undefined

  /**
   * `worker`: the SharedWorker script to subscribe to, if any; without one (or once it fails) the
   * source competes for the lock itself.
   */
  // `locks` is `navigator.locks`, typed `object` where it is declared so that the declarations need
  // no DOM lib (`LockManager`); the class is internal.
  constructor(url: string, init: EventSourceInit, key: string, locks: object, worker?: string | URL) {
    super()
    this.url_ = url
    this.init_ = init
    this.key_ = key
    this.locks_ = locks as LockManager
    this.withCredentials_ = !!init.withCredentials
    this.lastId_ = init.lastEventId ?? ''
    const signal = init.signal
    if (signal?.aborted) {
      this.readyState_ = CLOSED
      return
    }
    if (signal) this.unwatch_ = closeOnAbort(this, signal)
    // Inside a promise, so that a digest that throws rather than rejects is handled the same way.
    new Promise<ArrayBuffer>((resolve) => resolve(crypto.subtle.digest('SHA-256', new TextEncoder().encode(key)))).then(
      (digest) => {
        if (this.readyState_ === CLOSED) return
        const name = (this.name_ = `streamsource ${[...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('')}`)
        const channel = (this.channel_ = new BroadcastChannel(name))
        channel.onmessage = (event: MessageEvent<Wire>) => this.receive_(event.data)
        // On the channel before the worker is asked, so that nothing its source posts is missed.
        this.post_({k: 'hello', types: this.customTypes_()})
        if (worker === undefined) this.compete_()
        else this.subscribe_(worker)
      },
      (error: unknown) => this.failHash_(error),
    )
  }

  get url(): string {
    return this.url_
  }

  get readyState(): 0 | 1 | 2 {
    return this.readyState_ as 0 | 1 | 2
  }

  get withCredentials(): boolean {
    return this.withCredentials_
  }

  get lastEventId(): string {
    return this.lastId_
  }

  get isLeader(): boolean {
    return this.source_ !== undefined
  }

  /** Detaches this object: CLOSED, no event. A leader hands the connection to the next tab. */
  close(): void {
    // The leader of a connection that failed or ended keeps the lock (see `end_`).
    if (this.ended_) return
    this.readyState_ = CLOSED
    this.leave_()
    this.unwatch_?.()
    this.abort_.abort()
    this.source_?.close()
    this.source_ = undefined
    this.release_?.()
    this.channel_?.close()
    this.channel_ = undefined
  }

  /**
   * Makes sure that this source, should it lead, forwards events of these types. Also the worker's
   * (shared-worker-host.ts), with the types a tab subscribes for.
   * @internal
   */
  learn_(types: readonly string[]): void {
    for (const type of types) {
      this.known_.add(type)
      this.source_?.addEventListener(type, this.onSourceEvent_)
    }
  }

  // PRIVATES FOLLOW

  /**
   * The lock and channel are named after a hash of the key: without one (a digest the browser
   * refuses, a `crypto.subtle` replaced by a script) this source can reach no other tab, and
   * connecting on its own would break the promise of one connection for all. It fails as a
   * connection that cannot be made does: CLOSED, with an `error` event that says why.
   */
  private failHash_(error: unknown): void {
    if (this.readyState_ === CLOSED) return
    this.close()
    const detail = error instanceof Error ? error.message : String(error)
    this.dispatch_(
      new EventSourceErrorEvent({
        message: `createSharedEventSource: the sharing key of ${this.url_} could not be hashed (crypto.subtle.digest failed: ${detail})`,
        cause: error,
        willReconnect: false,
        attempt: 0,
      }),
    )
  }


  /** Makes sure the leader forwards events of `type`, now and after every hand-over. */
  protected listen_(type: string): void {
    if (this.types_.has(type)) return
    this.types_.add(type)
    if (this.known_.has(type) || type === 'message' || LIFECYCLE.indexOf(type) >= 0) return
    this.learn_([type])
    this.post_({k: 'types', types: [type]})
  }

  private post_(message: Message): void {
    this.channel_?.postMessage({...message, from: this.id_})
  }

  /** Posts what the leader's connection did, and dispatches it here. */
  private broadcast_(message: Message, event?: Event): void {
    this.post_(message)
    this.apply_({...message, from: this.id_}, event)
  }

  /** Waits for the lock (once); when granted, leads until closed. */
  private compete_(): void {
    if (this.competing_) return
    this.competing_ = true
    this.locks_
      .request(this.name_, {signal: this.abort_.signal}, () => {
        if (this.readyState_ === CLOSED) return
        return new Promise<void>((release) => {
          this.release_ = release
          this.lead_()
        })
      })
      // An AbortError: this source closed while it waited.
      .catch(() => {})
  }

  /**
   * Asks the SharedWorker to hold the connection for this tab. Should the worker fail to start, or
   * end later, the source leaves it and competes for the lock itself: the worker's source, which
   * held it, is gone with the worker, and the next holder resumes from the last ID it received.
   * Should it not answer in time, the source competes too, but stays subscribed (see
   * {@link WORKER_TIMEOUT}).
   */
  private subscribe_(script: string | URL): void {
    let port: MessagePort
    try {
      // A name of our own: a worker is shared by URL and name, and an app's worker at the same URL is not ours.
      const worker = new SharedWorker(script, {name: 'streamsource'})
      // Fired when the script cannot be fetched: a 404, a type other than JavaScript, refused by the CSP.
      worker.onerror = () => this.fallBack_()
      port = worker.port
    } catch {
      // A SecurityError for another origin's script, a SyntaxError for a URL that does not parse.
      return this.compete_()
    }
    const subscribed = (this.subscribed_ = new AbortController())
    const {signal} = subscribed
    this.port_ = port
    const timer = setTimeout(() => this.compete_(), WORKER_TIMEOUT)
    signal.addEventListener('abort', () => clearTimeout(timer))
    let watching = false
    port.onmessage = ({data}: MessageEvent<FromWorker>) => {
      clearTimeout(timer)
      if (watching || signal.aborted) return
      watching = true
      // Held by the worker for its whole life: granted here once it has ended.
      this.locks_.request(data.lock, {signal}, () => this.fallBack_()).catch(() => {})
    }
    const lock = `streamsource tab ${this.id_}`
    const subscribe = (): void =>
      this.send_({k: 'subscribe', url: this.url_, key: this.key_, init: workerInit(this.init_, this.lastId_), types: [...this.known_], lock})
    // Held while subscribed, and asked for by the worker, which is granted it once this tab is gone
    // however it went: so it is held before the worker hears of it.
    this.locks_
      .request(lock, {signal}, () => {
        if (signal.aborted) return
        return new Promise<void>((release) => {
          this.releaseTab_ = release
          subscribe()
        })
      })
      .catch(() => {})
    // A page in the back/forward cache is frozen: it leaves, and comes back if restored.
    const scope = globalThis as Partial<Pick<Window, 'addEventListener'>>
    scope.addEventListener?.('pagehide', () => this.send_({k: 'leave'}), {signal})
    scope.addEventListener?.('pageshow', (event) => (event.persisted ? subscribe() : undefined), {signal})
  }

  private send_(message: ToWorker): void {
    try {
      this.port_?.postMessage(message)
    } catch {
      // An option the structured clone cannot copy (one this module does not know of): no worker, then.
      this.fallBack_()
    }
  }

  /** The worker failed to start, or has ended: leaves it, and competes for the lock instead. */
  private fallBack_(): void {
    if (!this.subscribed_ || this.readyState_ === CLOSED) return
    this.leave_()
    this.compete_()
  }

  /** Ends the subscription to the worker, if any: says so, and lets go of this tab's lock. */
  private leave_(): void {
    const subscribed = this.subscribed_
    if (!subscribed) return
    this.subscribed_ = undefined
    subscribed.abort()
    this.send_({k: 'leave'})
    this.port_?.close()
    this.port_ = undefined
    this.releaseTab_?.()
  }

  /** Holds the lock: opens the connection, resuming from the last ID this tab received. */
  private lead_(): void {
    const {signal: _, ...init} = this.init_
    this.broadcast_({k: 'lead', id: this.lastId_})
    const source = (this.source_ = new EventSource(this.url_, {...init, lastEventId: this.lastId_}))
    for (const type of ['message', ...LIFECYCLE, ...this.known_]) source.addEventListener(type, this.onSourceEvent_)
  }

  private onSourceEvent_ = (event: Event): void => {
    const source = this.source_
    if (!source) return
    if (event instanceof MessageEvent) {
      const {type, data, lastEventId, origin} = event as TypedMessageEvent
      return this.broadcast_({k: 'message', type, data, id: lastEventId, origin})
    }
    if (event instanceof EventSourceErrorEvent) {
      const {message, willReconnect, reconnectDelay, attempt, status, statusText, cause} = event
      const error = {message, willReconnect, reconnectDelay, attempt, status, statusText, cause: cause == null ? undefined : describe(cause)}
      return this.broadcast_({k: 'error', state: source.readyState, error}, event)
    }
    if (event instanceof EventSourceReconnectEvent) return this.broadcast_({k: 'reconnect', attempt: event.attempt, delay: event.delay})
    if (event.type === 'open' || event.type === 'end') this.broadcast_({k: event.type})
  }

  /** A message from another source on the channel. */
  private receive_(message: Wire): void {
    if (this.ended_ && message.k === 'hello') {
      // A source that joins after the end tries anew: it is (or will be) waiting for the lock.
      this.ended_ = false
      return this.close()
    }
    if (this.readyState_ === CLOSED) return
    switch (message.k) {
      case 'hello':
        this.learn_(message.types)
        if (this.source_) {
          this.post_({k: 'sync', to: message.from, state: this.readyState_, id: this.lastId_, origin: this.origin_})
        }
        return this.postTypes_()
      case 'types':
        return this.learn_(message.types)
      case 'sync':
        if (message.to !== this.id_ || (this.leader_ !== undefined && this.leader_ !== message.from)) return
        this.leader_ = message.from
        this.origin_ = message.origin
        this.remember_(message.id)
        if (message.state === OPEN && this.readyState_ === CONNECTING) this.apply_({k: 'open', from: message.from})
        return
      case 'lead':
        this.postTypes_()
        return this.apply_(message)
      default:
        // Until a `lead` is heard, whoever sends events is the leader (this source joined after it took over).
        this.leader_ ??= message.from
        if (message.from === this.leader_) this.apply_(message)
    }
  }

  /** Tells the others which types this object listens to, when there are any beyond the usual. */
  private postTypes_(): void {
    const types = this.customTypes_()
    if (types.length) this.post_({k: 'types', types})
  }

  private customTypes_(): string[] {
    return [...this.types_].filter((type) => type !== 'message' && LIFECYCLE.indexOf(type) < 0)
  }

  /** Dispatches what the leader's connection did; `event` is the original, in the leader's own tab. */
  private apply_(message: Wire, event?: Event): void {
    if (this.readyState_ === CLOSED) return
    switch (message.k) {
      case 'lead': {
        this.leader_ = message.from
        // The events this source dispatched after the ID the new connection resumes from: the
        // server sends them again, and they are skipped.
        const at = message.from === this.id_ ? -1 : this.history_.lastIndexOf(message.id)
        this.skip_ = at < 0 ? [] : this.history_.slice(at + 1)
        if (this.readyState_ !== OPEN) return
        this.readyState_ = CONNECTING
        const reason = message.from === this.id_ ? 'this tab holds it now' : 'another tab holds it now'
        return this.dispatch_(
          new EventSourceErrorEvent({
            message: `The tab holding the shared connection to ${this.url_} left; ${reason} and reconnects`,
            willReconnect: true,
            reconnectDelay: 0,
            attempt: 0,
          }),
        )
      }
      case 'open':
        this.readyState_ = OPEN
        return this.dispatch_(new Event('open'))
      case 'error': {
        const {message: text, willReconnect, reconnectDelay, attempt, status, statusText, cause} = message.error
        const original = event as EventSourceErrorEvent | undefined
        const copy = new EventSourceErrorEvent({
          message: text,
          willReconnect,
          reconnectDelay,
          attempt,
          cause: original ? original.cause : cause && Object.assign(new Error(cause.message), {name: cause.name}),
          response: original?.response,
        })
        if (!original && status !== undefined) {
          // The response stayed in the leader's tab; its status did not.
          for (const [name, value] of [['status', status], ['code', status], ['statusText', statusText]] as const) {
            Object.defineProperty(copy, name, {value, enumerable: true})
          }
        }
        this.readyState_ = message.state
        this.dispatch_(copy)
        return this.end_()
      }
      case 'reconnect':
        return this.dispatch_(new EventSourceReconnectEvent(message.attempt, message.delay))
      case 'end':
        this.readyState_ = CLOSED
        this.dispatch_(new Event('end'))
        return this.end_()
      case 'message': {
        const skip = this.skip_
        if (skip.length) {
          const at = skip.indexOf(message.id)
          this.skip_ = at < 0 ? [] : skip.slice(at + 1)
          if (at >= 0) return
        }
        // The leader sends events only while OPEN: a source that joined since hears them before `sync`.
        if (this.readyState_ === CONNECTING) this.apply_({k: 'open', from: message.from})
        this.origin_ = message.origin
        this.remember_(message.id)
        if (this.types_.has(message.type)) {
          this.dispatch_(new MessageEvent(message.type, {data: message.data, origin: message.origin, lastEventId: message.id}))
        }
      }
    }
  }

  /**
   * After an `error` or `end` that closed the connection: every source closes. The leader keeps
   * the lock, though, until a source joins: released at once, it could reach a tab that has not
   * yet heard of the end, which would open the connection again.
   */
  private end_(): void {
    if (this.readyState_ !== CLOSED) return
    if (!this.source_) return this.close()
    this.source_.close()
    this.source_ = undefined
    this.unwatch_?.()
    this.ended_ = true
  }

  private remember_(id: string): void {
    this.lastId_ = id
    const history = this.history_
    if (history[history.length - 1] === id) return
    history.push(id)
    if (history.length > HISTORY) history.shift()
  }

  private dispatch_(event: Event): void {
    if (this.readyState_ !== CLOSED || event.type === 'error' || event.type === 'end') this.dispatchEvent(event)
  }
}


ownHandlerAttributes(TabSource.prototype)
// As on EventSource: read-only, enumerable constants on the prototype.
;['CONNECTING', 'OPEN', 'CLOSED'].forEach((name, value) => {
  Object.defineProperty(TabSource.prototype, name, {value, enumerable: true})
})

/** A name for a source or a lock, unique among the tabs of an origin. */
export function uniqueId(): string {
  return Math.random().toString(36).slice(2) + Date.now().toString(36)
}

/**
 * The options as the worker receives them, which the structured clone can copy (no function is
 * among them, or there would be no worker): `headers` as pairs, a `URLSearchParams` body as a
 * string with the content type fetch gives it, each extension as what it describes itself as (the
 * worker rebuilds it), the last ID this tab received; `signal` stays here.
 */
function workerInit(init: EventSourceInit, lastEventId: string): WorkerInit {
  const {signal: _, headers, body, extensions, ...rest} = init
  const copy: WorkerInit = {...rest, lastEventId}
  const isForm = body instanceof URLSearchParams
  if (headers !== undefined || isForm) {
    const all = new Headers(headers as HeadersInit | undefined)
    if (isForm && !all.has('content-type')) all.set('content-type', 'application/x-www-form-urlencoded;charset=UTF-8')
    copy.headers = [...all]
  }
  if (body !== undefined) copy.body = isForm ? String(body) : body
  if (extensions) copy.extensions = extensions.map((extension) => extension.describe)
  return copy
}

function describe(cause: unknown): {name: string; message: string} {
  return cause instanceof Error ? {name: cause.name, message: cause.message} : {name: 'Error', message: String(cause)}
}

/** Options of the tab's own object, and `key` (which the key holds apart): not in the sharing key. */
const TAB_OPTIONS = new Set(['signal', 'lastEventId', 'worker', 'key'])

/**
 * The sharing key of the options, and whether one of them is a function; see
 * {@link createSharedEventSource} for the rules. Throws for what cannot be compared across tabs.
 */
function tabSharingKey(init: SharedEventSourceInit): SharingKey {
  const hasKey = init.key !== undefined
  return sharingKey(init, {
    skip: TAB_OPTIONS,
    onFunction: (path) => {
      if (hasKey) return
      throw new TypeError(
        `createSharedEventSource: \`${path}\` is a function, whose results cannot be compared across tabs. ` +
          'Give `key` (the signed-in user, say) so that only tabs that may share them share the connection, ' +
          'or use `new EventSource()` for a connection of this tab alone.',
      )
    },
    opaque: (_value, path) => {
      throw new TypeError(
        `createSharedEventSource: \`${path}\` cannot be compared across tabs; pass a string` +
          (hasKey ? ', or a function' : ', or a function and `key`'),
      )
    },
    // Refused here, in every tab, as other impossible options are.
    throwOnInvalidHeaders: true,
  })
}
