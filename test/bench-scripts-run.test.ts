// `npm run bench` keeps working: the parser and end-to-end benchmarks run on the built package in their
// smallest form and report a figure for every contestant. They check their own contestants' results
// (a client that misses or repeats an event stops the run with exit code 1), so this fails when a
// contestant cannot run at all, as the iterator could not once `messages(source)` replaced the method.
// No figure is asserted: a benchmark is a script that prints figures, not a timed test.
import {execFile} from 'node:child_process'
import {join} from 'node:path'
import {promisify} from 'node:util'
import {expect, test} from 'vitest'
import {repoRoot} from './support/paths.js'

const run = promisify(execFile)

/** Runs a bench script with `--json` and returns what it printed on stdout, parsed. */
async function bench(script: string, args: string[]): Promise<{throughput: Record<string, Record<string, unknown>>}> {
  const {stdout} = await run(process.execPath, ['--expose-gc', join(repoRoot, 'bench', script), '--json', ...args], {cwd: repoRoot, timeout: 60_000})
  return JSON.parse(stdout)
}

test('the end-to-end benchmark runs every client over both corpora', {timeout: 90_000}, async () => {
  const result = await bench('eventsource.mjs', ['--events', '2000', '--rounds', '1'])
  for (const corpus of ['llm-tokens', 'named']) {
    expect(Object.keys(result.throughput[corpus] ?? {}).sort()).toEqual([
      'eventsource (listeners)',
      'eventsource-client (iterator)',
      'streamsource (iterator)',
      'streamsource (listeners)',
    ])
  }
})

test('the iterator benchmark times every contestant over the same stream', {timeout: 90_000}, async () => {
  const {stdout} = await run(process.execPath, ['--expose-gc', join(repoRoot, 'bench', 'iterator.mjs'), '--json', '--rounds', '1', '--events', '2000'], {cwd: repoRoot, timeout: 60_000})
  const result = JSON.parse(stdout) as {nsPerEvent: Record<string, unknown>}
  expect(Object.keys(result.nsPerEvent)).toEqual(['a call', 'a dispatchEvent', 'for await alone', 'listeners', 'messages()'])
})

test('the parser benchmark runs both builds and the reader against eventsource-parser', {timeout: 90_000}, async () => {
  const result = await bench('parse.mjs', ['--quick', '--rounds', '1', '--processes', '1', '--only', 'llm-tokens'])
  expect(Object.keys(result.throughput['llm-tokens'] ?? {})).toEqual(
    expect.arrayContaining(['eventsource-parser', 'node build (bytes)', 'browser build (bytes)', 'browser reader (bytes)']),
  )
})
