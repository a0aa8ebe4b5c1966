/**
 * The reconnection delay: the spec's reconnection time (the `retry:` field, else the initial
 * delay), grown by the backoff factor, capped and jittered.
 *
 * The spec allows all of this: "Optionally, wait some more. In particular, if the previous attempt
 * failed, then user agents might introduce an exponential backoff delay to avoid overloading a
 * potentially already overloaded server." (WHATWG HTML, § 9.2.3, reestablish the connection)
 */

/** The longest delay timers accept (2³¹ − 1 ms); a longer one would fire at once. */
export const MAX_TIMER_DELAY = 0x7fffffff

/**
 * The most the floor of repeated failures can be (see {@link backoffDelay}): an `initialDelay`
 * above it does not make a server's shorter `retry:` count for nothing.
 */
export const MAX_FAILURE_FLOOR = 1000

export interface BackoffPolicy {
  initialDelay: number
  factor: number
  maxDelay: number
  jitter: number
}

/**
 * The delay before the next attempt, after `attempt` failed attempts in a row (1 or more), from
 * the reconnection time `base` (the server's `retry:`, else `initialDelay`). `random` is in [0, 1),
 * as `Math.random` gives.
 *
 * The first reconnect after a healthy connection waits the reconnection time, as the spec says,
 * even a `retry: 0`. Repeated failures back off from a floor: from the second failure in a row,
 * the delay grows from at least `initialDelay` (at most {@link MAX_FAILURE_FLOOR}), so a server
 * that sends `retry: 0` and fails cannot make its clients reconnect in a tight loop.
 */
export function backoffDelay(base: number, attempt: number, policy: BackoffPolicy, random: number): number {
  if (attempt > 1) base = Math.max(base, Math.min(policy.initialDelay, MAX_FAILURE_FLOOR))
  const grown = Math.min(policy.maxDelay, base * Math.pow(policy.factor, attempt - 1))
  return clampDelay(grown - grown * policy.jitter * random)
}

/** A delay timers can wait: a whole number of milliseconds from 0 to {@link MAX_TIMER_DELAY}. */
export function clampDelay(delay: number): number {
  return Math.min(MAX_TIMER_DELAY, Math.max(0, Math.round(delay)))
}
