/**
 * Shared EventSource connections, framework-free: what `useEventSource` (src/adapters/react.ts) stands on,
 * and what an adapter for another framework would stand on too.
 *
 * One registry maps a key (the URL and the request options, serialised) to one connection: one
 * library `EventSource`, opened by its first subscriber and closed a moment after its last one
 * leaves. Each subscriber keeps an immutable snapshot (connection state plus the last message it
 * received), replaced on every change, for `useSyncExternalStore`-style `subscribe`/`getSnapshot`.
 * Every event reaches every subscriber listening to its type, in order, from the event listener
 * itself: nothing waits for a render, so nothing is dropped when many events arrive at once.
 *
 * No import of any framework here or in what it imports.
 */
import {EventSource} from '../eventsource/EventSource.js'
import type {TypedMessageEvent} from '../eventsource/event-source-target.js'
import {EventSourceErrorEvent} from '../eventsource/events.js'
import type {EventSourceInit} from '../eventsource/options.js'
import {isPlainObject, readInit, sharingKey, type SharingRules} from './key.js'

/**
 * Where a shared connection is, in words:
 * - `idle`: nothing is open, on purpose (no URL, or `enabled: false`);
 * - `connecting`: the first attempt, or a fresh one after `reconnect()`, has not opened yet;
 * - `open`: connected, events flowing;
 * - `reconnecting`: the connection dropped and the EventSource is waiting to try again
 *   (`error` holds why);
 * - `closed`: `close()` was called, or a `oneShot()` stream ended;
 * - `error`: the connection failed for good (a status other than 200, the retry policy gave up…;
 *   `error` holds why).
 *
 * @public
 */
export type EventSourceStatus = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed' | 'error'

/**
 * The event types a connection listens to and the type of their data, as a map
 * (`{price: Price; trade: Trade}`), or event names alone (`'price' | 'trade'`), whose data is
 * `Data`: what `parse` returns, a string without it.
 */
export type EventDataMap<Events, Data = string> = [Events] extends [string] ? Record<Events, Data> : Events

/** The event types of an `Events` parameter. */
export type EventTypes<Events> = keyof EventDataMap<Events, unknown> & string

/** What `parse` returns for any of the event types (`Data` for event names alone). */
export type EventData<Events, Data = string> = EventDataMap<Events, Data>[keyof EventDataMap<Events, Data> & string]

/**
 * One event as a subscriber receives it: its type, its data (after `parse`), and the rest of the
 * `MessageEvent`. A union over the event types, so that checking `type` narrows `data`.
 *
 * @public
 */
export type ReceivedMessage<Events = string, Data = EventData<Events>> = {
  [Type in EventTypes<Events>]: {
    /** The event type: `message`, or the `event:` field the server sent. */
    readonly type: Type
    /** The event's data, as `parse` returned it (the string the server sent without `parse`). */
    readonly data: EventDataMap<Events, Data>[Type & keyof EventDataMap<Events, Data>]
    /** The last event ID when the event arrived. */
    readonly lastEventId: string
    /** The origin of the stream's final URL. */
    readonly origin: string
    /** The `MessageEvent` itself. */
    readonly event: TypedMessageEvent
  }
}[EventTypes<Events>]

/** The state of a shared connection. A new object on every change, never mutated. */
export interface ConnectionState {
  /** The EventSource's `readyState`: `0` (CONNECTING), `1` (OPEN) or `2` (CLOSED, also when idle). */
  readonly readyState: 0 | 1 | 2
  /** The state in words; see {@link EventSourceStatus}. */
  readonly status: EventSourceStatus
  /**
   * The last `error` event, with its details (`message`, `status`, `response`, `cause`,
   * `willReconnect`, `reconnectDelay`, `attempt`): set while `reconnecting` or after an `error`,
   * cleared when the connection opens again.
   */
  readonly error: EventSourceErrorEvent | undefined
}

/**
 * What a subscriber sees: the connection's state and the last message it received.
 *
 * @public
 */
export interface SharedSnapshot<Events = string, Data = EventData<Events>> extends ConnectionState {
  /** The last event received, of the types this subscriber listens to; `undefined` until one arrives. */
  readonly message: ReceivedMessage<Events, Data> | undefined
}

