// Counts the requests made with XMLHttpRequest and with fetch, for the tests that check which
// transport the script-tag build chose. Loaded before the build, after strip-modern.js if any.
;(function () {
  var counts = (window.transportCounts = {xhr: 0, fetch: 0})
  var open = XMLHttpRequest.prototype.open
  XMLHttpRequest.prototype.open = function () {
    counts.xhr++
    return open.apply(this, arguments)
  }
  if (typeof window.fetch == 'function') {
    var fetch = window.fetch
    window.fetch = function () {
      counts.fetch++
      return fetch.apply(this, arguments)
    }
  }
})()
