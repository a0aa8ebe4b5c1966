// How small `import {EventSource}` could get by taking things out of the core: a copy of src/ is
// cut down step by step, and after each step the one-line app is bundled as `npm run size` bundles
// it (esbuild, minified, gzip -9; from the sources, with private members shortened as the build
// shortens them). Nothing here changes src/: it measures what issue 15's 3000 B goal would cost.
// The steps are cumulative; each names what goes and whether the issue's list or the project's
// rules ask for it. A step whose source text is gone fails loudly (the script is kept honest by
// test/size-floor-script-runs.test.ts).
// Usage: node scripts/size-floor.mjs [--json]
import {cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {build} from 'esbuild'
import {APP_BUILD, measure as measureCode} from './app-bundle.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const GOAL = 3000

/**
 * Each step: what it takes out, why the core has it, and its edits (file under src/, then pairs of
 * the text to find, a string or a RegExp that must match, and what replaces it).
 */
const STEPS = [
  {
    name: '`reconnect.shouldReconnect`',
    why: 'not in the issue\'s list; could be an extension',
    edits: [
      [
        'eventsource/EventSource.ts',
        /      let verdict\n[\s\S]*?if \(typeof verdict == 'number'\) delay = clampDelay\(verdict\)\n/,
        "      if (attempt > settings.maxAttempts) return giveUp(`gave up after ${settings.maxAttempts} reconnect attempts`)\n",
      ],
    ],
  },
  {
    name: 'the `reconnect` event',
    why: 'not in the issue\'s list',
    edits: [['eventsource/EventSource.ts', /      this\.dispatchEvent\(new EventSourceReconnectEvent\(attempt, delay\)\)\n      if \(readyState !== CONNECTING \|\| cancel\) return\n/, '']],
  },
  {
    name: '`Symbol.toStringTag` and the supports-fetch-override flag',
    why: 'WebIDL; the flag is what libraries check before passing `fetch`',
    edits: [
      ['eventsource/EventSource.ts', /Object\.defineProperty\(EventSource\.prototype, Symbol\.toStringTag.*\n/, ''],
      ['eventsource/EventSource.ts', /Object\.defineProperty\(EventSource, Symbol\.for\('eventsource\.supports-fetch-override'\).*\n/, ''],
    ],
  },
  {
    name: 'the probe for runtimes that call `on*` handlers themselves (workerd)',
    why: 'without it, handlers run twice in workerd',
    edits: [['eventsource/event-source-target.ts', 'if (!platformCallsHandlers()) super.addEventListener', 'super.addEventListener']],
  },
  {
    name: 'Safari\'s `Last-Event-ID` encoding',
    why: 'without it, Safari sends a non-ASCII ID mangled',
    edits: [['eventsource/request-headers.ts', 'const value = sendsHeadersAsUtf8() ? id : bytes', 'const value = bytes']],
  },
  {
    name: 'one task per event',
    why: 'the spec\'s order of events and microtasks, which browsers follow',
    edits: [
      ['eventsource/EventSource.ts', /    const inOrder = \(step: \(\) => void\): void => \{\n[\s\S]*?\n    \}\n(    \/\*\*[\s\S]*?\*\/\n)?    const next = \(\): void => \{\n[\s\S]*?\n    \}\n/, '    const inOrder = (step: () => void): void => step()\n'],
      ['eventsource/EventSource.ts', /\n      pending = \[\]\n/, '\n'],
    ],
  },
  {
    name: 'the skip of events nobody listens to',
    why: 'speed (issue 18)',
    edits: [['eventsource/EventSource.ts', 'const heard = listened.has(type)', 'const heard = true']],
  },
  {
    name: 'the lone-surrogate repair of the `lastEventId` option',
    why: 'WebIDL\'s USVString; a header cannot carry one',
    edits: [['eventsource/options.ts', /lastEventId: lastEventId\.replace\(.*\n/, 'lastEventId,\n']],
  },
  {
    name: 'the hooks every extension acts through',
    why: 'the issue\'s design: extensions that cost only where imported',
    edits: [
      ['eventsource/EventSource.ts', /\brun\('(stop|active|read)'\)/g, 'undefined'],
      ['eventsource/EventSource.ts', /\brun\('(lost|end)'\)/g, 'false'],
      ['eventsource/EventSource.ts', "run('status', response)", 'undefined'],
      ['eventsource/EventSource.ts', /\n *run\('message', message\)/, ''],
      ['eventsource/EventSource.ts', '!(heard || hooks.some((hook) => hook.message))', '!heard'],
      ['eventsource/EventSource.ts', /\n *for \(const extension of settings\.extensions\)[^\n]*/, ''],
      ['eventsource/EventSource.ts', /\n *const run = [\s\S]*?\n    \}\n/, '\n'],
    ],
  },
  {
    name: 'every check of an option and of a header',
    why: 'the project\'s rules: a clear error naming the option and value',
    edits: [
      ['eventsource/options.ts', /\n  check\([^\n]*\)\n(  (\/\/[^\n]*\n|check\([^\n]*\)\n))*/g, '\n'],
      ['eventsource/request-headers.ts', /\n *check\([^\n]*\)/g, ''],
    ],
  },
  {
    name: 'every error message, down to one letter',
    why: 'the project\'s rules: errors that say what went wrong',
    edits: [
      ['errors.ts', /super\(`EventSource request to [^\n]*\)\n/, "super('s')\n"],
      ['errors.ts', /super\(`EventSource response from [^\n]*\)\n/, "super('t')\n"],
      ['eventsource/EventSource.ts', '`The headers or body function threw: ${describe(error)}`', "'h'"],
      ['eventsource/EventSource.ts', "'`body`: a ReadableStream is sent once; pass a function that returns one'", "'b'"],
      ['eventsource/EventSource.ts', '`Connection to ${href} failed: ${describe(error)}`', "'c'"],
      ['eventsource/EventSource.ts', "'The server ended the stream'", "'e'"],
      ['eventsource/EventSource.ts', '`An event or line passed maxEventSize (${maxEventSize} characters)`', "'m'"],
      ['eventsource/EventSource.ts', "`Invalid URL '${url}'`", "'u'"],
      ['eventsource/EventSource.ts', '`gave up after ${settings.maxAttempts} reconnect attempts`', "'g'"],
      ['transport/fetch.ts', /"The `fetch` option's Response has no ReadableStream body"|'The `fetch` option\\'s Response has no ReadableStream body'/, "'r'"],
      ['eventsource/option-error.ts', /`EventSource option \\`\$\{name\}\\` is invalid: \$\{shown\}`/, "'o'"],
    ],
  },
]

/** min and min+gz bytes of the one-line app over the sources in `dir`. */
async function measure(dir) {
  const result = await build({
    ...APP_BUILD,
    stdin: {contents: `export {EventSource} from './src/eventsource/EventSource.ts'`, resolveDir: dir, loader: 'ts', sourcefile: 'app.ts'},
    mangleProps: /^[a-z][A-Za-z0-9]*_$/,
  })
  return measureCode(result.outputFiles[0].text)
}

function apply(dir, [file, find, replacement]) {
  const path = join(dir, 'src', file)
  const text = readFileSync(path, 'utf8')
  const found = typeof find === 'string' ? text.includes(find) : find.test(text)
  if (typeof find !== 'string') find.lastIndex = 0
  if (!found) throw new Error(`size-floor: src/${file} no longer has ${find}; update this step`)
  writeFileSync(path, typeof find === 'string' ? text.replace(find, () => replacement) : text.replace(find, replacement))
}

const dir = mkdtempSync(join(tmpdir(), 'size-floor-'))
try {
  cpSync(join(root, 'src'), join(dir, 'src'), {recursive: true})
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'))
  const start = await measure(dir)
  const rows = [{name: 'the core as it is (from src/)', why: '', ...start, saved: 0}]
  let last = start
  for (const step of STEPS) {
    for (const edit of step.edits) apply(dir, edit)
    const now = await measure(dir)
    rows.push({name: step.name, why: step.why, ...now, saved: last.gz - now.gz})
    last = now
  }
  if (process.argv.includes('--json')) console.log(JSON.stringify({goal: GOAL, rows}, null, 2))
  else {
    console.log('`import {EventSource}` with each of these taken out of the core, one after another (esbuild min, gzip -9):\n')
    console.log(`${'taken out'.padEnd(72)} ${'saved'.padStart(6)} ${'left gz'.padStart(8)}  why the core has it`)
    for (const row of rows) console.log(`${row.name.padEnd(72)} ${String(row.saved ? -row.saved : '').padStart(6)} ${String(row.gz).padStart(8)}  ${row.why}`)
    console.log(`\nWith all of them gone: ${last.gz} B, ${last.gz > GOAL ? `${last.gz - GOAL} B over` : `${GOAL - last.gz} B under`} the ${GOAL} B goal.`)
  }
} finally {
  rmSync(dir, {recursive: true, force: true})
}
