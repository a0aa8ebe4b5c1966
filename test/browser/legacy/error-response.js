// `window.errorResponse(url, read)`: opens `new StreamSource.EventSource(url)` and resolves (with
// the engine's own Promise: the global one may be deleted) with what its first `error` event told
// of the response, and the body as `event.response[read]()` gave it, called inside the listener as
// the README says to, where the response has that method.
;(function () {
  var Promise = (async function () {})().constructor
  window.errorResponse = function (url, read) {
    return new Promise(function (resolve) {
      var source = new window.StreamSource.EventSource(url)
      source.onerror = function (event) {
        source.close()
        var response = event.response
        var seen = {
          readyState: source.readyState,
          status: event.status,
          code: event.code,
          statusText: event.statusText,
          causeName: event.cause && event.cause.name,
          causeHasResponse: !!event.cause && event.cause.response === response,
          isResponse: typeof window.Response == 'function' && response instanceof window.Response,
          ok: response.ok,
          url: response.url,
          redirected: response.redirected,
          contentType: response.headers.get('Content-Type'),
          custom: response.headers.get('x-custom'),
          missing: response.headers.get('x-missing'),
          methods: [typeof response.text, typeof response.json],
        }
        if (typeof response[read] != 'function') return resolve(seen)
        response[read]().then(
          function (body) {
            seen.body = body
            resolve(seen)
          },
          function (error) {
            seen.body = 'rejected: ' + error
            resolve(seen)
          },
        )
      }
    })
  }
})()
