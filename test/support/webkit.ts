// Real WebKit for the browser tests: WebKitGTK's MiniBrowser, driven over WebDriver (Debian's
// `webkit2gtk-driver`, i.e. WebKitWebDriver) with selenium-webdriver. MiniBrowser has no headless
// mode, so it draws into an Xvfb display this module starts. Nothing is downloaded: the binaries
// are Debian's (scripts/webkit-path.mjs finds them; `node scripts/ensure.mjs --browser` installs them).
//
// One context (a newPage()) is one WebDriver session, which is one WebKitWebDriver and one
// MiniBrowser process tree: a WebKitWebDriver serves a single session (a second one on the same
// driver takes the first one's browser away), and a session's MiniBrowser is a fresh, ephemeral
// browser, so a page shares no cookies or cache with another. The page's openTab() opens another
// window of the same MiniBrowser, which shares them (and Web Locks, BroadcastChannels and
// SharedWorkers); the windows' commands take turns (see WebKitBrowser).
//
// What WebDriver classic cannot do, and so what this page cannot either (compared with Playwright):
// - goto() cannot see the document's response: it resolves with {}.
// - Nothing runs before the page's own scripts, so `errors` misses what a page reports while it
//   loads (a CSP violation in the markup, an exception in a page script): the collector is
//   installed right after goto() resolves, and sees what happens from then on. It also sees only
//   the top document (not frames), and console.error calls made through a reference the page took
//   before. `errors` is brought up to date by every goto(), evaluate() and waitFor() (they bring
//   the page's new entries back with their result), not at the moment the page reports.
// - The driver's scripts need the page's global `Promise`: a page that deletes it must be driven
//   from a parent frame of the same origin (as test/browser/legacy/host.js does).
// - addCookie() needs a document of the cookie's host (a WebDriver rule): on another host it
//   navigates to a blank page of this module's own on that host, which only works for 127.0.0.1
//   and localhost, and leaves the page at about:blank.
import {spawn, type ChildProcess, type SpawnOptions} from 'node:child_process'
import {createServer as createHttpServer, type Server} from 'node:http'
import {createServer as createNetServer, type AddressInfo, type Socket} from 'node:net'
import {Builder, type WebDriver} from 'selenium-webdriver'
// The engine-neutral page interface this driver implements.
import type {EngineName, EnginePage, EngineSession} from './engines.js'

export type {EngineName, EnginePage, EngineSession}

// --- Finding the binaries ------------------------------------------------------------------

interface WebKitPathModule {
  findWebKitDriver(): string | undefined
  findMiniBrowser(): string | undefined
  findXvfb(): string | undefined
}

/** scripts/webkit-path.mjs, the lookup the project's setup (scripts/ensure.mjs) uses too. */
async function webkitPaths(): Promise<{driver: string; miniBrowser: string; xvfb: string}> {
  // A computed specifier, because the untyped .mjs has no declaration file for TypeScript.
  const specifier = new URL('../../scripts/webkit-path.mjs', import.meta.url).href
  const module = (await import(specifier)) as WebKitPathModule
  const driver = module.findWebKitDriver()
  const miniBrowser = module.findMiniBrowser()
  const xvfb = module.findXvfb()
  if (driver === undefined || miniBrowser === undefined || xvfb === undefined) {
    const missing = [driver ?? 'WebKitWebDriver ($WEBKIT_DRIVER_PATH)', miniBrowser ?? 'MiniBrowser ($WEBKIT_MINIBROWSER_PATH)', xvfb ?? 'Xvfb']
    throw new Error(
      `No WebKit for the browser tests: missing ${missing.filter((entry) => !entry.startsWith('/')).join(', ')}. ` +
        'Install Debian\'s webkit2gtk-driver and xvfb (node scripts/ensure.mjs --browser does).',
    )
  }
  return {driver, miniBrowser, xvfb}
}

// --- Processes that cannot outlive the tests -------------------------------------------------

/**
 * Kills the process group given as $1 unless told `done` on stdin first. It reads a line from a
 * pipe only this Node process holds: when Node dies in any way (a SIGKILL from the test runner
 * included, where no `exit` handler runs), `read` gets end-of-file and the group dies with it.
 */
const WATCHDOG = 'read -r line; [ "$line" = done ] || [ -z "$1" ] || kill -s KILL -- "-$1" 2>/dev/null'

