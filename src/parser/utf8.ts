/**
 * A UTF-8 decoder in plain JavaScript, for runtimes without `TextDecoder` (old browsers loading the
 * ES5 script-tag build). It gives exactly what `new TextDecoder('utf-8')` gives, streaming included:
 * each maximal subpart of an invalid sequence becomes one U+FFFD (WHATWG Encoding, "UTF-8 decoder"),
 * and a character split between calls with `{stream: true}` is joined.
 *
 * Only ./decode-legacy.ts imports it, in the full script-tag build, so module builds never carry it.
 */
import type {StreamingTextDecoder} from './decode.js'

const REPLACEMENT = 0xfffd

/**
 * The subset of `TextDecoder` that a UTF-8 event stream needs: `decode(bytes, {stream})`, with the
 * `ignoreBOM` option. Without `stream`, a call ends the stream (a cut-off character at its end is
 * U+FFFD) and the next call starts a new one, as with `TextDecoder`.
 *
 * @example
 * ```ts
 * const decoder = new Utf8Decoder()
 * decoder.decode(Uint8Array.of(0xe6, 0x97), {stream: true}) // ''
 * decoder.decode(Uint8Array.of(0xa5)) // '日'
 * ```
 */
export class Utf8Decoder implements StreamingTextDecoder {
  /** Whether a leading U+FEFF is kept (`true`) or dropped (`false`, the default), as in `TextDecoder`. */
  readonly ignoreBOM: boolean
  // Up to three bytes that began a character the last streaming call could not finish.
  private pending_: number[] = []
  // Whether the start of the stream (where a BOM would be) is behind us.
  private started_ = false

  constructor(label = 'utf-8', options: {ignoreBOM?: boolean} = {}) {
    if (!/^\s*(unicode-1-1-)?utf-?8\s*$/i.test(label)) throw new RangeError(`Unsupported encoding: ${label}`)
    this.ignoreBOM = options.ignoreBOM === true
  }

  decode(input?: Uint8Array, options?: {stream?: boolean}): string {
    const stream = options !== undefined && options.stream === true
    let bytes: ArrayLike<number> = input === undefined ? [] : input
    if (this.pending_.length > 0) {
      const joined = this.pending_.slice()
      for (let index = 0; index < bytes.length; index++) joined.push(bytes[index]!)
      bytes = joined
    }
    const end = stream ? bytes.length - incompleteTail(bytes) : bytes.length
    this.pending_ = []
    for (let index = end; index < bytes.length; index++) this.pending_.push(bytes[index]!)
    let text = decodeUtf8(bytes, 0, end)
    if (!this.started_ && text !== '') {
      this.started_ = true
      if (!this.ignoreBOM && text.charCodeAt(0) === 0xfeff) text = text.slice(1)
    }
    if (!stream) this.started_ = false
    return text
  }
}

/**
 * How many bytes at the end of `bytes` (0 to 3) begin a character that more bytes could still
 * complete: a lead byte followed by fewer continuation bytes than it needs, each in its range.
 */
export function incompleteTail(bytes: ArrayLike<number>): number {
  const length = bytes.length
  for (let count = 1; count <= 3 && count <= length; count++) {
    const lead = bytes[length - count]!
    const needed = lead >= 0xc2 && lead <= 0xdf ? 1 : lead >= 0xe0 && lead <= 0xef ? 2 : lead >= 0xf0 && lead <= 0xf4 ? 3 : 0
    if (needed === 0) {
      // Not a lead byte: only a continuation byte can have a lead further back.
      if (lead < 0x80 || lead > 0xbf) return 0
      continue
    }
    if (needed < count) return 0
    // The bytes after the lead must be the start of its sequence (the second one in a narrower range).
    if (count > 1 && !inSecondRange(lead, bytes[length - count + 1]!)) return 0
    if (count > 2 && (bytes[length - 1]! & 0xc0) !== 0x80) return 0
    return needed > count - 1 ? count : 0
  }
  return 0
}

/** The range of the byte after `lead`: narrower after E0, ED, F0 and F4 (no overlongs, surrogates, > U+10FFFF). */
function inSecondRange(lead: number, byte: number): boolean {
  const lower = lead === 0xe0 ? 0xa0 : lead === 0xf0 ? 0x90 : 0x80
  const upper = lead === 0xed ? 0x9f : lead === 0xf4 ? 0x8f : 0xbf
  return byte >= lower && byte <= upper
}

/**
 * Decodes `bytes[start, end)` as a whole (a cut-off character at the end is one U+FFFD), with
 * U+FFFD for each maximal subpart of an invalid sequence.
 */
export function decodeUtf8(bytes: ArrayLike<number>, start: number, end: number): string {
  const units: number[] = []
  let text = ''
  let index = start
  while (index < end) {
    const lead = bytes[index]!
    let code = REPLACEMENT
    let size = 1
    if (lead < 0x80) {
      code = lead
    } else {
      const needed = lead >= 0xc2 && lead <= 0xdf ? 1 : lead >= 0xe0 && lead <= 0xef ? 2 : lead >= 0xf0 && lead <= 0xf4 ? 3 : 0
      if (needed > 0 && index + 1 < end && inSecondRange(lead, bytes[index + 1]!)) {
        // `lead` and the bytes after it that continue it: one character, or the maximal subpart.
        let value = lead & (0x3f >> needed)
        while (size <= needed && index + size < end && (size === 1 || (bytes[index + size]! & 0xc0) === 0x80)) {
          value = (value << 6) | (bytes[index + size]! & 0x3f)
          size++
        }
        if (size === needed + 1) code = value
      }
    }
    if (code > 0xffff) {
      code -= 0x10000
      units.push(0xd800 + (code >> 10), 0xdc00 + (code & 0x3ff))
    } else units.push(code)
    index += size
    // Turned into text a slice at a time: `apply` takes only so many arguments.
    if (units.length >= 4096) {
      text += String.fromCharCode.apply(null, units)
      units.length = 0
    }
  }
  return units.length > 0 ? text + String.fromCharCode.apply(null, units) : text
}
