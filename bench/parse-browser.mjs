// The parser benchmark in Chromium: the browser build's createParser (dist/index.js, what a bundler
// gives) against eventsource-parser, in a page of the Chromium the browser tests use (Debian's
// `chromium`, or $CHROMIUM_PATH, driven by playwright-core), on the corpora of bench/parse.mjs
// (bench/parse-corpora.mjs, imported by the page itself). The page is served from 127.0.0.1.
//
//   node bench/parse-browser.mjs [--quick] [--json] [--rounds N] [--only a,b]
//
// --quick     fewer warm-up runs and rounds
// --json      print the results as JSON on stdout (progress still goes to stderr)
// --rounds N  timed rounds per corpus and contestant (default 12, 4 with --quick)
// --only a,b  only these corpora
//
// Each sample is timed by the CPU time of Chromium's renderer processes (Linux's /proc; see cpuNs()), as
// bench/parse.mjs times Node's, not by the page's wall clock, which counts the time other jobs hold the
// cores. A sample lasts 30 ms or more. The contestants run in an order rotated every
// round, as in bench/parse.mjs, and each figure is the median of the rounds' ratios with its spread.
// Exit code 1 when a parser reports the wrong events, or there is no build or no Chromium.
import {createReadStream, existsSync, readFileSync, readdirSync, statSync} from 'node:fs'
import {createServer} from 'node:http'
import {extname, join, normalize, sep} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'
import {chromium} from 'playwright-core'
import {findChromium} from '../scripts/browser-paths.mjs'
import {CORPUS_NAMES} from './parse-corpora.mjs'
import {
  ROOT,
  goalStatus,
  integerOption,
  machine,
  packageVersion,
  progress,
  ratioSummary,
  readArgs,
  startReport,
  table,
  times,
  timesWithSpread,
  usageError,
} from './common.mjs'

const USAGE = 'usage: node bench/parse-browser.mjs [--quick] [--json] [--rounds N] [--only corpus,...]'
const GOAL_BROWSER = 1.2 // browser build (bytes) / eventsource-parser, on every small-event corpus
const PEER = 'eventsource-parser'
const BUILD = 'browser build (bytes)'
const CONTESTANTS = ['floor', PEER, BUILD]
const MB = 1e6

const values = readArgs({rounds: {type: 'string'}, only: {type: 'string'}}, USAGE)
const rounds = integerOption(values, 'rounds', values.quick ? 4 : 12, USAGE)
const warmup = values.quick ? {runs: 2, ms: 50} : {runs: 5, ms: 200}
const only = values.only?.split(',').map((name) => name.trim()) ?? CORPUS_NAMES
const unknown = only.filter((name) => !CORPUS_NAMES.includes(name))
if (unknown.length > 0) usageError(`unknown corpus(es): ${unknown.join(', ')}; known: ${CORPUS_NAMES.join(', ')}`, USAGE)

const build = join(ROOT, 'dist', 'index.js')
if (!existsSync(build)) {
  console.error('bench: dist/index.js not found: run `npm run build` first (`npm run bench` does)')
  process.exit(1)
}
const executablePath = findChromium()
if (!executablePath) {
  console.error('bench: no Chromium: install Debian\'s `chromium` (node scripts/ensure.mjs --browser) or set CHROMIUM_PATH')
  process.exit(1)
}

// ---------------------------------------------------------------------------------------------------------
// The page, and the files it imports: bench/, dist/ and eventsource-parser's dist/

const MOUNTS = {
  '/bench/': join(ROOT, 'bench'),
  '/dist/': join(ROOT, 'dist'),
  '/eventsource-parser/': join(ROOT, 'node_modules', 'eventsource-parser', 'dist'),
}
const TYPES = {'.js': 'text/javascript', '.mjs': 'text/javascript', '.html': 'text/html'}