/**
 * A subscriber's options: every `EventSourceInit` option, plus what to listen to and what to do
 * with each event.
 *
 * The connection is shared by every subscriber with the same URL, the same request options and
 * the same `key`, compared by value, as the EventSource reads them and as `createSharedEventSource`
 * compares them: objects and arrays by content (inherited keys count, as for the EventSource),
 * `headers` by what is sent (an object, pairs or a `Headers`, names in any case and order), `method`
 * in any case, a `URLSearchParams` by its text. Three exceptions:
 * - functions (`headers`, `body`, `fetch`, `reconnect.shouldReconnect`) count only as "a
 *   function here": changing one does not reconnect, and each attempt calls the newest one given
 *   (of the subscriber that has been there longest), as callbacks are treated;
 * - other objects that cannot be compared by content (a `Blob`, `FormData` or `ArrayBuffer` body)
 *   count by identity: keep them stable, or pass a function;
 * - `events`, `parse`, `onMessage` and `signal` belong to the subscriber, not the connection.
 *
 * Two uses that differ only in what a function returns (a token for another user, say) share a
 * connection unless `key` tells them apart.
 *
 * @public
 */
export interface SharedSourceOptions<Events = string, Data = EventData<Events>> extends EventSourceInit {
  /**
   * Event types to listen to. Events of other types are not received (the `message` type is not
   * implied once this is given).
   * @defaultValue `['message']`
   */
  // The same names as EventTypes<Events>, written so that TypeScript infers `Events` from them
  // (`events: ['price']` types messages as `price` events) instead of inventing a map.
  events?: readonly (Events extends string ? Events : keyof Events & string)[] | undefined
  /**
   * Turns each event's data into what `onMessage` and `message` get (`JSON.parse`, say). Called
   * once per event, in the event listener, never in a render; subscribers with the same `parse`
   * function share its result. When it throws, the error is reported as a listener's would be
   * (`reportError`) and the event is skipped for this subscriber.
   * @defaultValue `undefined` (the data stays the string the server sent)
   */
  parse?: ((data: string) => Data) | undefined
  /**
   * Called for every event of the listened types, in order, as it arrives: none is skipped
   * however many arrive between two renders. Changing it does not reconnect. Exceptions are
   * reported (`reportError`) and do not stop other subscribers from receiving the event.
   * @defaultValue `undefined`
   */
  onMessage?: ((message: ReceivedMessage<Events, Data>) => void) | undefined
  /**
   * Extra text for the sharing key: subscribers with different keys never share a connection.
   * Needed only when two uses differ in nothing but what a function option returns.
   * @defaultValue `undefined`
   */
  key?: string | undefined
  /**
   * Aborting it closes the shared connection, as `close()` does. Belongs to the subscriber: it is
   * not part of the sharing key, and the EventSource itself is not given it.
   * @defaultValue `undefined`
   */
  signal?: AbortSignal | undefined
}

/** A subscriber as a connection sees it. */
interface Member {
  /** The subscriber's newest options: the connection calls the functions among them. */
  options(): object
  types(): ReadonlySet<string>
  receive(event: TypedMessageEvent, connection: SharedConnection): void
  changed(): void
}

/** Options that belong to a subscriber (or to a framework adapter) rather than to the connection. */
const SUBSCRIBER_OPTIONS = new Set(['events', 'parse', 'onMessage', 'key', 'signal', 'enabled'])

const CONNECTING_STATE: ConnectionState = {readyState: 0, status: 'connecting', error: undefined}
const OPEN_STATE: ConnectionState = {readyState: 1, status: 'open', error: undefined}
const CLOSED_STATE: ConnectionState = {readyState: 2, status: 'closed', error: undefined}

/** Before the first event, and on the server (the server snapshot is always this one object). */
const CONNECTING_SNAPSHOT: SharedSnapshot<never> = {...CONNECTING_STATE, message: undefined}
/** No URL or not enabled: nothing opens. */
const IDLE_SNAPSHOT: SharedSnapshot<never> = {readyState: 2, status: 'idle', error: undefined, message: undefined}

const registry = new Map<string, SharedConnection>()

/** Identities for objects that count by identity in keys; weak, so keys do not keep them alive. */
const identities = new WeakMap<object, number>()
let nextIdentity = 0

/** The rules of a subscriber's key: see {@link SharedSourceOptions}. */
// No `onFunction`: a function counts only as "a function here" (each attempt calls the newest one).
const RULES: SharingRules = {
  skip: SUBSCRIBER_OPTIONS,
  opaque: (value) => {
    let identity = identities.get(value)
    if (identity === undefined) identities.set(value, (identity = ++nextIdentity))
    return {'\u0000': 'object', identity}
  },
  // Never an exception in a render: the EventSource reports them, as a failed connection.
  throwOnInvalidHeaders: false,
}

