// On the XMLHttpRequest transport (the ES5 script-tag build where fetch cannot stream), the `error`
// event's `response` is what the docs say it is: a real `Response` where the page has one, whose
// `json()` and `text()` read the body inside the listener; where there is none, an object with the
// same status, headers, URL and (where `Promise` exists) `text()` and `json()`. In real Chromium.
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {useChromium} from '../support/chromium.js'
import {assertBuilt} from '../support/paths.js'
import {redirect, respond, startServer, type TestServer} from '../support/sse-server.js'
import {openXhrPage, xhrPageRoutes, type XhrPage} from '../support/xhr-pages.js'

const BODY = {error: 'no such stream', retry: false}

let server: TestServer

beforeAll(async () => {
  assertBuilt()
  server = await startServer({
    ...xhrPageRoutes,
    'GET /missing': respond(404, JSON.stringify(BODY), {'Content-Type': 'application/json', 'X-Custom': 'yes'}),
    'GET /moved': redirect('/missing'),
    'GET /html': respond(200, '<p>not a stream</p>', {'Content-Type': 'text/html'}),
  })
})
const pages = useChromium()
afterAll(async () => {
  await server?.close()
})

/** What every page's error event tells of the 404, whatever the response object is. */
const notFound = {
  readyState: 2,
  status: 404,
  code: 404,
  statusText: 'Not Found',
  causeName: 'HTTPError',
  causeHasResponse: true,
  ok: false,
  redirected: false,
  contentType: 'application/json',
  custom: 'yes',
  missing: null,
}

/** The page's errors but Chromium's own log line for each 404 it loaded. */
const pageErrors = (errors: string[]): string[] => errors.filter((error) => !/responded with a status of 404/.test(error))

async function open(kind: XhrPage) {
  const page = await openXhrPage(pages, server.origin, kind)
  return {
    ...page,
    errorResponse: (path: string, read: 'json' | 'text') => page.call<Record<string, unknown>>('errorResponse', path, read),
  }
}

describe('the error event of a 404 on the XMLHttpRequest transport', {timeout: 30_000}, () => {
  test('where the page has Response: a Response, whose json() in the error listener resolves to the body', async () => {
    const page = await open('fetch-deleted')
    expect(await page.errorResponse('/missing', 'json')).toEqual({
      ...notFound,
      isResponse: true,
      url: `${server.origin}/missing`,
      methods: ['function', 'function'],
      body: BODY,
    })
    // After a redirect: the URL where it led, as a fetch Response has it.
    expect(await page.errorResponse('/moved', 'text')).toMatchObject({
      ...notFound,
      isResponse: true,
      url: `${server.origin}/missing`,
      redirected: true,
      body: JSON.stringify(BODY),
    })
    // A 200 of the wrong type: the ContentTypeError's response, its body read as text.
    expect(await page.errorResponse('/html', 'text')).toMatchObject({
      status: 200,
      ok: true,
      causeName: 'ContentTypeError',
      causeHasResponse: true,
      isResponse: true,
      body: '<p>not a stream</p>',
    })
    expect(await page.transportCounts()).toEqual({xhr: 3, fetch: 0})
    expect(pageErrors(page.watched.errors)).toEqual([])
  })

  test('where the page has no Response but Promise: an object whose json() and text() resolve to the body', async () => {
    const page = await open('no-response')
    expect(await page.errorResponse('/missing', 'json')).toEqual({
      ...notFound,
      isResponse: false,
      url: `${server.origin}/missing`,
      methods: ['function', 'function'],
      body: BODY,
    })
    expect(await page.errorResponse('/moved', 'text')).toMatchObject({
      ...notFound,
      url: `${server.origin}/missing`,
      redirected: true,
      body: JSON.stringify(BODY),
    })
    expect(await page.transportCounts()).toEqual({xhr: 2, fetch: 0})
    expect(pageErrors(page.watched.errors)).toEqual([])
  })

  test('in the ES5 page (no Response, no Promise): status, statusText, ok, url and headers, no body methods', async () => {
    const page = await open('legacy')
    expect(await page.errorResponse('/missing', 'json')).toEqual({
      ...notFound,
      isResponse: false,
      url: `${server.origin}/missing`,
      methods: ['undefined', 'undefined'],
    })
    expect(await page.transportCounts()).toEqual({xhr: 1, fetch: 0})
    expect(pageErrors(page.watched.errors)).toEqual([])
  })
})
