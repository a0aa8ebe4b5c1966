// Runs test/runtimes/suite.mjs in another runtime (a child process) against two local servers and
// turns its summary into one vitest test per suite test, plus one for the process exiting by
// itself once the suite is done: that is how a timer or connection that `close()` left behind
// shows (the suite never exits the process).
import {spawn, type ChildProcess} from 'node:child_process'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
// @ts-expect-error: plain JavaScript with no declarations, shared with the other runtimes.
import {tests} from '../runtimes/suite.mjs'
import {startRuntimeServer} from './runtime-server.js'
import type {TestServer} from './sse-server.js'

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

/** A runtime's result of one suite test, from its summary line. */
interface Result {
  name: string
  ok: boolean
  ms: number
  error?: string
}

interface Summary {
  runtime: string
  entry: string
  passed: number
  failed: number
  ms: number
  results: Result[]
}

interface Run {
  summary: Summary | undefined
  /** Whether the process exited by itself, within EXIT_GRACE of printing its summary. */
  exitedByItself: boolean
  /** How long after its summary it exited, in ms. */
  exitDelay: number | undefined
  code: number | null
  signal: NodeJS.Signals | null
  output: string
}

/**
 * The network here reaches only package registries, and a runtime should not try anything else:
 * no update check (Deno), no telemetry or crash report upload (Bun, Deno).
 */
const QUIET = {DENO_NO_UPDATE_CHECK: '1', DO_NOT_TRACK: '1', BUN_DISABLE_TELEMETRY: '1'}

/** How long a whole suite may take before its process is killed. */
const SUITE_TIMEOUT = 60_000
/**
 * How long a process may live on after its summary: past this, something keeps it alive. Far below
 * the 60 s reconnect timer of the suite's close() test, which is what it catches, and far above the
 * few ms a runtime takes to exit, even on a loaded machine.
 */
const EXIT_GRACE = 10_000

/** Spawns `command args... BASE OTHER`, collects its output, kills it on a timeout. */
/** The processes running now: afterAll kills any that a failed hook left behind. */
const running = new Set<ChildProcess>()

function runSuite(command: string, args: string[], base: string, other: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(command, [...args, base, other], {cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: {...process.env, ...QUIET}})
    let output = ''
    let summary: Summary | undefined
    let exitedByItself = true
    const kill = () => {
      exitedByItself = false
      child.kill('SIGKILL')
    }
    const suiteTimer = setTimeout(kill, SUITE_TIMEOUT)
    let graceTimer: NodeJS.Timeout | undefined
    let summaryTime: number | undefined
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const match = /^# summary (.*)$/m.exec(output)
      if (match && !summary) {
        summary = JSON.parse(match[1]!) as Summary
        summaryTime = performance.now()
        graceTimer = setTimeout(kill, EXIT_GRACE)
      }
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.on('error', (error) => {
      output += `\nspawn failed: ${error.message}`
    })
    running.add(child)
    child.on('close', (code, signal) => {
      running.delete(child)
      clearTimeout(suiteTimer)
      clearTimeout(graceTimer)
      const exitDelay = summaryTime === undefined ? undefined : Math.round(performance.now() - summaryTime)
      resolve({summary, exitedByItself: exitedByItself && summary !== undefined, exitDelay, code, signal, output})
    })
  })
}

/**
 * Declares the vitest tests of one runtime run: `command` (a function, so that a missing binary
 * fails the tests, with the reason, rather than the file's collection) with `args` before the
 * servers' URLs.
 */
export function describeRuntimeSuite(title: string, command: () => {path: string; args: string[]}, expectedEntry: RegExp): void {
  describe(title, () => {
    const servers: TestServer[] = []
    let run: Run | undefined
    let setupError: unknown

    beforeAll(async () => {
      servers.push(await startRuntimeServer(), await startRuntimeServer())
      try {
        const {path, args} = command()
        run = await runSuite(path, args, servers[0]!.url, servers[1]!.url)
      } catch (error) {
        setupError = error
      }
    }, SUITE_TIMEOUT + EXIT_GRACE + 10_000)

    afterAll(async () => {
      for (const child of running) child.kill('SIGKILL')
      await Promise.all(servers.map((server) => server.close()))
    })

    /** The run's summary, or a failure that says why there is none. */
    function summary(): Summary {
      if (setupError) throw setupError
      if (!run?.summary) {
        throw new Error(`${title}: no summary line (exit code ${run?.code}, signal ${run?.signal}). Output:\n${run?.output}`)
      }
      return run.summary
    }

    test('the runtime loads the entry a user gets, and exits by itself with status 0 after the suite', () => {
      const {entry, runtime} = summary()
      expect(entry, runtime).toMatch(expectedEntry)
      expect(run!.exitedByItself, `still running ${EXIT_GRACE} ms after the suite: a timer or connection keeps it alive`).toBe(true)
      if (process.env['RUNTIME_EXIT_DELAY']) console.log(`${runtime}: exited ${run!.exitDelay} ms after its summary; the suite took ${summary().ms} ms`)
      expect(run!.code, run!.output).toBe(0)
      expect(servers.flatMap((server) => server.errors)).toEqual([])
    })

    for (const [name] of tests as [string][]) {
      test(name, () => {
        const result = summary().results.find((candidate) => candidate.name === name)
        expect(result, `${name} did not run. Output:\n${run!.output}`).toBeDefined()
        if (!result!.ok) throw new Error(`in ${summary().runtime}: ${result!.error}`)
      })
    }
  })
}
