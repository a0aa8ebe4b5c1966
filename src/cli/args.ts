/**
 * The command line of `streamsource` (the CLI, src/cli/main.ts): what `util.parseArgs` reads, checked
 * and turned into {@link CliOptions}; `--help`'s text. Nothing here touches the network or a file.
 */
import {parseArgs} from 'node:util'

/** A command line that cannot work: exit code {@link EXIT.usage}, with the message and a hint. */
export class UsageError extends Error {
  override name = 'UsageError'
}

/** The exit codes, as `--help` lists them. */
export const EXIT = {
  /** The stream ended normally (`--once`, `--no-reconnect`), or `--max-events` were printed. */
  ok: 0,
  /** Anything else: an event past `--max-event-size`, an unexpected failure. */
  failure: 1,
  /** A command line that cannot work. */
  usage: 2,
  /** The server answered with a status other than 200. */
  http: 3,
  /** No connection, or it broke off (refused, DNS, reset, heartbeat timeout) and no reconnect followed. */
  network: 4,
  /** A 200 whose `Content-Type` is not `text/event-stream`. */
  contentType: 5,
  /** `--timeout` passed. */
  timeout: 6,
  /** Ctrl-C (SIGINT): 128 + 2, as shells report it. */
  interrupted: 130,
  /** SIGTERM: 128 + 15. */
  terminated: 143,
} as const

/** One `-d`, `--data-binary` or `--json` argument, in the order given. */
export interface BodyPart {
  /** `data`: curl's `-d` (newlines of an `@file` dropped); `binary`: as it is; `json`: as it is, JSON. */
  kind: 'data' | 'binary' | 'json'
  /** The text, or `@file`, or `@-` for standard input. */
  value: string
}

/** The `reconnect` options of the library, as given on the command line. */
export interface ReconnectFlags {
  initialDelay?: number
  factor?: number
  maxDelay?: number
  jitter?: number
  maxAttempts?: number
  retryOnStatus?: number[]
}

export interface CliOptions {
  url: string
  /** `-H` headers, in order: name and value. */
  headers: [name: string, value: string][]
  /** `-X`, upper-cased; `undefined` for the default (GET, or POST with a body). */
  method: string | undefined
  body: BodyPart[]
  lastEventId: string | undefined
  once: boolean
  maxEvents: number | undefined
  /** Milliseconds. */
  timeout: number | undefined
  /** How stdout shows the stream: events as text, one JSON object per event, or the bytes as received. */
  output: 'text' | 'ndjson' | 'raw'
  reconnect: boolean
  reconnectFlags: ReconnectFlags
  /** Milliseconds. */
  heartbeatTimeout: number | undefined
  maxEventSize: number | undefined
  verbose: boolean
  quiet: boolean
  /** `--color` / `--no-color`; `undefined`: from the environment and the terminal. */
  color: boolean | undefined
}

export type Command = {kind: 'help'} | {kind: 'version'} | {kind: 'run'; options: CliOptions}

const OPTIONS = {
  header: {type: 'string', short: 'H', multiple: true},
  method: {type: 'string', short: 'X'},
  request: {type: 'string'},
  data: {type: 'string', short: 'd', multiple: true},
  'data-binary': {type: 'string', multiple: true},
  json: {type: 'string', multiple: true},
  'last-event-id': {type: 'string'},
  once: {type: 'boolean'},
  'max-events': {type: 'string', short: 'n'},
  timeout: {type: 'string', short: 'm'},
  raw: {type: 'boolean'},
  ndjson: {type: 'boolean'},
  'no-reconnect': {type: 'boolean'},
  'initial-delay': {type: 'string'},
  factor: {type: 'string'},
  'max-delay': {type: 'string'},
  jitter: {type: 'string'},
  'max-attempts': {type: 'string'},
  'retry-on-status': {type: 'string'},
  'heartbeat-timeout': {type: 'string'},
  'max-event-size': {type: 'string'},
  verbose: {type: 'boolean', short: 'v'},
  quiet: {type: 'boolean', short: 'q'},
  color: {type: 'boolean'},
  'no-color': {type: 'boolean'},
  help: {type: 'boolean', short: 'h'},
  version: {type: 'boolean', short: 'V'},
} as const

