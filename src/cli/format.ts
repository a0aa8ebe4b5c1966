/**
 * How the CLI writes: colours (only for a terminal, never with NO_COLOR), the event lines on stdout
 * (text, NDJSON), and the lines on stderr that tell the connection's story.
 */
import * as util from 'node:util'

/** The styles the CLI uses: a subset of `util.inspect.colors`, which `util.styleText` takes. */
export type Format = 'bold' | 'dim' | 'red' | 'green' | 'yellow' | 'blue' | 'magenta' | 'cyan' | 'gray'

export type Paint = (format: Format | Format[], text: string) => string

/** ANSI codes for Node versions without `util.styleText` (before 20.12): open and close, as inspect has them. */
const CODES: Record<Format, [number, number]> = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  blue: [34, 39],
  magenta: [35, 39],
  cyan: [36, 39],
  gray: [90, 39],
}

type StyleText = (format: Format | Format[], text: string, options?: {validateStream?: boolean}) => string

/** `paint(format, text)`: styled when `enabled`, the text alone when not. */
export function painter(enabled: boolean): Paint {
  if (!enabled) return (_format, text) => text
  const styleText = (util as {styleText?: StyleText}).styleText
  // Whether to colour is decided here (see wantsColor); styleText only styles.
  if (styleText) return (format, text) => styleText(format, text, {validateStream: false})
  return (format, text) =>
    (Array.isArray(format) ? format : [format]).reduceRight((inner, name) => `\u001b[${CODES[name][0]}m${inner}\u001b[${CODES[name][1]}m`, text)
}

/**
 * Whether to colour what goes to `stream`: `--color`/`--no-color` when given; else FORCE_COLOR when
 * set (`0` and `false` turn colours off), as Node reads it; else never with NO_COLOR (any value but
 * empty, https://no-color.org), never but on a terminal, never on a dumb one.
 */
export function wantsColor(stream: {isTTY?: boolean}, env: NodeJS.ProcessEnv, flag: boolean | undefined): boolean {
  if (flag !== undefined) return flag
  const force = env['FORCE_COLOR']
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false'
  if (env['NO_COLOR']) return false
  return stream.isTTY === true && env['TERM'] !== 'dumb'
}

/** `14:03:21.120`: the local time of day, to the millisecond. */
export function clock(time: Date): string {
  const pad = (value: number, width = 2): string => String(value).padStart(width, '0')
  return `${pad(time.getHours())}:${pad(time.getMinutes())}:${pad(time.getSeconds())}.${pad(time.getMilliseconds(), 3)}`
}

/** A duration for people: `12 ms`, `1.52 s`, `2 m 03 s`. */
export function span(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`
  const seconds = Math.round(ms / 1000)
  return `${Math.floor(seconds / 60)} m ${String(seconds % 60).padStart(2, '0')} s`
}

/** One event, as the CLI prints it. */
export interface PrintedEvent {
  /** The MessageEvent's type: the `event:` field, or `message`. */
  type: string
  data: string
  /** The event's own `id:` field, when its block had one. */
  id: string | undefined
  /** The EventSource's last event ID when the event was dispatched (the spec's `lastEventId`). */
  lastEventId: string
  /** When the bytes that completed it arrived. */
  time: Date
  /** Milliseconds since the previous event (or since the first connection opened, for the first). */
  gap: number
}

/** How events and stream lines look on stdout. */
export interface StdoutFormat {
  paint: Paint
  /** Data that parses as a JSON object or array is indented: on a terminal only. */
  pretty: boolean
}

/**
 * An event as text:
 *
 * ```
 * 14:03:21.120 +512 ms  tick  id 7
 *   {"symbol":"SSE","price":101.2}
 * ```
 *
 * The data follows, each line indented two spaces (an empty data shows as `(empty)`).
 */
export function formatEvent(event: PrintedEvent, {paint, pretty}: StdoutFormat): string {
  const head = [paint('dim', clock(event.time)), paint('dim', `+${span(event.gap)}`), paint(['bold', 'cyan'], event.type)]
  if (event.id !== undefined) head.push(paint('yellow', event.id === '' ? 'id (cleared)' : `id ${event.id}`))
  let data = event.data
  if (pretty) data = prettyJson(data) ?? data
  const body = data === '' ? paint('dim', '(empty)') : data
  return `${head.join(' ')}\n${body.replace(/^/gm, '  ')}\n`
}

/** `data` indented when it is a JSON object or array; `undefined` when not. */
function prettyJson(data: string): string | undefined {
  const text = data.trim()
  if (!(text.startsWith('{') || text.startsWith('['))) return undefined
  try {
    return JSON.stringify(JSON.parse(text), null, 2)
  } catch {
    return undefined
  }
}

/** An event as one line of JSON (`--ndjson`): `{type, data, id, lastEventId, time}`; `id` is `null` without an `id:` field. */
export function formatNdjson(event: PrintedEvent): string {
  return `${JSON.stringify({type: event.type, data: event.data, id: event.id ?? null, lastEventId: event.lastEventId, time: event.time.toISOString()})}\n`
}

/** A comment line of the stream, dimmed: `14:03:21.120 : keep-alive`. */
export function formatComment(comment: string, time: Date, {paint}: StdoutFormat): string {
  return paint('dim', `${clock(time)} :${comment === '' ? '' : ` ${comment}`}`) + '\n'
}

/** A `retry:` field, dimmed: `14:03:21.120 retry: 2000`. */
export function formatRetry(retry: number, time: Date, {paint}: StdoutFormat): string {
  return paint('dim', `${clock(time)} retry: ${retry}`) + '\n'
}

/** The kinds of line on stderr: each one's label and its style. */
const LABELS = {
  request: ['>', 'gray'],
  response: ['<', 'gray'],
  open: ['open', 'green'],
  ttfb: ['ttfb', 'gray'],
  error: ['error', 'red'],
  reconnect: ['reconnect', 'yellow'],
  warning: ['warning', 'magenta'],
  end: ['end', 'green'],
} as const satisfies Record<string, readonly [string, Format]>

export type LogKind = keyof typeof LABELS

/** A line on stderr: `14:03:21.120 open 200 OK, headers 12 ms after the request`; more lines indented. */
export function formatLog(kind: LogKind, message: string, time: Date, paint: Paint): string {
  const [label, style] = LABELS[kind]
  const [first = '', ...rest] = message.split('\n')
  const headers = kind === 'request' || kind === 'response'
  return [`${paint('dim', clock(time))} ${paint(['bold', style], label)} ${first}`, ...rest.map((line) => `    ${headers ? paint('dim', line) : line}`)].join('\n') + '\n'
}
