// A stand-in for the Web Locks API (`navigator.locks`) in Node, which has none: exclusive locks
// granted in request order, released when the callback's promise settles (or dropped, as when
// their holder's tab goes), requests given up by their `signal`. Unlike a browser it grants the
// next waiter in a microtask after the release, before any task already queued runs: a test can
// then have a lock taken over while messages are still queued on a BroadcastChannel, the race that
// a browser gives only now and then.

interface Waiter {
  callback: (lock: Lock) => unknown
  resolve: (value: unknown) => void
  reject: (reason: unknown) => void
  signal: AbortSignal | undefined
}

export class FakeLockManager {
  /** Per lock name: the waiters, the holder first once granted. */
  readonly #queues = new Map<string, Waiter[]>()
  readonly #held = new Set<string>()
  /** Per lock held: what releases it. */
  readonly #releases = new Map<string, () => void>()

  request(name: string, callback: (lock: Lock | null) => unknown): Promise<unknown>
  request(name: string, options: LockOptions, callback: (lock: Lock | null) => unknown): Promise<unknown>
  request(
    name: string,
    ...args: [callback: (lock: Lock | null) => unknown] | [options: LockOptions, callback: (lock: Lock | null) => unknown]
  ): Promise<unknown> {
    const [options, callback] = args.length === 1 ? [{}, args[0]] : args
    return new Promise((resolve, reject) => {
      const signal = options.signal ?? undefined
      if (signal?.aborted) return reject(signal.reason)
      const waiter: Waiter = {callback, resolve, reject, signal}
      const queue = this.#queues.get(name) ?? []
      this.#queues.set(name, queue)
      queue.push(waiter)
      signal?.addEventListener('abort', () => {
        const index = queue.indexOf(waiter)
        // Only a waiting request can be given up; a held lock stays until its callback settles.
        if (index < 0 || (index === 0 && this.#held.has(name))) return
        queue.splice(index, 1)
        reject(signal.reason)
      })
      this.#grant(name)
    })
  }

  /**
   * Releases `name` at once, whatever its holder's callback does, as a browser does when the tab or
   * worker holding it goes; the next waiter is granted it.
   */
  drop(name: string): void {
    this.#releases.get(name)?.()
  }

  /** Names of the locks held now. */
  held(): string[] {
    return [...this.#held]
  }

  /** How many requests wait for `name`, the holder not counted. */
  waiting(name: string): number {
    const queue = this.#queues.get(name) ?? []
    return queue.length - (this.#held.has(name) ? 1 : 0)
  }

  #grant(name: string): void {
    const queue = this.#queues.get(name)
    const waiter = queue?.[0]
    if (!waiter || this.#held.has(name)) return
    this.#held.add(name)
    let released = false
    // Once: a dropped lock's callback still settles later.
    const release = (): void => {
      if (released) return
      released = true
      queue!.shift()
      this.#held.delete(name)
      this.#releases.delete(name)
      this.#grant(name)
    }
    this.#releases.set(name, release)
    let result: unknown
    try {
      result = waiter.callback({name, mode: 'exclusive'})
    } catch (error) {
      release()
      return waiter.reject(error)
    }
    Promise.resolve(result).then(
      (value) => {
        release()
        waiter.resolve(value)
      },
      (error: unknown) => {
        release()
        waiter.reject(error)
      },
    )
  }
}
