// The script-tag build reconnecting in MuJS and Duktape (test/support/es5-engines.ts): after the
// stream ends and after a network error, each time after the reconnection time, with
// `Last-Event-ID`, and with the delay a `retry:` field sets. Time is the page's virtual timer queue.
import {describe, expect, test} from 'vitest'
import {expectOnlyGuardedBuiltIns} from './support/es5-built-ins.js'
import {ENGINE_BUILDS, runInEs5Engine} from './support/es5-engines.js'

describe.each(ENGINE_BUILDS)('$label', ({engine, build}) => {
  test('reconnects after the stream ends with Last-Event-ID, after the reconnection time, then after retry:', async () => {
    const result = await runInEs5Engine(
      engine,
      `
      page.serve(function (request) {
        if (request.index === 0) request.respond(200, {'Content-Type': 'text/event-stream'}, ['id: \\u00e9-1\\ndata: one\\n\\n'])
        else if (request.index === 1) request.respond(200, {'Content-Type': 'text/event-stream'}, ['retry: 500\\nid: 2\\ndata: two\\n\\n'])
        else request.respond(200, {'Content-Type': 'text/event-stream'}, ['data: three\\n\\n'], 'open')
      })
      var source = new StreamSource.EventSource('/feed', {headers: {Authorization: 'Bearer t'}})
      page.watch(source)
      source.addEventListener('reconnect', function (event) { page.log('reconnect attempt=' + event.attempt + ' delay=' + event.delay) })
      page.run(10000)
      source.close()
      page.done()
      `,
      build,
    )
    expect(result.uncaught).toEqual([])
    expect(result.log).toEqual([
      'open 1',
      'message "one" id=é-1 origin=http://app.example',
      'error 0 cause=none willReconnect=true delay=3000',
      'reconnect attempt=1 delay=3000',
      'open 1',
      'message "two" id=2 origin=http://app.example',
      'error 0 cause=none willReconnect=true delay=500',
      'reconnect attempt=1 delay=500',
      'open 1',
      'message "three" id=2 origin=http://app.example',
    ])
    const requests = result.requests.map(({time, headers}) => ({time, headers}))
    // Each response takes 3 virtual ms (head, chunk, end); the reconnect waits from the error.
    expect(requests).toEqual([
      {time: expect.any(Number), headers: {accept: 'text/event-stream', authorization: 'Bearer t'}},
      // The ID's UTF-8 bytes, one character each, as XMLHttpRequest takes a ByteString.
      {time: expect.any(Number), headers: {accept: 'text/event-stream', authorization: 'Bearer t', 'last-event-id': '\xC3\xA9-1'}},
      {time: expect.any(Number), headers: {accept: 'text/event-stream', authorization: 'Bearer t', 'last-event-id': '2'}},
    ])
    const [first, second, third] = result.requests.map(({time}) => time)
    expect(second! - first!).toBeGreaterThanOrEqual(3000)
    expect(second! - first!).toBeLessThan(3100)
    expect(third! - second!).toBeGreaterThanOrEqual(500)
    expect(third! - second!).toBeLessThan(600)
    expectOnlyGuardedBuiltIns(result.touched)
  })

  test('reconnects after a network error, mid-stream and before any response', async () => {
    const result = await runInEs5Engine(
      engine,
      `
      page.serve(function (request) {
        if (request.index === 0) request.respond(200, {'Content-Type': 'text/event-stream'}, ['id: 1\\ndata: one\\n\\ndata: cut sh'], 'error')
        else if (request.index === 1) request.fail()
        else request.respond(200, {'Content-Type': 'text/event-stream'}, ['data: back\\n\\n'], 'open')
      })
      var source = new StreamSource.EventSource('/flaky')
      page.watch(source)
      var messages = []
      source.addEventListener('error', function (event) { messages.push(event.message) })
      page.run(20000)
      page.log('readyState ' + source.readyState)
      page.log('messages ' + messages.join(' | '))
      source.close()
      page.done()
      `,
      build,
    )
    expect(result.uncaught).toEqual([])
    expect(result.log).toEqual([
      'open 1',
      'message "one" id=1 origin=http://app.example',
      'error 0 cause=TypeError willReconnect=true delay=3000',
      'error 0 cause=TypeError willReconnect=true delay=3000',
      'open 1',
      'message "back" id=1 origin=http://app.example',
      'readyState 1',
      // The URL once, "failed" once: the event's message says what failed, the cause how.
      'messages Connection to http://app.example/flaky failed: XMLHttpRequest network error | Connection to http://app.example/flaky failed: XMLHttpRequest network error',
    ])
    expect(result.requests.map((request) => request.headers['last-event-id'])).toEqual([undefined, '1', '1'])
    expectOnlyGuardedBuiltIns(result.touched)
  })
})