/** A child in a process group of its own (with everything it starts), and its watchdog. */
class ProcessGroup {
  readonly exited: Promise<void>
  #watchdog: ChildProcess
  #stopped: Promise<void> | undefined
  /** The last few kilobytes the process wrote to stderr, for error messages. */
  stderr = ''

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    this.exited = new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve()
      child.once('exit', () => resolve())
      // A spawn that failed (EACCES, say) emits `error` and never `exit`.
      child.once('error', (error) => {
        this.stderr += `${name} could not run: ${error.message}`
        resolve()
      })
    })
    child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-4000)
    })
    this.#watchdog = spawn('sh', ['-c', WATCHDOG, 'webkit-watchdog', String(child.pid ?? '')], {
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
    })
    // Neither keeps the tests' process alive: an unclosed session is cleaned up by the `exit`
    // handler below, or by the watchdog.
    this.#watchdog.on('error', () => undefined)
    this.#watchdog.unref()
    ;(this.#watchdog.stdin as Socket | null)?.unref()
    child.unref()
    for (const stream of [child.stderr, child.stdout, ...child.stdio.slice(3)]) (stream as Socket | null)?.unref?.()
    live.add(this)
    registerExitHandler()
  }

  get running(): boolean {
    return this.child.pid !== undefined && this.child.exitCode === null && this.child.signalCode === null
  }

  /** Signals the whole group (no error if it is gone already). */
  signal(signal: NodeJS.Signals): void {
    if (this.child.pid === undefined) return
    try {
      process.kill(-this.child.pid, signal)
    } catch {
      // ESRCH: nothing of the group is left.
    }
  }

  /** SIGTERM to the group, SIGKILL after `graceMs` if the leader is still there; then retires the watchdog. */
  stop(graceMs = 3000): Promise<void> {
    // Memoised: a second caller (a page's close() and the session's) waits for the same end.
    this.#stopped ??= this.#stop(graceMs)
    return this.#stopped
  }

  async #stop(graceMs: number): Promise<void> {
    this.signal('SIGTERM')
    let timer: NodeJS.Timeout | undefined
    const graced = await Promise.race([
      this.exited.then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), graceMs))),
    ])
    clearTimeout(timer)
    // The leader gone, children it started (MiniBrowser's web processes) may still be in the group.
    this.signal('SIGKILL')
    if (!graced) await this.exited
    this.#watchdog.stdin?.end('done\n')
    live.delete(this)
  }
}

const live = new Set<ProcessGroup>()
let exitHandlerRegistered = false

function registerExitHandler(): void {
  if (exitHandlerRegistered) return
  exitHandlerRegistered = true
  // Synchronous, as `exit` handlers must be: whatever a test forgot to close dies with the process.
  process.once('exit', () => {
    for (const group of live) group.signal('SIGKILL')
  })
}

function spawnGroup(name: string, command: string, args: string[], options: SpawnOptions): ProcessGroup {
  // detached: a process group of its own, so that one signal reaches everything it started.
  return new ProcessGroup(name, spawn(command, args, {...options, detached: true}))
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_resolve, reject) => (timer = setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms))),
    ])
  } finally {
    clearTimeout(timer)
  }
}

// --- Xvfb and WebKitWebDriver ----------------------------------------------------------------

/** Starts Xvfb on a display it picks itself (-displayfd: no race with another Xvfb for a number). */
async function startXvfb(xvfb: string): Promise<{group: ProcessGroup; display: string}> {
  const group = spawnGroup('Xvfb', xvfb, ['-displayfd', '3', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
  })
  const fd = group.child.stdio[3] as Socket
  try {
    // Xvfb writes the display number once it accepts clients.
    const display = await withTimeout(
      new Promise<string>((resolve, reject) => {
        let text = ''
        fd.on('data', (chunk: Buffer) => {
          text += chunk.toString()
          if (text.includes('\n')) resolve(`:${text.trim()}`)
        })
        void group.exited.then(() => reject(new Error(`Xvfb exited at start: ${group.stderr.trim()}`)))
      }),
      15_000,
      'Starting Xvfb',
    )
    fd.destroy()
    return {group, display}
  } catch (error) {
    await group.stop()
    throw error
  }
}

