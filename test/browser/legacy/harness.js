// The legacy differential page's harness (legacy.test.ts): the recorder of
// ../differential/runner.js with the script-tag build's EventSource, which it also installed as
// `window.EventSource` (the page had none). Which transport ran is counted by count-transports.js.
window.differential = window.createDifferential({library: window.StreamSource.EventSource})
window.legacyPage = {
  installed: window.EventSource === window.StreamSource.EventSource,
  exports: Object.keys(window.StreamSource).sort(),
}
