/**
 * The sharing key: when two uses of a URL and options may share one connection. One normalisation
 * for both kinds of sharing, components (`sharedSourceKey`, src/shared/source.ts, under
 * `useEventSource`) and tabs (`createSharedEventSource`, src/shared/tabs.ts), so that requests that
 * mean the same get one key in both, whichever way they were written:
 * - options are read as the EventSource reads them (`normalizeInit` in src/eventsource/options.ts, as WebIDL
 *   reads a dictionary): own and inherited keys, of the options and of `reconnect`;
 * - `headers` as an object, pairs or a `Headers`, names in any case and order, the values of a
 *   repeated name joined: what `new Headers(headers)` holds, which is what is sent;
 * - `method` in any case (the EventSource upper-cases it);
 * - numbers that JSON cannot hold (`Infinity`, `NaN`) as themselves, not as `null`;
 * - a `URLSearchParams` by its text, apart from a string body (fetch sends it with another type);
 * - `extensions` by what each describes itself as (`['heartbeat', 30000]`), not by its functions.
 * What differs between the callers is theirs to say ({@link SharingRules}): which options belong to
 * their own object, and what a function or an object that cannot be compared by content does.
 */

import type {Extension} from '../extensions/extension.js'

/** What a function option counts as: only that there is one (what it returns cannot be compared). */
const FUNCTION = {'\u0000': 'function'}

/** One caller's rules. */
export interface SharingRules {
  /** Options that belong to the caller's object, not to the request: left out of the key. */
  skip: ReadonlySet<string>
  /** Called for each function among the options, with its path (`headers`, `reconnect.shouldReconnect`); may throw. */
  onFunction?: ((path: string) => void) | undefined
  /** What an object that cannot be compared by content (a `Blob` body, say) counts as; may throw. */
  opaque: (value: object, path: string) => unknown
  /**
   * `headers` that `new Headers()` refuses (a name with a space, say): `true` throws its
   * `TypeError`; `false` counts them as written, for the EventSource to report when it sends them.
   */
  throwOnInvalidHeaders: boolean
}

/** The key of some options, for any URL. */
export interface SharingKey {
  /** Whether an option is a function (at any depth). */
  hasFunction: boolean
  /** The key of these options at `url`, with the `key` option: equal strings for requests that may share. */
  at(url: string): string
}

/**
 * The options as the EventSource reads them: own and inherited keys, of the options and of
 * `reconnect`, copied into objects of their own keys. For what else reads options (a spread, an
 * `Object.entries`, the structured clone of a `postMessage`), which sees own keys only.
 */
export function readInit<T extends object>(init: T | null | undefined): T {
  const copy: Record<string, unknown> = {}
  for (const name in init) copy[name] = init[name as keyof T]
  const reconnect = copy['reconnect']
  if (isDictionary(reconnect)) copy['reconnect'] = readInit(reconnect)
  return copy as T
}

/** The sharing key of `init` (see the module's comment for what counts), by a caller's `rules`. */
export function sharingKey(init: object | null | undefined, rules: SharingRules): SharingKey {
  let hasFunction = false
  const part = (value: unknown, path: string): unknown => {
    switch (typeof value) {
      case 'function':
        hasFunction = true
        rules.onFunction?.(path)
        return FUNCTION
      case 'number':
        // JSON has no Infinity or NaN (they would both become null), and the string 'Infinity' is not the number.
        // (The global `isFinite`: ES5 has no `Number.isFinite`, and the script-tag build computes this key too.)
        return isFinite(value) ? value : {'\u0000': 'number', value: String(value)}
      case 'bigint':
      case 'symbol':
        return {'\u0000': String(value)}
      case 'object':
        break
      default:
        return value
    }
    if (value === null) return null
    if (Array.isArray(value)) return value.map((item, index) => part(item, `${path}[${index}]`))
    if (typeof Headers == 'function' && value instanceof Headers) return {'\u0000': 'Headers', entries: [...value]}
    if (typeof URLSearchParams == 'function' && value instanceof URLSearchParams) return {'\u0000': 'URLSearchParams', value: String(value)}
    if (!isPlainObject(value)) return rules.opaque(value, path)
    return fields(value, path)
  }
  /** A dictionary: every key, own and inherited, sorted; an undefined value is a key not given. */
  const fields = (value: Record<string, unknown>, path: string): Record<string, unknown> => {
    const names: string[] = []
    for (const name in value) if (value[name] !== undefined) names.push(name)
    const sorted: Record<string, unknown> = {}
    for (const name of names.sort()) sorted[name] = part(value[name], path ? `${path}.${name}` : name)
    return sorted
  }
  /** `headers` as `new Headers()` holds them, which is what is sent. */
  const headers = (value: unknown): unknown => {
    if (typeof value == 'function' || typeof Headers != 'function') return part(value, 'headers')
    try {
      return {'\u0000': 'headers', entries: [...new Headers(value as HeadersInit)]}
    } catch (error) {
      if (rules.throwOnInvalidHeaders) throw error
      return {'\u0000': 'invalid headers', value: part(value, 'headers')}
    }
  }
  const options: Record<string, unknown> = {}
  for (const name in init) {
    const value: unknown = (init as Record<string, unknown>)[name]
    if (value !== undefined && !rules.skip.has(name)) options[name] = value
  }
  const normal: Record<string, unknown> = {}
  for (const name of Object.keys(options).sort()) {
    const value = options[name]
    normal[name] =
      name === 'headers'
        ? headers(value)
        : name === 'method' && typeof value == 'string'
          ? value.toUpperCase()
          : // A dictionary, read as the EventSource reads it, whatever its prototype.
            name === 'reconnect' && isDictionary(value)
            ? fields(value, name)
            : // Extensions by what they describe themselves as: the export and its arguments (plain data).
              name === 'extensions' && Array.isArray(value)
              ? value.map((extension: Extension | undefined, index) => part(extension?.describe ?? extension, `extensions[${index}]`))
              : part(value, name)
  }
  const key: unknown = (init as {key?: unknown} | null | undefined)?.key
  return {hasFunction, at: (url) => JSON.stringify([url, key ?? null, normal])}
}

/** An object read as a WebIDL dictionary: any object but an array (whose keys would be indexes). */
function isDictionary(value: unknown): value is Record<string, unknown> {
  return typeof value == 'object' && value !== null && !Array.isArray(value)
}

/** Whether `value` is a dictionary (`{}` or `Object.create(null)`), not an instance of a class. */
export function isPlainObject(value: object): value is Record<string, unknown> {
  const prototype: unknown = Object.getPrototypeOf(value)
  return prototype === Object.prototype || prototype === null
}
