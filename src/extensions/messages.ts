/**
 * [non-spec] `messages(source)`: an EventSource's events as an async iterator, for `for await`.
 * A function of the source rather than `source[Symbol.asyncIterator]`, so the class keeps the
 * WHATWG interface and an app that never iterates does not pay for it.
 */
import type {EventSource} from '../eventsource/EventSource.js'
import type {EventSourceEvents, NamedEvent, EventNames} from '../eventsource/event-source-target.js'
import {createMessageIterator} from './message-iterator.js'
import type {SourceCore} from './extension.js'

/**
 * Every `MessageEvent` of `source` (named ones too), in order, from now until the source closes;
 * breaking out of the loop closes the source. A source that fails (CLOSED by an error) makes the
 * loop throw the cause, also when it had failed before the loop started. Events that arrive while
 * the loop's body runs are kept, in order, until it asks for them. Over fetch, the next chunk of
 * the stream is read once the loop has caught up with the last one's events, or a task later,
 * whichever comes first: a loop that keeps up holds at most a chunk's events, while one that
 * awaits something slow neither stops the stream nor starves `heartbeat()`, and so holds more and
 * more of a fast stream in memory.
 *
 * @param source - An EventSource of this package.
 * @example
 * ```ts
 * for await (const event of messages(new EventSource(url, {method: 'POST', body, extensions: [oneShot()]}))) print(event.data)
 * ```
 * @public
 */
export function messages<Events extends EventSourceEvents<Events> = string>(
  source: EventSource<Events>,
): AsyncIterableIterator<NamedEvent<Events, EventNames<Events>>> {
  const core = source as unknown as SourceCore
  return createMessageIterator(
    (queue) => {
      if (core.readyState === 2) return queue.end(core.failure_?.[0])
      core.hook_({
        message: queue.push,
        read: queue.paced,
        stop: () => void (core.readyState === 2 && queue.end(core.failure_?.[0])),
      })
    },
    () => source.close(),
  ) as AsyncIterableIterator<NamedEvent<Events, EventNames<Events>>>
}
