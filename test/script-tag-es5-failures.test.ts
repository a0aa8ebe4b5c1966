// The script-tag build failing a connection in MuJS and Duktape (test/support/es5-engines.ts), as
// the spec fails it: a 404 or a wrong content type ends the source (CLOSED, no reconnect), with
// the library's error classes as the `error` event's cause.
import {describe, expect, test} from 'vitest'
import {expectOnlyGuardedBuiltIns} from './support/es5-built-ins.js'
import {ENGINE_BUILDS, runInEs5Engine} from './support/es5-engines.js'

describe.each(ENGINE_BUILDS)('$label', ({engine, build}) => {
  test('a 404 fails the source with an HTTPError that carries the response, and nothing is sent again', async () => {
    const result = await runInEs5Engine(
      engine,
      `
      page.serve(function (request) {
        request.respond(404, {'Content-Type': 'text/plain', 'X-Reason': 'gone'}, ['no such stream'])
      })
      var source = new StreamSource.EventSource('/missing')
      page.watch(source)
      source.addEventListener('error', function (event) {
        var cause = event.cause
        page.log([
          cause instanceof StreamSource.HTTPError, cause instanceof StreamSource.StreamSourceError, cause instanceof Error,
          cause.name, cause.status, cause.statusText, cause.response.status, cause.response.ok,
          cause.response.headers.get('x-reason'), event.status, event.message,
        ].join(' | '))
      })
      page.run(60 * 60 * 1000)
      page.log('readyState ' + source.readyState)
      page.done()
      `,
      build,
    )
    expect(result.uncaught).toEqual([])
    expect(result.log).toEqual([
      'error 2 cause=HTTPError 404 willReconnect=false',
      'true | true | true | HTTPError | 404 | Not Found | 404 | false | gone | 404 | EventSource request to http://app.example/missing failed: HTTP 404 Not Found',
      'readyState 2',
    ])
    expect(result.requests).toHaveLength(1)
    expect(result.pendingTimers).toBe(0)
    expectOnlyGuardedBuiltIns(result.touched)
  })

  test('with a Promise polyfill, the error response body is read with text() and json(), once loaded', async () => {
    const result = await runInEs5Engine(
      engine,
      `
      page.installPromise()
      page.serve(function (request) {
        request.respond(request.index === 0 ? 503 : 401, {'Content-Type': 'application/json'}, ['{"error":', ' "busy"}'])
      })
      var first = new StreamSource.EventSource('/a')
      first.onerror = function (event) {
        event.response.text().then(function (text) { page.log('text ' + text) }, function (error) { page.log('text failed ' + error) })
      }
      page.run(100)
      var second = new StreamSource.EventSource('/b')
      second.onerror = function (event) {
        event.response.json().then(function (body) { page.log('json ' + body.error) }, function (error) { page.log('json failed ' + error) })
      }
      page.run(100)
      page.done()
      `,
      build,
    )
    expect(result.uncaught).toEqual([])
    expect(result.log).toEqual(['text {"error": "busy"}', 'json busy'])
    expectOnlyGuardedBuiltIns(result.touched)
  })

  test('a response that is not text/event-stream fails the source with a ContentTypeError', async () => {
    const result = await runInEs5Engine(
      engine,
      `
      page.serve(function (request) {
        request.respond(200, {'Content-Type': 'text/html'}, ['<p>hello</p>'])
      })
      var source = new StreamSource.EventSource('/page')
      page.watch(source)
      source.onerror = function (event) { page.log(event.cause instanceof StreamSource.ContentTypeError ? event.cause.contentType : 'other') }
      page.run(60 * 60 * 1000)
      page.done()
      `,
      build,
    )
    expect(result.uncaught).toEqual([])
    expect(result.log).toEqual(['error 2 cause=ContentTypeError willReconnect=false', 'text/html'])
    expect(result.requests).toHaveLength(1)
    expectOnlyGuardedBuiltIns(result.touched)
  })
})