/** A method fetch sends: an HTTP token, not one fetch forbids. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/i

/** Reads `argv` (without `node` and the script). Throws {@link UsageError}. */
export function parseCommandLine(argv: readonly string[]): Command {
  let parsed
  try {
    parsed = parseArgs({args: [...argv], options: OPTIONS, allowPositionals: true, strict: true})
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error))
  }
  const {values, positionals} = parsed
  if (values.help) return {kind: 'help'}
  if (values.version) return {kind: 'version'}

  if (positionals.length !== 1) {
    throw new UsageError(positionals.length === 0 ? 'No URL given' : `One URL expected, got ${positionals.length}: ${positionals.join(' ')}`)
  }
  const url = parseUrl(positionals[0]!)

  if (values.method !== undefined && values.request !== undefined) throw new UsageError('-X/--method and --request are the same option: give one')
  const methodText = values.method ?? values.request
  let method: string | undefined
  if (methodText !== undefined) {
    method = methodText.toUpperCase()
    if (!TOKEN.test(method) || /^(CONNECT|TRACE|TRACK)$/.test(method)) {
      throw new UsageError(`-X ${JSON.stringify(methodText)}: not a method fetch can send`)
    }
  }

  const headers = (values.header ?? []).map(parseHeader)

  const body = bodyParts(argv, values)
  if (body.some((part) => part.kind === 'json') && body.some((part) => part.kind !== 'json')) {
    throw new UsageError('--json cannot be combined with -d or --data-binary')
  }
  if (body.filter((part) => part.value === '@-').length > 1) throw new UsageError('Standard input (@-) can be read once only')
  if (body.length > 0 && (method === 'GET' || method === 'HEAD')) {
    throw new UsageError(`A request body needs a method other than ${method}`)
  }

  if (values.raw && values.ndjson) throw new UsageError('--raw and --ndjson cannot be combined: pick one output')
  if (values.verbose && values.quiet) throw new UsageError('--verbose and --quiet cannot be combined')
  if (values.color && values['no-color']) throw new UsageError('--color and --no-color cannot be combined')

  const reconnect = !values['no-reconnect']
  const reconnectFlags: ReconnectFlags = {}
  if (values['initial-delay'] !== undefined) reconnectFlags.initialDelay = duration(values['initial-delay'], '--initial-delay', 'ms')
  if (values.factor !== undefined) reconnectFlags.factor = number(values.factor, '--factor', 1)
  if (values['max-delay'] !== undefined) reconnectFlags.maxDelay = duration(values['max-delay'], '--max-delay', 'ms')
  if (values.jitter !== undefined) {
    const jitter = number(values.jitter, '--jitter', 0)
    if (jitter > 1) throw new UsageError(`--jitter ${values.jitter}: a share of the delay, from 0 to 1`)
    reconnectFlags.jitter = jitter
  }
  if (values['max-attempts'] !== undefined) reconnectFlags.maxAttempts = integer(values['max-attempts'], '--max-attempts', 0)
  if (values['retry-on-status'] !== undefined) {
    reconnectFlags.retryOnStatus = values['retry-on-status'].split(',').map((status) => {
      const code = Number(status.trim())
      if (!Number.isInteger(code) || code < 100 || code > 599) {
        throw new UsageError(`--retry-on-status ${values['retry-on-status']}: expected HTTP statuses separated by commas, e.g. 429,503`)
      }
      return code
    })
  }
  if (!reconnect && Object.keys(reconnectFlags).length > 0) {
    throw new UsageError(`--no-reconnect cannot be combined with --${Object.keys(reconnectFlags).map(kebab).join(', --')}`)
  }

  const maxEvents = values['max-events'] === undefined ? undefined : integer(values['max-events'], '--max-events', 1)
  const timeout = values.timeout === undefined ? undefined : duration(values.timeout, '--timeout', 's')
  if (timeout === 0) throw new UsageError('--timeout 0: give a time to wait, e.g. 10 or 500ms')
  const heartbeatTimeout = values['heartbeat-timeout'] === undefined ? undefined : duration(values['heartbeat-timeout'], '--heartbeat-timeout', 'ms')
  const maxEventSize = values['max-event-size'] === undefined ? undefined : integer(values['max-event-size'], '--max-event-size', 1)

  return {
    kind: 'run',
    options: {
      url,
      headers,
      method,
      body,
      lastEventId: values['last-event-id'],
      once: values.once ?? false,
      maxEvents,
      timeout,
      output: values.raw ? 'raw' : values.ndjson ? 'ndjson' : 'text',
      reconnect,
      reconnectFlags,
      heartbeatTimeout,
      maxEventSize,
      verbose: values.verbose ?? false,
      quiet: values.quiet ?? false,
      color: values.color ? true : values['no-color'] ? false : undefined,
    },
  }
}

