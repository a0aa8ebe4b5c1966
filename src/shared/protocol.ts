/**
 * The messages between a tab (./tabs.ts) and the SharedWorker (./worker-host.ts) over a
 * MessagePort: their one shared vocabulary, so that neither side imports the other's module for it.
 */
import type {EventSourceInit} from '../eventsource/options.js'
import type {Extension} from '../extensions/extension.js'

/**
 * A tab's options as the worker receives them, which the structured clone can copy: no function,
 * and each extension as its description, which the worker rebuilds it from (../extensions/rebuild.ts).
 */
export type WorkerInit = Omit<EventSourceInit, 'extensions'> & {extensions?: Extension['describe'][] | undefined}

/** What a tab sends the worker over its port. */
export type ToWorker =
  | {
      /** Hold the connection with this sharing key for this tab (again, after `leave`). */
      k: 'subscribe'
      /** The stream's URL, resolved in the tab. */
      url: string
      /** The sharing key, as the tab computed it. */
      key: string
      /** The tab's options, in a form the structured clone copies, with no function among them. */
      init: WorkerInit
      /** The event types the tab knows someone listens to. */
      types: string[]
      /** The name of the lock the tab holds while subscribed. */
      lock: string
    }
  | {k: 'leave'}

/** The worker's answer to a `subscribe`, once it holds the lock it names for the rest of its life. */
export interface FromWorker {
  k: 'ready'
  lock: string
}
