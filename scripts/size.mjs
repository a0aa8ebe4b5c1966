// What an app pays for streamsource, next to what it would pay for the alternatives: each row is a
// one-line app bundled by esbuild (minified, ES module, browser), then gzipped, all in this run, so
// the peers are measured exactly as streamsource is. `npm run size` builds dist/ first: the rows
// import `streamsource` through package.json `exports` and `sideEffects`, as an app would.
// Usage: node scripts/size.mjs [--json]
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {build} from 'esbuild'
import {APP_BUILD, measure} from './app-bundle.mjs'
import {packedSize} from './package-size.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))

/**
 * The ES5 script-tag builds (the full one is package.json `unpkg` and `jsdelivr`), measured as
 * shipped, since a script tag loads the file itself, and their goals.
 */
const SCRIPT_TAGS = {
  'full script-tag build': {file: 'dist/streamsource.global.min.js', limit: 10000},
  'polyfill script-tag build': {file: 'dist/streamsource.polyfill.min.js', limit: 4500},
}

/** One-line apps: what each bundle keeps is what its `export` reaches. */
const apps = {
  'streamsource: EventSource only': `export {EventSource} from 'streamsource'`,
  'streamsource: everything the EventSource does, all imported': `import {EventSource, heartbeat, retryOnStatus, oneShot, reconnectOnPageEvents, messages, createEventSource} from 'streamsource'
import {createSharedEventSource} from 'streamsource/shared'
export const source = new EventSource('/events', {extensions: [heartbeat(30000), retryOnStatus([429, 503]), oneShot(), reconnectOnPageEvents()]})
export const events = messages(source)
export {createEventSource, createSharedEventSource}`,
  // Cross-tab sharing is a subpath of its own (`streamsource/shared`): the same app without it.
  'streamsource: everything the EventSource does, all imported, but cross-tab sharing': `import {EventSource, heartbeat, retryOnStatus, oneShot, reconnectOnPageEvents, messages, createEventSource} from 'streamsource'
export const source = new EventSource('/events', {extensions: [heartbeat(30000), retryOnStatus([429, 503]), oneShot(), reconnectOnPageEvents()]})
export const events = messages(source)
export {createEventSource}`,
  'streamsource: createParser only': `export {createParser} from 'streamsource'`,
  'streamsource: whole root': `export * from 'streamsource'`,
  'eventsource: EventSource': `export {EventSource} from 'eventsource'`,
  'sse.js: SSE': `export {SSE} from 'sse.js'`,
  'eventsource-parser: createParser': `export {createParser} from 'eventsource-parser'`,
  'event-source-polyfill': `export {EventSourcePolyfill} from 'event-source-polyfill'`,
}

/**
 * Each extension: a one-line app that imports `EventSource` and the extension and uses it. What it
 * adds is its size minus the `EventSource only` row's.
 */
const extensions = {
  'heartbeat(ms)': `import {EventSource, heartbeat} from 'streamsource'
export const source = new EventSource('/events', {extensions: [heartbeat(30000)]})`,
  'retryOnStatus(statuses), with Retry-After': `import {EventSource, retryOnStatus} from 'streamsource'
export const source = new EventSource('/events', {extensions: [retryOnStatus([429, 503])]})`,
  'oneShot() (+ its end event)': `import {EventSource, oneShot} from 'streamsource'
export const source = new EventSource('/events', {extensions: [oneShot()]})`,
  'reconnectOnPageEvents()': `import {EventSource, reconnectOnPageEvents} from 'streamsource'
export const source = new EventSource('/events', {extensions: [reconnectOnPageEvents()]})`,
  'messages(source): async iterator': `import {EventSource, messages} from 'streamsource'
export const events = messages(new EventSource('/events'))`,
  'createEventSource': `import {EventSource, createEventSource} from 'streamsource'
export {EventSource}
export const source = createEventSource('/events')`,
  'createSharedEventSource: cross-tab sharing': `import {EventSource} from 'streamsource'
import {createSharedEventSource} from 'streamsource/shared'
export {EventSource}
export const source = createSharedEventSource('/events')`,
}

/** The size goals of issue 15 (min + gzip, what an app pays). */
const SIZE_GOALS = [
  {goal: 'EventSource only (spec + headers, method/body, fetch, signal, credentials, backoff, error details) ≤ 3000 B', row: 'EventSource only', limit: 3000},
  {goal: 'everything the EventSource does, all imported ≤ 5000 B', row: 'everything the EventSource does, all imported', limit: 5000},
  {goal: 'the same but cross-tab sharing (streamsource/shared) ≤ 5000 B', row: 'everything the EventSource does, all imported, but cross-tab sharing', limit: 5000},
  {goal: 'createParser only ≤ 1790 B', row: 'createParser only', limit: 1790},
]

async function bundle(source) {
  const result = await build({...APP_BUILD, stdin: {contents: source, resolveDir: root, loader: 'js', sourcefile: 'app.js'}})
  return result.outputFiles[0].text
}

if (!existsSync(join(root, 'dist', 'index.js'))) {
  console.error('dist/index.js is missing: run `npm run size` (which builds first) or `npm run build`.')
  process.exit(1)
}

