// The ES5 script-tag build as files (the browser tests run it: test/browser/legacy.test.ts):
// ES5 syntax only, an IIFE that defines `StreamSource` with every export (root and shared) and installs
// `EventSource` only where there is none, and package.json pointing CDNs at it.
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {runInNewContext} from 'node:vm'
import {parse} from 'acorn'
import {describe, expect, test} from 'vitest'
import {assertBuilt, distDir, repoRoot} from './support/paths.js'

const FILES = ['streamsource.global.js', 'streamsource.global.min.js']
const read = (name: string): string => readFileSync(join(distDir, name), 'utf8')

/**
 * Runs a build in a fresh context whose global object has what an ES5 browser has at load time:
 * no Symbol, Set, Promise, fetch, URL or EventTarget (IE 11 lacks some of these, older ones more).
 */
function load(code: string, globals: Record<string, unknown> = {}): Record<string, unknown> {
  const context: Record<string, unknown> = {setTimeout, clearTimeout, ...globals}
  context['self'] = context
  // A classic script's top-level `var` becomes a property of the global object.
  runInNewContext(`${code}\n;this.StreamSource = StreamSource`, context)
  return context
}

describe.each(FILES)('dist/%s', (name) => {
  test('parses as ES5 (acorn, ecmaVersion 5) and names no eval or Function constructor', () => {
    assertBuilt()
    const code = read(name)
    expect(() => parse(code, {ecmaVersion: 5})).not.toThrow()
    expect(code).not.toMatch(/(?<![\w$])eval(?![\w$])|(?<![\w$.])Function\s*\(/)
  })

  test('defines StreamSource with every export of the root and of streamsource/shared, and installs EventSource where there is none', async () => {
    const root = {...(await import(join(distDir, 'index.js'))), ...(await import(join(distDir, 'shared.js')))}
    // Symbol, Set and the rest deleted from the new context's own built-ins too.
    const context = load(`delete this.Symbol; delete this.Set; delete this.Promise; ${read(name)}`)
    const StreamSource = context['StreamSource'] as Record<string, unknown>
    expect(Object.keys(StreamSource).sort()).toEqual(Object.keys(root).sort())
    expect(context['EventSource']).toBe(StreamSource['EventSource'])
    expect(Object.getOwnPropertyDescriptor(context, 'EventSource')).toMatchObject({enumerable: false, writable: true, configurable: true})
    const EventSource = StreamSource['EventSource'] as {CONNECTING: number; OPEN: number; CLOSED: number; prototype: object}
    expect([EventSource.CONNECTING, EventSource.OPEN, EventSource.CLOSED]).toEqual([0, 1, 2])
    expect(Object.prototype.toString.call(Object.create(EventSource.prototype))).toBe('[object Object]')
    // The errors are real errors there too.
    const {HTTPError, ParseError} = StreamSource as Record<string, new (...args: never[]) => Error>
    const error = new ParseError!(...(['bad', {type: 'unknown-field'}] as never[]))
    expect(error).toBeInstanceOf(ParseError)
    expect(error.message).toBe('bad')
    expect(Object.getPrototypeOf(HTTPError!.prototype)).toBe((StreamSource['StreamSourceError'] as {prototype: object}).prototype)
  })

  test('its parser needs no ES2015 built-in: text and bytes, a BOM included, parse with them deleted', () => {
    // What IE 11 lacks of the built-ins a parser might reach for.
    const es2015 = [
      'String.prototype.startsWith', 'String.prototype.endsWith', 'String.prototype.includes', 'String.prototype.repeat',
      'String.prototype.codePointAt', 'String.fromCodePoint', 'Array.prototype.includes', 'Array.prototype.find',
      'Array.prototype.findIndex', 'Array.prototype.fill', 'Array.from', 'Array.of', 'Object.assign', 'Object.entries',
      'Object.values', 'Number.isInteger', 'Number.isNaN', 'Math.trunc',
    ]
    const context = load(`${es2015.map((name) => `delete ${name};`).join(' ')} delete this.Symbol; delete this.Set; ${read(name)}`)
    const {createParser} = context['StreamSource'] as {createParser: typeof import('../src/index.js').createParser}
    const events: string[] = []
    const parser = createParser({onEvent: (event) => events.push(`${event.event ?? ''}|${event.id ?? ''}|${event.data}`)})
    parser.feed('\uFEFFdata: a\r\n\r')
    parser.feed('\nid: 1\nevent: e\ndata: b\n\n')
    parser.reset()
    // Bytes: no TextDecoder in that context, so the build's own UTF-8 decoder runs, a character split between chunks.
    const bytes = new TextEncoder().encode('\uFEFFdata: é€😀\n\n')
    parser.feed(bytes.subarray(0, 8))
    parser.feed(bytes.subarray(8))
    expect(events).toEqual(['||a', 'e|1|b', '||é€😀'])
  })

  test('without EventTarget, its own event target dispatches in order, with once, handleEvent and removal', () => {
    // URL only to resolve the stream's URL; the source is closed before it would connect.
    const context = load(`delete this.Symbol; ${read(name)}`, {URL})
    const {EventSource, EventSourceReconnectEvent} = context['StreamSource'] as {
      EventSource: new (url: string) => EventTarget & {close(): void}
      EventSourceReconnectEvent: new (attempt: number, delay: number) => Event
    }
    const source = new EventSource('http://127.0.0.1:1/stream')
    source.close()
    const seen: string[] = []
    const second = (): void => void seen.push('second')
    source.addEventListener('reconnect', function (this: unknown, event) {
      seen.push(`first ${this === source} ${event.target === source} ${(event as Event & {delay: number}).delay}`)
    })
    source.addEventListener('reconnect', second)
    source.addEventListener('reconnect', second)
    source.addEventListener('reconnect', {handleEvent: () => void seen.push('object')}, {once: true})
    source.dispatchEvent(new EventSourceReconnectEvent(1, 50))
    source.removeEventListener('reconnect', second)
    source.dispatchEvent(new EventSourceReconnectEvent(2, 60))
    expect(seen).toEqual(['first true true 50', 'second', 'object', 'first true true 60'])
  })

  test('leaves an EventSource that is there alone', () => {
    function Native(): void {}
    const context = load(read(name), {EventSource: Native})
    expect(context['EventSource']).toBe(Native)
  })
})

test('package.json points unpkg and jsdelivr at the minified script-tag build', () => {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as Record<string, string>
  expect(pkg['unpkg']).toBe('./dist/streamsource.global.min.js')
  expect(pkg['jsdelivr']).toBe('./dist/streamsource.global.min.js')
})
