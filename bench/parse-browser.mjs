// The parser benchmark in Chromium: the browser build's createParser (dist/index.js, what a bundler
// gives) and the browser EventSource's own reader (dist/parser/stream-reader.js) against
// eventsource-parser, in a page of the Chromium the browser tests use (Debian's
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
// A sample is several runs over the corpus back to back (50 ms or more in all, at most 40 runs), timed one by one by the
// page's clock, and its time is the fastest run's: the run least disturbed by the other jobs that share
// the machine's cores. (The page is cross-origin isolated, so performance.now() ticks in 5 µs, not
// 100 µs.) The contestants run in an order rotated every round, as in bench/parse.mjs, and each figure is
// the median of the rounds' ratios with its spread. This clock replaced the CPU time of the renderer
// processes (/proc schedstat), which at load average 15 on 2 cores gave eventsource-parser 33-62 MB/s
// where the fastest runs show 500-1900, and ratios whose interquartile ranges spanned 0.6-1.3x.
// Exit code 1 when a parser reports the wrong events, or there is no build or no Chromium.
import {createReadStream, existsSync, statSync} from 'node:fs'
import {createServer} from 'node:http'
import {extname, join, normalize, sep} from 'node:path'
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
const READER = 'browser reader (bytes)'
const CONTESTANTS = ['floor', PEER, BUILD, READER]
const MB = 1e6

const values = readArgs({rounds: {type: 'string'}, only: {type: 'string'}}, USAGE)
const rounds = integerOption(values, 'rounds', values.quick ? 4 : 12, USAGE)
const warmup = values.quick ? {runs: 2, ms: 50} : {runs: 5, ms: 200}
const PAGE_SETS = values.quick ? 2 : 4
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

// Runs in the page: window.bench.{prepare, sample}. Each contestant has a page of its own (in a browser
// context of its own), which runs only that contestant: in one page, the contestants that ran before
// slowed the others down many times over (eventsource-parser on crlf: 18 MB/s after the floor and the
// builds had run there, 560 MB/s without them), as no parser in an application is.
const PAGE = `<!doctype html><meta charset="utf-8"><title>parser benchmark</title><script type="module">
import {buildCorpora, checkResult, runFloor, eventsourceParserRunner, bytesRunner, readerRunner} from '/bench/parse-corpora.mjs'
import {createParser} from '/dist/index.js'
import {createStreamReader} from '/dist/parser/stream-reader.js'
import {createParser as createEventsourceParser} from '/eventsource-parser/index.js'
const runners = {floor: runFloor, '${PEER}': eventsourceParserRunner(createEventsourceParser), '${BUILD}': bytesRunner(createParser), '${READER}': readerRunner(createStreamReader)}
const name = new URLSearchParams(location.search).get('contestant')
const run = runners[name]
let corpora = []
window.bench = {
  prepare(only) {
    corpora = buildCorpora(only)
    const failures = []
    for (const corpus of corpora) {
      const failure = checkResult(corpus, name, run(corpus.chunks))
      if (failure) failures.push(corpus.name + ': ' + failure)
    }
    return {failures, corpora: corpora.map(({chunks, ...c}) => ({...c, chunks: chunks.length}))}
  },
  sample(corpusIndex, reps) {
    const corpus = corpora[corpusIndex]
    let result
    let ms = Infinity
    for (let i = 0; i < reps; i++) {
      const start = performance.now()
      result = run(corpus.chunks)
      ms = Math.min(ms, performance.now() - start)
    }
    return {ms, failure: checkResult(corpus, name, result)}
  },
}
window.benchReady = true
</script>`

function serve(request, response) {
  const path = decodeURIComponent(new URL(request.url, 'http://127.0.0.1').pathname)
  if (path === '/') {
    // Cross-origin isolation, for a 5 µs performance.now() (see the top of this file).
    response.writeHead(200, {
      'content-type': 'text/html',
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp',
    })
    return response.end(PAGE)
  }
  const mount = Object.keys(MOUNTS).find((prefix) => path.startsWith(prefix))
  const file = mount && normalize(join(MOUNTS[mount], path.slice(mount.length)))
  if (!file || !file.startsWith(MOUNTS[mount] + sep) || !existsSync(file) || !statSync(file).isFile()) {
    response.writeHead(404)
    return response.end()
  }
  response.writeHead(200, {
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    'cross-origin-resource-policy': 'same-origin',
  })
  createReadStream(file).pipe(response)
}

// ---------------------------------------------------------------------------------------------------------

