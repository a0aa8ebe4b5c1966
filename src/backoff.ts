/**
 * The reconnection delay: the spec's reconnection time (the `retry:` field, else the initial
 * delay), grown by the backoff factor, capped, jittered, and stretched by `Retry-After`.
 *
 * The spec allows all of this: "Optionally, wait some more. In particular, if the previous attempt
 * failed, then user agents might introduce an exponential backoff delay to avoid overloading a
 * potentially already overloaded server." (WHATWG HTML, § 9.2.3, reestablish the connection)
 */

/** The longest delay timers accept (2³¹ − 1 ms); a longer one would fire at once. */
export const MAX_TIMER_DELAY = 0x7fffffff

export interface BackoffPolicy {
  factor: number
  maxDelay: number
  jitter: number
}

/**
 * The delay before the next attempt, after `attempt` failed attempts in a row (1 or more), from
 * the reconnection time `base`. `random` is in [0, 1), as `Math.random` gives.
 */
export function backoffDelay(base: number, attempt: number, policy: BackoffPolicy, random: number): number {
  const grown = Math.min(policy.maxDelay, base * Math.pow(policy.factor, attempt - 1))
  return clampDelay(grown - grown * policy.jitter * random)
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

export function clampDelay(delay: number): number {
  return Math.min(MAX_TIMER_DELAY, Math.max(0, Math.round(delay)))
}