/** A port nothing listens on now (WebKitWebDriver takes a port number, not 0). */
async function freePort(): Promise<number> {
  const server = createNetServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

/** Starts a WebKitWebDriver and resolves once it answers /status. */
async function startDriver(driver: string, display: string): Promise<{group: ProcessGroup; url: string}> {
  const env: NodeJS.ProcessEnv = {...process.env, DISPLAY: display, GDK_BACKEND: 'x11', NO_AT_BRIDGE: '1'}
  // A Wayland display of the machine running the tests would take MiniBrowser away from Xvfb.
  delete env['WAYLAND_DISPLAY']
  let lastError: unknown
  // Another process may take the port between freePort() and the driver's bind: try a few.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort()
    const url = `http://127.0.0.1:${port}`
    const group = spawnGroup('WebKitWebDriver', driver, [`--port=${port}`], {env, stdio: ['ignore', 'ignore', 'pipe']})
    const deadline = Date.now() + 15_000
    while (group.running && Date.now() < deadline) {
      const ready = await fetch(`${url}/status`).then(
        (response) => response.ok,
        () => false,
      )
      if (ready) return {group, url}
      await delay(50)
    }
    lastError = new Error(`WebKitWebDriver on port ${port} did not start: ${group.stderr.trim() || 'no answer to /status'}`)
    await group.stop()
  }
  throw lastError
}

// --- The page --------------------------------------------------------------------------------

/**
 * Installed in each document goto() lands on (once: goto() of the same document again is a
 * no-op): records what Chromium's Playwright pages report as `console.error:` and `uncaught:`
 * entries, plus unhandled rejections and CSP violations, which WebKit only logs to its console.
 */
const COLLECTOR = `
if (!window.__engineErrors) {
  const errors = (window.__engineErrors = [])
  const describe = (value) => (value instanceof Error ? value.message : String(value))
  window.addEventListener('error', (event) => errors.push('uncaught: ' + (event.error === undefined || event.error === null ? event.message : describe(event.error))))
  window.addEventListener('unhandledrejection', (event) => errors.push('unhandled rejection: ' + describe(event.reason)))
  document.addEventListener('securitypolicyviolation', (event) =>
    errors.push('csp: ' + event.effectiveDirective + ' blocked ' + (event.blockedURI || 'inline') + ' (' + event.sourceFile + ':' + event.lineNumber + ')'))
  const original = console.error
  console.error = function (...args) {
    errors.push('console.error: ' + args.map((arg) => (typeof arg === 'string' ? arg : describe(arg))).join(' '))
    return original.apply(this, args)
  }
}`

/** The page side of evaluate() and waitFor(): what they resolve with, and the errors since the last call. */
interface Reply {
  errors?: string[]
  /** JSON of the result; absent for `undefined`. */
  json?: string | null
  thrown?: string
  timedOut?: boolean
}

/** Takes the collector's entries (none where it is not installed, e.g. about:blank). */
const DRAIN = `const drain = () => (window.__engineErrors ? window.__engineErrors.splice(0) : [])`
const DESCRIBE = `const describe = (error) => (error instanceof Error ? error.name + ': ' + error.message + '\\n' + (error.stack || '') : String(error))`

function evaluateScript(source: string): string {
  // The function's source becomes part of the script, which WebDriver runs as its own code: no
  // eval() in the page, so `script-src 'self'` (no 'unsafe-eval') does not stop it.
  return `const done = arguments[arguments.length - 1]
${DRAIN}
${DESCRIBE}
let result
try {
  result = (${source})(arguments[0] === null ? undefined : JSON.parse(arguments[0]))
} catch (error) {
  done({errors: drain(), thrown: describe(error)})
  return
}
Promise.resolve(result).then(
  (value) => done({errors: drain(), json: value === undefined ? null : JSON.stringify(value)}),
  (error) => done({errors: drain(), thrown: describe(error)}),
)`
}

function waitForScript(source: string): string {
  // Polled in the page: one WebDriver round trip per wait, not one per poll.
  return `const done = arguments[arguments.length - 1]
${DRAIN}
${DESCRIBE}
const deadline = Date.now() + arguments[0]
const poll = () => {
  let value
  try {
    value = (${source})()
  } catch (error) {
    done({errors: drain(), thrown: describe(error)})
    return
  }
  if (value) done({errors: drain()})
  else if (Date.now() >= deadline) done({errors: drain(), timedOut: true})
  else setTimeout(poll, 20)
}
poll()`
}

