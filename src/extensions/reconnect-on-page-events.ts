/**
 * [non-spec] `reconnectOnPageEvents()`: reconnect at once, rather than wait out the delay, at the
 * moments when waiting no longer makes sense (src/page-events.ts).
 */
import {watchPageReturns} from './page-events.js'
import {extension, type Extension} from './extension.js'

/**
 * In browsers, reconnects at once instead of waiting out the delay when the network comes back
 * (`online`), when the page returns from the back/forward cache (`pageshow`), or when a hidden
 * page becomes visible. Only events the browser fires count: one a script dispatches
 * (`dispatchEvent(new Event('online'))`, whose `isTrusted` is false) changes nothing.
 *
 * @example
 * ```ts
 * new EventSource(url, {extensions: [reconnectOnPageEvents()]})
 * ```
 * @public
 */
export function reconnectOnPageEvents(): Extension {
  return extension((source) => {
    const unwatch = watchPageReturns(() => source.retryNow_())
    // The page listeners go once the source is CLOSED.
    return {stop: () => void (source.readyState === 2 && unwatch())}
  }, 'reconnectOnPageEvents')
}
