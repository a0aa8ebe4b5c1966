// --help, --version, and a command line that cannot work: exit 2 with a message on stderr,
// nothing on stdout, and no request sent.
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, expect, test} from 'vitest'
import {helpText, parseCommandLine} from '../src/cli/args.js'
import {planRequest} from '../src/cli/request.js'
import {assertCliBuilt, cli} from './support/cli.js'
import {repoRoot} from './support/paths.js'
import {startServer, type TestServer} from './support/sse-server.js'

let server: TestServer

beforeAll(async () => {
  assertCliBuilt()
  server = await startServer({})
})
afterAll(() => server.close())

test.concurrent('--help prints the usage, every option, the exit codes and examples, on stdout, and exits 0', async () => {
  const {code, stdout, stderr} = await cli(['--help'])
  expect(code).toBe(0)
  expect(stderr).toBe('')
  expect(stdout).toMatch(/^streamsource \d+\.\d+\.\d+\S*: curl for Server-Sent Events\n\nUsage: streamsource \[options\] <url>\n/)
  for (const option of ['-H, --header', '-X, --method', '-d, --data', '--data-binary', '--json', '--last-event-id', '--once', '--max-events', '--timeout', '--raw', '--ndjson', '--no-reconnect', '--initial-delay', '--factor', '--max-delay', '--jitter', '--max-attempts', '--retry-on-status', '--heartbeat-timeout', '--max-event-size', '--verbose', '--quiet', '--no-color', '--version']) {
    expect(stdout).toContain(option)
  }
  expect(stdout).toMatch(/Exit codes:\n {2}0 +.*\n {2}1 +.*\n {2}2 +bad usage\n {2}3 +HTTP error.*\n {2}4 +network failure.*\n {2}5 +.*\n {2}6 +.*\n {2}130, 143 +/)
  expect(stdout).toMatch(/Examples:\n {2}streamsource http:\/\/127\.0\.0\.1:3000\/ticker\n/)
  // Fits a terminal.
  for (const line of stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(100)
  expect(helpText('1.2.3')).toBe(stdout.replace(/^streamsource \S+:/, 'streamsource 1.2.3:'))
})

test.concurrent('--version prints the package version', async () => {
  const {version} = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {version: string}
  const {code, stdout} = await cli(['--version'])
  expect(code).toBe(0)
  expect(stdout).toBe(`${version}\n`)
})

test.concurrent.each([
  [['URL', '--no-such-option'], /Unknown option '--no-such-option'/],
  // Refused by the library's own check of header values.
  [['URL', '-H', 'X-Name: caf\u00e9\u20ac'], /EventSource option `headers`/],
])('exit 2 for %j, with the reason on stderr and no request sent', async (args, message) => {
  const {code, stdout, stderr} = await cli(args.map((arg) => (arg === 'URL' ? server.url : arg)))
  expect(code).toBe(2)
  expect(stdout).toBe('')
  expect(stderr).toMatch(message)
  expect(stderr).toMatch(/^streamsource: .*\n(Try `streamsource --help`\.\n)?$/)
  expect(server.requests).toEqual([])
})

// The rest of the checks, without a process each: the command line as the CLI reads it.
test.each([
  [['http://a.test/', 'http://b.test/'], /One URL expected, got 2/],
  [['URL', '-H', 'no colon'], /-H "no colon": expected "Name: value"/],
  [['URL', '--raw', '--ndjson'], /--raw and --ndjson cannot be combined/],
  [['URL', '--verbose', '--quiet'], /--verbose and --quiet cannot be combined/],
  [['URL', '--timeout', 'soon'], /--timeout soon: expected a duration/],
  [['URL', '--timeout', '0'], /--timeout 0: give a time to wait/],
  [['URL', '--max-events', '0'], /--max-events 0: expected a whole number, at least 1/],
  [['URL', '--factor', '0.5'], /--factor 0\.5: expected a number, at least 1/],
  [['URL', '--jitter', '2'], /--jitter 2: a share of the delay, from 0 to 1/],
  [['URL', '--retry-on-status', '503,abc'], /--retry-on-status 503,abc: expected HTTP statuses/],
  [['URL', '--no-reconnect', '--max-attempts', '3'], /--no-reconnect cannot be combined with --max-attempts/],
  [['URL', '-X', 'GET', '-d', 'a=1'], /A request body needs a method other than GET/],
  [['URL', '-X', 'TRACE'], /-X "TRACE": not a method fetch can send/],
  [['URL', '--json', '{}', '-d', 'a'], /--json cannot be combined with -d/],
  [['URL', '-d', '@-', '--json', '@-'], /--json cannot be combined/],
  [['URL', '-d', '@-', '-d', '@-'], /Standard input \(@-\) can be read once only/],
  [['ftp://example.test/'], /ftp: URLs are not supported/],
  [['http://[nope/'], /Not a URL/],
  [[], /No URL given/],
])('bad usage: %j', (args, message) => {
  expect(() => parseCommandLine(args.map((arg) => (arg === 'URL' ? 'http://127.0.0.1/' : arg)))).toThrow(message)
})

test("what the command line means: curl's defaults, durations with units, http:// when no scheme is given", () => {
  const command = parseCommandLine(['127.0.0.1:3000/chat', '-d', 'a=1', '--data-binary', '@-', '-m', '1.5', '--initial-delay', '2s', '--max-delay', '1m', '--retry-on-status', '429, 503'])
  expect(command).toMatchObject({
    kind: 'run',
    options: {
      url: 'http://127.0.0.1:3000/chat',
      method: undefined,
      body: [{kind: 'data', value: 'a=1'}, {kind: 'binary', value: '@-'}],
      timeout: 1500,
      reconnect: true,
      reconnectFlags: {initialDelay: 2000, maxDelay: 60_000, retryOnStatus: [429, 503]},
      output: 'text',
    },
  })
  expect(parseCommandLine(['--version', 'whatever'])).toEqual({kind: 'version'})
  expect(parseCommandLine(['-V'])).toEqual({kind: 'version'})
  expect(parseCommandLine(['-h'])).toEqual({kind: 'help'})
})

test('a body file that cannot be read is bad usage', async () => {
  const command = parseCommandLine(['http://127.0.0.1/', '-d', '@/no/such/file'])
  if (command.kind !== 'run') throw new Error('expected a run')
  await expect(planRequest(command.options)).rejects.toThrow(/Cannot read \/no\/such\/file: ENOENT/)
})
