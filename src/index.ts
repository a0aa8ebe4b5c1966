/**
 * `streamsource`: the `EventSource` class and its options, `createEventSource` (the platform's
 * own EventSource when that is enough),
 * the `text/event-stream` parser (`createParser`, `EventSourceParserStream`), and the error and
 * event classes.
 *
 * @module streamsource
 */
export {ParseError, type ErrorType} from './errors.js'
export {createParser} from './parser/parse.js'
export {EventSourceParserStream, type StreamOptions} from './parser/stream.js'
export type {EventSourceMessage, EventSourceParser, ParserCallbacks, ParserConfig} from './parser/types.js'
export {ContentTypeError, HeartbeatTimeoutError, HTTPError, StreamSourceError} from './errors.js'
export {
  EventSource,
  type EventHandlerAttributes,
  type EventNames,
  type EventSourceEventMap,
  type EventSourceEvents,
  type ListenerOptions,
  type NamedEvent,
  type RemoveListenerOptions,
  type TypedMessageEvent,
} from './eventsource/EventSource.js'
// The types the ones above are made of, so that a project's own declarations can name them.
export type {AnyListener, EventSourceTarget, Listener} from './eventsource/event-source-target.js'
export {createEventSource} from './adapters/native.js'
export type {Extension} from './extensions/extension.js'
export {heartbeat} from './extensions/heartbeat.js'
export {messages} from './extensions/messages.js'
export {oneShot} from './extensions/one-shot.js'
export {reconnectOnPageEvents} from './extensions/reconnect-on-page-events.js'
export {retryOnStatus} from './extensions/retry-on-status.js'
export {EventSourceErrorEvent, EventSourceReconnectEvent, type ErrorEventDetails} from './eventsource/events.js'
export type {
  BodyValue,
  CredentialsValue,
  EventSourceInit,
  FetchLike,
  FetchLikeResponse,
  FetchLikeInit,
  HeadersContext,
  HeadersValue,
  ReconnectInfo,
  ReconnectOptions,
} from './eventsource/options.js'
