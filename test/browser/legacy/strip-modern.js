// Loaded first, as a classic script, by the legacy test pages: deletes what an old browser lacks,
// so that the script-tag build after it must stream over XMLHttpRequest, decode UTF-8 itself and
// do without promises, fetch, streams and URL. `window.stripped` says what was deleted. A
// `data-names` attribute on its script tag (space-separated) deletes those names instead.
;(function () {
  var given = document.currentScript && document.currentScript.getAttribute('data-names')
  var names = given ? given.split(' ') : [
    'EventSource',
    'fetch',
    'Request',
    'Response',
    'Headers',
    'ReadableStream',
    'TextDecoder',
    'AbortController',
    'Promise',
    'URL',
  ]
  var stripped = []
  for (var index = 0; index < names.length; index++) {
    var name = names[index]
    if (name in window && delete window[name] && !(name in window)) stripped.push(name)
  }
  window.stripped = stripped
})()
