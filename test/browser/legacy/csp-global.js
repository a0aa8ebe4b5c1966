// csp-builds.test.ts's script-tag page: the app on the global `StreamSource`.
window.app = window.createApp(window.StreamSource)
document.documentElement.dataset.ready = 'true'
