// The documentation's snippets that run in Node as printed (those that import only from
// `streamsource` or `undici`: not the React hook, not cross-tab sharing) are run, each in a child
// process on the built package, against a real server on 127.0.0.1 that answers every path with a
// short event stream of JSON data (ending in `[DONE]` for a chat completions API). A snippet's
// `https://example.com` is that server. Around each snippet: the names of
// test/docs/snippet-globals.d.ts (`render` prints what it is given), and a base URL for the
// relative ones (`location`, and a `fetch` that resolves against it, as a page has). A snippet
// passes when it prints what the server sent and throws nothing; it is stopped after that.
import {execFile} from 'node:child_process'
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {promisify} from 'node:util'
import {transform} from 'esbuild'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {DOCUMENTS, snippetsOf, type Snippet} from './support/doc-snippets.js'
import {assertBuilt, repoRoot} from './support/paths.js'
import {startServer, startSse, type TestServer} from './support/sse-server.js'

const run = promisify(execFile)

const runnable = DOCUMENTS.flatMap(snippetsOf)
  // The "before" half of a migration snippet is another package's code.
  .map((snippet): Snippet => ({...snippet, code: snippet.code.replace(/^\/\/ before\n[\s\S]*?^\/\/ after\n/m, '')}))
  .filter(({language, code}) => language === 'ts' && [...code.matchAll(/from '([^']+)'/g)].every(([, module]) => module === 'streamsource' || module === 'undici'))
  .filter(({code}) => /from 'streamsource'/.test(code) && /new EventSource\(|fetch\(/.test(code) && !/createSharedEventSource|createEventSource/.test(code))

/** What each snippet is given: the app's names, a page's base URL, and an end once it has printed. */
const preamble = (origin: string) => `
globalThis.location = {href: ${JSON.stringify(`${origin}/`)}}
const nodeFetch = globalThis.fetch
globalThis.fetch = (url, init) => nodeFetch(new URL(String(url), location.href), init)
globalThis.token = 'secret'
globalThis.getToken = async () => 'secret'
globalThis.key = 'secret'
globalThis.model = 'model'
globalThis.messages = [{role: 'user', content: 'hi'}]
globalThis.conversation = globalThis.messages
globalThis.request = {model: 'model'}
let printed = 0
const print = console.log
const seen = (...values) => {
  print('printed', JSON.stringify(values))
  // Once something arrived, give the snippet a moment to go wrong, then stop it: many never end.
  if (printed++ === 0) setTimeout(() => process.exit(0), 300)
}
globalThis.render = seen
globalThis.chart = {add: seen}
console.log = seen
console.warn = (...values) => print('warned', JSON.stringify(values))
setTimeout(() => { print('no output within 10 s'); process.exit(3) }, 10_000)
`

let server: TestServer
const dir = join(repoRoot, 'test-results', 'docs-snippets-run')

beforeAll(async () => {
  assertBuilt()
  mkdirSync(dir, {recursive: true})
  server = await startServer(async (req, res) => {
    const stream = startSse(res)
    await stream.send({id: '1', event: 'price', data: JSON.stringify({value: 1})})
    await stream.send({id: '2', data: JSON.stringify({value: 2})})
    if (req.url?.includes('completions')) await stream.send({data: '[DONE]'})
    await stream.end()
  })
})
afterAll(async () => {
  await server?.close()
})

describe('the documentation\'s runnable snippets', () => {
  test('are found', () => {
    expect(runnable.length).toBeGreaterThanOrEqual(5)
  })

  test.each(runnable.map((snippet) => [snippet.where, snippet] as const))('%s runs against a real server and prints what it sent', {timeout: 30_000}, async (where, snippet) => {
    const local = snippet.code.replaceAll('https://example.com', server.origin)
    const {code} = await transform(local, {loader: 'ts', format: 'esm', target: 'es2022'})
    const file = join(dir, `${where.replace(/[^\w]+/g, '-')}.mjs`)
    writeFileSync(file, preamble(server.origin) + code)
    const before = server.requests.length
    const {stdout} = await run(process.execPath, [file], {cwd: repoRoot, timeout: 20_000}).catch((error: {stdout?: string; stderr?: string; code?: number}) => {
      throw new Error(`${where} failed (exit ${error.code}): ${error.stderr || error.stdout}`)
    })
    expect(server.requests.length, where).toBeGreaterThan(before)
    expect(stdout, where).toMatch(/^printed /m)
  })
})
