// The workerd smoke suite: test/runtimes/worker.mjs, bundled as wrangler would bundle it (esbuild,
// the `workerd`/`worker`/`browser` conditions: `streamsource` resolves to dist/index.js), runs in
// workerd (the binary of the npm package `workerd`, Cloudflare Workers' runtime), whose outbound
// fetch may reach loopback addresses only. One request to the Worker runs its scenarios against the
// local SSE servers; its JSON answer and the servers' records are checked here.
import {spawn, type ChildProcess} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {createServer, type Server} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import * as esbuild from 'esbuild'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {runtimePath} from '../scripts/runtime-paths.mjs'
import {startRuntimeServer} from './support/runtime-server.js'
import {root} from './support/runtimes.js'
import type {RecordedRequest, TestServer} from './support/sse-server.js'

/**
 * A date this workerd supports (it refuses dates after its own release). From about 2025-09-01 on
 * (the `strip_authorization_on_cross_origin_redirect` flag; 2025-08-15 still forwards it), workerd's
 * fetch drops `Authorization` on a cross-origin redirect, as the fetch standard says: the library
 * relies on that to keep the header at the origin the user named, so a Worker with an older date
 * sends it on (the redirect test fails there).
 */
const COMPATIBILITY_DATE = '2025-09-01'

/**
 * workerd's socket, listening before workerd starts: handed to it (`--socket-fd`), it takes the
 * connections queued on it once it is up, so a request can go out at once rather than be retried
 * until workerd listens. This process closes its copy once workerd has one, and accepts on it
 * never (no connection can arrive before: nothing knows the port yet).
 */
function listeningSocket(): Promise<{socket: Server; port: number}> {
  return new Promise((resolve, reject) => {
    const socket = createServer()
    socket.once('error', reject)
    socket.listen(0, '127.0.0.1', () => resolve({socket, port: (socket.address() as {port: number}).port}))
  })
}

/**
 * The config, in capnp text: the Worker on `port`, and its global fetch through a network service
 * that allows loopback addresses only (the implicit `internet` service allows public ones only).
 */
const config = (port: number) => `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    (name = "loopback", network = (allow = ["local"])),
  ],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "main")],
);

const worker :Workerd.Worker = (
  modules = [(name = "worker.js", esModule = embed "worker.js")],
  compatibilityDate = "${COMPATIBILITY_DATE}",
  globalOutbound = "loopback",
);
`

interface Outcome {
  ok: boolean
  value?: unknown
  error?: string
}

