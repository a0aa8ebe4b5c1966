/**
 * [non-spec] `heartbeat(timeout)`: drop a connection on which nothing arrived for `timeout`
 * milliseconds, and reconnect (servers send `:` comments as heartbeats). The timer covers the whole
 * attempt, from its start (a `headers` function that never settles too) to each byte of the body.
 */
import {clampDelay} from '../eventsource/backoff.js'
import {HeartbeatTimeoutError} from '../errors.js'
import {check} from '../eventsource/options.js'
import {extension, type Extension} from './extension.js'

/**
 * Reconnects when no byte has arrived for `timeout` milliseconds, with a
 * {@link HeartbeatTimeoutError} as the `error` event's cause.
 *
 * @param timeout - Milliseconds, more than 0; `Infinity` means never.
 * @throws `TypeError` when `timeout` is not a number above 0.
 * @example
 * ```ts
 * new EventSource(url, {extensions: [heartbeat(30_000)]})
 * ```
 * @public
 */
export function heartbeat(timeout: number): Extension {
  // Checked when the extension is made, as the options are by the constructor. Timers cannot wait
  // longer than 2³¹ − 1 ms (they would fire at once), so longer timeouts wait that long.
  check(timeout, typeof timeout == 'number' && timeout > 0, 'heartbeat')
  const wait = clampDelay(timeout)
  return extension((source) => {
    let timer: ReturnType<typeof setTimeout> | undefined
    const stop = (): void => clearTimeout(timer)
    return {
      active: () => {
        stop()
        if (timeout !== Infinity) {
          timer = setTimeout(() => source.lost_(new HeartbeatTimeoutError(timeout)), wait)
        }
      },
      stop,
    }
  }, 'heartbeat', timeout)
}
