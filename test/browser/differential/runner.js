// The differential tests' recorder, a classic script (no module, nothing inline: the pages are
// served with `Content-Security-Policy: script-src 'self'`): `createDifferential(implementations)`
// runs one scenario with one EventSource implementation, recording everything it does, for the
// tests to compare. harness.js gives it the browser's EventSource and the library's module build
// (eventsource-differential.test.ts); legacy-harness.js the script-tag build in a page whose modern
// APIs were deleted (legacy.test.ts), which is why nothing here names the global `Promise`.
;(function () {
  // The engine's own Promise, which a deleted global does not take away from async functions.
  const Promise = (async () => {})().constructor

  window.createDifferential = function (implementations) {
    const violations = []
    document.addEventListener('securitypolicyviolation', (event) => {
      violations.push(`${event.effectiveDirective} blocked ${event.blockedURI}`)
    })

    /** Past this many characters data is summarised, so that a failing diff stays readable. */
    const LONG = 200

    function summarise(text) {
      if (text.length <= LONG) return text
      let hash = 0x811c9dc5
      for (let index = 0; index < text.length; index++) hash = Math.imul(hash ^ text.charCodeAt(index), 0x01000193) >>> 0
      const head = JSON.stringify(text.slice(0, 12))
      const tail = JSON.stringify(text.slice(-12))
      return `<${text.length} chars, fnv-1a ${hash.toString(16)}, ${head}…${tail}>`
    }

    /**
     * Runs one scenario with one implementation and resolves with its trace: every callback in
     * order with the readyState it saw, then what stopped the run and the readyState a moment later.
     *
     * spec: {url, init?, types, stop: {opens?, events?, errors?, closed?}, closeIn?, throwIn?, fireOnError?,
     *   microtasks?, closeInMicrotask?, timeout, settle}
     * `microtasks`: each event listener queues a microtask that notes itself in the trace, so the
     * trace shows whether microtasks run between two events. `closeInMicrotask`: the first event
     * listener queues a microtask that calls close().
     */
    function run(name, spec) {
      const Implementation = implementations[name]
      return new Promise((resolve) => {
        const trace = []
        const counts = {open: 0, event: 0, error: 0}
        let source
        try {
          source = spec.init === undefined ? new Implementation(spec.url) : new Implementation(spec.url, spec.init)
        } catch (error) {
          resolve({threw: {name: error?.name, isDOMException: error instanceof DOMException}})
          return
        }
        const result = {url: source.url, withCredentials: source.withCredentials, readyState: source.readyState, trace}
        let finished = false
        const finish = (reason) => {
          if (finished) return
          finished = true
          clearTimeout(timer)
          trace.push({kind: 'stop', reason, readyState: source.readyState})
          source.close()
          // Whatever still happens after close() (it should be nothing) lands in the trace too.
          setTimeout(() => {
            result.finalReadyState = source.readyState
            resolve(result)
          }, spec.settle)
        }
        // The same shape for every event, so a library event that bubbles or carries data where the
        // browser's does not shows up in the comparison.
        const shape = (event) => ({
          hasData: 'data' in event,
          bubbles: event.bubbles,
          cancelable: event.cancelable,
          targeted: event.target === source && event.currentTarget === source,
        })
        const maybeClose = (when) => {
          if (finished || spec.closeIn !== when) return false
          source.close()
          trace.push({kind: 'close', when, readyState: source.readyState})
          finish(`close() in ${when}`)
          return true
        }
        // A handler that throws must not stop the stream: the exception is reported, not propagated.
        let thrown = false
        const maybeThrow = (when) => {
          if (thrown || spec.throwIn !== when) return
          thrown = true
          throw new Error(`Thrown on purpose in ${when} by the differential test`)
        }
        const check = (kind) => {
          if (finished) return
          const {stop} = spec
          if (stop.opens !== undefined && counts.open >= stop.opens) finish(`${stop.opens} open`)
          else if (stop.events !== undefined && counts.event >= stop.events) finish(`${stop.events} events`)
          else if (stop.errors !== undefined && counts.error >= stop.errors) finish(`${stop.errors} errors`)
          else if (stop.closed && kind === 'error' && source.readyState === 2) finish('CLOSED')
        }
        const onEvent = (via) =>
          function (event) {
            counts.event++
            trace.push({
              kind: 'event',
              via,
              type: event.type,
              data: summarise(event.data),
              lastEventId: event.lastEventId,
              origin: event.origin,
              readyState: source.readyState,
              messageEvent: event instanceof MessageEvent,
              sourceIsNull: event.source === null,
              ports: event.ports.length,
              thisIsSource: this === source,
              ...shape(event),
            })
            const when = via === 'onmessage' ? 'message' : event.type
            const data = event.data
            if (spec.microtasks) queueMicrotask(() => trace.push({kind: 'microtask', data: summarise(data)}))
            if (spec.closeInMicrotask && counts.event === 1) {
              queueMicrotask(() => {
                source.close()
                trace.push({kind: 'close', when: 'microtask', readyState: source.readyState})
                // What still arrives after close() (it should be nothing) lands in the trace, until then.
                setTimeout(() => finish('close() in a microtask'), 100)
              })
            }
            if (!maybeClose(when)) check('event')
            maybeThrow(when)
          }

        source.onopen = function (event) {
          counts.open++
          trace.push({kind: 'open', readyState: source.readyState, thisIsSource: this === source, ...shape(event)})
          if (!maybeClose('open')) check('open')
          maybeThrow('open')
        }
        source.onmessage = onEvent('onmessage')
        source.onerror = function (event) {
          counts.error++
          trace.push({kind: 'error', readyState: source.readyState, thisIsSource: this === source, ...shape(event)})
          if (!maybeClose('error')) check('error')
          // While the source waits to reconnect, as a page whose network came back would see it.
          if (spec.fireOnError !== undefined && counts.error === 1) {
            const {target, type} = spec.fireOnError
            setTimeout(() => (target === 'document' ? document : window).dispatchEvent(new Event(type)), 50)
          }
        }
        for (const type of spec.types) source.addEventListener(type, onEvent('listener'))
        const timer = setTimeout(() => finish('timeout'), spec.timeout)
        maybeClose('construct')
      })
    }

    /** Both implementations at once, each on its own URL, so a scenario costs one round of waiting. */
    async function pair(specs) {
      const [native, library] = await Promise.all([run('native', specs.native), run('library', specs.library)])
      return {native, library}
    }

    return {run, pair, violations}
  }
})()
