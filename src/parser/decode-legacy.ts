/**
 * The full script-tag build's decoding, in place of ./decode.ts (rollup.config.mjs): the runtime's
 * `TextDecoder` where it has one, else the JavaScript decoder of ./utf8.ts (old browsers), chosen
 * when a parser first gets bytes. The module builds never carry ./utf8.ts.
 */
import {createTextDecoder, decoding as textDecoding, type LineEndFinder, type Utf8Decoder as RangeDecoder} from './decode.js'
import {Utf8Decoder} from './utf8.js'

export {createTextDecoder, type LineEndFinder, type StreamingTextDecoder, type Utf8Decoder} from './decode.js'

/** What parsers use for bytes, as ./decode.ts exports it. */
export const decoding: {readonly create: () => RangeDecoder; readonly lastLineEnd: LineEndFinder} = {
  create: () => createTextDecoder(typeof TextDecoder == 'function' ? undefined : new Utf8Decoder('utf-8', {ignoreBOM: true})),
  lastLineEnd: textDecoding.lastLineEnd,
}