describe('workerd: the package in a Worker', () => {
  const servers: TestServer[] = []
  let dir: string | undefined
  let workerd: ChildProcess | undefined
  let log = ''
  let bundledFrom: string[] = []
  let results: Record<string, Outcome> = {}
  let setupError: unknown

  beforeAll(async () => {
    servers.push(await startRuntimeServer(), await startRuntimeServer())
    try {
      const {path} = runtimePath('workerd')
      dir = mkdtempSync(join(tmpdir(), 'streamsource-workerd-'))
      const built = await esbuild.build({
        entryPoints: [join(root, 'test/runtimes/worker.mjs')],
        bundle: true,
        format: 'esm',
        platform: 'neutral',
        conditions: ['workerd', 'worker', 'browser'],
        outfile: join(dir, 'worker.js'),
        metafile: true,
        logLevel: 'silent',
      })
      bundledFrom = Object.keys(built.metafile.inputs)
      const {socket, port} = await listeningSocket()
      writeFileSync(join(dir, 'config.capnp'), config(port))
      // The socket as workerd's fd 3. Node has no public way to name a server's fd: its handle's it is.
      const fd = (socket as unknown as {_handle: {fd: number}})._handle.fd
      workerd = spawn(path, ['serve', join(dir, 'config.capnp'), '--socket-fd', 'http=3'], {
        cwd: dir,
        stdio: ['ignore', 'pipe', 'pipe', fd],
      })
      socket.close()
      workerd.stdout!.on('data', (chunk: Buffer) => (log += chunk.toString()))
      workerd.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()))
      const exited = new Promise<never>((_, reject) =>
        workerd!.once('exit', (code, signal) => reject(new Error(`workerd exited (${code ?? signal}):\n${log}`))),
      )
      const url = `http://127.0.0.1:${port}/?base=${encodeURIComponent(servers[0]!.url)}&other=${encodeURIComponent(servers[1]!.url)}`
      // Queued on the socket until workerd takes it: no retry needed.
      const response = await Promise.race([fetch(url, {signal: AbortSignal.timeout(20_000)}), exited])
      results = (await response.json()) as Record<string, Outcome>
    } catch (error) {
      setupError = error
    }
  }, 60_000)

  afterAll(async () => {
    workerd?.kill('SIGKILL')
    await Promise.all(servers.map((server) => server.close()))
    if (dir) rmSync(dir, {recursive: true, force: true})
  })

  /** A scenario's value, or a failure with the Worker's error and workerd's log. */
  function value(name: string): any {
    if (setupError) throw setupError
    const outcome = results[name]
    if (!outcome) throw new Error(`no result for ${name}: ${JSON.stringify(results)}\n${log}`)
    if (!outcome.ok) throw new Error(`${name} failed in the Worker: ${outcome.error}\n${log}`)
    return outcome.value
  }

  /** The requests one server recorded for a scenario's key. */
  const requests = (server: TestServer, key: string): RecordedRequest[] =>
    server.requests.filter((request) => new URL(request.url, server.origin).searchParams.get('key') === key)

  test('the bundle takes dist/index.js for `streamsource`, as a Workers bundler resolves it', () => {
    if (setupError) throw setupError
    expect(bundledFrom.filter((input) => input.startsWith('dist/'))).toContain('dist/index.js')
    expect(bundledFrom.filter((input) => /dist\/node/.test(input))).toEqual([])
  })

  test('id, retry and a reconnect with Last-Event-ID, timers inside a request; each event once to a handler', () => {
    const {messages, errors, readyState, listenerCalls} = value('resume')
    expect(messages).toEqual([
      {data: 'first', lastEventId: '1', origin: servers[0]!.origin, isMessageEvent: true},
      {data: 'after 1', lastEventId: '2', origin: servers[0]!.origin, isMessageEvent: true},
    ])
    // Each event once, to the `onmessage` handler and to a listener: workerd's EventTarget calls
    // `on<type>` properties itself, which ran the handler twice (see src/eventsource/event-source-target.ts).
    expect(listenerCalls).toBe(2)
    expect(errors).toEqual([{willReconnect: true, delay: 50}])
    expect(readyState).toBe(2)
    expect(requests(servers[0]!, 'resume').map((request) => request.headers['last-event-id'])).toEqual([undefined, '1'])
  })

  test('a headers function and a POST body', () => {
    expect(value('post')).toEqual({method: 'POST', body: 'héllo', authorization: 'Bearer w'})
  })

  test('a 404 fails the source with an HTTPError and its response', () => {
    expect(value('status')).toEqual({
      readyState: 2,
      willReconnect: false,
      code: 404,
      httpError: true,
      status: 404,
      body: 'no such stream',
    })
    expect(requests(servers[0]!, 'status')).toHaveLength(1)
  })

  // Authorization only: workerd's fetch drops nothing else on a cross-origin redirect (the fetch
  // standard names only Authorization), so a Cookie or Proxy-Authorization header given to the
  // EventSource reaches the other origin there, unlike in Node, Deno and Bun (test/runtimes/suite.mjs).
  test('a redirect: reconnects ask the URL given, and Authorization stays at its origin', () => {
    const {messages} = value('redirect')
    expect(messages.map((message: {data: string; origin: string}) => [message.data, message.origin])).toEqual([
      ['connection 1', servers[1]!.origin],
      ['connection 2', servers[1]!.origin],
    ])
    const named = requests(servers[0]!, 'redirect')
    const other = requests(servers[1]!, 'redirect')
    expect(named.slice(0, 2).map((request) => [request.path, request.headers.authorization])).toEqual([
      ['/redirect', 'Bearer secret'],
      ['/redirect', 'Bearer secret'],
    ])
    expect(other.slice(0, 2).map((request) => [request.headers.authorization, request.headers['last-event-id']])).toEqual([
      [undefined, undefined],
      [undefined, '1'],
    ])
  })

  test('EventSourceParserStream on a fetch body cut inside characters', () => {
    expect(value('parserStream')).toEqual([{data: 'héllo €'}, {id: '5', data: 'ü😀'}, {data: '日本語'}])
  })

  test('createParser on one byte per chunk', () => {
    expect(value('parser')).toEqual([{id: '1', data: 'ü😀'}])
  })
})
