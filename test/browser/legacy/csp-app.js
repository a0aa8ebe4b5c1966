// A small app for csp-builds.test.ts, given a build of the library (the ES module build bundled by
// esbuild, or the script-tag build's `StreamSource`): `app.collect(url, how, init)` opens a source
// (`new EventSource` or `createEventSource`), collects two messages and tells which class it was.
window.createApp = function (lib) {
  var isNative = function (value) {
    return typeof value === 'function' && /\[native code\]/.test(Function.prototype.toString.call(value))
  }
  return {
    collect: function (url, how, init) {
      var source = how === 'create' ? lib.createEventSource(url, init) : new lib.EventSource(url, init)
      var events = []
      return new Promise(function (resolve) {
        var report = function () {
          source.close()
          resolve({events: events, isLibrary: source instanceof lib.EventSource, isNative: isNative(source.constructor)})
        }
        source.onmessage = function (event) {
          events.push(event.data)
          if (events.length === 2) report()
        }
        source.onerror = function () {
          events.push('error')
          report()
        }
      })
    },
  }
}
