/**
 * When an EventSource hands the events of one chunk to the page. The spec dispatches each event in
 * a task of its own ("Queue a task which, if the readyState attribute is set to a value other than
 * CLOSED, dispatches the newly created event"), so the microtasks a listener queues run before the
 * next event, and a `close()` from one of them stops the rest: browsers do exactly that.
 *
 * Browser builds follow the spec. The Node entry (src/node.ts) dispatches a chunk's events at once,
 * in the task that read the chunk, for throughput: a task per event through Node's event loop costs
 * more than the event itself (README, "Differences").
 */

/** `true` in every build but the Node entry's: one task per event. */
export let eventPerTask = true

/** For the Node entry only: a chunk's events are dispatched at once, in the task that read it. */
export function dispatchChunksAtOnce(): void {
  eventPerTask = false
}

/** Callbacks waiting for the next task, in order. */
const waiting: (() => void)[] = []
let channel: MessageChannel | undefined

/**
 * Runs `task` in a task of its own, soon. A `MessageChannel` message is a task that timers' 4 ms
 * clamping for nested timeouts does not slow down (a chunk of a thousand events would take four
 * seconds); engines without one (IE 9) take a timer.
 */
export function nextTask(task: () => void): void {
  if (typeof MessageChannel != 'function') return void setTimeout(task)
  waiting.push(task)
  if (!channel) {
    const current = (channel = new MessageChannel())
    current.port1.onmessage = () => {
      waiting.shift()!()
      // Closed once idle: where an open port keeps the process alive (Deno, Node or Bun running a
      // browser build), a source that is done must not.
      if (!waiting.length && channel === current) {
        channel = undefined
        current.port1.close()
      }
    }
  }
  channel.port2.postMessage(0)
}
