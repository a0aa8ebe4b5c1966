// Helpers shared by the benchmarks (bench/parse.mjs, bench/eventsource.mjs, bench/reconnect.mjs, and in
// parts bench/run.mjs and bench/sse-server.mjs), so that they parse options, load the build, measure,
// compute their statistics and print their reports the same way: the command line, loading dist/ (or
// --module) with the stale-build check, gc() and the CPU-time sampling, the loopback server in a child
// process, the seeded random numbers of the corpora, statistics and the plain-text report.
import {fork} from 'node:child_process'
import {existsSync, readdirSync, statSync} from 'node:fs'
import {createRequire} from 'node:module'
import os from 'node:os'
import {dirname, join, relative, resolve} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'
import {setTimeout as sleep} from 'node:timers/promises'
import {parseArgs} from 'node:util'
import v8 from 'node:v8'
import vm from 'node:vm'

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')

const SETTLE_STEP_MS = 5
const SETTLE_IDLE_US = 500 // less CPU time than this in one step counts as idle
const SETTLE_MAX_MS = 250
const SERVER_START_MS = 30_000 // generating the corpora takes a second or two, more on a busy machine

// ---------------------------------------------------------------------------------------------------------
// Command line

/** Prints `message` and the usage line and exits 2: every bad command line ends this way. */
export function usageError(message, usage) {
  console.error(`${message}\n${usage}`)
  process.exit(2)
}

// The options every benchmark takes, so that bench/run.mjs can pass them to all of them.
const SHARED_OPTIONS = {
  quick: {type: 'boolean', default: false},
  json: {type: 'boolean', default: false},
  module: {type: 'string'},
  help: {type: 'boolean', default: false},
}

/**
 * parseArgs() over --quick, --json, --module, --help and `options`. An unknown option or a positional
 * argument is a usage error; --help prints `usage` and exits 0.
 */
export function readArgs(options, usage) {
  let values
  try {
    ;({values} = parseArgs({options: {...SHARED_OPTIONS, ...options}}))
  } catch (error) {
    usageError(error.message, usage)
  }
  if (values.help) {
    console.log(usage)
    process.exit(0)
  }
  return values
}

/** The value of the string option --`name` as an integer of at least `min`; `fallback` when not given. */
export function integerOption(values, name, fallback, usage, min = 1) {
  const number = values[name] === undefined ? fallback : Number(values[name])
  if (!Number.isInteger(number) || number < min) {
    const what = min === 1 ? 'a positive integer' : `an integer of at least ${min}`
    usageError(`--${name} must be ${what}`, usage)
  }
  return number
}

// ---------------------------------------------------------------------------------------------------------
// The build under test

/**
 * Imports dist/node/index.js (or `modulePath`, from --module) and returns its exports (`name` must be one of
 * them), a label for the report, and whether dist/ looks older than src/. Exits 1 when the file or the export is missing.
 * dist/node/index.js is what `import 'streamsource'` gives in Node (package.json `exports`, condition `node`):
 * dist/index.js with Node's Buffer decoders installed for the parser.
 */
