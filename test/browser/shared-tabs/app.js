// The page of test/browser/shared-tabs*.test.ts: one shared source, its events logged on window.
// The query picks the stream and the options: `stream` (a path, `/stream` by default), `worker`
// (`false`, or a script URL), `headers=function` (a headers function, and the `key` it needs).
import {createSharedEventSource} from 'streamsource'

const params = new URLSearchParams(location.search)
const init = {}
const worker = params.get('worker')
if (worker !== null) init.worker = worker === 'false' ? false : worker
if (params.get('headers') === 'function') {
  init.headers = () => ({'x-token': 'from a function'})
  init.key = 'user 1'
}
const log = []
const source = createSharedEventSource(params.get('stream') ?? '/stream', init)
source.onopen = () => log.push('open')
source.onerror = () => log.push(`error ${source.readyState}`)
source.onmessage = (event) => log.push(`message ${event.lastEventId}`)
source.addEventListener('tick', (event) => log.push(`tick ${event.lastEventId}`))
window.shared = {source, log}
