/**
 * [non-spec] `reconnectOnPageEvents()` (src/extensions/): the moments when waiting out a reconnection delay no longer
 * makes sense: the network came back (`online`), the page came back from the back/forward cache
 * (`pageshow` with `persisted`), or a hidden page became visible. Only events the browser fired
 * count (`isTrusted`), and only real changes of state.
 */
import {scope} from '../platform/web.js'

/** Calls `onReturn` at each such moment while the page is visible; returns what stops listening. */
export function watchPageReturns(onReturn: () => void): () => void {
  const doc = scope.document
  const isHidden = (): boolean => doc?.visibilityState === 'hidden'
  let wasHidden = isHidden()
  const onPageEvent = (event: Event): void => {
    const hidden = isHidden()
    const {type, isTrusted} = event
    const becameVisible = wasHidden && !hidden
    if (type === 'visibilitychange') wasHidden = hidden
    if (isTrusted && !hidden && (type === 'online' || (event as PageTransitionEvent).persisted || (type === 'visibilitychange' && becameVisible))) {
      onReturn()
    }
  }
  const removers: (() => void)[] = []
  const targets: [EventTarget | undefined, string][] = [[scope, 'online'], [scope, 'pageshow'], [doc, 'visibilitychange']]
  for (const [target, type] of targets) {
    // Node has no addEventListener on its global object; a worker has no document.
    if (typeof target?.addEventListener != 'function') continue
    target.addEventListener(type, onPageEvent)
    removers.push(() => target.removeEventListener(type, onPageEvent))
  }
  return () => {
    for (const remove of removers) remove()
  }
}
