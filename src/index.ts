export {ParseError, type ErrorType} from './errors.js'
export {createParser} from './parse.js'
export {EventSourceParserStream, type StreamOptions} from './stream.js'
export type {EventSourceMessage, EventSourceParser, ParserCallbacks, ParserConfig} from './types.js'