/** A page of nothing, on 127.0.0.1 and localhost, for addCookie() to stand on. */
async function startLandingServer(): Promise<{server: Server; port: number}> {
  const server = createHttpServer((_req, res) => {
    res.writeHead(200, {'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store'})
    res.end('<!doctype html><title>cookie landing</title>')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {server, port: (server.address() as AddressInfo).port}
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost'])

/**
 * One MiniBrowser, driven by one WebDriver session, and its windows: the pages of one context. A
 * WebDriver command acts on the session's current window, which a command for another window
 * would change under it, so each page's commands run one at a time (switching to the page's
 * window first, when another was current): a page's long waitFor() holds up the other windows'
 * commands until it is done, though not the pages themselves, which go on running.
 */
class WebKitBrowser {
  readonly windows = new Set<WebKitPage>()
  #queue: Promise<unknown> = Promise.resolve()
  /** The window the session's commands act on; unknown after a window was closed. */
  #current: string | undefined
  #quitting: Promise<void> | undefined

  constructor(
    readonly driver: WebDriver,
    readonly group: ProcessGroup,
    readonly landingPort: number,
    readonly onQuit: () => void,
  ) {}

  /** The first window, current since the session started. */
  async firstWindow(): Promise<WebKitPage> {
    const handle = await this.driver.getWindowHandle()
    this.#current = handle
    return new WebKitPage(this, handle)
  }

  /** Another window of this browser (a top-level window, not a tab: one behind another would be hidden). */
  newWindow(): Promise<WebKitPage> {
    return this.#serial(async () => {
      await this.driver.switchTo().newWindow('window')
      this.#current = await this.driver.getWindowHandle()
      return new WebKitPage(this, this.#current)
    })
  }

  /** Runs `action` with `handle`'s window current, after every command queued before it. */
  in<T>(handle: string, action: () => Promise<T>): Promise<T> {
    return this.#serial(async () => {
      if (this.#current !== handle) {
        await this.driver.switchTo().window(handle)
        this.#current = handle
      }
      return action()
    })
  }

  /** Closes one window; the last one quits the browser. */
  async closeWindow(page: WebKitPage): Promise<void> {
    if (!this.windows.delete(page)) return
    if (this.windows.size === 0) return this.quit()
    await this.in(page.handle, async () => {
      await this.driver.close()
      this.#current = undefined
    })
  }

  /** Quits the browser, once the commands queued before have run (the other windows' close() among them). */
  quit(): Promise<void> {
    if (this.#quitting) return this.#quitting
    this.windows.clear()
    this.onQuit()
    this.#quitting = this.#serial(async () => {
      // Quitting lets MiniBrowser end its web and network processes itself; the group is stopped
      // either way, in case it did not.
      await withTimeout(this.driver.quit(), 5000, 'Quitting the WebDriver session').catch(() => undefined)
      await this.group.stop()
    })
    return this.#quitting
  }

  #serial<T>(action: () => Promise<T>): Promise<T> {
    const result = this.#queue.then(action)
    this.#queue = result.catch(() => undefined)
    return result
  }
}

class WebKitPage implements EnginePage {
  readonly engine = 'webkit'
  readonly errors: string[] = []

  constructor(
    readonly browser: WebKitBrowser,
    readonly handle: string,
  ) {
    browser.windows.add(this)
  }

  goto(url: string): Promise<Record<string, string>> {
    return this.browser.in(this.handle, async () => {
      const driver = this.browser.driver
      await driver.get(url)
      // about:blank and the like have no window worth watching (and no document to navigate from).
      if (/^https?:/.test(url)) {
        await driver.executeScript(COLLECTOR).catch((error: unknown) => {
          // A page without `Promise` cannot run the driver's scripts at all (see the top of this
          // file): it is driven from a parent frame, and its errors are not collected.
          if (!(error instanceof Error && /\bPromise\b/.test(error.message))) throw error
        })
      }
      return {}
    })
  }

