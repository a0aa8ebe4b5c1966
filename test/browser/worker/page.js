// Runs in the test page, served with `Content-Security-Policy: script-src 'self'`: starts module
// workers on request and keeps what they post, their errors and the page's CSP violations on
// window.workerHarness, where eventsource-worker.test.ts polls for them.
const violations = []
document.addEventListener('securitypolicyviolation', (event) => {
  violations.push(`${event.effectiveDirective} blocked ${event.blockedURI}`)
})

/** Each started worker by name: what it posted, and every error it reported, in order. */
const workers = {}

function start(name, script) {
  const record = {messages: [], errors: []}
  workers[name] = record
  let worker
  try {
    worker = new Worker(script, {type: 'module'})
  } catch (error) {
    record.errors.push(`constructor: ${error.name}: ${error.message}`)
    return
  }
  record.worker = worker
  worker.addEventListener('message', (event) => record.messages.push(event.data))
  // A module worker whose script or an import fails to load or to run reports it here.
  worker.addEventListener('error', (event) => {
    record.errors.push(`error: ${event.message || '(a script that did not load)'}`)
  })
  worker.addEventListener('messageerror', () => record.errors.push('messageerror'))
}

/** What the test reads: plain data only, so it crosses page.evaluate. */
function read(name) {
  const record = workers[name]
  return record === undefined ? undefined : {messages: record.messages, errors: record.errors}
}

function post(name, message) {
  workers[name]?.worker?.postMessage(message)
}

window.workerHarness = {start, read, post, violations}
