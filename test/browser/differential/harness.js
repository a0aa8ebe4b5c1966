// The differential test page's module (eventsource-differential.test.ts): the recorder of
// runner.js, with the browser's own EventSource and the library's module build side by side.
import {EventSource as LibraryEventSource} from '/dist/index.js'

window.differential = window.createDifferential({native: window.EventSource, library: LibraryEventSource})
document.documentElement.dataset['ready'] = 'true'
