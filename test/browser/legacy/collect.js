// Loaded last: it marks the page ready.
// `window.collect(url, options)`: opens `new StreamSource.EventSource(url, init)` and resolves
// (with the engine's own Promise, the global one may be deleted) with everything it saw once an
// event of type `until` arrived, or the source failed, or `timeout` ms passed.
;(function () {
  var Promise = (async function () {})().constructor
  window.collect = function (url, options) {
    options = options || {}
    return new Promise(function (resolve) {
      var source = new window.StreamSource.EventSource(url, options.init)
      var seen = {opens: 0, errors: [], data: [], ids: [], readyStates: []}
      var finish = function (reason) {
        clearTimeout(timer)
        source.close()
        seen.reason = reason
        resolve(seen)
      }
      var timer = setTimeout(function () {
        finish('timeout')
      }, options.timeout || 10000)
      source.onopen = function () {
        seen.opens++
      }
      source.onmessage = function (event) {
        seen.data.push(event.data)
        seen.ids.push(event.lastEventId)
        seen.readyStates.push(source.readyState)
      }
      source.onerror = function (event) {
        seen.errors.push({readyState: source.readyState, message: event.message})
        if (source.readyState === 2) finish('failed')
      }
      source.addEventListener(options.until || 'done', function () {
        finish('done')
      })
    })
  }
  document.documentElement.dataset.ready = 'true'
})()
