// The page of test/browser/shared-tabs.test.ts: one shared source, its events logged on window.
import {createSharedEventSource} from 'streamsource'

const log = []
const source = createSharedEventSource('/stream')
source.onopen = () => log.push('open')
source.onerror = () => log.push(`error ${source.readyState}`)
source.onmessage = (event) => log.push(`message ${event.lastEventId}`)
source.addEventListener('tick', (event) => log.push(`tick ${event.lastEventId}`))
window.shared = {source, log}
