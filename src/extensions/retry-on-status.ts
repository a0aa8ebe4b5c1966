/**
 * [non-spec] `retryOnStatus(statuses)`: statuses that reconnect instead of failing the connection,
 * which the spec does for every status but 200, no sooner than a `Retry-After` header asks.
 */
import {clampDelay} from '../eventsource/backoff.js'
import {check} from '../eventsource/options.js'
import {extension, type Extension} from './extension.js'

/** The longest wait a `Retry-After` header gets when `reconnect.maxDelay` is not set: one hour. */
export const MAX_RETRY_AFTER = 3600_000

/**
 * Reconnects on the given statuses (a 429 or a 503, say) instead of failing, as the backoff policy
 * says, and no sooner than the response's `Retry-After` header asks: at most `reconnect.maxDelay`,
 * or one hour without one, so that no server can park its clients for days.
 *
 * @param statuses - HTTP status codes (100-599), e.g. `[429, 502, 503, 504]`.
 * @throws `TypeError` when `statuses` is not an array of status codes.
 * @example
 * ```ts
 * new EventSource(url, {extensions: [retryOnStatus([429, 503])], reconnect: {factor: 2, maxDelay: 60_000}})
 * ```
 * @public
 */
export function retryOnStatus(statuses: readonly number[]): Extension {
  check(
    statuses,
    // `status | 0` is the integer part of a number only: not of `'503'` or `503.5`.
    Array.isArray(statuses) && statuses.every((status) => status === (status | 0) && status >= 100 && status <= 599),
    'retryOnStatus',
  )
  return extension(
    (source) => ({
      status: (response) => {
        if (statuses.indexOf(response.status) < 0) return undefined
        const maxDelay = source.settings_.maxDelay
        return Math.min(parseRetryAfter(response.headers.get('retry-after')) ?? 0, maxDelay === Infinity ? MAX_RETRY_AFTER : maxDelay)
      },
    }),
    'retryOnStatus',
    [...statuses],
  )
}

/**
 * The wait a `Retry-After` header asks for, in milliseconds: delay-seconds or an HTTP-date
 * (RFC 9110 § 10.2.3). `undefined` when absent or unreadable.
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value == null) return undefined
  const text = value.trim()
  const date = /^\d+$/.test(text) ? now + +text * 1000 : Date.parse(text)
  // NaN (an unreadable date) is the only value that differs from itself.
  return date === date ? clampDelay(date - now) : undefined
}
