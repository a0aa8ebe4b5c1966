// Helpers shared by the EventSource benchmarks (bench/eventsource.mjs, bench/reconnect.mjs): loading the
// build, the loopback server in a child process, the idle wait, statistics and the plain-text table. They
// follow bench/parse.mjs, which keeps its own copies so that it stays a single self-contained file.
import {fork} from 'node:child_process'
import {existsSync, readdirSync, statSync} from 'node:fs'
import os from 'node:os'
import {dirname, join, relative, resolve} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'
import {setTimeout as sleep} from 'node:timers/promises'
import v8 from 'node:v8'
import vm from 'node:vm'

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')

const SETTLE_STEP_MS = 5
const SETTLE_IDLE_US = 500 // less CPU time than this in one step counts as idle
const SETTLE_MAX_MS = 250
const SERVER_START_MS = 30_000 // generating the corpora takes a second or two, more on a busy machine

/** Imports dist/index.js (or `modulePath`) and notes whether dist/ looks older than src/. */
export async function loadStreamsource(modulePath) {
  const file = resolve(modulePath ?? join(ROOT, 'dist', 'index.js'))
  if (!existsSync(file)) {
    const hint = modulePath === undefined ? ': run `npm run build` first (`npm run bench` does it)' : ''
    console.error(`bench: ${file} not found${hint}`)
    process.exit(1)
  }
  const module = await import(pathToFileURL(file).href)
  if (typeof module.EventSource !== 'function') {
    console.error(`bench: ${file} does not export EventSource`)
    process.exit(1)
  }
  const stale = modulePath === undefined && newestSourceTime() > statSync(file).mtimeMs
  return {EventSource: module.EventSource, label: relative(ROOT, file) || file, stale}
}

/** `npm run bench` only builds when dist/ is missing, so an older build would be measured silently. */
function newestSourceTime() {
  const src = join(ROOT, 'src')
  if (!existsSync(src)) return 0
  let newest = 0
  for (const name of readdirSync(src, {recursive: true})) {
    if (/\.[cm]?ts$/.test(name)) newest = Math.max(newest, statSync(join(src, name)).mtimeMs)
  }
  return newest
}

/**
 * gc(kind): 'minor' before each timed sample (a full gc() shrinks the young generation, and the sample
 * after it pays for growing it back; see bench/parse.mjs), 'full' before each heap reading.
 * Without --expose-gc the flag is set at run time; a context created afterwards has the gc() global.
 */
export function findGc() {
  let gc = globalThis.gc
  let how = '--expose-gc'
  if (typeof gc !== 'function') {
    try {
      v8.setFlagsFromString('--expose-gc')
      gc = vm.runInNewContext('gc')
      how = 'gc() enabled at run time'
    } catch {
      gc = undefined
    }
  }
  if (typeof gc !== 'function') return {gc: undefined, how: 'none (gc() unavailable)'}
  return {gc: (kind) => (kind === 'minor' ? gc({type: 'minor'}) : gc()), how}
}

/**
 * Sleeps until the process is idle: until V8 has finished the garbage collection the last run started
 * (on helper threads and in tasks on the event loop), so that the CPU time of that work is billed to the
 * run that caused it and not to the next contestant.
 */
export async function settle() {
  for (let waited = 0; waited < SETTLE_MAX_MS; waited += SETTLE_STEP_MS) {
    const before = process.cpuUsage()
    await sleep(SETTLE_STEP_MS)
    const used = process.cpuUsage(before)
    if (used.user + used.system < SETTLE_IDLE_US) return
  }
}

/**
 * Starts bench/sse-server.mjs in a child process and resolves when it listens, with its port and the
 * corpora it serves. The server runs in its own process so that its CPU time is not the client's.
 * The child goes when this process exits, however it exits: killed here on 'exit' (and on SIGINT and
 * SIGTERM, which would otherwise skip 'exit'), and it exits by itself when the IPC channel closes, which
 * covers SIGKILL.
 */
export function startServer(args = []) {
  const child = fork(join(ROOT, 'bench', 'sse-server.mjs'), args, {stdio: ['ignore', 'ignore', 'inherit', 'ipc']})
  const kill = () => child.kill()
  process.once('exit', kill)
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      kill()
      process.exit(130)
    })
  }
  const pending = new Map()
  let nextId = 1
  let stopping = false
  let ready
  const started = new Promise((resolve, reject) => {
    ready = resolve
    const timer = setTimeout(() => reject(new Error('the loopback server did not start in time')), SERVER_START_MS)
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      reject(new Error(`the loopback server exited (${signal ?? code})`))
    })
    child.once('message', () => clearTimeout(timer))
  })
  child.on('message', (message) => {
    if (message.type === 'ready') ready(message)
    else pending.get(message.id)?.(message)
  })
  // The server is only ever expected to exit when told to: anything else ends the benchmark.
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`bench: the loopback server exited unexpectedly (${signal ?? code})`)
      process.exit(1)
    }
  })
  return started.then(({port, corpora}) => ({
    origin: `http://127.0.0.1:${port}`,
    corpora,
    /** Asks the server for its counters: {requests, connections, openConnections}. */
    stats() {
      const id = nextId++
      return new Promise((resolve) => {
        pending.set(id, (message) => {
          pending.delete(id)
          resolve(message.stats)
        })
        child.send({type: 'stats', id})
      })
    },
    stop() {
      stopping = true
      process.off('exit', kill)
      child.kill()
    },
  }))
}

/** Progress goes to stderr, so that --json output stays clean. On a terminal, one line is rewritten. */
export function progress(message) {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${message}`)
  else if (message && !message.startsWith(' ')) process.stderr.write(`${message}\n`)
}

export function quantile(sorted, q) {
  const position = (sorted.length - 1) * q
  const low = Math.floor(position)
  const high = Math.ceil(position)
  return sorted[low] + (sorted[high] - sorted[low]) * (position - low)
}

export const median = (values) => quantile([...values].sort((a, b) => a - b), 0.5)

/** Half the interquartile range relative to the median: the noise of a set of samples. */
export function spread(values) {
  const sorted = [...values].sort((a, b) => a - b)
  return (quantile(sorted, 0.75) - quantile(sorted, 0.25)) / 2 / quantile(sorted, 0.5)
}

/** Left-aligns the first column and right-aligns the rest. */
export function table(rows) {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => String(row[column]).length)))
  const align = (cell, column) =>
    column === 0 ? String(cell).padEnd(widths[column]) : String(cell).padStart(widths[column])
  return rows.map((row) => row.map(align).join('  ').trimEnd()).join('\n')
}

export const times = (value) => `${value.toFixed(2)}x`
export const goalStatus = (met) => (met ? 'goal met' : 'goal MISSED')

export function machine() {
  const cpus = os.cpus()
  return {
    node: process.version,
    date: new Date().toISOString(),
    platform: `${process.platform} ${process.arch}`,
    cpu: `${cpus.length} x ${cpus[0]?.model ?? 'unknown'}`,
    loadAverage: os.loadavg()[0],
  }
}
