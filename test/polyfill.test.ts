// `streamsource/polyfill`: installs the library's class as globalThis.EventSource where there is
// none, never replaces one, and does nothing the second time. Node 20 has no EventSource global,
// so "none" is the real state here; a native one is a stand-in class.
import {execFileSync} from 'node:child_process'
import {createRequire} from 'node:module'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'
import {afterEach, beforeEach, expect, test, vi} from 'vitest'
import {assertBuilt, distDir, repoRoot} from './support/paths.js'

type Global = {EventSource?: unknown}
const scope = globalThis as Global

class FakeNative extends EventTarget {}

/** A fresh copy of the polyfill module and of the class it installs, as a first import would be. */
async function importPolyfill(): Promise<{EventSource: unknown}> {
  await import('../src/adapters/polyfill.js')
  const {EventSource} = await import('../src/eventsource/EventSource.js')
  return {EventSource}
}

beforeEach(() => {
  vi.resetModules()
  delete scope.EventSource
})

afterEach(() => {
  vi.unstubAllGlobals()
  delete scope.EventSource
})

test('installs the library class where there is no EventSource', async () => {
  expect('EventSource' in globalThis).toBe(false)
  const {EventSource} = await importPolyfill()
  expect(scope.EventSource).toBe(EventSource)
  // As WebIDL puts interface objects on the global: writable, configurable, not enumerable.
  expect(Object.getOwnPropertyDescriptor(globalThis, 'EventSource')).toEqual({
    value: EventSource,
    writable: true,
    enumerable: false,
    configurable: true,
  })
})

test('the installed class works by its global name', async () => {
  await importPolyfill()
  const Installed = scope.EventSource as typeof import('../src/eventsource/EventSource.js').EventSource
  const source = new Installed('http://127.0.0.1:1/', {signal: AbortSignal.abort()})
  expect(source.readyState).toBe(Installed.CLOSED)
  expect(Object.prototype.toString.call(source)).toBe('[object EventSource]')
})

test('a native EventSource is never replaced', async () => {
  vi.stubGlobal('EventSource', FakeNative)
  const {EventSource} = await importPolyfill()
  expect(scope.EventSource).toBe(FakeNative)
  expect(scope.EventSource).not.toBe(EventSource)
})

test('a global EventSource that is not a constructor counts as none', async () => {
  vi.stubGlobal('EventSource', undefined)
  const {EventSource} = await importPolyfill()
  expect(scope.EventSource).toBe(EventSource)
})

test('importing it twice keeps the first install', async () => {
  const first = await importPolyfill()
  expect(scope.EventSource).toBe(first.EventSource)
  // A second, separate evaluation (another copy of the package, or a reset module registry) must
  // not swap the class under code that already holds the global.
  vi.resetModules()
  const second = await importPolyfill()
  expect(second.EventSource).not.toBe(first.EventSource)
  expect(scope.EventSource).toBe(first.EventSource)
})

test('the built ES module and CommonJS polyfills together install once', async () => {
  assertBuilt()
  await import(pathToFileURL(join(distDir, 'polyfill.js')).href)
  const installed = scope.EventSource
  const {EventSource: esmClass} = (await import(pathToFileURL(join(distDir, 'index.js')).href)) as Global
  expect(installed).toBe(esmClass)
  const require = createRequire(import.meta.url)
  require(join(distDir, 'polyfill.cjs'))
  const {EventSource: cjsClass} = require(join(distDir, 'index.cjs')) as Global
  expect(cjsClass).not.toBe(esmClass)
  expect(scope.EventSource).toBe(esmClass)
})

// In Node, package.json's `node` condition gives `streamsource/polyfill` the Node build (dist/node/)
// too. One sign of them that a test can see: the EventSource's own listener
// lists give every listener the event's currentTarget, where Node's EventTarget gives it to the
// first one only (test/eventsource-node-events.test.ts). Run in child processes: a clean global.
test.each([
  ['import', "await import('streamsource/polyfill')", ['--input-type=module']],
  ['require', "require('streamsource/polyfill')", []],
])('in Node, %s of streamsource/polyfill gives the Node build', (_, load, flags) => {
  assertBuilt()
  const script = `
    ${load}
    const source = new EventSource('http://127.0.0.1:1/')
    source.close()
    const seen = []
    source.addEventListener('x', (event) => seen.push(event.currentTarget === source))
    source.addEventListener('x', (event) => seen.push(event.currentTarget === source))
    source.dispatchEvent(new Event('x'))
    console.log(JSON.stringify(seen))
  `
  const output = execFileSync(process.execPath, [...flags, '-e', script], {cwd: repoRoot, encoding: 'utf8'})
  expect(JSON.parse(output)).toEqual([true, true])
  const require = createRequire(import.meta.url)
  expect(require.resolve('streamsource/polyfill')).toBe(join(distDir, 'node', 'polyfill.cjs'))
})
