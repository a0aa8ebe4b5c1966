// Colours and pretty JSON only for a terminal: a pipe gets plain text and the data as sent;
// NO_COLOR (any value but empty) turns colours off on a terminal too, and keeps the indented JSON;
// FORCE_COLOR and --color turn them on, --no-color off.
// The terminal is a real pseudo-terminal, from util-linux's `script`.
import {execFileSync, spawn} from 'node:child_process'
import {afterAll, beforeAll, expect, test} from 'vitest'
import {painter, wantsColor} from '../src/cli/format.js'
import {assertCliBuilt, cleanEnv, cli, cliPath} from './support/cli.js'
import {formatEvent, sseHandler, startServer, type TestServer} from './support/sse-server.js'

let server: TestServer
const ESC = '\u001b['

/** Whether util-linux's `script` is there to give the CLI a terminal. */
const hasScript = (() => {
  try {
    execFileSync('script', ['--version'], {stdio: 'ignore'})
    return true
  } catch {
    return false
  }
})()

beforeAll(async () => {
  assertCliBuilt()
  server = await startServer({'/events': sseHandler([': hi\n\n' + formatEvent({event: 'price', id: '1', data: '{"symbol":"SSE","price":1}'})])})
})
afterAll(() => server.close())

/** The CLI on a terminal (stdout and stderr both): what the terminal showed, CRLF turned back to LF. */
async function onTerminal(env: Record<string, string>, ...args: string[]): Promise<string> {
  const command = [process.execPath, cliPath, `${server.url}events`, '--no-reconnect', ...args].map((arg) => `'${arg}'`).join(' ')
  // `script -q -e -c command /dev/null`: quiet, the command's exit code, no typescript file.
  const child = spawn('script', ['-q', '-e', '-c', command, '/dev/null'], {env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe']})
  let output = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
  const code = await new Promise((resolve) => child.on('close', resolve))
  expect(code, output).toBe(0)
  return output.replace(/\r\n/g, '\n')
}

test.skipIf(!hasScript).concurrent('on a terminal: colours, and JSON data indented', async () => {
  const output = await onTerminal({})
  expect(output).toContain(`${ESC}1m${ESC}36mprice${ESC}39m${ESC}22m`)
  expect(output).toContain('\n  {\n    "symbol": "SSE",\n    "price": 1\n  }\n')
  // The comment, dimmed.
  expect(output).toMatch(/\u001b\[2m\d\d:\d\d:\d\d\.\d{3} : hi\u001b\[22m/)
})

test.skipIf(!hasScript).concurrent('on a terminal with NO_COLOR: no colour at all, the JSON still indented', async () => {
  const output = await onTerminal({NO_COLOR: '1'})
  expect(output).not.toContain(ESC)
  expect(output).toMatch(/\d\d:\d\d:\d\d\.\d{3} \+\d+ ms price id 1\n {2}\{\n {4}"symbol": "SSE",\n {4}"price": 1\n {2}\}\n/)
})

test.concurrent('piped: no colour, the data as sent; FORCE_COLOR colours it, never indents it', async () => {
  const coloured = await cli([`${server.url}events`, '--no-reconnect'], {env: cleanEnv({FORCE_COLOR: '1'})})
  expect(coloured.stdout).toContain(`${ESC}1m${ESC}36mprice`)
  expect(coloured.stderr).toContain(`${ESC}1m${ESC}32mopen`)
  expect(coloured.stdout).toContain('\n  {"symbol":"SSE","price":1}\n')
  // Without it (cli-events.test.ts checks the whole output): the same, no escape.
})

test('who decides: --color and --no-color, then FORCE_COLOR, then NO_COLOR, then whether it is a terminal', () => {
  const terminal = {isTTY: true}
  const pipe = {isTTY: false}
  expect(wantsColor(terminal, {}, undefined)).toBe(true)
  expect(wantsColor(terminal, {TERM: 'dumb'}, undefined)).toBe(false)
  expect(wantsColor(terminal, {NO_COLOR: '1'}, undefined)).toBe(false)
  // An empty NO_COLOR does not count (no-color.org).
  expect(wantsColor(terminal, {NO_COLOR: ''}, undefined)).toBe(true)
  expect(wantsColor(terminal, {NO_COLOR: '1'}, true)).toBe(true)
  expect(wantsColor(terminal, {}, false)).toBe(false)
  expect(wantsColor(pipe, {}, undefined)).toBe(false)
  expect(wantsColor(pipe, {FORCE_COLOR: '1', NO_COLOR: '1'}, undefined)).toBe(true)
  expect(wantsColor(terminal, {FORCE_COLOR: '0'}, undefined)).toBe(false)
  expect(wantsColor(pipe, {FORCE_COLOR: '1'}, false)).toBe(false)
})

test('painting: util.styleText when colours are on, the text alone when off', () => {
  expect(painter(false)(['bold', 'red'], 'x')).toBe('x')
  expect(painter(true)(['bold', 'red'], 'x')).toBe(`${ESC}1m${ESC}31mx${ESC}39m${ESC}22m`)
  expect(painter(true)('dim', 'x')).toBe(`${ESC}2mx${ESC}22m`)
})
