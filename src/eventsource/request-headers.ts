/**
 * The `headers` option, checked and turned into the plain object of lower-case names that every
 * attempt sends (and a custom `fetch` receives, as the `eventsource` package gives it one).
 *
 * Fetch throws a `TypeError` for a header it cannot send; an EventSource would then retry the
 * same request for ever. Checked here instead, a bad header fails at once and names the option.
 */
import {check} from './option-error.js'
import type {HeadersValue} from './options.js'

/**
 * A header name: an RFC 9110 token ("field-name = token"; "tchar = "!" / "#" / "$" / "%" / "&" /
 * "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA").
 */
const NAME = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/i

/**
 * Characters a header value may hold: the fetch standard forbids NUL, CR and LF and any code point
 * above U+00FF (values are byte strings); HTTP clients (Node's among them) also refuse the other
 * controls but tab (RFC 9110: "field-vchar = VCHAR / obs-text", with SP and HTAB between).
 */
const VALUE = /^[\t\x20-\x7e\x80-\xff]*$/

/** Whether `value` can be sent as a header value by every fetch. */
export const isHeaderValue = (value: string): boolean => VALUE.test(value)

/**
 * Whether this engine's fetch encodes header values as UTF-8 itself: WebKit's, told apart by the
 * vendor it reports (Safari's and WebKitGTK's "Apple Computer, Inc."). jsdom reports that vendor
 * too, but its pages run Node's fetch, which takes a ByteString.
 */
const sendsHeadersAsUtf8 = (): boolean =>
  typeof navigator == 'object' && /^Apple/.test(String(navigator.vendor)) && !/jsdom/.test(String(navigator.userAgent))

/**
 * `Last-Event-ID`'s value for the ID `id`, or `undefined` where no header can carry it. "Set
 * (`Last-Event-ID`, ev's last event ID string, encoded as UTF-8)": header values are bytes, which
 * fetch and XMLHttpRequest take as a ByteString, one character per byte (Chromium, Firefox, Node,
 * Deno, Bun), so the UTF-8 bytes go one character each. WebKit instead encodes the value as UTF-8
 * itself (`é`, U+00E9, goes out as C3 A9) and refuses characters above U+00FF: there the ID goes as
 * it is, and an ID with a wider character cannot be sent at all.
 */
export function lastEventIdHeader(id: string): string | undefined {
  // The UTF-8 bytes, one character each: the %XX escapes of encodeURIComponent, decoded by hand
  // (`unescape` is optional Annex B, which some ES5 engines lack).
  const bytes = encodeURIComponent(id).replace(/%([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
  const value = sendsHeadersAsUtf8() ? id : bytes
  // A control character (the stream may send VT or FF: the spec only excludes NULL) no engine sends.
  return bytes && isHeaderValue(bytes) && isHeaderValue(value) ? value : undefined
}

/**
 * `given` (an object, a `Headers`, a `Map` or entry pairs) as an object of lower-case names, the
 * values of a name given twice joined with `, ` as a `Headers` holds them. Throws a `TypeError`
 * naming `option` for a form or a header fetch would refuse.
 */
export function headerRecord(given: HeadersValue | null | undefined, option: string): Record<string, string> {
  const headers: Record<string, string> = {}
  const add = (value: unknown, name: unknown): void => {
    const key = String(name).toLowerCase()
    // fetch converts each to a ByteString: a string of the value, as a number becomes '5'.
    const text = String(value)
    check(name, NAME.test(key), option)
    check(text, isHeaderValue(text), option)
    // Names are lower-cased, so none can hide `hasOwnProperty`.
    headers[key] = headers.hasOwnProperty(key) ? `${headers[key]}, ${text}` : text
  }
  if (given != null) {
    check(given, typeof given == 'object', option)
    if (Array.isArray(given)) {
      for (const pair of given as unknown[]) {
        check(pair, Array.isArray(pair) && pair.length === 2, option)
        add(pair[1], pair[0])
      }
      // A Headers (or a Map): its forEach gives (value, name).
    } else if (typeof (given as Headers).forEach == 'function') (given as Headers).forEach(add)
    else for (const name of Object.keys(given)) add((given as Record<string, unknown>)[name], name)
  }
  return headers
}
