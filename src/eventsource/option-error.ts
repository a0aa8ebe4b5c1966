/** The one shape of message for an option with an impossible value: the option, and the value it got. */

/** Throws the `TypeError` that names the option `name` and the `value` it got, unless `ok`. */
export function check(value: unknown, ok: unknown, name: string): asserts ok {
  if (ok) return
  let shown
  try {
    // Strings quoted (so a control character or a blank shows), arrays as JSON.
    shown = typeof value == 'string' || Array.isArray(value) ? JSON.stringify(value) : String(value)
  } catch {
    shown = String(value)
  }
  throw new TypeError(`EventSource option \`${name}\` is invalid: ${shown}`)
}
