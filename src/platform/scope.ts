/**
 * The global scope and how the first connection is deferred: the same in every build, so
 * platform.ts and platform-legacy.ts both re-export them from here.
 */

/**
 * The global object: a window, a worker's scope, or Node's `globalThis`. (In the ES5 build
 * `globalThis` is the IIFE's own name for `self` where the engine has none: see rollup.config.mjs.)
 */
// The page's parts are declared by their shape, not as the DOM's `Window`: the declarations must
// hold without the DOM lib (a Node or worker project). Where the DOM lib is loaded, the intersection
// gives the DOM's own types.
export const scope = globalThis as typeof globalThis & {document?: {readonly baseURI: string}; location?: {readonly href: string}}

/**
 * Runs `task` soon, after the current task: a microtask where there are, else a timer.
 * The first connection attempt waits for it, so that `close()` right after construction sends nothing.
 */
export const defer = (task: () => void): void => {
  if (typeof queueMicrotask == 'function') queueMicrotask(task)
  else setTimeout(task)
}
