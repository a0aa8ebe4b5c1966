/**
 * `streamsource/shared`: `createSharedEventSource`, one connection for every tab of an origin (a
 * SharedWorker where there is one, else the tab that holds a Web Lock). A subpath of its own, so
 * that an app that does not share pays nothing for it, and the polyfill script-tag build leaves it out.
 *
 * @module streamsource/shared
 */
export {createSharedEventSource, type SharedEventSource, type SharedEventSourceInit} from './tabs.js'
