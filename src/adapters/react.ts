/**
 * `streamsource/react`: the {@link useEventSource} hook (React 18 or 19, an optional peer
 * dependency), with its options and result types.
 *
 * @module streamsource/react
 */
/**
 * `streamsource/react`: the `useEventSource` hook, a thin layer over the shared connections of
 * src/shared/source.ts on React's `useSyncExternalStore`. Works with React 18 and 19; nothing
 * else in the library imports React.
 */
import {useEffect, useLayoutEffect, useMemo, useSyncExternalStore} from 'react'
import {SharedSubscription, sharedSourceKey, type EventData, type SharedSnapshot, type SharedSourceOptions} from '../shared/source.js'

export type {
  ConnectionState,
  EventData,
  EventDataMap,
  EventSourceStatus,
  EventTypes,
  ReceivedMessage,
  SharedSnapshot,
  SharedSourceOptions,
} from '../shared/source.js'
export type {EventSourceErrorEvent} from '../eventsource/events.js'

/**
 * The options of {@link useEventSource}: every `EventSource` option (`headers`, `method`, `body`,
 * `reconnect`…), what to listen to and what to do with each event, and `enabled`.
 *
 * Components whose URL, request options and `key` are equal share one connection. Functions
 * among the options (`headers`, `body`, `fetch`, `reconnect.shouldReconnect`) are callbacks: a
 * new function does not reconnect, the next attempt calls it. See {@link SharedSourceOptions}.
 *
 * @public
 */
export interface UseEventSourceOptions<Events = string, Data = EventData<Events>> extends SharedSourceOptions<Events, Data> {
  /**
   * `false` opens nothing (and leaves the connection, which closes once no component uses it).
   * @defaultValue `true`
   */
  enabled?: boolean | undefined
}

/**
 * What {@link useEventSource} returns: the connection's state, the last message, the last
 * error, and `close()`/`reconnect()` (stable functions, acting on the shared connection).
 *
 * @public
 */
export interface UseEventSourceResult<Events = string, Data = EventData<Events>> extends SharedSnapshot<Events, Data> {
  /** Closes the connection, for every component sharing it, until `reconnect()` or until all unmount. */
  close(): void
  /** Closes the connection and opens a new one at once, resuming with `Last-Event-ID`. */
  reconnect(): void
}

// Layout effects warn during server rendering in React 18; on the server no effect runs anyway.
const useIsomorphicLayoutEffect = typeof window === 'undefined' ? useEffect : useLayoutEffect

/**
 * Subscribes a component to a Server-Sent Events stream.
 *
 * `Events` types the events: a map from event type to the type `parse` returns for it
 * (`useEventSource<{price: Price}>`), or event names alone (`useEventSource<'price' | 'trade'>`,
 * data stays a string). Without a type argument both are inferred: the names from `events`, the
 * data from what `parse` returns (`Data`). Without `parse` every `data` is the string the server sent.
 *
 * - `url` `null` (or `enabled: false`) opens nothing; status `idle`.
 * - Changing the URL or a request option reconnects; changing a callback does not.
 * - `onMessage` is called for every event, in order, as it arrives, not when the component renders.
 * - Components with the same URL and options share one connection, closed after the last unmounts;
 *   StrictMode's extra mount does not open a second one.
 * - On the server nothing connects and the state is `connecting`.
 *
 * @param url - The event stream's URL; `null` or `undefined` opens nothing.
 * @param options - Every `EventSource` option, and `events`, `parse`, `onMessage`, `key`,
 *   `signal`, `enabled`; see {@link UseEventSourceOptions}.
 * @returns The connection's state, the last message and error, and `close()`/`reconnect()`.
 * @example
 * ```tsx
 * const {status, message, error} = useEventSource<{price: Price}>('/prices', {
 *   events: ['price'],
 *   parse: JSON.parse,
 *   onMessage: (message) => chart.add(message.data),
 * })
 * ```
 * @public
 */
export function useEventSource<Events = string, Data = EventData<Events>>(
  url: string | URL | null | undefined,
  options: UseEventSourceOptions<Events, Data> = {},
): UseEventSourceResult<Events, Data> {
  const enabled = url != null && options.enabled !== false
  const key = enabled ? sharedSourceKey(url, options) : null
  // One handle per key: a new URL or request option makes a new one, which useSyncExternalStore
  // subscribes to (joining or opening that connection) after leaving the old one. Creating it
  // opens nothing, so a render React throws away leaks nothing. `key` stands for url and options.
  const subscription = useMemo(() => new SharedSubscription<Events, Data>(enabled ? url : null, options, key ?? undefined), [key])
  // Callbacks are read from the newest render when events arrive: changing one reconnects nothing.
  useIsomorphicLayoutEffect(() => {
    subscription.update(options)
  })
  const snapshot = useSyncExternalStore(subscription.subscribe, subscription.getSnapshot, subscription.getServerSnapshot)
  return useMemo(
    () => ({...snapshot, close: subscription.close, reconnect: subscription.reconnect}),
    [snapshot, subscription],
  )
}
