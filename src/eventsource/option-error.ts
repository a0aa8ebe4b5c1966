/** The one shape of message for an option with an impossible value: what it must be, and what it got. */

/** Throws the `TypeError` that names the option, what it must be, and the value it got. */
export function refuseOption(name: string, expected: string, value: unknown): never {
  throw new TypeError(`EventSource option \`${name}\` must be ${expected}, got ${describeValue(value)}`)
}

/** A value for a message: strings quoted (so a control character or a blank shows), arrays as JSON. */
function describeValue(value: unknown): string {
  try {
    return typeof value == 'string' || Array.isArray(value) ? JSON.stringify(value) : String(value)
  } catch {
    return String(value)
  }
}