  async evaluate<A, R>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R> {
    const reply = await this.browser.in(this.handle, () =>
      this.browser.driver.executeAsyncScript<Reply>(evaluateScript(fn.toString()), arg === undefined ? null : JSON.stringify(arg)),
    )
    this.#take(reply)
    if (reply.thrown !== undefined) throw new Error(`evaluate() threw in WebKit: ${reply.thrown}`)
    return (typeof reply.json === 'string' ? JSON.parse(reply.json) : undefined) as R
  }

  async waitFor(fn: () => unknown, timeoutMs = 15_000): Promise<void> {
    const reply = await this.browser.in(this.handle, () => this.browser.driver.executeAsyncScript<Reply>(waitForScript(fn.toString()), timeoutMs))
    this.#take(reply)
    if (reply.thrown !== undefined) throw new Error(`waitFor() threw in WebKit: ${reply.thrown}`)
    if (reply.timedOut) throw new Error(`waitFor() timed out after ${timeoutMs} ms in WebKit: ${fn.toString()}`)
  }

  addCookie({name, value, domain}: {name: string; value: string; domain: string}): Promise<void> {
    return this.browser.in(this.handle, async () => {
      const driver = this.browser.driver
      const current = new URL(await driver.getCurrentUrl())
      if (current.hostname === domain) {
        await driver.manage().addCookie({name, value, domain, path: '/'})
        return
      }
      if (!LOOPBACK_HOSTS.has(domain)) {
        throw new Error(`addCookie() in WebKit needs a page on ${domain} first (a WebDriver rule): go there, then add the cookie`)
      }
      // Cookies do not depend on the port: one set on this page of ours holds for the tests' servers.
      await driver.get(`http://${domain}:${this.browser.landingPort}/`)
      await driver.manage().addCookie({name, value, domain, path: '/'})
      await driver.get('about:blank')
    })
  }

  /** Another window of this page's MiniBrowser: one WebDriver session, one ephemeral profile. */
  openTab(): Promise<EnginePage> {
    return this.browser.newWindow()
  }

  close(): Promise<void> {
    return this.browser.closeWindow(this)
  }

  #take(reply: Reply): void {
    if (reply.errors !== undefined) this.errors.push(...reply.errors)
  }
}

export interface WebKitSession extends EngineSession {
  /** The process groups this session started (Xvfb's, and each page's driver and browser), by id, for tests that check nothing outlives close(). */
  processGroups(): number[]
}

/**
 * Starts Xvfb; each newPage() then starts a WebKitWebDriver and a MiniBrowser of its own.
 * close() ends every page and Xvfb; whatever is not closed dies with the tests' process.
 */
export async function launchWebKit(): Promise<WebKitSession> {
  const paths = await webkitPaths()
  const [{group: xvfb, display}, landing] = await Promise.all([startXvfb(paths.xvfb), startLandingServer()])
  const browsers = new Set<WebKitBrowser>()
  const groups: ProcessGroup[] = [xvfb]
  let closed = false

  return {
    engine: 'webkit',
    async newPage() {
      if (closed) throw new Error('This WebKit session is closed')
      const {group, url} = await startDriver(paths.driver, display)
      groups.push(group)
      try {
        const driver = await withTimeout(
          new Builder()
            .usingServer(url)
            .withCapabilities({
              browserName: 'MiniBrowser',
              'webkitgtk:browserOptions': {binary: paths.miniBrowser, args: ['--automation']},
            })
            .build(),
          30_000,
          'Starting MiniBrowser',
        )
        // evaluate() and waitFor() bound themselves (a scenario, a poll); WebDriver's 30 s default
        // would cut a long one short. Page loads are local and small.
        await driver.manage().setTimeouts({script: 10 * 60_000, pageLoad: 30_000})
        const browser: WebKitBrowser = new WebKitBrowser(driver, group, landing.port, () => browsers.delete(browser))
        const page = await browser.firstWindow()
        browsers.add(browser)
        return page
      } catch (error) {
        await group.stop()
        throw new Error(`${error instanceof Error ? error.message : String(error)}\nWebKitWebDriver said: ${group.stderr.trim()}`, {cause: error})
      }
    },
    processGroups: () => groups.flatMap((group) => (group.child.pid === undefined ? [] : [group.child.pid])),
    async close() {
      closed = true
      await Promise.allSettled([...browsers].map((browser) => browser.quit()))
      await xvfb.stop()
      landing.server.closeAllConnections()
      await new Promise((resolve) => landing.server.close(resolve))
    },
  }
}