/**
 * The sharing key of a URL and options: equal for subscribers that may share one connection.
 * See {@link SharedSourceOptions} for what counts.
 */
export function sharedSourceKey<Events, Data>(url: string | URL, options: SharedSourceOptions<Events, Data> = {}): string {
  return sharingKey(options, RULES).at(String(url))
}

/**
 * One subscriber's handle on the shared connection for a URL and options: `subscribe` and
 * `getSnapshot` in the shape `useSyncExternalStore` takes, plus `close()` and `reconnect()`.
 * Creating one opens nothing: the first `subscribe` does.
 *
 * A `null` URL makes an idle handle: it never opens anything and its snapshot says `idle`.
 */
export class SharedSubscription<Events = string, Data = EventData<Events>> {
  /** The sharing key, or `null` for an idle handle. */
  readonly key: string | null
  private readonly url_: string
  private options_: SharedSourceOptions<Events, Data>
  private types_: ReadonlySet<string>
  private connection_: SharedConnection | undefined
  private readonly listeners_ = new Set<() => void>()
  private message_: ReceivedMessage<Events, Data> | undefined
  /** The snapshot last handed out, and the state and message it was made from. */
  private snapshot_: SharedSnapshot<Events, Data>
  private snapshotState_: ConnectionState = CONNECTING_STATE
  private snapshotMessage_: ReceivedMessage<Events, Data> | undefined
  private signal_: AbortSignal | undefined
  private readonly member_: Member

  constructor(url: string | URL | null, options: SharedSourceOptions<Events, Data> = {}, key?: string) {
    this.url_ = url === null ? '' : String(url)
    this.key = url === null ? null : (key ?? sharedSourceKey(url, options))
    this.options_ = options
    this.types_ = typesOf(options)
    this.snapshot_ = url === null ? IDLE_SNAPSHOT : CONNECTING_SNAPSHOT
    this.member_ = {
      options: () => this.options_,
      types: () => this.types_,
      receive: (event, connection) => this.receive_(event, connection),
      changed: () => this.notify_(),
    }
  }

  /**
   * Takes the newest options: callbacks, function options, `events` and `signal` take effect at
   * once; the request options are the key's and do not change (a new key needs a new handle).
   */
  update(options: SharedSourceOptions<Events, Data>): void {
    this.options_ = options
    const types = typesOf(options)
    if (!sameMembers(types, this.types_)) {
      this.types_ = types
      this.connection_?.listen(types)
    }
    if (this.connection_ !== undefined) this.watchSignal_(options.signal)
  }

  /** Starts receiving (the first call opens or joins the connection); returns the unsubscribe function. */
  readonly subscribe = (onChange: () => void): (() => void) => {
    const listener = (): void => onChange()
    this.listeners_.add(listener)
    if (this.connection_ === undefined && this.key !== null) {
      this.connection_ = SharedConnection.acquire(this.key, this.url_, this.member_)
      this.watchSignal_(this.options_.signal)
    }
    return () => {
      this.listeners_.delete(listener)
      if (this.listeners_.size > 0 || this.connection_ === undefined) return
      this.watchSignal_(undefined)
      this.connection_.release(this.member_)
      this.connection_ = undefined
    }
  }

  /** The current snapshot: the same object until something changes. */
  readonly getSnapshot = (): SharedSnapshot<Events, Data> => {
    if (this.key === null) return this.snapshot_
    // Before subscribing, a connection others opened already shows its state.
    const state = (this.connection_ ?? registry.get(this.key))?.state ?? CONNECTING_STATE
    if (state !== this.snapshotState_ || this.message_ !== this.snapshotMessage_) {
      this.snapshotState_ = state
      this.snapshotMessage_ = this.message_
      this.snapshot_ = {...state, message: this.message_}
    }
    return this.snapshot_
  }

  /** The snapshot for server rendering: always the same `connecting` (or `idle`) object. */
  readonly getServerSnapshot = (): SharedSnapshot<Events, Data> => (this.key === null ? IDLE_SNAPSHOT : CONNECTING_SNAPSHOT)

  /** Closes the shared connection, for every subscriber, until `reconnect()` or until all have left. */
  readonly close = (): void => {
    this.current_()?.close()
  }

  /**
   * Closes the shared connection and opens a new one at once, sending the last event ID, whatever
   * state it was in (waiting to reconnect, failed, closed).
   */
  readonly reconnect = (): void => {
    this.current_()?.reconnect()
  }

