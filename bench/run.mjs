// `npm run bench`: the benchmarks one after another, each in its own node process (so that one's JIT
// state and heap do not weigh on the next), with the options each one understands.
//
//   node bench/run.mjs [name...] [--quick] [--json] [--wall] [--rounds N] [--events N] [--cycles N]
//                      [--module path/to/index.js] [--only parse,browser,eventsource,iterator,reconnect,memory] [--one-process]
//
//   parse        bench/parse.mjs: parser throughput against eventsource-parser, both builds, in Node
//   browser      bench/parse-browser.mjs: the browser build against eventsource-parser in Chromium
//   eventsource  bench/eventsource.mjs: events/s end to end against `eventsource` and `eventsource-client`
//   iterator     bench/iterator.mjs: what `for await` costs an event against a listener, in one process
//   reconnect    bench/reconnect.mjs: heap and handles over 10,000 reconnect cycles
//   memory       bench/memory.mjs: heap before, at the peak and after, over 10,000 reconnects and 1,000,000 events
//
// Names before the options pick benchmarks as --only does (`npm run bench -- memory`).
// --quick and --json go to all of them, --module to all but browser, --wall to parse and eventsource, --rounds
// to parse, browser, eventsource and iterator, --events to eventsource, iterator and memory, --cycles to reconnect and memory,
// --one-process to eventsource. With --json the output is one JSON object keyed by benchmark.
// The exit code is the first non-zero one of the benchmarks (they all run regardless).
import {spawn} from 'node:child_process'
import {join} from 'node:path'
import {ROOT, readArgs, usageError} from './common.mjs'

const BENCHMARKS = {
  parse: {file: 'parse.mjs', options: ['quick', 'json', 'wall', 'rounds', 'module']},
  browser: {file: 'parse-browser.mjs', options: ['quick', 'json', 'rounds']},
  eventsource: {file: 'eventsource.mjs', options: ['quick', 'json', 'wall', 'rounds', 'events', 'module', 'one-process']},
  iterator: {file: 'iterator.mjs', options: ['quick', 'json', 'rounds', 'events', 'module']},
  reconnect: {file: 'reconnect.mjs', options: ['quick', 'json', 'cycles', 'module']},
  memory: {file: 'memory.mjs', options: ['quick', 'json', 'cycles', 'events', 'module']},
}
const TIMEOUT_MS = 30 * 60 * 1000 // each benchmark takes minutes at most; longer means it hangs
const USAGE =
  'usage: node bench/run.mjs [name...] [--quick] [--json] [--wall] [--rounds N] [--events N] [--cycles N] ' +
  '[--module path/index.js] [--only parse,browser,eventsource,iterator,reconnect,memory] [--one-process]'

// Leading names (`node bench/run.mjs memory --quick`) are taken off before the options are read.
const firstOption = process.argv.findIndex((arg, index) => index >= 2 && arg.startsWith('-'))
const positional = process.argv.splice(2, (firstOption === -1 ? process.argv.length : firstOption) - 2)
const values = readArgs(
  {
    wall: {type: 'boolean'},
    rounds: {type: 'string'},
    events: {type: 'string'},
    cycles: {type: 'string'},
    only: {type: 'string'},
    'one-process': {type: 'boolean'},
  },
  USAGE,
)
const picked = [...positional, ...(values.only?.split(',') ?? [])].map((name) => name.trim())
const names = picked.length === 0 ? Object.keys(BENCHMARKS) : picked
const unknown = names.filter((name) => !(name in BENCHMARKS))
if (unknown.length > 0) usageError(`unknown benchmark(s): ${unknown.join(', ')}`, USAGE)

/** The command-line options of run.mjs that `benchmark` understands, as arguments for it. */
function argsFor(benchmark) {
  const args = []
  for (const option of benchmark.options) {
    const value = values[option]
    if (value === true) args.push(`--${option}`)
    else if (typeof value === 'string') args.push(`--${option}`, value)
  }
  return args
}

let current
// Ctrl-C reaches the whole process group; a plain SIGTERM to this process is passed on to the benchmark
// running, so that it can stop its server child.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    current?.kill(signal)
    process.exit(130)
  })
}

/** Runs one benchmark; resolves with its exit code and, with --json, its stdout. */
function run(name) {
  const benchmark = BENCHMARKS[name]
  const args = ['--expose-gc', join(ROOT, 'bench', benchmark.file), ...argsFor(benchmark)]
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, {stdio: ['ignore', values.json ? 'pipe' : 'inherit', 'inherit']})
    current = child
    let stdout = ''
    child.stdout?.setEncoding('utf8').on('data', (text) => (stdout += text))
    const timer = setTimeout(() => {
      console.error(`bench: ${name} took longer than ${TIMEOUT_MS / 60_000} minutes; stopping it`)
      child.kill('SIGTERM')
    }, TIMEOUT_MS)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      current = undefined
      resolve({code: code ?? (signal ? 1 : 0), stdout})
    })
  })
}

let exitCode = 0
const json = {}
for (const [index, name] of names.entries()) {
  if (!values.json && index > 0) console.log('')
  const {code, stdout} = await run(name)
  if (code !== 0 && exitCode === 0) exitCode = code
  if (values.json) {
    try {
      json[name] = JSON.parse(stdout)
    } catch {
      json[name] = {error: `exit code ${code}, no JSON output`}
    }
  }
}
if (values.json) console.log(JSON.stringify(json, null, 2))
process.exit(exitCode)
