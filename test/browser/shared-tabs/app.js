// The page of the createSharedEventSource tests (test/browser/suites/shared-tabs*.ts): one shared
// source, its events logged on window. The query picks the stream and the options: `stream` (a
// path, `/stream` by default), `worker` (`false`, or a script URL), `headers=function` (a headers
// function, and the `key` it needs).
import {createSharedEventSource} from 'streamsource/shared'

const params = new URLSearchParams(location.search)
const init = {}
const worker = params.get('worker')
if (worker !== null) init.worker = worker === 'false' ? false : worker
if (params.get('headers') === 'function') {
  init.headers = () => ({'x-token': 'from a function'})
  init.key = 'user 1'
}
const log = []
/** Called after each entry: the pending `events()` calls. */
const waiters = new Set()
const record = (entry) => {
  log.push(entry)
  for (const waiter of [...waiters]) waiter()
}
const isEvent = (entry) => !/^(open|error)/.test(entry)
/**
 * Resolves once the source has dispatched `count` events, as they arrive (no polling: the tests
 * run on a busy machine, in three engines); rejects after `timeout` ms, with the log.
 */
const events = (count, timeout = 10_000) =>
  new Promise((resolve, reject) => {
    const check = () => {
      if (log.filter(isEvent).length < count) return
      done()
      resolve()
    }
    const timer = setTimeout(() => {
      done()
      reject(new Error(`${count} events not received in ${timeout} ms; the log: ${log.join(', ')}`))
    }, timeout)
    const done = () => {
      clearTimeout(timer)
      waiters.delete(check)
    }
    waiters.add(check)
    check()
  })
const source = createSharedEventSource(params.get('stream') ?? '/stream', init)
source.onopen = () => record('open')
source.onerror = () => record(`error ${source.readyState}`)
source.onmessage = (event) => record(`message ${event.lastEventId}`)
source.addEventListener('tick', (event) => record(`tick ${event.lastEventId}`))
window.shared = {source, log, events}
