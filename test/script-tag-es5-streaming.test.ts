// The script-tag build streaming in two real ES5 interpreters, MuJS and Duktape, over the page's
// XMLHttpRequest (test/es5/page.js: an old browser's page, the scenario playing the server):
// the request it sends, and every event in order, multibyte ones and ones split between progress
// events included. test/support/es5-engines.ts says how it runs.
import {describe, expect, test} from 'vitest'
import {expectOnlyGuardedBuiltIns} from './support/es5-built-ins.js'
import {ENGINE_BUILDS, runInEs5Engine} from './support/es5-engines.js'

const STREAM = 'text/event-stream'

describe.each(ENGINE_BUILDS)('$label', ({engine, build, testFull}) => {

  test('sends the custom header and Accept, and dispatches every event in order, split and multibyte ones too', async () => {
    const result = await runInEs5Engine(
      engine,
      `
      page.serve(function (request) {
        request.respond(200, {'Content-Type': '${STREAM}; charset=utf-8'}, [
          'data: first\\n\\n',
          // A line split in the middle, a CRLF split between its CR and LF, a field name split.
          'data: sec', 'ond\\r', '\\n\\r\\nid: 7\\nevent: price\\nda', 'ta: \\u00e9\\u20ac\\ud83d\\ude00\\n\\n',
          // Two lines of data, one event; a comment; an event with the last ID kept.
          'data: a\\ndata: \\u65e5\\u672c\\n\\n: comment\\n\\n', 'data: last\\n\\n',
        ], 'open')
      })
      var source = new StreamSource.EventSource('/stream?x=1', {headers: {'X-Token': 'secret-1'}})
      page.log('constructed ' + source.readyState + ' ' + source.url)
      page.watch(source, ['message', 'price'])
      page.run(1000)
      source.close()
      page.done()
      `,
      build,
    )
    expect(result.uncaught).toEqual([])
    expect(result.requests).toHaveLength(1)
    const [request] = result.requests
    expect(request).toMatchObject({method: 'GET', url: 'http://app.example/stream?x=1', body: null, withCredentials: false})
    expect(request!.headers).toEqual({accept: STREAM, 'x-token': 'secret-1'})
    expect(result.log).toEqual([
      'constructed 0 http://app.example/stream?x=1',
      'open 1',
      'message "first" id= origin=http://app.example',
      'message "second" id= origin=http://app.example',
      'price "é€😀" id=7 origin=http://app.example',
      'message "a\\n日本" id=7 origin=http://app.example',
      'message "last" id=7 origin=http://app.example',
    ])
    expectOnlyGuardedBuiltIns(result.touched)
  })

  test('runs every listener, each with the source as target, and reports one that throws as the page would', async () => {
    const result = await runInEs5Engine(
      engine,
      `
      page.serve(function (request) {
        request.respond(200, {'Content-Type': '${STREAM}'}, ['data: one\\n\\n', 'data: two\\n\\n'], 'open')
      })
      var source = new StreamSource.EventSource('http://api.example:80/s')
      source.addEventListener('message', function (event) {
        page.log('first ' + event.data + ' ' + (this === source) + ' ' + (event.currentTarget === source))
        if (event.data === 'one') throw new Error('listener failed')
      })
      source.addEventListener('message', {handleEvent: function (event) { page.log('second ' + event.data) }}, {once: true})
      var last
      source.onmessage = function (event) { last = event; page.log('handler ' + event.data + ' ' + (event.target === source)) }
      page.run(1000)
      page.log('after dispatch ' + (last.currentTarget === null) + ' ' + (last.target === source))
      source.close()
      page.done()
      `,
      build,
    )
    expect(result.log).toEqual([
      'first one true true',
      'second one',
      'handler one true',
      'first two true true',
      'handler two true',
      'after dispatch true true',
    ])
    expect(result.uncaught).toEqual(['Error: listener failed'])
    expectOnlyGuardedBuiltIns(result.touched)
  })

  // messages() is the full build's.
  testFull('the async iterator (messages) has a key of its own, and the engine\'s Symbol.toStringTag and Symbol.for are used where it has them', async () => {
    const result = await runInEs5Engine(
      engine,
      `
      // (Not \`var EventSource\`: this is one script with the build, whose global it would shadow.)
      var Source = StreamSource.EventSource
      var hasSymbol = typeof Symbol == 'function'
      var keys = []
      var source = new Source('/s')
      source.close()
      // The iterator of messages(source), whose own key it is (the class has none: the WHATWG interface).
      var iterator = StreamSource.messages(source)
      for (var key in Source.prototype) if (/iterator|undefined/i.test(key)) keys.push('prototype ' + key)
      for (var name in iterator) if (/iterator|undefined/i.test(name)) keys.push(name)
      page.done({
        hasSymbol: hasSymbol,
        // Not on the key "undefined", as where Symbol.asyncIterator is missing it was.
        keys: keys.sort(),
        tag: Object.prototype.toString.call(Object.create(Source.prototype)),
        flag: hasSymbol ? Source[Symbol['for']('eventsource.supports-fetch-override')] : Source['@@eventsource.supports-fetch-override'],
      })
      `,
      build,
    )
    const hasSymbol = engine.name === 'Duktape'
    expect(result.extra).toEqual({
      hasSymbol,
      keys: ['@@asyncIterator'],
      tag: hasSymbol ? '[object EventSource]' : '[object Object]',
      flag: true,
    })
    expectOnlyGuardedBuiltIns(result.touched)
  })

  // Only the full build has createSharedEventSource.
  testFull('createSharedEventSource, with numbers among its options, falls back to an EventSource where tabs cannot share', async () => {
    const result = await runInEs5Engine(
      engine,
      `
      page.serve(function (request) {
        request.respond(200, {'Content-Type': '${STREAM}'}, ['data: shared\\n\\n'], 'open')
      })
      var source = StreamSource.createSharedEventSource('/shared', {reconnect: {initialDelay: 500, maxDelay: 1 / 0}})
      page.watch(source)
      page.run(100)
      source.close()
      page.done()
      `,
      build,
    )
    expect(result.uncaught).toEqual([])
    expect(result.log).toEqual(['open 1', 'message "shared" id= origin=http://app.example'])
    expectOnlyGuardedBuiltIns(result.touched)
  })
})
