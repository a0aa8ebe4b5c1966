// What a bundler keeps of the package: an app that imports only the parser must not carry the
// EventSource, and the polyfill must survive though nothing is imported from it. The apps are
// bundled by esbuild from the built package, resolved as an app resolves it (`exports`,
// `sideEffects`), and from src/ for a check that does not depend on the build. The command line
// (dist/cli.js) is in none of them.
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {build} from 'esbuild'
import {beforeAll, describe, expect, test} from 'vitest'
import {assertBuilt, repoRoot} from './support/paths.js'

/** Strings only the EventSource code holds: its Accept header and its `error` event class. */
const eventSourceMarkers = ['text/event-stream', 'EventTarget', 'last-event-id']
/** Only EventSourceParserStream uses TransformStream. */
const streamMarker = 'TransformStream'

/** `app` bundled and minified, as a browser app would ship it. */
async function bundle(app: string): Promise<string> {
  const result = await build({
    stdin: {contents: app, resolveDir: repoRoot, loader: 'ts', sourcefile: 'app.ts'},
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  })
  return result.outputFiles[0]!.text
}

function eventSourceMarkersIn(code: string): string[] {
  return eventSourceMarkers.filter((marker) => code.includes(marker))
}

describe.each([
  ['the built package', 'streamsource'],
  ['the sources', './src/index.ts'],
])('bundling %s', (name, specifier) => {
  beforeAll(() => {
    if (name === 'the built package') assertBuilt()
  })

  test('the markers are there when EventSource is imported', async () => {
    // Without this, a marker that no longer occurs anywhere would make the tests below pass vacuously.
    const code = await bundle(`export {EventSource} from '${specifier}'`)
    expect(eventSourceMarkersIn(code)).toEqual(eventSourceMarkers)
    expect(code).not.toContain(streamMarker)
  })

  test('createParser alone carries no EventSource code', async () => {
    const code = await bundle(`export {createParser} from '${specifier}'`)
    expect(eventSourceMarkersIn(code)).toEqual([])
    expect(code).not.toContain(streamMarker)
    expect(code).toContain('max-buffer-size-exceeded')
  })

  test('EventSourceParserStream alone carries no EventSource code', async () => {
    const code = await bundle(`export {EventSourceParserStream} from '${specifier}'`)
    expect(eventSourceMarkersIn(code)).toEqual([])
    expect(code).toContain(streamMarker)
  })

  test('an import for nothing but its side effects keeps nothing', async () => {
    expect(await bundle(`import '${specifier}'`)).toBe('')
  })
})

describe('the polyfill entry', () => {
  beforeAll(() => assertBuilt())

  test('is kept for its side effect, with the EventSource it installs', async () => {
    const code = await bundle(`import 'streamsource/polyfill'`)
    expect(code).toMatch(/defineProperty\(globalThis,\s*"EventSource"/)
    expect(eventSourceMarkersIn(code)).toEqual(eventSourceMarkers)
    expect(code).not.toContain(streamMarker)
  })
})

describe('the command line (package.json `bin`, dist/cli.js)', () => {
  beforeAll(() => assertBuilt())

  test('is in no bundle: neither the whole root nor the polyfill carries any of it', async () => {
    for (const app of [`export * from 'streamsource'`, `import 'streamsource/polyfill'`, `export * from 'streamsource/react'`]) {
      const code = await bundle(app)
      expect(code).not.toContain('curl for Server-Sent Events')
      expect(code).not.toContain('parseArgs')
    }
  })

  test('is not importable through `exports`, and imports the Node build beside it rather than a copy of the library', async () => {
    await expect(bundle(`import 'streamsource/dist/cli.js'`)).rejects.toThrow()
    const cli = readFileSync(join(repoRoot, 'dist', 'cli.js'), 'utf8')
    expect(cli).toMatch(/^import \{[^}]*\bEventSource\b[^}]*\} from '\.\/node\/index\.js';$/m)
    expect(cli).not.toMatch(/^class EventSource\b/m)
  })
})
