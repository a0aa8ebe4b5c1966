// Security (issue 6), in Node: request headers follow fetch's rules on a redirect to another origin
// (Authorization is not carried there; Node's fetch, undici, drops it as the fetch spec says), server
// data is only ever delivered as a string, and no built file can evaluate code (no eval, no Function
// constructor). Cookies need a browser: test/browser/security.test.ts. Reconnects after a
// redirect: test/eventsource-redirect-credentials.test.ts.
import {readdirSync, readFileSync} from 'node:fs'
import {join, relative} from 'node:path'
import {describe, expect, test} from 'vitest'
import {open, recordEvents, serve, useEventSourceHooks, waitFor} from './support/eventsource.js'
import {assertBuilt, distDir} from './support/paths.js'
import {redirect, startSse} from './support/sse-server.js'

useEventSourceHooks()

describe('a redirect to another origin', () => {
  test.each([301, 302, 307, 308] as const)('%i: Authorization is not carried there; other headers are, as fetch sends them', async (status) => {
    const other = await serve({'/stream': (_req, res) => void startSse(res).send({data: 'from the other origin'})})
    const first = await serve({'/start': redirect(`${other.url}stream`, status)})
    expect(other.origin).not.toBe(first.origin)
    const source = open(`${first.url}start`, {headers: {Authorization: 'Bearer secret', 'X-Trace': 't1'}})
    const {log} = recordEvents(source, ['open', 'message'])
    await waitFor(() => log.length === 2, 'the message')
    expect(first.requests.map((request) => request.headers.authorization)).toEqual(['Bearer secret'])
    const [redirected] = other.requests
    expect(redirected?.headers.authorization).toBeUndefined()
    // Only Authorization is removed on a cross-origin redirect: a secret in another header would go on.
    expect(redirected?.headers['x-trace']).toBe('t1')
  })

  test('a redirect within the origin keeps Authorization', async () => {
    const server = await serve({
      '/start': redirect('/stream', 302),
      '/stream': (_req, res) => void startSse(res).send({data: 'same origin'}),
    })
    const source = open(`${server.url}start`, {headers: {Authorization: 'Bearer secret'}})
    const {log} = recordEvents(source, ['message'])
    await waitFor(() => log.length === 1, 'the message')
    expect(server.requests.map((request) => [request.path, request.headers.authorization])).toEqual([
      ['/start', 'Bearer secret'],
      ['/stream', 'Bearer secret'],
    ])
  })
})

describe('server data is data', () => {
  // Strings that would run, or break out of a page, if anything evaluated or inserted them as markup.
  const payloads = [
    'alert(1)',
    '</script><script>globalThis.__pwned = true</script>',
    '<img src=x onerror="globalThis.__pwned = true">',
    '${globalThis.__pwned = true}',
    '(() => { globalThis.__pwned = true })()',
    '{"__proto__": {"polluted": true}}',
    'javascript:globalThis.__pwned = true',
  ]

  test('is delivered as the exact string sent, and nothing of it runs or pollutes a prototype', async () => {
    const server = await serve({
      '/stream': (_req, res) => {
        const stream = startSse(res)
        // As `data:` and as event names, ids and comments too.
        void stream.write(
          payloads.map((payload) => `: ${payload}\nid: ${payload}\nevent: ${payload}\ndata: ${payload}\n\n`).join('') +
            payloads.map((payload) => `data: ${payload}\n\n`).join(''),
        )
      },
    })
    const source = open(`${server.url}stream`)
    const {events} = recordEvents(source, ['message', ...payloads])
    await waitFor(() => events.length === payloads.length * 2, 'every event')
    const messages = events as MessageEvent[]
    expect(messages.map((event) => [event.type, event.data, event.lastEventId])).toEqual([
      ...payloads.map((payload) => [payload, payload, payload]),
      ...payloads.map((payload) => ['message', payload, payloads.at(-1)]),
    ])
    for (const event of messages) expect(typeof event.data).toBe('string')
    expect((globalThis as {__pwned?: unknown}).__pwned).toBeUndefined()
    expect(({} as {polluted?: unknown}).polluted).toBeUndefined()
  })
})

describe('the built files', () => {
  /**
   * Ways to turn a string into running code: `eval` called or merely named (an indirect `(0, eval)(s)`
   * or `globalThis.eval` too), the Function constructor. Whole names only: not `retrieval`, `isFunction(`.
   */
  const EVALUATORS: [string, RegExp][] = [
    ['eval', /(?<![\w$])eval(?![\w$])/],
    ['new Function', /\bnew\s+Function\b/],
    ['Function(', /(?<![\w$])Function\s*\(/],
  ]

  function findEvaluators(code: string): string[] {
    return EVALUATORS.filter(([, pattern]) => pattern.test(code)).map(([name]) => name)
  }

  function builtScripts(dir: string): string[] {
    return readdirSync(dir, {withFileTypes: true}).flatMap((entry) => {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) return builtScripts(path)
      return /\.(c|m)?js$/.test(entry.name) ? [path] : []
    })
  }

  test('the check finds what it looks for, and not its look-alikes', () => {
    expect(findEvaluators('x = eval("1")')).toEqual(['eval'])
    expect(findEvaluators('(0,eval)(s); globalThis.eval(s)')).toEqual(['eval'])
    expect(findEvaluators('new Function("return 1")')).toEqual(['new Function', 'Function('])
    expect(findEvaluators('var f=Function ("a","return a"); globalThis.Function(s)')).toEqual(['Function('])
    expect(findEvaluators('isFunction(x); typeof x === "function"; retrieval(x); evaluate(x); function f(){}')).toEqual([])
  })

  test('dist/ (every .js, .cjs and .min.js, chunks included) names no eval and calls no Function constructor', () => {
    assertBuilt()
    const files = builtScripts(distDir)
    expect(files.some((file) => file.endsWith('.min.js'))).toBe(true)
    expect(files.some((file) => file.endsWith('.cjs'))).toBe(true)
    const found = files
      .map((file) => ({file: relative(distDir, file), evaluators: findEvaluators(readFileSync(file, 'utf8'))}))
      .filter((entry) => entry.evaluators.length > 0)
    expect(found).toEqual([])
  })
})