/** `http://` is assumed without a scheme, as curl assumes it; other schemes than http(s) are refused. */
function parseUrl(text: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`
  let url: URL
  try {
    url = new URL(withScheme)
  } catch {
    throw new UsageError(`Not a URL: ${text}`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`${url.protocol} URLs are not supported: http: or https: only`)
  return url.href
}

/** curl's `-H 'Name: value'`. */
function parseHeader(text: string): [string, string] {
  const colon = text.indexOf(':')
  const name = colon < 0 ? '' : text.slice(0, colon).trim()
  if (!TOKEN.test(name)) throw new UsageError(`-H ${JSON.stringify(text)}: expected "Name: value"`)
  return [name, text.slice(colon + 1).trim()]
}

/** The body arguments in the order given on the command line, whichever option each came with. */
function bodyParts(argv: readonly string[], values: {data?: string[]; 'data-binary'?: string[]; json?: string[]}): BodyPart[] {
  // parseArgs groups values by option; the order across options comes from its tokens.
  const {tokens} = parseArgs({args: [...argv], options: OPTIONS, allowPositionals: true, strict: true, tokens: true})
  const kinds = {data: 'data', 'data-binary': 'binary', json: 'json'} as const
  const parts: BodyPart[] = []
  for (const token of tokens) {
    if (token.kind !== 'option' || !Object.hasOwn(kinds, token.name)) continue
    parts.push({kind: kinds[token.name as keyof typeof kinds], value: token.value ?? ''})
  }
  const given = (values.data?.length ?? 0) + (values['data-binary']?.length ?? 0) + (values.json?.length ?? 0)
  if (parts.length !== given) throw new Error('parseArgs tokens and values disagree')
  return parts
}

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)
}

function number(text: string, option: string, least: number): number {
  const value = Number(text)
  if (text.trim() === '' || !Number.isFinite(value) || value < least) throw new UsageError(`${option} ${text}: expected a number, at least ${least}`)
  return value
}

function integer(text: string, option: string, least: number): number {
  const value = Number(text)
  if (!/^\d+$/.test(text.trim()) || value < least) throw new UsageError(`${option} ${text}: expected a whole number, at least ${least}`)
  return value
}

const UNITS = {ms: 1, s: 1000, m: 60_000, h: 3_600_000} as const

/** `500ms`, `2s`, `1.5m`, `1h`, or a bare number in `unit`. In milliseconds. */
export function duration(text: string, option: string, unit: 'ms' | 's'): number {
  const match = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m|h)?\s*$/.exec(text)
  if (!match) throw new UsageError(`${option} ${text}: expected a duration, e.g. ${unit === 's' ? '30 (seconds)' : '3000 (ms)'}, 500ms, 2s or 1m`)
  return Math.round(Number(match[1]) * UNITS[(match[2] as keyof typeof UNITS | undefined) ?? unit])
}

/** `--help`. */
export function helpText(version: string): string {
  return `streamsource ${version}: curl for Server-Sent Events

Usage: streamsource [options] <url>

Connects to <url> with the streamsource EventSource and prints each event as it arrives: its
type, id and data (pretty JSON on a terminal), the time and the gap since the previous event.
Comments and retry: fields show dimmed. The connection's story goes to stderr: open (status,
time to headers and first byte), errors, each reconnect (attempt, delay, Last-Event-ID), and
warnings about what breaks event streams in production.

Request (as curl's):
  -H, --header 'Name: value'   add a request header (repeatable)
  -X, --method METHOD          request method (also --request); POST with a body by default
  -d, --data TEXT|@file|@-     request body, form-encoded unless a Content-Type is given;
                               newlines of a file dropped; repeated: joined with &
      --data-binary TEXT|@file|@-
                               request body, exactly as given
      --json TEXT|@file|@-     JSON request body (sets Content-Type: application/json)
      --last-event-id ID       resume from ID: sent as Last-Event-ID until the stream sends one

Modes:
      --once                   one request/response stream (LLM APIs): exit when it ends;
                               a drop resumes only when the server sent ids
  -n, --max-events N           exit 0 after N events
  -m, --timeout DURATION       give up after DURATION (seconds, or 500ms, 2m): exit 6
      --raw                    print the bytes as received, not events
      --ndjson                 print one JSON object per event: {type, data, id, lastEventId, time}
      --no-reconnect           exit when the connection ends, instead of reconnecting

Reconnection (the library's reconnect options; durations in ms, or 2s, 1m):
      --initial-delay MS       delay before a reconnect until the server's retry: (default 3000)
      --factor N               multiply the delay by N per failure in a row (default 1)
      --max-delay MS           cap on the delay, retry: and Retry-After included
      --jitter 0..1            share of the delay drawn at random (default 0)
      --max-attempts N         failed reconnects in a row before giving up (default: never)
      --retry-on-status LIST   statuses that reconnect instead of failing, e.g. 429,502,503
      --heartbeat-timeout MS   reconnect when nothing arrives for this long
      --max-event-size N       fail on a line or event longer than N characters

Output:
  -v, --verbose                request and response headers (credentials shortened)
  -q, --quiet                  nothing on stderr but a fatal error
      --color, --no-color      force colours on or off (default: on for a terminal, unless
                               NO_COLOR is set; FORCE_COLOR forces them)
  -h, --help                   this help
  -V, --version                the version

Exit codes:
  0  the stream ended (--once, --no-reconnect) or --max-events were printed
  1  another failure (an event past --max-event-size)
  2  bad usage
  3  HTTP error: a status other than 200
  4  network failure: no connection, or it broke off and was not resumed
  5  the response is not text/event-stream
  6  --timeout passed
  130, 143  interrupted (Ctrl-C, SIGTERM)

Examples:
  streamsource http://127.0.0.1:3000/ticker
  streamsource 'http://127.0.0.1:3000/ticker?symbols=SSE,ACME' --max-events 4 --ndjson | jq .data
  streamsource 'http://127.0.0.1:3000/flaky?client=me' --retry-on-status 503 \\
    --initial-delay 500 --factor 2
  streamsource https://api.example.com/v1/chat/completions --once \\
    -H "Authorization: Bearer $KEY" --json '{"model": "m", "stream": true, "messages": []}'
  echo '{"prompt": "hi"}' | streamsource http://localhost:8080/chat --once --json @-
  streamsource http://localhost:8080/events --raw --no-reconnect
`
}