// Runs in the page: window.bench.{prepare, sample}. Each contestant is its own function (see
// bench/parse-corpora.mjs), and samples repeat a run until it lasts MIN_SAMPLE_MS.
const PAGE = `<!doctype html><meta charset="utf-8"><title>parser benchmark</title><script type="module">
import {buildCorpora, checkResult, runFloor, eventsourceParserRunner, bytesRunner} from '/bench/parse-corpora.mjs'
import {createParser} from '/dist/index.js'
import {createParser as createEventsourceParser} from '/eventsource-parser/index.js'
const runners = {floor: runFloor, '${PEER}': eventsourceParserRunner(createEventsourceParser), '${BUILD}': bytesRunner(createParser)}
let corpora = []
window.bench = {
  prepare(only) {
    corpora = buildCorpora(only)
    const failures = []
    for (const corpus of corpora) for (const name of Object.keys(runners)) {
      const failure = checkResult(corpus, name, runners[name](corpus.chunks))
      if (failure) failures.push(corpus.name + ': ' + failure)
    }
    return {failures, corpora: corpora.map(({chunks, ...c}) => ({...c, chunks: chunks.length}))}
  },
  sample(corpusIndex, name, reps) {
    const corpus = corpora[corpusIndex]
    const start = performance.now()
    let result
    for (let i = 0; i < reps; i++) result = runners[name](corpus.chunks)
    const ms = (performance.now() - start) / reps
    return {ms, failure: checkResult(corpus, name, result)}
  },
}
window.benchReady = true
</script>`

function serve(request, response) {
  const path = decodeURIComponent(new URL(request.url, 'http://127.0.0.1').pathname)
  if (path === '/') {
    response.writeHead(200, {'content-type': 'text/html'})
    return response.end(PAGE)
  }
  const mount = Object.keys(MOUNTS).find((prefix) => path.startsWith(prefix))
  const file = mount && normalize(join(MOUNTS[mount], path.slice(mount.length)))
  if (!file || !file.startsWith(MOUNTS[mount] + sep) || !existsSync(file) || !statSync(file).isFile()) {
    response.writeHead(404)
    return response.end()
  }
  response.writeHead(200, {'content-type': TYPES[extname(file)] ?? 'application/octet-stream'})
  createReadStream(file).pipe(response)
}

// ---------------------------------------------------------------------------------------------------------
// The clock: CPU time of Chromium's renderer processes, all their threads (GC helpers too), from Linux's
// /proc/<pid>/task/<tid>/schedstat (nanoseconds). The page's own clock is wall time, which counts the
// spells when other jobs have the machine's cores: at load average 8 its ratios ranged over 0.4-1.6.

/** The pids of the Chromium renderers started by this process (descendants with --type=renderer). */
function rendererProcesses() {
  const parents = new Map()
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      parents.set(pid, stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
    } catch {
      // (A process that ended meanwhile.)
    }
  }
  const descends = (pid) => {
    for (let p = pid, hops = 0; p && p !== '0' && hops < 20; p = parents.get(p), hops++) if (p === String(process.pid)) return true
    return false
  }
  return [...parents.keys()].filter((pid) => {
    if (!descends(pid)) return false
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--type=renderer')
    } catch {
      return false
    }
  })
}

function cpuNs(pids) {
  let total = 0
  for (const pid of pids) {
    let tids = []
    try {
      tids = readdirSync(`/proc/${pid}/task`)
    } catch {
      continue
    }
    for (const tid of tids) {
      try {
        total += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0])
      } catch {
        // (A thread that ended meanwhile: its time is lost to both readings' difference, a few µs at most.)
      }
    }
  }
  return total
}

// ---------------------------------------------------------------------------------------------------------

