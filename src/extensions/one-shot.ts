/**
 * [non-spec] `oneShot()`: the response is one request/response stream (an LLM completion, say).
 * When the server ends it cleanly the source closes with an `end` event: no reconnect, no replayed
 * POST. A dropped connection still resumes with `Last-Event-ID` when the server sent ids, and
 * fails otherwise: without an id, the request would start the stream over.
 */
import {createEvent} from '../platform/web.js'
import {extension, type Extension} from './extension.js'

/**
 * Treats the response as one stream: closes the source, with an `end` event, when the server
 * ends it; fails rather than replay a request that has no id to resume from.
 *
 * @example
 * ```ts
 * const source = new EventSource('/chat', {method: 'POST', body, extensions: [oneShot()]})
 * source.addEventListener('end', () => console.log('done'))
 * ```
 * @public
 */
export function oneShot(): Extension {
  return extension(
    (source) => ({
      end: () => {
        source.close()
        source.dispatchEvent(createEvent('end'))
        return true
      },
      lost: () => !source.lastEventId,
    }),
    'oneShot',
  )
}
