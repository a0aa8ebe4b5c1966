/**
 * The SharedWorker side of `createSharedEventSource` (shared-tabs.ts): the tabs of an origin
 * subscribe to the worker over MessagePorts, and the worker holds one connection per sharing key
 * for them, as long as one of them is subscribed. shared-worker.ts runs it in the worker
 * script the package ships (dist/shared-worker.js).
 *
 * For each key the worker runs a `TabSource` of its own, the very object a tab runs: it competes
 * for the key's lock, leads once granted it, and posts on the key's BroadcastChannel, where every
 * subscribed tab (and any tab not using the worker) hears it. The worker keeps no listener of its
 * own: what it adds is lifetime. Its source lives while a tab is subscribed, and closes when the
 * last one leaves, which releases the lock and ends the connection.
 *
 * A tab leaves with a `leave` message (on `close()` and `pagehide`), or without a word when it
 * crashes; a MessagePort does not tell of that in every browser, so each tab holds a Web Lock of
 * its own while subscribed, named in its `subscribe`, and the worker asks for it: the browser
 * grants it once the tab is gone. The worker holds a lock of its own for its whole life too, named
 * in `ready`, for the tabs to learn the same way that it is gone.
 */
import {rebuildExtensions} from '../extensions/rebuild.js'
import type {FromWorker, ToWorker} from './protocol.js'
import {TabSource, uniqueId} from './tabs.js'

const CLOSED = 2

/** What the worker uses of its global scope (lib.dom has no `SharedWorkerGlobalScope`). */
export interface SharedWorkerScope {
  onconnect: ((event: MessageEvent) => unknown) | null
  readonly navigator: {readonly locks: LockManager}
}

/**
 * One connection: the worker's source for a key, and the ports of the tabs subscribed to it (those
 * of a source that closed included, until they leave).
 */
interface Connection {
  source: TabSource<string>
  ports: Set<MessagePort>
}

/** Answers the tabs that connect to this worker: see the module comment. */
export function serveSharedSources(scope: SharedWorkerScope): void {
  const locks = scope.navigator.locks
  const lock = `streamsource worker ${uniqueId()}`
  const alive = new Promise<void>((resolve) => {
    // Never released: the browser releases it when the worker ends.
    void locks.request(lock, () => {
      resolve()
      return new Promise<never>(() => {})
    })
  })
  const connections = new Map<string, Connection>()

  scope.onconnect = (event) => {
    const port = event.ports[0]
    if (!port) return
    /** Ends this port's subscription, if any: the tab left, or is gone. */
    let leave = (): void => {}
    port.onmessage = ({data}: MessageEvent<ToWorker>) => {
      leave()
      if (data.k !== 'subscribe') return
      const {url, key, init, types} = data
      let connection = connections.get(key)
      // A source that closed (its stream failed or ended) stays closed: a tab that comes later tries
      // anew, as it would on its own. The tabs of the old one have closed and are leaving.
      if (!connection || connection.source.readyState === CLOSED) {
        // The extensions come as what they describe themselves as: rebuilt here, from the same exports.
        const options = {...init, extensions: rebuildExtensions(init.extensions)}
        connection = {source: new TabSource(url, options, key, locks), ports: connection?.ports ?? new Set()}
        connections.set(key, connection)
      }
      const {ports} = connection
      connection.source.learn_(types)
      ports.add(port)
      const watch = new AbortController()
      const end = (): void => {
        if (watch.signal.aborted) return
        watch.abort()
        ports.delete(port)
        // The set outlives a source that closed, and goes with the last port.
        const current = connections.get(key)
        if (ports.size || current?.ports !== ports) return
        connections.delete(key)
        current.source.close()
      }
      leave = end
      // Granted once the tab is gone, however it went.
      locks.request(data.lock, {signal: watch.signal}, end).catch(() => {})
      void alive.then(() => {
        if (!watch.signal.aborted) port.postMessage({k: 'ready', lock} satisfies FromWorker)
      })
    }
  }
}
