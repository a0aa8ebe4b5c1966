// The built declarations (dist/*.d.ts and *.d.cts) as a user's project sees them (issue #16): fixture
// projects in a temporary directory import `streamsource`, `streamsource/polyfill`,
// `streamsource/react` and reference `streamsource/global`, and `tsc --noEmit` checks them strictly
// with `skipLibCheck: false`, so that an error inside dist/ counts. Three platforms (Node with
// @types/node and no DOM lib, the DOM, a worker) times two resolutions (`bundler`; `node16`, an ES
// module and a CommonJS file). `@ts-expect-error` lines check that nothing public became `any`: a
// wrong credentials mode, an unknown event name under an event map, and string data used as a
// number must each be an error.
import {execFile} from 'node:child_process'
import {mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {promisify} from 'node:util'
import {afterAll, beforeAll, expect, test} from 'vitest'
import {assertBuilt, repoRoot} from './support/paths.js'

const run = promisify(execFile)
const require = createRequire(import.meta.url)
/** The compilers users have: the current major and the last of the one before (npm alias `typescript-5.9`). */
const COMPILERS = {'TypeScript 6': require.resolve('typescript/bin/tsc'), 'TypeScript 5.9': require.resolve('typescript-5.9/bin/tsc')}

/** What each platform's project loads: its `lib` and `types`. */
const PLATFORMS = {
  node: {lib: ['ES2022'], types: ['node']},
  dom: {lib: ['ES2022', 'DOM', 'DOM.Iterable'], types: []},
  worker: {lib: ['ES2022', 'WebWorker'], types: []},
} as const

/** Module settings and the files each resolution checks: `.mts` is an ES module, `.cts` CommonJS. */
const RESOLUTIONS = {
  bundler: {module: 'preserve', moduleResolution: 'bundler', files: ['uses.ts', 'global.ts']},
  node16: {module: 'node16', moduleResolution: 'node16', files: ['uses.mts', 'uses.cts', 'global.ts', 'global.cts']},
} as const

/** What a user writes: every entry point, an event map, the hook inferring from `parse`. */
const USES = `import {
  createEventSource,
  createParser,
  EventSource,
  messages,
  type EventSourceErrorEvent,
  type EventSourceInit,
  type TypedMessageEvent,
} from 'streamsource'
import 'streamsource/polyfill'
import {useEventSource} from 'streamsource/react'
import {createSharedEventSource} from 'streamsource/shared'

type IsAny<T> = 0 extends 1 & T ? true : false

export function plain(): EventSource {
  const source = new EventSource('https://example.test/events', {
    withCredentials: true,
    credentials: 'include',
    headers: async ({url}) => ({authorization: 'Bearer x', 'x-for': url}),
    method: 'POST',
    body: () => JSON.stringify({q: 1}),
    fetch: (url, init) => fetch(url, init),
    signal: new AbortController().signal,
    reconnect: {factor: 2, shouldReconnect: ({status}) => status !== 401},
  })
  source.addEventListener('message', (event) => event.data.toUpperCase())
  source.addEventListener('any name', (event) => event.data.toUpperCase(), {once: true})
  source.addEventListener('error', (event: EventSourceErrorEvent) => event.willReconnect)
  source.addEventListener('open', {handleEvent: (event) => event.type})
  source.onmessage = (event) => event.lastEventId.length
  const notAny: [IsAny<TypedMessageEvent['data']>, IsAny<EventSourceInit['credentials']>] = [false, false]
  // @ts-expect-error: the data is a string, not a number
  source.addEventListener('message', (event) => Math.max(event.data))
  // @ts-expect-error: 'bogus' is not a credentials mode
  const bogus: EventSourceInit = {credentials: 'bogus'}
  createEventSource('https://example.test/events', {withCredentials: true}).close()
  createParser({onEvent: (event) => event.data.toUpperCase()}).feed('data: x\\n\\n')
  void notAny, bogus
  return source
}

export async function iterate(source: EventSource): Promise<string[]> {
  const texts: string[] = []
  for await (const event of messages(source)) texts.push(event.data)
  return texts
}

export function typed(): void {
  const market = new EventSource<{price: string; status: 'up' | 'down'}>('https://example.test/market')
  market.addEventListener('status', (event) => {
    const status: 'up' | 'down' = event.data
    return status
  })
  market.addEventListener('price', (event) => event.data.toUpperCase())
  market.addEventListener('error', (event) => event.willReconnect)
  // @ts-expect-error: 'volume' is not in the event map
  market.addEventListener('volume', () => {})
  // @ts-expect-error: the event map's data types are strings, as the EventSource does not parse
  new EventSource<{price: number}>('https://example.test/market').close()
  const named = new EventSource<'price' | 'trade'>('https://example.test/market')
  named.addEventListener('trade', (event) => event.data.length)
  // @ts-expect-error: 'volume' is not one of the event names
  named.addEventListener('volume', () => {})
  // @ts-expect-error: the data is a string, not a number
  named.addEventListener('price', (event) => Math.max(event.data))
  const shared = createSharedEventSource<'price'>('https://example.test/market', {key: 'user'})
  shared.addEventListener('price', (event) => event.data.toUpperCase())
  // @ts-expect-error: 'volume' is not one of the event names
  shared.addEventListener('volume', () => {})
}

interface Tick {
  price: number
}

export function useTicks(): number | undefined {
  const {message} = useEventSource('https://example.test/ticks', {events: ['price'], parse: (data) => JSON.parse(data) as Tick})
  // @ts-expect-error: the data is a Tick, as parse returns
  message?.data.toUpperCase()
  return message?.data.price
}
`

/** The script-tag build's global, as its declaration types it. */
const GLOBAL = `/// <reference types="streamsource/global" />
const globalSource = new StreamSource.EventSource<'price'>('https://example.test/events')
globalSource.addEventListener('price', (event) => event.data.toUpperCase())
// @ts-expect-error: not an export of the package
StreamSource.useEventSource
`

let root: string

beforeAll(() => {
  assertBuilt()
  root = mkdtempSync(join(tmpdir(), 'streamsource-types-'))
  // The package as a dependency (its package.json's exports), and the types a user installs.
  mkdirSync(join(root, 'node_modules', '@types'), {recursive: true})
  symlinkSync(repoRoot, join(root, 'node_modules', 'streamsource'), 'dir')
  for (const name of ['@types/node', '@types/react']) {
    symlinkSync(join(repoRoot, 'node_modules', name), join(root, 'node_modules', name), 'dir')
  }
  for (const platform of Object.keys(PLATFORMS) as (keyof typeof PLATFORMS)[]) {
    for (const resolution of Object.keys(RESOLUTIONS) as (keyof typeof RESOLUTIONS)[]) {
      const dir = join(root, `${platform}-${resolution}`)
      mkdirSync(dir)
      const {files, ...moduleOptions} = RESOLUTIONS[resolution]
      const compilerOptions = {
        strict: true,
        exactOptionalPropertyTypes: true,
        noUncheckedIndexedAccess: true,
        noEmit: true,
        skipLibCheck: false,
        target: 'ES2022',
        ...moduleOptions,
        ...PLATFORMS[platform],
      }
      writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({compilerOptions, files}, null, 2))
      writeFileSync(join(dir, 'package.json'), JSON.stringify({type: 'module'}))
      for (const file of files) writeFileSync(join(dir, file), file.startsWith('global.') ? GLOBAL : USES)
    }
  }
})

afterAll(() => {
  if (root) rmSync(root, {recursive: true, force: true})
})

/** `tsc -p` on one fixture project: its error lines (none when it passes). */
async function typeCheck(tsc: string, project: string): Promise<string[]> {
  const output = await run(process.execPath, [tsc, '-p', join(root, project), '--pretty', 'false'], {cwd: root}).then(
    ({stdout}) => stdout,
    (error: {stdout?: string}) => error.stdout ?? String(error),
  )
  return output.split('\n').filter((line) => line.trim() !== '')
}

// One test per compiler runs every project at once: the tsc processes run in parallel.
test.each(Object.entries(COMPILERS))('%s: the declarations type-check strictly, skipLibCheck off, for Node, the DOM and workers, under bundler and node16 (ESM and CJS)', {timeout: 180_000}, async (_name, tsc) => {
  const projects = Object.keys(PLATFORMS).flatMap((platform) => Object.keys(RESOLUTIONS).map((resolution) => `${platform}-${resolution}`))
  const results = await Promise.all(projects.map(async (project) => [project, await typeCheck(tsc, project)] as const))
  expect(Object.fromEntries(results)).toEqual(Object.fromEntries(projects.map((project) => [project, []])))
})
