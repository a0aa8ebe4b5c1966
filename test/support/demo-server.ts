// The demo server (demo/server.mjs, what `npm start` runs) for the demo tests: started once per
// suite on a free port against the built dist/, closed after it.
import {afterAll, beforeAll} from 'vitest'
import {startDemoServer, type DemoServer, type DemoServerOptions} from '../../demo/server.mjs'
import {assertBuilt, distDir} from './paths.js'

/**
 * Registers a suite's demo server hooks: start before all (on a free port, serving dist/), close
 * after all. Returns the server, usable from the tests on (a property read before it started
 * throws). Call it before `useChromium()`, so the browser is gone before the server closes.
 */
export function useDemoServer(options: DemoServerOptions = {}): DemoServer {
  let server: DemoServer | undefined

  beforeAll(async () => {
    // The pages load the library from dist/: fail fast instead of waiting on a page that never loads it.
    assertBuilt()
    server = await startDemoServer({port: 0, distDir, ...options})
  })

  afterAll(async () => {
    await server?.close()
    server = undefined
  })

  return new Proxy({} as DemoServer, {
    get(_target, name) {
      if (!server) throw new Error('The demo server is not running: useDemoServer() starts it in beforeAll.')
      return Reflect.get(server, name)
    },
  })
}
