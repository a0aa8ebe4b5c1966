// The XMLHttpRequest transport (the ES5 script-tag build in a page without modern APIs, real
// Chromium) restarts its request past 256 Ki characters of `responseText` only when there is a last
// event ID to resume from: a server asked again without `Last-Event-ID` replays the stream from its
// start (these servers do), or goes on from now and loses what it sent in between. Without an ID it
// reads on, over one request; with IDs it restarts through the URL it was given, not where a
// redirect led, and nothing is lost or repeated.
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {useChromium} from '../support/chromium.js'
import {assertBuilt} from '../support/paths.js'
import {delay, redirect, startServer, startSse, type Handler, type TestServer} from '../support/sse-server.js'
import {openXhrPage, xhrPageRoutes, type Collected} from '../support/xhr-pages.js'

/** Writes `text` in pieces of `size` characters, apart enough to be progress events of their own, then `done`. */
function replaying(text: string, size = 64 * 1024): Handler {
  return async (_req, res) => {
    const stream = startSse(res)
    for (let at = 0; at < text.length && !stream.isClosed; at += size) {
      await stream.write(text.slice(at, at + size))
      await delay(10)
    }
    await stream.write('event: done\ndata: end\n\n')
    await stream.closed
  }
}

const MB_EVENT = `data: ${'x'.repeat(1_000_000)}\n\n`
const LONG_FIELD = `${'f'.repeat(300_000)}: ignored\n\ndata: after\n\n`
const SMALL_EVENTS = Array.from({length: 5000}, (_, index) => `data: ${String(index).padStart(6, '0')} ${'.'.repeat(60)}\n\n`).join('')

/** Events with ids from after the request's Last-Event-ID to `count`, written about 20 KiB at a time. */
const withIds = (count: number): Handler => async (req, res) => {
  const stream = startSse(res)
  const from = Number(req.headers['last-event-id'] ?? 0) + 1
  for (let id = from; id <= count && !stream.isClosed; id += 50) {
    let text = ''
    for (let next = id; next < id + 50 && next <= count; next++) text += `id: ${next}\ndata: ${String(next).padEnd(400, '.')}\n\n`
    await stream.write(text)
    await delay(10)
  }
  await stream.write('event: done\ndata: end\n\n')
  await stream.closed
}

let server: TestServer

beforeAll(async () => {
  assertBuilt()
  server = await startServer({
    ...xhrPageRoutes,
    'GET /mb': replaying(MB_EVENT),
    'GET /field': replaying(LONG_FIELD),
    'GET /small': replaying(SMALL_EVENTS, 8 * 1024),
    'GET /moved': redirect('/ids'),
    'GET /ids': withIds(1500),
  })
})
const pages = useChromium()
afterAll(async () => {
  await server?.close()
})

const requestsTo = (path: string) => server.requests.filter((request) => request.path === path)

describe('the XMLHttpRequest transport without modern APIs', {timeout: 60_000}, () => {
  test('without an id it never restarts: a 1 MB event, a 300 000-character field name and 5000 small events each arrive once, over one request', async () => {
    const page = await openXhrPage(pages, server.origin, 'legacy')
    const collect = (path: string) => page.call<Collected>('collect', path, {timeout: 20_000})
    const mb = await collect('/mb')
    expect({...mb, data: mb.data.map((data) => data.length)}).toEqual({
      reason: 'done',
      opens: 1,
      errors: [],
      data: [1_000_000],
      ids: [''],
      readyStates: [1],
    })
    expect(await collect('/field')).toMatchObject({reason: 'done', opens: 1, errors: [], data: ['after']})
    const small = await collect('/small')
    expect(small).toMatchObject({reason: 'done', opens: 1, errors: []})
    expect(small.data).toEqual(Array.from({length: 5000}, (_, index) => `${String(index).padStart(6, '0')} ${'.'.repeat(60)}`))
    expect([requestsTo('/mb').length, requestsTo('/field').length, requestsTo('/small').length]).toEqual([1, 1, 1])
    expect(await page.transportCounts()).toEqual({xhr: 3, fetch: 0})
  })

  test('with ids it restarts with Last-Event-ID through the URL it was given, not where the redirect led: nothing lost or repeated', async () => {
    const page = await openXhrPage(pages, server.origin, 'legacy')
    const result = await page.call<Collected>('collect', '/moved', {timeout: 20_000})
    expect(result).toMatchObject({reason: 'done', opens: 1, errors: []})
    expect(result.ids).toEqual(Array.from({length: 1500}, (_, index) => String(index + 1)))
    // About 620 000 characters: at least one restart (how many depends on where progress events cut
    // the text: a restart waits for a chunk that ends at an event boundary), each through /moved again.
    const requests = server.requests.filter((request) => request.path === '/moved' || request.path === '/ids')
    expect(requests.length).toBeGreaterThanOrEqual(4)
    expect(requests.map((request) => request.path)).toEqual(requests.map((_, index) => (index % 2 ? '/ids' : '/moved')))
    const resumes = requests.filter((request) => request.path === '/moved').map((request) => request.headers['last-event-id'])
    expect(resumes[0]).toBeUndefined()
    for (const id of resumes.slice(1)) expect(result.ids).toContain(id)
    // One XMLHttpRequest per request through /moved, and perhaps one more: a restart begun with the
    // last chunk, which close() aborted before it reached the server (or before its redirect did).
    const {xhr, fetch} = await page.transportCounts()
    expect(fetch).toBe(0)
    expect(xhr === resumes.length || xhr === resumes.length + 1, `${xhr} opened, ${resumes.length} seen at /moved`).toBe(true)
  })
})
