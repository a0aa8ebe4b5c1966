/**
 * The extensions rebuilt from what they describe themselves as (`['heartbeat', 30000]`): for the
 * SharedWorker of `createSharedEventSource`, to which functions cannot cross. It holds the whole
 * library, so it knows every extension the package exports.
 */
import type {Extension} from './extension.js'
import {heartbeat} from './heartbeat.js'
import {oneShot} from './one-shot.js'
import {reconnectOnPageEvents} from './reconnect-on-page-events.js'
import {retryOnStatus} from './retry-on-status.js'

/** Each extension export by its name. */
const EXPORTS: Record<string, (...args: never[]) => Extension> = {heartbeat, oneShot, reconnectOnPageEvents, retryOnStatus}

/** The extensions that `descriptions` describe; a name the package does not export is a `TypeError`. */
export function rebuildExtensions(descriptions: readonly Extension['describe'][] | undefined): Extension[] | undefined {
  return descriptions?.map(([name, ...args]) => {
    const make = EXPORTS.hasOwnProperty(name) ? EXPORTS[name] : undefined
    if (!make) throw new TypeError(`Unknown extension: ${name}`)
    return (make as (...args: unknown[]) => Extension)(...args)
  })
}