  // PRIVATES FOLLOW

  private current_(): SharedConnection | undefined {
    return this.connection_ ?? (this.key === null ? undefined : registry.get(this.key))
  }

  private receive_(event: TypedMessageEvent, connection: SharedConnection): void {
    if (!this.types_.has(event.type)) return
    const {parse, onMessage} = this.options_
    let data: unknown = event.data
    if (parse !== undefined) {
      try {
        data = connection.parse(event, parse)
      } catch (error) {
        return report(error)
      }
    }
    const message = {type: event.type, data, lastEventId: event.lastEventId, origin: event.origin, event}
    this.message_ = message as ReceivedMessage<Events, Data>
    if (onMessage !== undefined) {
      try {
        onMessage(this.message_)
      } catch (error) {
        report(error)
      }
    }
    this.notify_()
  }

  private notify_(): void {
    for (const listener of this.listeners_) listener()
  }

  private readonly onAbort_ = (): void => this.close()

  /** Follows `signal`: aborting it closes the connection. `undefined` stops following. */
  private watchSignal_(signal: AbortSignal | undefined): void {
    if (signal === this.signal_) return
    this.signal_?.removeEventListener('abort', this.onAbort_)
    this.signal_ = signal
    if (signal === undefined) return
    if (signal.aborted) this.close()
    else signal.addEventListener('abort', this.onAbort_)
  }
}

/** One EventSource for everyone with the same key. */
class SharedConnection {
  state: ConnectionState = CONNECTING_STATE
  private readonly key_: string
  private readonly url_: string
  /** In the order they came: the first has been there longest, and its functions are called. */
  private readonly members_ = new Set<Member>()
  /** Every type any member listens to; listeners for a type stay until the source closes. */
  private readonly types_ = new Set<string>()
  /** The options of the member that opened the connection, should all have left when it reopens. */
  private readonly given_: object
  private source_: EventSource | undefined
  private onMessage_: ((event: Event) => void) | undefined
  /** The ID of the last event handed to the members (or the one the source started from): where `reconnect()` resumes. */
  private lastEventId_ = ''
  private releaseTimer_: ReturnType<typeof setTimeout> | undefined
  /** The last `parse` result, so that members with the same `parse` function share it. */
  private parsed_: {event: TypedMessageEvent; parse: (data: string) => unknown; value: unknown} | undefined

  /** Joins the connection for `key`, creating (and opening) it for the first member. */
  static acquire(key: string, url: string, member: Member): SharedConnection {
    let connection = registry.get(key)
    if (connection === undefined) {
      connection = new SharedConnection(key, url, member.options())
      registry.set(key, connection)
      connection.add_(member)
      connection.open_('')
    } else {
      connection.add_(member)
    }
    return connection
  }

  private constructor(key: string, url: string, given: object) {
    this.key_ = key
    this.url_ = url
    this.given_ = given
  }

  /**
   * Leaves the connection. The last member out closes it, but only after a turn of the event
   * loop: React's StrictMode unmounts and mounts every component again at once in development,
   * and a component that subscribes again straight away must find the same connection, not open a
   * second one.
   */
  release(member: Member): void {
    this.members_.delete(member)
    if (this.members_.size > 0) return
    clearTimeout(this.releaseTimer_)
    this.releaseTimer_ = setTimeout(() => {
      this.releaseTimer_ = undefined
      if (this.members_.size > 0) return
      this.source_?.close()
      this.source_ = undefined
      if (registry.get(this.key_) === this) registry.delete(this.key_)
    }, 0)
  }

  /** Adds listeners for the types not listened to yet. */
  listen(types: Iterable<string>): void {
    for (const type of types) {
      if (this.types_.has(type)) continue
      this.types_.add(type)
      if (this.onMessage_ !== undefined) this.source_?.addEventListener(type, this.onMessage_)
    }
  }

  close(): void {
    this.source_?.close()
    this.setState_(CLOSED_STATE)
  }

  reconnect(): void {
    this.source_?.close()
    // Resumes after the last event the members were handed (or the ID the source started from), not
    // from the source's own `lastEventId`: that one moves as the stream is parsed, ahead of events
    // still waiting for their task, which close() drops; resuming after them would lose them.
    this.open_(this.lastEventId_)
  }

