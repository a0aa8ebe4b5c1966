// The page around the page without modern APIs: Playwright's own page scripts need `Promise`, so
// the tests drive the stripped page (an iframe of the same origin, legacy.test.ts's /legacy) from
// here, through `window.legacy()`, its window. Ready once the iframe is.
window.legacy = function () {
  return document.querySelector('iframe').contentWindow
}
document.querySelector('iframe').addEventListener('load', function () {
  if (window.legacy().document.documentElement.dataset.ready === 'true') document.documentElement.dataset.ready = 'true'
})
