// A recorder for parser callbacks: every call lands, in order, in one list so
// tests can assert the exact interleaving of events, ids, retries, comments and
// errors.
import type {EventSourceMessage, ParseError} from '../../src/index.js'

export type ErrorRecord = {
  type: ParseError['type']
  field?: string | undefined
  value?: string | undefined
  line?: string | undefined
}

export type Call =
  | ['event', EventSourceMessage]
  | ['id', string]
  | ['retry', number]
  | ['comment', string]
  | ['error', ErrorRecord]

export type Recorder = {
  calls: Call[]
  errors: ParseError[]
  onEvent: (message: EventSourceMessage) => void
  onId: (id: string) => void
  onRetry: (ms: number) => void
  onComment: (comment: string) => void
  onError: (error: ParseError) => void
}

export function recordError(error: ParseError): ErrorRecord {
  return {type: error.type, field: error.field, value: error.value, line: error.line}
}

export function record(): Recorder {
  const calls: Call[] = []
  const errors: ParseError[] = []
  return {
    calls,
    errors,
    onEvent: (message) => {
      calls.push(['event', message])
    },
    onId: (id) => {
      calls.push(['id', id])
    },
    onRetry: (ms) => {
      calls.push(['retry', ms])
    },
    onComment: (comment) => {
      calls.push(['comment', comment])
    },
    onError: (error) => {
      errors.push(error)
      calls.push(['error', recordError(error)])
    },
  }
}

/** Shorthand for an expected `onEvent` call. */
export function ev(data: string, extra: {id?: string; event?: string} = {}): Call {
  return ['event', {id: extra.id, event: extra.event, data}]
}
