// Pages where the ES5 script-tag build (dist/streamsource.global.min.js) streams over its
// XMLHttpRequest transport, in real Chromium, each under `Content-Security-Policy: script-src 'self'`:
// - `legacy`: every modern API deleted first (test/browser/legacy/strip-modern.js), `Promise` and
//   `Response` too; Playwright needs `Promise`, so it is driven through a host page around it;
// - `no-response`: fetch, Request, Response, Headers and ReadableStream deleted, `Promise` kept;
// - `fetch-deleted`: only `fetch` deleted, so the build picks XMLHttpRequest in a modern page.
// Each page has `collect(url, options)` (legacy/collect.js), `errorResponse(url, read)`
// (legacy/error-response.js) and `transportCounts` (legacy/count-transports.js).
import {fileURLToPath} from 'node:url'
import type {ChromiumPages, WatchedPage} from './chromium.js'
import {distDir} from './paths.js'
import {serveDirectory, servePage, STRICT_CSP, type Routes} from './sse-server.js'

const legacyDir = fileURLToPath(new URL('../browser/legacy/', import.meta.url))

export type XhrPage = 'legacy' | 'no-response' | 'fetch-deleted'

/** What `collect()` resolves with (legacy/collect.js). */
export interface Collected {
  opens: number
  errors: {readyState: number; message: string}[]
  data: string[]
  ids: string[]
  readyStates: number[]
  reason: 'done' | 'failed' | 'timeout'
}

const scripts = (strip: string): string =>
  [
    `<script src="/legacy/strip-modern.js"${strip}></script>`,
    ...['/legacy/count-transports.js', '/dist/streamsource.global.min.js', '/legacy/error-response.js', '/legacy/collect.js'].map(
      (src) => `<script src="${src}"></script>`,
    ),
  ].join('\n')

/** The pages' routes, to spread into a test server's own. */
export const xhrPageRoutes: Routes = {
  'GET /xhr/legacy': servePage('legacy', scripts(''), ''),
  'GET /xhr/legacy-host': servePage('legacy host', '', '<iframe src="/xhr/legacy"></iframe><script src="/legacy/host.js"></script>'),
  'GET /xhr/no-response': servePage('no Response', scripts(' data-names="fetch Request Response Headers ReadableStream"'), ''),
  'GET /xhr/fetch-deleted': servePage('no fetch', scripts(' data-names="fetch"'), ''),
  'GET /legacy/*': serveDirectory(legacyDir, '/legacy/'),
  'GET /dist/*': serveDirectory(distDir, '/dist/'),
}

export interface XhrPageHandle {
  watched: WatchedPage
  /** Calls the page's `window[name](...args)` (in the stripped iframe for `legacy`) and awaits it. */
  call<T>(name: 'collect' | 'errorResponse', ...args: unknown[]): Promise<T>
  /** The page's requests by transport, as count-transports.js counted them. */
  transportCounts(): Promise<{xhr: number; fetch: number}>
}

export async function openXhrPage(pages: ChromiumPages, origin: string, kind: XhrPage): Promise<XhrPageHandle> {
  const watched = await pages.openPage(`${origin}/xhr/${kind === 'legacy' ? 'legacy-host' : kind}`, {
    csp: STRICT_CSP,
    ready: () => document.documentElement.dataset['ready'] === 'true',
  })
  type Win = Record<string, unknown> & {legacy?: () => Win}
  return {
    watched,
    call: (name, ...args) =>
      watched.page.evaluate(
        async ([name, args]) => {
          const win = window as unknown as Win
          const target = win.legacy ? win.legacy() : win
          return await (target[name] as (...given: unknown[]) => Promise<never>)(...args)
        },
        [name, args] as const,
      ),
    transportCounts: () =>
      watched.page.evaluate(() => {
        const win = window as unknown as Win
        return (win.legacy ? win.legacy() : win)['transportCounts'] as {xhr: number; fetch: number}
      }),
  }
}
