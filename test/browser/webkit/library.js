// The library's module build in the WebKit driver's smoke test (webkit-driver.test.ts), loaded
// the way an application would: <script type="module">, under `script-src 'self'`.
import {EventSource} from '/dist/index.js'

window.LibraryEventSource = EventSource
document.documentElement.dataset['ready'] = 'true'
