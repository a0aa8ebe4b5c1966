// A dedicated module worker that only imports the library: the import itself must not touch the
// DOM (a worker has no window or document), so this posts what it found, or the error would show
// on the Worker in the page.
import * as library from '/dist/index.js'

postMessage({
  exports: Object.keys(library).sort(),
  types: Object.fromEntries(Object.entries(library).map(([name, value]) => [name, typeof value])),
  hasWindow: typeof window !== 'undefined',
  hasDocument: typeof document !== 'undefined',
  // Constructing needs no DOM either; close() right away sends no request.
  constructed: (() => {
    const source = new library.EventSource('/never')
    source.close()
    return {url: source.url, readyState: source.readyState}
  })(),
})
