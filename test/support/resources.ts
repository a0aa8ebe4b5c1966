// What a closed EventSource may leave behind, seen from outside: the handles that keep Node's event
// loop alive (process.getActiveResourcesInfo(): sockets, connects in flight, DNS lookups, timers),
// and whether the source itself can still be garbage-collected (nothing holds it: no timer, no
// pending promise, no listener on a long-lived signal).
import v8 from 'node:v8'
import vm from 'node:vm'

/** Active handles and requests by type ('TCPSocketWrap', 'Timeout', ...), as Node lists them now. */
export function activeResources(): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1
  return counts
}

/** The types of which there are more now than in `baseline`, with how many more: `{}` when none. */
export function resourcesAbove(baseline: Record<string, number>): Record<string, number> {
  const extra: Record<string, number> = {}
  for (const [type, count] of Object.entries(activeResources())) {
    const more = count - (baseline[type] ?? 0)
    if (more > 0) extra[type] = more
  }
  return extra
}

let gc: (() => void) | undefined

/**
 * A full garbage collection. Vitest runs tests without --expose-gc, so the flag is set at run time and
 * `gc` taken from a fresh context, where V8 defines it once the flag is on (as bench/common.mjs does).
 */
export function collectGarbage(): void {
  if (gc === undefined) {
    v8.setFlagsFromString('--expose-gc')
    gc = vm.runInNewContext('gc') as () => void
  }
  gc()
}

/**
 * Whether the object behind `ref` is gone after full collections. Each round yields to the event loop
 * first, so that objects only kept by work already finished (a settled promise's reactions, a fired
 * timer) can go; an object something still holds stays however often this is asked.
 */
export async function isCollected(ref: WeakRef<object>, rounds = 5): Promise<boolean> {
  for (let round = 0; round < rounds && ref.deref() !== undefined; round++) {
    await new Promise((resolve) => setImmediate(resolve))
    collectGarbage()
  }
  return ref.deref() === undefined
}
