// A dedicated module worker: an EventSource on /events (resolved against the worker's own URL,
// as there is no document), each event posted to the page as plain data.
import {EventSource} from '/dist/index.js'

const source = new EventSource('/events')

function report(event) {
  const entry = {type: event.type, readyState: source.readyState}
  if (event instanceof MessageEvent) Object.assign(entry, {data: event.data, lastEventId: event.lastEventId, origin: event.origin})
  if (event.type === 'error') entry.willReconnect = event.willReconnect
  postMessage(entry)
}

for (const type of ['open', 'message', 'greeting', 'error']) source.addEventListener(type, report)

postMessage({
  type: 'started',
  url: source.url,
  inWorker: typeof WorkerGlobalScope === 'function' && self instanceof WorkerGlobalScope,
  hasDocument: typeof document !== 'undefined',
})

self.addEventListener('message', (event) => {
  if (event.data !== 'close') return
  source.close()
  postMessage({type: 'closed', readyState: source.readyState})
})