  /** `parse(event.data)`, once per event for every member that has the same `parse`. */
  parse(event: TypedMessageEvent, parse: (data: string) => unknown): unknown {
    const parsed = this.parsed_
    if (parsed !== undefined && parsed.event === event && parsed.parse === parse) return parsed.value
    const value = parse(event.data)
    this.parsed_ = {event, parse, value}
    return value
  }

  private add_(member: Member): void {
    clearTimeout(this.releaseTimer_)
    this.releaseTimer_ = undefined
    this.members_.add(member)
    this.listen(member.types())
  }

  private open_(lastEventId: string): void {
    this.lastEventId_ = lastEventId
    this.source_ = undefined
    this.onMessage_ = undefined
    let source: EventSource
    try {
      source = new EventSource(this.url_, this.init_(lastEventId))
    } catch (error) {
      // An invalid URL or option: a failed connection to show, not an exception in a render or effect.
      const message = error instanceof Error ? error.message : String(error)
      const event = new EventSourceErrorEvent({message, cause: error, willReconnect: false, attempt: 0})
      return this.setState_({readyState: 2, status: 'error', error: event})
    }
    this.source_ = source
    const onMessage = (event: Event): void => {
      // A server may name an event `error` or `open`: those arrive as MessageEvents too.
      if (this.source_ !== source || !(event instanceof MessageEvent)) return
      this.lastEventId_ = event.lastEventId
      this.dispatch_(event as TypedMessageEvent)
    }
    this.onMessage_ = onMessage
    source.addEventListener('open', () => {
      if (this.source_ === source) this.setState_(OPEN_STATE)
    })
    source.addEventListener('error', (event) => {
      if (this.source_ !== source || !(event instanceof EventSourceErrorEvent)) return
      this.setState_(
        event.willReconnect ? {readyState: 0, status: 'reconnecting', error: event} : {readyState: 2, status: 'error', error: event},
      )
    })
    source.addEventListener('end', () => {
      if (this.source_ === source) this.setState_(CLOSED_STATE)
    })
    for (const type of this.types_) source.addEventListener(type, onMessage)
    this.setState_(CONNECTING_STATE)
  }

  /**
   * The EventSource's options: the first member's request options, each function replaced by one
   * that calls the newest function there (so a changed callback needs no reconnect), and the last
   * event ID to resume from after `reconnect()`.
   */
  private init_(lastEventId: string): EventSourceInit {
    const first = this.members_.values().next().value
    const init: Record<string, unknown> = {}
    // Read as the key reads them (own and inherited keys), so that every option the key counts is sent.
    for (const [name, value] of Object.entries(readInit(first?.options() ?? this.given_))) {
      if (!SUBSCRIBER_OPTIONS.has(name)) init[name] = this.bindFunctions_(value, [name])
    }
    if (lastEventId !== '') init['lastEventId'] = lastEventId
    return init
  }

  private bindFunctions_(value: unknown, path: readonly string[]): unknown {
    if (typeof value === 'function') {
      const given = value as (...args: unknown[]) => unknown
      return (...args: unknown[]) => (this.newestFunction_(path) ?? given)(...args)
    }
    if (typeof value !== 'object' || value === null || !isPlainObject(value)) return value
    const bound: Record<string, unknown> = {}
    for (const [name, field] of Object.entries(value)) bound[name] = this.bindFunctions_(field, [...path, name])
    return bound
  }

  /** The function at `path` in the options of the member that has been there longest and has one. */
  private newestFunction_(path: readonly string[]): ((...args: unknown[]) => unknown) | undefined {
    for (const member of this.members_) {
      let value: unknown = member.options()
      for (const name of path) value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined
      if (typeof value === 'function') return value as (...args: unknown[]) => unknown
    }
    return undefined
  }

  private dispatch_(event: TypedMessageEvent): void {
    // A member that leaves during the loop is skipped, one that joins receives the event.
    for (const member of this.members_) member.receive(event, this)
  }

  private setState_(state: ConnectionState): void {
    if (state === this.state) return
    this.state = state
    for (const member of this.members_) member.changed()
  }
}

function typesOf(options: {events?: readonly string[] | undefined}): ReadonlySet<string> {
  return new Set(options.events ?? ['message'])
}

function sameMembers(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size !== b.size) return false
  for (const item of a) if (!b.has(item)) return false
  return true
}

/** Reports an exception from a user callback as an event listener's is, without stopping the others. */
function report(error: unknown): void {
  if (typeof reportError === 'function') reportError(error)
  else
    setTimeout(() => {
      throw error
    })
}