// The machine, the date and the load as the run starts, as bench/parse.mjs reports them.
const startMachine = machine({label: 'dist/index.js', stale: false})
const server = createServer(serve)
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: ['--no-sandbox', '--headless', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
})
let exitCode = 0
try {
  const page = await browser.newPage()
  page.on('pageerror', (error) => console.error(`bench: page error: ${error.message}`))
  await page.goto(`http://127.0.0.1:${server.address().port}/`)
  await page.waitForFunction(() => window.benchReady === true)
  const chromiumVersion = browser.version()
  progress('generating corpora and checking what each parser reports (in the page)')
  const {failures, corpora} = await page.evaluate((names) => window.bench.prepare(names), only)
  if (failures.length > 0) {
    for (const failure of failures) console.error(`bench: ${failure}`)
    throw new Error(`${failures.length} wrong result(s); the figures would not compare the same work`)
  }
  const renderers = rendererProcesses()
  if (renderers.length === 0) throw new Error('found no Chromium renderer process to read the CPU time of')
  const sample = async (index, name, reps) => {
    const before = cpuNs(renderers)
    const result = await page.evaluate(([i, n, r]) => window.bench.sample(i, n, r), [index, name, reps])
    // Until the renderer is idle again, so that the garbage collection a run leaves is billed to it (as
    // settle() does in Node).
    for (let waited = 0, last = cpuNs(renderers); waited < 250; waited += 5) {
      await sleep(5)
      const now = cpuNs(renderers)
      if (now - last < 500_000) break
      last = now
    }
    const ns = cpuNs(renderers) - before
    if (result.failure) throw new Error(result.failure)
    return ns / 1e6 / reps
  }
  // Warm-up, and how many runs make a sample of at least 30 ms (at most 20).
  const reps = corpora.map(() => ({}))
  for (const [index, corpus] of corpora.entries()) {
    for (const name of CONTESTANTS) {
      progress(`  warming up ${corpus.name}: ${name}`)
      let lastMs = 0
      for (let runs = 0, spent = 0; runs < warmup.runs || spent < warmup.ms; runs++) spent += lastMs = await sample(index, name, 1)
      reps[index][name] = Math.min(20, Math.ceil(30 / Math.max(lastMs, 0.1)))
    }
  }
  const samples = corpora.map(() => Object.fromEntries(CONTESTANTS.map((name) => [name, []])))
  for (let round = 0; round < rounds; round++) {
    progress(`round ${round + 1}/${rounds}`)
    for (const [index] of corpora.entries()) {
      for (const name of CONTESTANTS.map((_, i) => CONTESTANTS[(i + round) % CONTESTANTS.length])) {
        samples[index][name].push(await sample(index, name, reps[index][name]))
      }
    }
  }
  progress('')
  const results = corpora.map((corpus, index) => {
    const ms = samples[index]
    const mbPerSecond = (name) => corpus.bytes / MB / (ms[name].slice().sort((a, b) => a - b)[ms[name].length >> 1] / 1e3)
    return {
      corpus: corpus.name,
      small: corpus.small,
      mbPerSecond: Object.fromEntries(CONTESTANTS.map((name) => [name, mbPerSecond(name)])),
      buildVsEventsourceParser: ratioSummary(ms[PEER], ms[BUILD]),
      buildVsFloor: ratioSummary(ms.floor, ms[BUILD]),
      ms,
    }
  })
  const goals = results
    .filter((r) => r.small)
    .map((r) => {
      const value = r.buildVsEventsourceParser.median
      return {what: `${BUILD} / ${PEER}, ${r.corpus}`, value, goal: GOAL_BROWSER, met: value >= GOAL_BROWSER}
    })
  const env = {
    ...startMachine,
    chromium: chromiumVersion,
    eventsourceParser: packageVersion('eventsource-parser'),
    rounds,
    warmup,
  }
  if (values.json) {
    console.log(JSON.stringify({...env, corpora, results, goals}, null, 2))
  } else {
    const {say, print} = startReport(
      'streamsource parser benchmark in Chromium (bench/parse-browser.mjs)',
      env,
      `Chromium ${env.chromium}; streamsource browser build dist/index.js, eventsource-parser ${env.eventsourceParser}`,
    )
    say(`${rounds} timed rounds after a warm-up of at least ${warmup.runs} runs and ${warmup.ms} ms per corpus and contestant`)
    say('clock: CPU time of Chromium\'s renderer processes, all threads (/proc schedstat), not wall time')
    say()
    say('Throughput, MB/s (median of the rounds) and speed ratios (> 1 means streamsource is faster): the median')
    say('over the rounds of that round\'s ratio, in brackets the interquartile range of those ratios')
    say(
      table([
        ['corpus', ...CONTESTANTS, 'build / esp', 'build / floor'],
        ...results.map((r) => [
          r.corpus,
          ...CONTESTANTS.map((name) => r.mbPerSecond[name].toFixed(0)),
          timesWithSpread(r.buildVsEventsourceParser),
          timesWithSpread(r.buildVsFloor),
        ]),
      ]),
    )
    say()
    say('Goals on every small-event corpus (the median ratio)')
    for (const g of goals) say(`  ${g.what}: ${times(g.value)}   goal >= ${times(g.goal)}: ${goalStatus(g.met)}`)
    print()
  }
} catch (error) {
  progress('')
  console.error(`bench: ${error.message}`)
  exitCode = 1
} finally {
  await browser.close()
  server.close()
}
process.exit(exitCode)
