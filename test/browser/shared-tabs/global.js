// `streamsource` for app.js in the script-tag build's page: the global that
// dist/streamsource.global.min.js defines (see test/support/shared-tabs.ts).
export const {createSharedEventSource} = window.StreamSource
