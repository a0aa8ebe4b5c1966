/**
 * [non-spec] The async iterator of an EventSource: every `MessageEvent` (named ones too), in order,
 * until the source closes; breaking out of the loop closes the source; a source that failed makes
 * the loop throw the cause. The EventSource feeds it through a {@link MessageQueue}.
 */

import type {TypedMessageEvent} from '../eventsource/event-source-target.js'

/** The side of an iterator that the EventSource feeds. */
export interface MessageQueue {
  push(event: TypedMessageEvent): void
  /**
   * While the loop has events to catch up on: a promise for when it has, or a task has passed,
   * whichever comes first; the EventSource reads on after it. `undefined` when nothing waits.
   */
  paced(): Promise<void> | undefined
  /** No more events: the loop ends, or throws `error` when there is one. */
  end(error?: unknown): void
}

/**
 * An iterator whose queue `subscribe` is handed at once (to feed it, or end it), and which calls
 * `close` when the loop is left early.
 */
export function createMessageIterator(
  subscribe: (queue: MessageQueue) => void,
  close: () => void,
): AsyncIterableIterator<TypedMessageEvent> {
  type Result = IteratorResult<TypedMessageEvent>
  // What arrived between two `next()` calls, read from `head` on (`shift()` would move every
  // remaining element) and emptied once drained.
  let buffer: TypedMessageEvent[] = []
  let head = 0
  let waiting: ((result: Result | Promise<never>) => void) | undefined
  let ended: [error: unknown] | undefined
  // Reading waits for the loop, so that a stream whose chunks are all there at once (a fast server,
  // or a body buffered by fetch) is not parsed far ahead of it: every event waiting in the buffer
  // is memory the garbage collector copies (200,000 events in 16 KiB chunks, all there at once, in
  // Node: 1333 ns an event against 606 for listeners; paced, in a later run, 599 against 497).
  // But for a task at most: a loop that awaits something slow must not stop reading for longer, or
  // `heartbeat()` would take the quiet for a dead connection.
  let paced: Promise<void> | undefined
  let resume: (() => void) | undefined
  let timer: ReturnType<typeof setTimeout> | undefined
  const release = (): void => {
    clearTimeout(timer)
    resume?.()
    paced = resume = undefined
  }
  /** The end, once the buffer is drained: done, or the failure, reported once. */
  const last = (): Result | Promise<never> => {
    const error = ended![0]
    ended = [undefined]
    return error === undefined ? {value: undefined, done: true} : Promise.reject(error)
  }
  const settle = (result: Result | Promise<never>): void => {
    const resolve = waiting
    waiting = undefined
    resolve?.(result)
  }
  const queue: MessageQueue = {
    push(event) {
      if (ended) return
      if (waiting) settle({value: event, done: false})
      else buffer.push(event)
    },
    end(error) {
      if (ended) return
      ended = [error]
      release()
      if (waiting) settle(last())
    },
    paced() {
      if (head < buffer.length && !ended) {
        paced ??= new Promise<void>((resolve) => {
          resume = resolve
          timer = setTimeout(release)
        })
      }
      return paced
    },
  }
  subscribe(queue)
  const iterator: AsyncIterableIterator<TypedMessageEvent> = {
    next: () => {
      if (head < buffer.length) {
        const value = buffer[head++]!
        if (head === buffer.length) {
          buffer = []
          head = 0
          release()
        }
        return Promise.resolve({value, done: false})
      }
      return ended ? Promise.resolve(last()) : new Promise<Result>((resolve) => (waiting = resolve))
    },
    return: () => {
      buffer = []
      queue.end()
      close()
      return Promise.resolve({value: undefined, done: true})
    },
    [Symbol.asyncIterator]: () => iterator,
  }
  return iterator
}
