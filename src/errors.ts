/**
 * What a {@link ParseError} is about.
 *
 * @public
 */
export type ErrorType = 'invalid-retry' | 'unknown-field' | 'max-buffer-size-exceeded'

/**
 * Input the parser skipped or could not hold, reported through `onError`.
 *
 * @public
 */
export class ParseError extends Error {
  /** What went wrong. */
  type: ErrorType
  /** For `unknown-field`: the field name. */
  field?: string | undefined
  /** For `unknown-field` and `invalid-retry`: the field value. */
  value?: string | undefined
  /** For `unknown-field` and `invalid-retry`: the whole line. */
  line?: string | undefined

  constructor(
    message: string,
    options: {type: ErrorType; field?: string | undefined; value?: string | undefined; line?: string | undefined},
  ) {
    super(message)
    this.name = 'ParseError'
    this.type = options.type
    this.field = options.field
    this.value = options.value
    this.line = options.line
  }
}
