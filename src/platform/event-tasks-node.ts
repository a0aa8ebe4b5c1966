/**
 * When an EventSource hands the events of one chunk to the page, in the Node build (in place of
 * ./event-tasks.ts: scripts/platform-swaps.mjs): at once, in the task that read the chunk, for
 * throughput: a task per event through Node's event loop costs more than the event itself (README,
 * "Differences").
 */

/** A chunk's events are dispatched at once. */
export const eventPerTask: boolean = false

export {nextTask} from './event-tasks.js'
