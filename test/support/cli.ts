// The built command line (dist/cli.js) run as a child process, as a user runs it: what it writes,
// waited for line by line, and how it exits.
import {spawn, type ChildProcess} from 'node:child_process'
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll} from 'vitest'
import {assertBuilt, distDir} from './paths.js'

export const cliPath = join(distDir, 'cli.js')

/** Fails fast when dist/cli.js is missing, instead of every test failing on a spawn. */
export function assertCliBuilt(): void {
  assertBuilt()
  if (!existsSync(cliPath)) throw new Error(`${cliPath} is missing: run \`npm run build\` first (\`npm test\` does).`)
}

export interface Exit {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

export interface CliRun {
  child: ChildProcess
  /** Everything written so far. */
  stdout(): string
  stderr(): string
  /** Resolves once stdout (or stderr) matches `pattern`, with the match; rejects when the process exits first. */
  waitForStdout(pattern: RegExp | string): Promise<string>
  waitForStderr(pattern: RegExp | string): Promise<string>
  /** Resolves when the process has exited and its output is read to the end. */
  exited: Promise<Exit>
}

const running = new Set<ChildProcess>()

afterAll(() => {
  // A test that failed halfway leaves no process behind (not after each test: tests may run concurrently).
  for (const child of running) child.kill('SIGKILL')
  running.clear()
})

/** An environment without the variables that decide colours, so each test sets its own. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = {...process.env}
  for (const name of ['FORCE_COLOR', 'NO_COLOR', 'NODE_DISABLE_COLORS']) delete env[name]
  return {...env, TERM: 'xterm-256color', ...extra}
}

/**
 * Starts `streamsource args…`. `input` is written to its stdin, which then ends (no `input`: stdin
 * ends at once). `timeout` kills a process that has not exited by then (a test failure, not a wait).
 */
export function runCli(args: string[], {input, env = cleanEnv(), timeout = 18_000}: {input?: string; env?: NodeJS.ProcessEnv; timeout?: number} = {}): CliRun {
  const child = spawn(process.execPath, [cliPath, ...args], {env, stdio: ['pipe', 'pipe', 'pipe']})
  running.add(child)
  let stdout = ''
  let stderr = ''
  const waiters = new Set<() => void>()
  const wake = (): void => {
    for (const waiter of [...waiters]) waiter()
  }
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk
    wake()
  })
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
    wake()
  })
  child.stdin!.on('error', () => {})
  child.stdin!.end(input)
  const killer = setTimeout(() => child.kill('SIGKILL'), timeout)
  let hasExited = false
  const exited = new Promise<Exit>((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(killer)
      running.delete(child)
      hasExited = true
      wake()
      resolve({code, signal, stdout, stderr})
    })
  })
  const waitFor = (read: () => string, name: string) => (pattern: RegExp | string) =>
    new Promise<string>((resolve, reject) => {
      const check = (): void => {
        const text = read()
        const match = typeof pattern === 'string' ? (text.includes(pattern) ? pattern : undefined) : pattern.exec(text)?.[0]
        if (match !== undefined) {
          waiters.delete(check)
          resolve(match)
        } else if (hasExited) {
          waiters.delete(check)
          reject(new Error(`streamsource exited before its ${name} showed ${String(pattern)}\nstdout:\n${stdout}\nstderr:\n${stderr}`))
        }
      }
      waiters.add(check)
      check()
    })
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    waitForStdout: waitFor(() => stdout, 'stdout'),
    waitForStderr: waitFor(() => stderr, 'stderr'),
    exited,
  }
}

/** Runs `streamsource args…` to its exit. */
export function cli(args: string[], options?: Parameters<typeof runCli>[1]): Promise<Exit> {
  return runCli(args, options).exited
}
