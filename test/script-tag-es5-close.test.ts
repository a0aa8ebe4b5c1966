// close() in the script-tag build, in MuJS and Duktape (test/support/es5-engines.ts): it stops
// everything at once, whatever the source was doing: no later event, request or timer, and the
// page listeners of `reconnectOnPageEvents()` removed.
import {describe, expect, test} from 'vitest'
import {expectOnlyGuardedBuiltIns} from './support/es5-built-ins.js'
import {ENGINE_BUILDS, runInEs5Engine} from './support/es5-engines.js'

const HOUR = 60 * 60 * 1000

describe.each(ENGINE_BUILDS)('$label', ({engine, build, testFull}) => {

  // The extensions (reconnectOnPageEvents, heartbeat) are the full build's: the polyfill build has the EventSource alone.
  testFull('mid-stream: the request is aborted, the page listeners and the heartbeat timer go, nothing follows', async () => {
    const result = await runInEs5Engine(
      engine,
      `
      page.serve(function (request) {
        request.respond(200, {'Content-Type': 'text/event-stream'}, ['data: one\\n\\n', 'data: two\\n\\n', 'data: three\\n\\n'])
      })
      var source = new StreamSource.EventSource('/s', {extensions: [StreamSource.reconnectOnPageEvents(), StreamSource.heartbeat(45000)]})
      page.watch(source)
      source.addEventListener('message', function (event) {
        if (event.data === 'two') {
          page.log('listening ' + page.pageListeners() + ', timers ' + (page.pendingTimers() > 0))
          source.close()
          page.log('closed ' + source.readyState + ', aborted ' + page.requests[0].aborted)
        }
      })
      page.run(${HOUR})
      page.done()
      `,
      build,
    )
    expect(result.uncaught).toEqual([])
    expect(result.log).toEqual([
      'open 1',
      'message "one" id= origin=http://app.example',
      'message "two" id= origin=http://app.example',
      'listening 3, timers true',
      'closed 2, aborted true',
    ])
    expect(result.requests).toHaveLength(1)
    expect(result.pendingTimers).toBe(0)
    expect(result.pageListeners).toBe(0)
    expectOnlyGuardedBuiltIns(result.touched)
  })

  testFull('while waiting to reconnect: the timer is cleared, the page listeners go, and no request is sent', async () => {
    const result = await runInEs5Engine(
      engine,
      `
      page.serve(function (request) {
        request.respond(200, {'Content-Type': 'text/event-stream'}, ['data: one\\n\\n'])
      })
      var source = new StreamSource.EventSource('/s', {extensions: [StreamSource.reconnectOnPageEvents()]})
      page.watch(source)
      page.run(1000)
      page.log('waiting ' + source.readyState + ', timers ' + page.pendingTimers() + ', listening ' + page.pageListeners())
      source.close()
      page.run(${HOUR})
      page.done()
      `,
      build,
    )
    expect(result.uncaught).toEqual([])
    expect(result.log).toEqual([
      'open 1',
      'message "one" id= origin=http://app.example',
      'error 0 cause=none willReconnect=true delay=3000',
      'waiting 0, timers 1, listening 3',
    ])
    expect(result.requests).toHaveLength(1)
    expect(result.pendingTimers).toBe(0)
    expect(result.pageListeners).toBe(0)
    expectOnlyGuardedBuiltIns(result.touched)
  })

  test('right after the constructor: nothing is ever sent', async () => {
    const result = await runInEs5Engine(
      engine,
      `
      page.serve(function (request) { request.respond(200, {'Content-Type': 'text/event-stream'}, [], 'open') })
      var source = new StreamSource.EventSource('/s')
      page.watch(source)
      source.close()
      page.run(${HOUR})
      page.log('readyState ' + source.readyState)
      page.done()
      `,
      build,
    )
    expect(result.uncaught).toEqual([])
    expect(result.log).toEqual(['readyState 2'])
    expect(result.requests).toHaveLength(0)
    expect(result.pendingTimers).toBe(0)
    expectOnlyGuardedBuiltIns(result.touched)
  })
})
