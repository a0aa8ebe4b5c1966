// The XMLHttpRequest transport (the ES5 script-tag build in a page without modern APIs, real
// Chromium) holds the whole response in `responseText`. A stream it cannot restart (no id to resume
// from) is read until `responseText` passes `maxEventSize`: then the source fails, with an error
// that names the option and its value, and does not reconnect (it would read into the same limit).
// With ids, the same small limit makes it restart sooner, and the stream goes on.
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {useChromium} from '../support/chromium.js'
import {assertBuilt} from '../support/paths.js'
import {delay, startServer, startSse, type Handler, type TestServer} from '../support/sse-server.js'
import {openXhrPage, xhrPageRoutes, type Collected} from '../support/xhr-pages.js'

const LIMIT = 64 * 1024
/** 4000 events of 70 characters (280 000 in all, past the limit and past 256 Ki), with ids or not. */
const COUNT = 4000
const event = (index: number, ids: boolean): string => `${ids ? `id: ${index}\n` : ''}data: ${String(index).padStart(6, '0')}${'.'.repeat(56)}\n\n`

/**
 * The events after the request's Last-Event-ID, about 8 KiB a write; a short `retry:` so a reconnect
 * would show. Once a response has carried twice the limit, the server waits for the client to let go
 * (or 5 s) before writing on: how much one progress event carries grows with the machine's load, and
 * the pause keeps "far from all of them" from depending on it.
 */
const small = (ids: boolean): Handler => async (req, res) => {
  const stream = startSse(res)
  await stream.write('retry: 50\n\n')
  const from = Number(req.headers['last-event-id'] ?? -1) + 1
  let text = ''
  let written = 0
  let paused = false
  for (let index = from; index < COUNT && !stream.isClosed; index++) {
    text += event(index, ids)
    if (text.length > 8 * 1024 || index === COUNT - 1) {
      await stream.write(text)
      written += text.length
      text = ''
      await delay(5)
      if (!paused && written >= 2 * LIMIT) {
        paused = true
        await Promise.race([stream.closed, delay(5_000)])
      }
    }
  }
  await stream.write('event: done\ndata: end\n\n')
  await stream.closed
}

let server: TestServer

beforeAll(async () => {
  assertBuilt()
  server = await startServer({...xhrPageRoutes, 'GET /no-ids': small(false), 'GET /ids': small(true)})
})
const pages = useChromium()
afterAll(async () => {
  await server?.close()
})

const requestsTo = (path: string) => server.requests.filter((request) => request.path === path)
const expected = (count: number): string[] => Array.from({length: count}, (_, index) => `${String(index).padStart(6, '0')}${'.'.repeat(56)}`)

describe('maxEventSize on the XMLHttpRequest transport', {timeout: 60_000}, () => {
  test('without ids: the source fails once the response passes maxEventSize, naming it, and does not reconnect', async () => {
    const page = await openXhrPage(pages, server.origin, 'legacy')
    const result = await page.call<Collected>('collect', '/no-ids', {timeout: 20_000, init: {maxEventSize: LIMIT}})
    expect(result.reason).toBe('failed')
    expect(result.opens).toBe(1)
    expect(result.errors).toHaveLength(1)
    expect(result.errors[0]!.readyState).toBe(2)
    expect(result.errors[0]!.message).toContain(`maxEventSize (${LIMIT} characters)`)
    // Every event up to the limit (and the progress event that passed it, which may carry several
    // writes: Chromium fires one per 50 ms at most), in order, none twice; far from all of them: at
    // most the 2 * LIMIT the server wrote before it paused (1873 events), not the 4000.
    expect(result.data).toEqual(expected(result.data.length))
    expect(result.data.length * 70).toBeGreaterThan(LIMIT - 10 * 1024)
    expect(result.data.length).toBeLessThan(COUNT / 2)
    // The server asked for a reconnect after 50 ms: none came.
    await delay(500)
    expect(requestsTo('/no-ids')).toHaveLength(1)
  })

  test('with ids: the same limit makes it restart before, with Last-Event-ID, and every event arrives once', async () => {
    const page = await openXhrPage(pages, server.origin, 'legacy')
    const result = await page.call<Collected>('collect', '/ids', {timeout: 20_000, init: {maxEventSize: LIMIT}})
    expect(result).toMatchObject({reason: 'done', opens: 1, errors: []})
    expect(result.data).toEqual(expected(COUNT))
    const requests = requestsTo('/ids')
    // About 316 000 characters with the ids, with no error: restarts began before the limit. From half
    // the limit on, not from 256 Ki on (which would make two requests, and fail past the limit). How
    // many more depends on how much one progress event carries, which grows on a loaded machine.
    expect(requests.length).toBeGreaterThan(2)
    for (const request of requests.slice(1)) expect(result.ids).toContain(request.headers['last-event-id'])
  })
})
