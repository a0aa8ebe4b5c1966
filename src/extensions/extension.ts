/**
 * The narrow interface between the EventSource core and its extensions. An extension is a plain
 * object made by a named export (`heartbeat(30_000)`, `oneShot()`…): what it does is in its own
 * module, so an app that does not import it does not pay for it. The core only calls the hooks an
 * extension returns at a few points of its processing model; an extension acts through the few
 * members of the core that {@link SourceCore} lists.
 *
 * An extension also describes itself as plain data (`describe`), which the structured clone can
 * copy: `createSharedEventSource` sends that to its SharedWorker, which rebuilds the extension
 * from it there (src/shared-worker-host.ts), since functions cannot cross to a worker.
 */
import type {TypedMessageEvent} from '../eventsource/event-source-target.js'
import type {TransportResponse} from '../transport/index.js'

/**
 * What an extension does at the core's hook points; every hook is optional. The core asks the
 * hooks in the order the extensions were given, and the first defined answer counts.
 * @internal
 */
export interface Hooks {
  /** An attempt started, or bytes of its response arrived. */
  active?(): void
  /** The attempt in progress ended, or the source closed (readyState CLOSED): timers and listeners go. */
  stop?(): void
  /** A response with a status other than 200: a delay to reconnect after, or `undefined` to fail as the spec says. */
  status?(response: TransportResponse): number | undefined
  /** The server ended the stream cleanly: `true` when the extension handled it (no reconnect). */
  end?(): boolean | undefined
  /** The connection broke off: `true` to fail the connection rather than reconnect. */
  lost?(): boolean | undefined
  /** Every `MessageEvent` of the stream, named ones too, whether or not a listener hears it. */
  message?(event: TypedMessageEvent): void
  /**
   * A chunk's events were handed on: a thenable to wait for before the transport reads the next
   * chunk (a loop over `messages(source)` catching up), or `undefined` to read on at once.
   */
  read?(): PromiseLike<unknown> | undefined
}

/**
 * The members of the core an extension may use: the EventSource's private members, whose names
 * the build shortens the same way in every module (rollup.config.mjs).
 * @internal
 */
export interface SourceCore {
  readonly readyState: number
  readonly lastEventId: string
  /** Why the source failed, once it did. */
  readonly failure_: [cause: unknown] | undefined
  readonly settings_: {readonly maxDelay: number}
  close(): void
  dispatchEvent(event: Event): boolean
  /** Adds hooks, e.g. from a function of the source (`messages(source)`). */
  hook_(hooks: Hooks): void
  /**
   * The connection broke off (as a network error): reconnect, or fail when a `lost` hook says so.
   * `message` defaults to the cause's.
   */
  lost_(cause: unknown, message?: string): void
  /** When a reconnect is waiting out its delay: the attempt, now. */
  retryNow_(): void
}

/**
 * An extension of the EventSource: made by one of the package's named exports (`heartbeat`,
 * `retryOnStatus`, `oneShot`, `reconnectOnPageEvents`), given in the `extensions` option.
 *
 * @public
 */
export interface Extension {
  /**
   * The export that made the extension and its arguments, as plain data: `['heartbeat', 30000]`.
   * A SharedWorker rebuilds the extension from it; the sharing key compares it.
   */
  readonly describe: readonly [name: string, ...args: unknown[]]
  /**
   * Called once by the EventSource's constructor, with the source.
   * @internal
   */
  hook(source: SourceCore): Hooks
}

/** An extension named `name`, made with `args`, whose hooks `hook` makes. */
export const extension = (hook: (source: SourceCore) => Hooks, ...describe: [string, ...unknown[]]): Extension => ({describe, hook})
