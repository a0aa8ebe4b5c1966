/**
 * The Node build's stream reader (rollup.config.mjs puts it in place of ./stream-reader.ts there):
 * the EventSource reads with the root's full parser (./parse.ts, and in the Node build ./parse-node.ts
 * in its place), whose fast paths and `Buffer` decoders are worth their size where size matters less. It reports what ./stream-reader.ts does;
 * test/stream-reader-differential.test.ts keeps the two equal.
 */
import {createParser} from './parse.js'
import type {StreamReader, StreamReaderCallbacks} from './stream-reader.js'

export type {StreamReader, StreamReaderCallbacks} from './stream-reader.js'

export function createStreamReader(callbacks: StreamReaderCallbacks, maxSize: number): StreamReader {
  // After an overflow the parser throws on `feed` until `reset()`; the reader reads nothing instead.
  let overflowed = false
  const parser = createParser({
    onEvent: callbacks.event,
    onId: callbacks.id,
    onRetry: callbacks.retry,
    onError(error) {
      if (error.type !== 'max-buffer-size-exceeded') return
      overflowed = true
      callbacks.overflow()
    },
    maxBufferSize: maxSize,
  })
  return {
    feed(chunk) {
      if (!overflowed) parser.feed(chunk)
    },
    reset() {
      overflowed = false
      parser.reset()
    },
  }
}
