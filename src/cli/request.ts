/**
 * The request the CLI sends, from its options: curl's meaning of `-H`, `-X`, `-d`, `--data-binary`
 * and `--json` (bodies from `@file` and `@-`), turned into the library's `EventSourceInit`.
 */
import {readFile} from 'node:fs/promises'
import {heartbeat, oneShot, retryOnStatus, type EventSourceInit, type Extension, type ReconnectOptions} from '../index.js'
import {UsageError, type BodyPart, type CliOptions} from './args.js'

/** What every attempt sends: the same method, headers and body. */
export interface RequestPlan {
  method: string
  /** Names as given (the library lower-cases them). */
  headers: Record<string, string>
  body: Uint8Array<ArrayBuffer> | undefined
}

/** Where `@-` reads from: standard input, read to its end once. */
export type ReadInput = () => Promise<Uint8Array>

/** Reads standard input to its end. */
export async function readStdin(): Promise<Uint8Array> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

/** The method, headers and body; reads `@file` and `@-`. Throws {@link UsageError} for a file it cannot read. */
export async function planRequest(options: CliOptions, readInput: ReadInput = readStdin): Promise<RequestPlan> {
  const headers: Record<string, string> = {}
  const has = (name: string): boolean => Object.keys(headers).some((key) => key.toLowerCase() === name)
  for (const [name, value] of options.headers) {
    // A name given twice keeps both values, as a `Headers` joins them.
    const key = Object.keys(headers).find((existing) => existing.toLowerCase() === name.toLowerCase()) ?? name
    headers[key] = headers[key] === undefined ? value : `${headers[key]}, ${value}`
  }
  let body: Uint8Array<ArrayBuffer> | undefined
  if (options.body.length > 0) {
    const parts = await Promise.all(options.body.map((part) => readPart(part, readInput)))
    // curl joins -d and --data-binary values with `&`, and --json values with nothing.
    const separator = options.body[0]!.kind === 'json' ? '' : '&'
    body = Buffer.concat(parts.flatMap((part, index) => (index === 0 ? [part] : [Buffer.from(separator), part])))
    if (!has('content-type')) {
      headers['Content-Type'] = options.body[0]!.kind === 'json' ? 'application/json' : 'application/x-www-form-urlencoded'
    }
  }
  return {method: options.method ?? (body === undefined ? 'GET' : 'POST'), headers, body}
}

async function readPart(part: BodyPart, readInput: ReadInput): Promise<Buffer> {
  if (!part.value.startsWith('@')) return Buffer.from(part.value)
  const name = part.value.slice(1)
  let bytes: Buffer
  try {
    bytes = Buffer.from(name === '-' ? await readInput() : await readFile(name))
  } catch (error) {
    throw new UsageError(`Cannot read ${name === '-' ? 'standard input' : name}: ${(error as Error).message}`)
  }
  // curl's -d drops the carriage returns and line feeds of what it reads from a file.
  return part.kind === 'data' ? Buffer.from(bytes.filter((byte) => byte !== 10 && byte !== 13)) : bytes
}

/** The library's options for this command line, but `fetch` and `signal`, which the session adds. */
export function eventSourceInit(options: CliOptions, plan: RequestPlan): EventSourceInit {
  const {retryOnStatus: statuses, ...reconnect}: ReconnectOptions & {retryOnStatus?: number[]} = {...options.reconnectFlags}
  // No reconnect: the first failure, or the stream's end, is the last.
  if (!options.reconnect) reconnect.maxAttempts = 0
  const extensions: Extension[] = []
  if (statuses) extensions.push(retryOnStatus(statuses))
  if (options.once) extensions.push(oneShot())
  if (options.heartbeatTimeout !== undefined) extensions.push(heartbeat(options.heartbeatTimeout))
  const init: EventSourceInit = {method: plan.method, headers: plan.headers, reconnect, extensions}
  if (plan.body !== undefined) init.body = plan.body
  if (options.lastEventId !== undefined) init.lastEventId = options.lastEventId
  if (options.maxEventSize !== undefined) init.maxEventSize = options.maxEventSize
  return init
}
