// Every browser build under `Content-Security-Policy: script-src 'self'` (no inline script, no
// eval, no code generation), in one engine: an app bundled by esbuild from the ES module build,
// and the ES5 script-tag build in a modern page, each streaming, and `createEventSource` giving the
// browser's class for plain options and the library's once headers are asked for. (The polyfill
// entry in a page without EventSource, under the same policy: polyfill.test.ts; the script-tag
// build in a page without modern APIs: differential/legacy-suite.ts.)
// csp-builds.test.ts registers it for Chromium, csp-builds-<engine>.test.ts for the other engines.
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {build} from 'esbuild'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {engineLabels, useEngine, type EngineName} from '../../support/engines.js'
import {assertBuilt, distDir} from '../../support/paths.js'
import {serveDirectory, servePage, startServer, startSse, STRICT_CSP as CSP, type Handler, type TestServer} from '../../support/sse-server.js'

const legacyDir = fileURLToPath(new URL('../legacy/', import.meta.url))

interface Collected {
  events: string[]
  isLibrary: boolean
  isNative: boolean
}

declare global {
  interface Window {
    app?: {collect(url: string, how: 'new' | 'create', init?: Record<string, unknown>): Promise<Collected>}
    cspViolations?: string[]
  }
}

function page(head: string): Handler {
  return servePage('streamsource under CSP', head, '<p>Driven by test/browser/suites/csp-builds.ts.</p>')
}

export function registerCspBuildsSuite(engine: EngineName): void {
  describe(`the builds under a strict CSP, in ${engineLabels[engine]}`, {timeout: 30_000}, () => {
    let server: TestServer

    beforeAll(async () => {
      assertBuilt()
      // What an app's bundler does with the package's ES module build.
      const bundled = await build({
        stdin: {
          contents: `import {EventSource, createEventSource} from ${JSON.stringify(join(distDir, 'index.js'))}
  window.app = window.createApp({EventSource, createEventSource})
  document.documentElement.dataset.ready = 'true'
  `,
          resolveDir: distDir,
          loader: 'js',
        },
        bundle: true,
        minify: true,
        format: 'esm',
        platform: 'browser',
        write: false,
        logLevel: 'silent',
      })
      const bundle = bundled.outputFiles[0]!.text
      server = await startServer({
        'GET /esm': page('<script src="/legacy/csp-app.js"></script>\n<script type="module" src="/app.js"></script>'),
        'GET /global': page(
          '<script src="/dist/streamsource.global.min.js"></script>\n<script src="/legacy/csp-app.js"></script>\n<script src="/legacy/csp-global.js"></script>',
        ),
        'GET /app.js': (_req, res) => {
          res.writeHead(200, {'Content-Type': 'text/javascript; charset=utf-8'})
          res.end(bundle)
        },
        'GET /legacy/*': serveDirectory(legacyDir, '/legacy/'),
        'GET /dist/*': serveDirectory(distDir, '/dist/'),
        'GET /events': async (_req, res, {url}) => {
          const stream = startSse(res)
          await stream.send({data: `${url.searchParams.get('run')} one`})
          await stream.send({data: `${url.searchParams.get('run')} two`})
        },
      })
    })
    const browser = useEngine(engine)

    afterAll(async () => {
      await server?.close()
    })

    for (const [name, path] of [
      ['an app bundled from the ES module build', '/esm'],
      ['the ES5 script-tag build', '/global'],
    ] as const) {
      test(`${name}: streams, and createEventSource is native for plain options, the library's with headers`, async () => {
        const page = await browser.openPage(new URL(path, server.url).href, {
          csp: CSP,
          ready: () => document.documentElement.dataset['ready'] === 'true',
        })
        await page.evaluate(() => {
          window.cspViolations = []
          document.addEventListener('securitypolicyviolation', (event) => window.cspViolations!.push(event.blockedURI))
        }, null)
        const collect = (run: string, how: 'new' | 'create', init?: Record<string, unknown>) =>
          page.evaluate(([url, how, init]) => window.app!.collect(url, how, init), [`/events?run=${run}`, how, init] as const)
        const headers = {headers: {'X-Token': 'abc'}}
        expect(await collect('new', 'new')).toEqual({events: ['new one', 'new two'], isLibrary: true, isNative: false})
        expect(await collect('plain', 'create')).toEqual({events: ['plain one', 'plain two'], isLibrary: false, isNative: true})
        expect(await collect('credentials', 'create', {withCredentials: true})).toMatchObject({isNative: true})
        expect(await collect('headers', 'create', headers)).toEqual({events: ['headers one', 'headers two'], isLibrary: true, isNative: false})
        const tokens = server.requests.filter((request) => request.url === '/events?run=headers').map((request) => request.headers['x-token'])
        expect(tokens.at(-1)).toBe('abc')
        expect(await page.evaluate(() => window.cspViolations, null)).toEqual([])
        expect(page.errors).toEqual([])
      })
    }
  })
}