export async function loadStreamsource(modulePath, name = 'EventSource') {
  const file = resolve(modulePath ?? join(ROOT, 'dist', 'node', 'index.js'))
  if (!existsSync(file)) {
    const hint = modulePath === undefined ? ': run `npm run build` first (`npm run bench` does it)' : ''
    console.error(`bench: ${file} not found${hint}`)
    process.exit(1)
  }
  const module = await import(pathToFileURL(file).href)
  if (typeof module[name] !== 'function') {
    console.error(`bench: ${file} does not export ${name}`)
    process.exit(1)
  }
  const stale = modulePath === undefined && newestSourceTime() > statSync(file).mtimeMs
  // Every export: the iterator bench needs `messages` beside `EventSource`.
  return {...module, label: relative(ROOT, file) || file, stale}
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

/** The version of an installed package, for the report: the figures belong to that version. */
export const packageVersion = (name) => createRequire(import.meta.url)(`${name}/package.json`).version

// ---------------------------------------------------------------------------------------------------------
// Measuring

/**
 * gc(kind): 'minor' before each timed sample, so that no sample starts with another one's garbage in the
 * young generation; 'full' before each heap reading. A timed sample gets no full gc(): that also shrinks
 * the young generation, and the sample after it pays for growing it back (measured in bench/parse.mjs:
 * 2-7x slower samples, and far noisier ones). Without --expose-gc the flag is set at run time; a context
 * created afterwards has the gc() global. `gc` is undefined when neither works.
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

/** findGc() for a benchmark that reads the heap: without gc() its readings would be noise, so it exits. */
export function requireGc() {
  const found = findGc()
  if (found.gc === undefined) {
    console.error('bench: gc() is unavailable, so heap readings would be noise; run node with --expose-gc')
    process.exit(1)
  }
  return found
}

/**
 * Sleeps until the process is idle: until V8 has finished the garbage collection the last run started
 * (on helper threads and in tasks it posts to the event loop), so that the CPU time of that work is
 * billed to the run that caused it and not to the next contestant. Without it, eventsource-parser left
 * 15-70 ms of GC behind on bench/parse.mjs's 10mb-line, and the floor run after it measured 13-14x its
 * 1mb-line time.
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
 * Times `work` on both clocks, after a minor gc(). `work` returns (or resolves with) {result, wallEnd}:
 * the wall clock stops at `wallEnd` (a process.hrtime.bigint() reading), the CPU time of the whole process
 * (user + system, all threads) once it is idle again after settle(), so that it includes the GC work the
 * run left behind. `ns` is the one of the two that `clock` ('cpu' or 'wall') names.
 */
export async function measure(gc, clock, work) {
  gc?.('minor')
  const cpuStart = process.cpuUsage()
  const wallStart = process.hrtime.bigint()
  const {result, wallEnd} = await work()
  await settle()
  const cpu = process.cpuUsage(cpuStart)
  const wallNs = Number(wallEnd - wallStart)
  const cpuNs = (cpu.user + cpu.system) * 1e3
  return {ns: clock === 'wall' ? wallNs : cpuNs, wallNs, cpuNs, result}
}

/**
 * `list` rotated left by `by`: round r of the timed rounds runs the contestants in this order (A B C D,
 * B C D A, ...), so that slow spells of a shared machine spread over all contestants.
 */
export const rotated = (list, by) => list.map((_, i) => list[(i + by) % list.length])

/** Ends a benchmark whose contestants did not all do the same work: its figures would mislead. */
export function fail(message) {
  progress('')
  console.error(`bench: ${message}; the figures would not compare the same work, so there are none`)
  process.exit(1)
}

// ---------------------------------------------------------------------------------------------------------
// The loopback server

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

// ---------------------------------------------------------------------------------------------------------
// Deterministic corpora: the seeded random numbers live with the parser's corpora, which the browser
// benchmark's page imports too, so they must not import Node's modules

export {TOKENS, pick, seededRandom} from './parse-corpora.mjs'

// ---------------------------------------------------------------------------------------------------------
// Statistics

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

/**
 * The median over the rounds of numerators[r] / denominators[r], each round's pair measured back to back.
 * A slow spell of the machine usually hits both halves of a pair, so this is steadier than a ratio of
 * two medians.
 */
export function pairedRatio(numerators, denominators) {
  return median(numerators.map((value, round) => value / denominators[round]))
}

/**
 * The speed of a contestant relative to a baseline in each round (time(baseline) / time(contestant), the
 * pair measured back to back): the median with the quartiles and the extremes, so a figure comes with
 * its spread.
 */
export function ratioSummary(baselineNs, contestantNs) {
  const ratios = baselineNs.map((ns, round) => ns / contestantNs[round]).sort((a, b) => a - b)
  return {
    median: quantile(ratios, 0.5),
    q1: quantile(ratios, 0.25),
    q3: quantile(ratios, 0.75),
    min: ratios[0],
    max: ratios[ratios.length - 1],
  }
}

/** A ratio summary as `1.52x (1.48-1.57)`: the median, and in brackets the interquartile range. */
export const timesWithSpread = (summary) =>
  `${summary.median.toFixed(2)}x (${summary.q1.toFixed(2)}-${summary.q3.toFixed(2)})`

/** Nanoseconds as milliseconds rounded to the microsecond: the samples in the JSON, short enough to read. */
export const toMs = (nsList) => nsList.map((ns) => Math.round(ns / 1e3) / 1e3)

// ---------------------------------------------------------------------------------------------------------
// Reporting

/** Progress goes to stderr, so that --json output stays clean. On a terminal, one line is rewritten. */
export function progress(message) {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${message}`)
  else if (message && !message.startsWith(' ')) process.stderr.write(`${message}\n`)
}

/** What every report starts with: the machine, the date, and which build of streamsource it measured. */
export function machine(streamsource) {
  const cpus = os.cpus()
  return {
    node: process.version,
    date: new Date().toISOString(),
    platform: `${process.platform} ${process.arch}`,
    cpu: `${cpus.length} x ${cpus[0]?.model ?? 'unknown'}`,
    loadAverage: os.loadavg()[0],
    streamsource: streamsource.label,
    streamsourceStale: streamsource.stale,
  }
}

/**
 * A plain-text report on `env` (see machine()): say(line) adds a line, print() writes them to stdout in
 * one go. It starts with the title, the machine, the date and `buildLine`, and warns when dist/ is stale.
 */
export function startReport(title, env, buildLine) {
  const lines = [
    title,
    `node ${env.node}, ${env.platform}, ${env.cpu}, load average ${env.loadAverage.toFixed(2)}`,
    `date ${env.date}`,
    buildLine,
  ]
  if (env.streamsourceStale) lines.push('WARNING: dist/ is older than src/, so this measures an old build')
  return {say: (line = '') => lines.push(line), print: () => console.log(lines.join('\n'))}
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