const sizes = {}
for (const [name, source] of Object.entries(apps)) sizes[name] = measure(await bundle(source))
const base = sizes['streamsource: EventSource only']
const added = {}
for (const [name, source] of Object.entries(extensions)) {
  const size = measure(await bundle(source))
  added[name] = {...size, addedMin: size.min - base.min, addedGz: size.gz - base.gz}
}
const scriptTags = {}
for (const [name, {file}] of Object.entries(SCRIPT_TAGS)) {
  if (existsSync(join(root, file))) scriptTags[name] = measure(readFileSync(join(root, file), 'utf8'))
}
const polyfillTag = scriptTags['polyfill script-tag build']
const sizeGoals = [
  ...SIZE_GOALS.map(({goal, row, limit}) => ({goal, ours: sizes[`streamsource: ${row}`].gz, limit})),
  ...Object.entries(SCRIPT_TAGS).map(([name, {file, limit}]) => ({goal: `${name} (${file}) ≤ ${limit} B`, ours: scriptTags[name]?.gz, limit})),
].map((goal) => ({...goal, verdict: goal.ours === undefined ? 'not built yet' : goal.ours <= goal.limit ? 'met' : `MISSED (${goal.ours - goal.limit} B over)`}))

const kb = (bytes) => `${(bytes / 1024).toFixed(2)} KB`
const own = (name) => sizes[`streamsource: ${name}`].gz
const peer = (name) => sizes[name].gz

/** The goals of issue 4, each against a peer measured above (min + gzip). */
const goals = [
  {
    goal: 'EventSource only < eventsource package\'s class (issue: ~4.2 KB)',
    ours: own('EventSource only'),
    theirs: peer('eventsource: EventSource'),
    met: (ours, theirs) => ours < theirs,
  },
  {
    goal: 'EventSource only, aim: sse.js (issue: ~1.8 KB)',
    ours: own('EventSource only'),
    theirs: peer('sse.js: SSE'),
    met: (ours, theirs) => ours <= theirs,
    aim: true,
  },
  {
    goal: 'createParser only ≤ eventsource-parser (issue: ~1.8 KB)',
    ours: own('createParser only'),
    theirs: peer('eventsource-parser: createParser'),
    met: (ours, theirs) => ours <= theirs,
  },
  {
    goal: 'polyfill script-tag build ≤ event-source-polyfill (issue: ~5.0 KB)',
    ours: polyfillTag?.gz,
    theirs: peer('event-source-polyfill'),
    met: (ours, theirs) => ours <= theirs,
  },
]

/** Prints `rows` under `header`: the first column left-aligned, the others right-aligned. */
function printTable(header, rows) {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)))
  const line = (cells) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ')
  console.log(line(header))
  console.log(widths.map((width) => '-'.repeat(width)).join('  '))
  for (const row of rows) console.log(line(row))
}

function verdict({ours, theirs, met, aim}) {
  if (ours === undefined) return 'not built yet'
  if (met(ours, theirs)) return 'met'
  const over = `${ours - theirs} B over`
  return aim ? `not yet (${over})` : `MISSED (${over})`
}

const tarball = packedSize()

if (process.argv.includes('--json')) {
  const report = goals.map((goal) => ({goal: goal.goal, ours: goal.ours ?? null, theirs: goal.theirs, verdict: verdict(goal)}))
  console.log(JSON.stringify({sizes, extensions: added, scriptTags, goals: report, sizeGoals, tarball}, null, 2))
} else {
  const rows = [
    ...Object.entries(sizes).map(([name, size]) => [name, String(size.min), String(size.gz), kb(size.gz)]),
    ...Object.keys(SCRIPT_TAGS).map((name) => {
      const size = scriptTags[name]
      return [`streamsource: ${name}`, ...(size ? [String(size.min), String(size.gz), kb(size.gz)] : ['—', '—', 'not built yet'])]
    }),
  ]
  printTable(['bundle (esbuild --minify, gzip -9)', 'min B', 'min+gz B', 'min+gz'], rows)
  console.log('\nWhat each extension adds to `import {EventSource}` (a one-line app that imports and uses it):')
  printTable(
    ['extension', 'min B', 'min+gz B', 'app min+gz'],
    Object.entries(added).map(([name, size]) => [name, `+${size.addedMin}`, `+${size.addedGz}`, `${size.gz} B in all`]),
  )
  console.log('\nSize goals (issue 15, min+gz):')
  for (const goal of sizeGoals) console.log(`  ${goal.verdict.padEnd(22)} ${goal.goal}: ${goal.ours} B`)
  console.log('\nGoals (min+gz, against the peer measured above):')
  for (const goal of goals) {
    const ours = goal.ours === undefined ? '—' : `${goal.ours} B`
    console.log(`  ${verdict(goal).padEnd(22)} ${goal.goal}: ${ours} vs ${goal.theirs} B`)
  }
  const kB = (bytes) => `${(bytes / 1000).toFixed(0)} kB`
  console.log(`\nThe install (npm pack): ${kB(tarball.packed)} packed, ${kB(tarball.unpacked)} unpacked, ${tarball.files} files.`)
}