// The machine, the date and the load as the run starts, as bench/parse.mjs reports them.
const startMachine = machine({label: 'dist/index.js', stale: false})
const server = createServer(serve)
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
})
let exitCode = 0
try {
  const corpora = []
  const samples = []
  for (const corpusName of only) {
    const corpusSamples = Object.fromEntries(CONTESTANTS.map((name) => [name, []]))
    // The rounds are shared out among several sets of pages, a page per contestant each, closed once its
    // rounds are done: how fast a page runs a parser depends on what its JIT made of it, which differs from
    // one page to the next (the browser build on llm-tokens-each: 1.32x and 1.02x eventsource-parser in
    // two runs, each with a tight spread), so the spread of the rounds shows that too.
    for (let set = 0; set < PAGE_SETS; set++) {
      const pages = {}
      for (const name of CONTESTANTS) {
        progress(`${corpusName}: generating the corpus and checking what ${name} reports, in its page (set ${set + 1})`)
        const page = await (await browser.newContext()).newPage()
        page.on('pageerror', (error) => console.error(`bench: page error: ${error.message}`))
        await page.goto(`http://127.0.0.1:${server.address().port}/?contestant=${encodeURIComponent(name)}`)
        await page.waitForFunction(() => window.benchReady === true)
        const prepared = await page.evaluate((names) => window.bench.prepare(names), [corpusName])
        if (prepared.failures.length > 0) {
          for (const failure of prepared.failures) console.error(`bench: ${failure}`)
          throw new Error(`${prepared.failures.length} wrong result(s); the figures would not compare the same work`)
        }
        if (set === 0 && name === CONTESTANTS[0]) corpora.push(prepared.corpora[0])
        pages[name] = page
      }
      const sample = async (name, reps) => {
        const result = await pages[name].evaluate((r) => window.bench.sample(0, r), reps)
        if (result.failure) throw new Error(result.failure)
        return result.ms
      }
      // Warm-up, and how many runs make a sample of at least 50 ms (at most 40).
      const reps = {}
      for (const name of CONTESTANTS) {
        progress(`  warming up ${corpusName}: ${name}`)
        let lastMs = 0
        for (let runs = 0, spent = 0; runs < warmup.runs || spent < warmup.ms; runs++) spent += lastMs = await sample(name, 1)
        reps[name] = Math.min(40, Math.ceil(50 / Math.max(lastMs, 0.1)))
      }
      const first = Math.ceil((rounds * set) / PAGE_SETS)
      for (let round = first; round < Math.ceil((rounds * (set + 1)) / PAGE_SETS); round++) {
        progress(`${corpusName}: round ${round + 1}/${rounds}`)
        for (const name of CONTESTANTS.map((_, i) => CONTESTANTS[(i + round) % CONTESTANTS.length])) {
          corpusSamples[name].push(await sample(name, reps[name]))
        }
      }
      for (const page of Object.values(pages)) await page.context().close()
    }
    samples.push(corpusSamples)
  }
  const chromiumVersion = browser.version()
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
      readerVsEventsourceParser: ratioSummary(ms[PEER], ms[READER]),
      ms,
    }
  })
  const goals = results
    .filter((r) => r.small)
    .flatMap((r) =>
      [
        [BUILD, r.buildVsEventsourceParser.median],
        [READER, r.readerVsEventsourceParser.median],
      ].map(([name, value]) => ({what: `${name} / ${PEER}, ${r.corpus}`, value, goal: GOAL_BROWSER, met: value >= GOAL_BROWSER})),
    )
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
    say(`${rounds} timed rounds, in ${PAGE_SETS} sets of pages (a page per contestant and corpus), each set after a warm-up`)
    say(`of at least ${warmup.runs} runs and ${warmup.ms} ms per corpus and contestant`)
    say('clock: the page\'s performance.now() (5 µs, cross-origin isolated); a sample\'s time is its fastest run\'s')
    say()
    say('Throughput, MB/s (median of the rounds) and speed ratios (> 1 means streamsource is faster): the median')
    say('over the rounds of that round\'s ratio, in brackets the interquartile range of those ratios')
    say(
      table([
        ['corpus', ...CONTESTANTS, 'build / esp', 'reader / esp', 'build / floor'],
        ...results.map((r) => [
          r.corpus,
          ...CONTESTANTS.map((name) => r.mbPerSecond[name].toFixed(0)),
          timesWithSpread(r.buildVsEventsourceParser),
          timesWithSpread(r.readerVsEventsourceParser),
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
  // Chromium's shutdown is waited for 10 s at most: the figures are printed already, and one full run
  // was seen not to exit after them.
  await Promise.race([browser.close(), new Promise((resolve) => setTimeout(resolve, 10_000).unref())])
  server.close()
}
process.exit(exitCode)
