// The normal page of legacy.test.ts: the recorder of ../differential/runner.js with the
// browser's own EventSource, the reference the script-tag build is compared with.
window.differential = window.createDifferential({native: window.EventSource})
document.documentElement.dataset.ready = 'true'
