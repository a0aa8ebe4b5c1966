/**
 * When an EventSource hands the events of one chunk to the page. The spec dispatches each event in
 * a task of its own ("Queue a task which, if the readyState attribute is set to a value other than
 * CLOSED, dispatches the newly created event"), so the microtasks a listener queues run before the
 * next event, and a `close()` from one of them stops the rest: browsers do exactly that.
 *
 * Every build follows the spec but the Node one, which puts ./event-tasks-node.ts in this module's
 * place (scripts/platform-swaps.mjs).
 */

/** One task per event. */
export const eventPerTask: boolean = true

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
