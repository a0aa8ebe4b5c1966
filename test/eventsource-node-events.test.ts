// In Node, an EventSource keeps its own listener lists and makes its own MessageEvents
// (src/platform/node.ts, the Node build's platform module; vitest.config.ts gives the tests the Node
// build's modules). Here: that it is in place, that the events have every attribute a MessageEvent has, and
// that listeners run exactly as Node's own EventTarget runs them, scenario by scenario.
import {execFileSync} from 'node:child_process'
import {getEventListeners} from 'node:events'
import {inspect} from 'node:util'
import {describe, expect, test} from 'vitest'
import {EventSource} from '../src/index.js'
import {createMessageEvent} from '../src/platform/node.js'
import {assertBuilt, distDir} from './support/paths.js'

/** A source that never connects (closed before its deferred first request): a bare event target. */
function idleSource(): EventSource {
  const source = new EventSource('http://127.0.0.1:1/')
  source.close()
  return source
}

type Log = unknown[]
/** One way to get a target and make events: the library's (own lists, own events) or Node's. */
interface Side {
  target(): EventTarget
  event(type: string, data?: string): Event
}
const own: Side = {target: idleSource, event: (type, data = 'x') => createMessageEvent(type, data, 'http://a.test', '7')}
const node: Side = {
  target: () => new EventTarget(),
  event: (type, data = 'x') => new MessageEvent(type, {data, origin: 'http://a.test', lastEventId: '7'}),
}
/** Node's events dispatched at the library's target: they go through Node's dispatchEvent first. */
const foreign: Side = {target: idleSource, event: node.event}

/** What a listener saw, in a form both sides can be compared by. */
function seen(target: EventTarget, event: Event, self: unknown): unknown[] {
  return [
    event.type,
    (event as MessageEvent).data,
    event.target === target,
    event.currentTarget === target,
    event.eventPhase,
    self === target ? 'this=target' : typeof self,
    event.composedPath().length,
  ]
}

/** Scenarios: each drives a target with events of one side and logs what happens. */
const scenarios: Record<string, (side: Side, log: Log) => void> = {
  'listeners run in the order added, functions and handleEvent objects': (side, log) => {
    const target = side.target()
    target.addEventListener('m', function (this: unknown, event) {
      log.push('a', ...seen(target, event, this))
    })
    const object = {
      handleEvent(this: unknown, event: Event) {
        log.push('b', this === object, event.target === target)
      },
    }
    target.addEventListener('m', object)
    target.addEventListener('m', () => log.push('c'))
    log.push(target.dispatchEvent(side.event('m')))
  },
  'a listener added twice runs once; with another capture it is another listener': (side, log) => {
    const target = side.target()
    const listener = (event: Event) => log.push((event as MessageEvent).data)
    target.addEventListener('m', listener)
    target.addEventListener('m', listener)
    target.addEventListener('m', listener, {capture: false})
    target.addEventListener('m', listener, true)
    target.dispatchEvent(side.event('m'))
    target.removeEventListener('m', listener, {capture: true})
    target.dispatchEvent(side.event('m'))
    target.removeEventListener('m', listener, true)
    target.removeEventListener('m', listener)
    target.dispatchEvent(side.event('m'))
    log.push('end')
  },
  'once runs a listener once, and it can be added again after': (side, log) => {
    const target = side.target()
    const listener = () => log.push('once')
    target.addEventListener('m', listener, {once: true})
    target.addEventListener('m', () => log.push('always'))
    target.dispatchEvent(side.event('m'))
    target.dispatchEvent(side.event('m'))
    target.addEventListener('m', listener, {once: true})
    target.dispatchEvent(side.event('m'))
  },
  'a listener removed during a dispatch does not run; one added does not run until the next': (side, log) => {
    const target = side.target()
    const late = () => log.push('late')
    const removed = () => log.push('removed')
    target.addEventListener('m', () => {
      log.push('first')
      target.removeEventListener('m', removed)
      target.addEventListener('m', late)
    })
    target.addEventListener('m', removed)
    target.dispatchEvent(side.event('m'))
    log.push('--')
    target.dispatchEvent(side.event('m'))
  },
  'removing itself and the listener after it, inside once': (side, log) => {
    const target = side.target()
    const second = () => log.push('second')
    const first = () => {
      log.push('first')
      target.removeEventListener('m', first)
      target.removeEventListener('m', second)
    }
    target.addEventListener('m', first, {once: true})
    target.addEventListener('m', second)
    target.addEventListener('m', () => log.push('third'))
    target.dispatchEvent(side.event('m'))
    target.dispatchEvent(side.event('m'))
  },
  'stopImmediatePropagation stops the listeners after it, for that dispatch only': (side, log) => {
    const target = side.target()
    target.addEventListener('m', (event) => {
      log.push('first')
      if ((event as MessageEvent).data === 'stop') event.stopImmediatePropagation()
    })
    target.addEventListener('m', () => log.push('second'))
    target.dispatchEvent(side.event('m', 'stop'))
    target.dispatchEvent(side.event('m', 'go'))
  },
  'stopPropagation and cancelBubble do not stop listeners at the target': (side, log) => {
    const target = side.target()
    target.addEventListener('m', (event) => {
      event.stopPropagation()
      log.push('first', event.cancelBubble)
    })
    target.addEventListener('m', (event) => {
      event.cancelBubble = true
      log.push('second', event.cancelBubble)
    })
    target.addEventListener('m', () => log.push('third'))
    target.dispatchEvent(side.event('m'))
  },
  'a signal removes its listener; an aborted one adds nothing': (side, log) => {
    const target = side.target()
    const controller = new AbortController()
    const listener = () => log.push('signalled')
    target.addEventListener('m', listener, {signal: controller.signal})
    target.addEventListener('m', () => log.push('plain'))
    target.dispatchEvent(side.event('m'))
    controller.abort()
    target.dispatchEvent(side.event('m'))
    target.addEventListener('m', listener, {signal: controller.signal})
    target.dispatchEvent(side.event('m'))
  },
  'handleEvent is read when the event comes, with this the object': (side, log) => {
    const target = side.target()
    const object: {handleEvent: (event: Event) => void} = {handleEvent: () => log.push('old')}
    target.addEventListener('m', object)
    object.handleEvent = function (this: unknown) {
      log.push('new', this === object)
    }
    target.dispatchEvent(side.event('m'))
  },
  'types are separate lists; null and undefined listeners are ignored': (side, log) => {
    const target = side.target()
    target.addEventListener('a', () => log.push('a'))
    target.addEventListener('b', () => log.push('b'))
    target.addEventListener('a', null)
    target.removeEventListener('a', null)
    target.removeEventListener('c', () => {})
    target.dispatchEvent(side.event('b'))
    target.dispatchEvent(side.event('a'))
    target.dispatchEvent(side.event('c'))
  },
  'after a dispatch: no currentTarget, phase NONE, the target kept, no composed path': (side, log) => {
    const target = side.target()
    const event = side.event('m')
    log.push(event.target, event.currentTarget, event.eventPhase, event.composedPath().length)
    target.addEventListener('m', (inside) => log.push(inside.composedPath()[0] === target))
    target.dispatchEvent(event)
    log.push(event.target === target, event.currentTarget, event.eventPhase, event.composedPath().length)
  },
  'an event being dispatched cannot be dispatched again': (side, log) => {
    const target = side.target()
    target.addEventListener('m', (event) => {
      try {
        target.dispatchEvent(event)
        log.push('dispatched twice')
      } catch {
        log.push('threw')
      }
    })
    target.dispatchEvent(side.event('m'))
  },
}

describe("listeners run as with Node's EventTarget", () => {
  for (const [name, scenario] of Object.entries(scenarios)) {
    test(name, () => {
      const expected: Log = []
      scenario(node, expected)
      for (const side of [own, foreign]) {
        const log: Log = []
        scenario(side, log)
        expect(log).toEqual(expected)
      }
      expect(expected.length).toBeGreaterThan(0)
    })
  }
})

// Where Node 20's EventTarget departs from the DOM standard, the library follows the standard (as
// browsers do): Node clears its "being dispatched" mark after the first listener, so the later ones
// see no currentTarget and phase NONE, and it keeps the stop propagation flag after the dispatch.
describe('where Node departs from the DOM, the DOM', () => {
  for (const [name, side] of [['own events', own], ["Node's events", foreign]] as const) {
    test(`every listener sees the target as currentTarget, at phase AT_TARGET (${name})`, () => {
      const target = side.target()
      const log: unknown[] = []
      const listener = (event: Event) => log.push(event.currentTarget === target, event.eventPhase)
      target.addEventListener('m', listener)
      target.addEventListener('m', {handleEvent: listener})
      target.addEventListener('m', listener, true)
      target.dispatchEvent(side.event('m'))
      expect(log).toEqual([true, Event.AT_TARGET, true, Event.AT_TARGET, true, Event.AT_TARGET])
    })
  }

  test('"Unset event\'s [...] stop propagation flag" once the dispatch is over', () => {
    const target = idleSource()
    const event = own.event('m')
    target.addEventListener('m', (inside) => inside.stopPropagation())
    target.dispatchEvent(event)
    expect(event.cancelBubble).toBe(false)
  })

  test('an own event dispatched from a later listener still throws InvalidStateError', () => {
    const target = idleSource()
    const errors: unknown[] = []
    target.addEventListener('m', () => {})
    target.addEventListener('m', (event) => {
      try {
        target.dispatchEvent(event)
      } catch (error) {
        errors.push(error)
      }
    })
    target.dispatchEvent(own.event('m'))
    expect(errors).toHaveLength(1)
    expect(errors[0]).toBeInstanceOf(DOMException)
    expect((errors[0] as DOMException).name).toBe('InvalidStateError')
  })
})

describe('the MessageEvents of the Node entry', () => {
  test('are installed: events are the library’s own, not Node’s', () => {
    const event = createMessageEvent('m', 'x', '', '')
    expect(Object.getPrototypeOf(event) === MessageEvent.prototype).toBe(false)
    expect(event).toBeInstanceOf(MessageEvent)
    expect(event).toBeInstanceOf(Event)
    expect(event.constructor).toBe(MessageEvent)
    expect(idleSource()).toBeInstanceOf(EventTarget)
  })

  test("have every attribute of Event and MessageEvent, with Node's values", () => {
    const ours = createMessageEvent('price', '{"p":1}', 'http://a.test', '42')
    const nodes = new MessageEvent('price', {data: '{"p":1}', origin: 'http://a.test', lastEventId: '42'})
    const names = [MessageEvent.prototype, Event.prototype].flatMap((prototype) => Object.getOwnPropertyNames(prototype))
    expect(names.length).toBeGreaterThan(20)
    for (const name of names) {
      if (name === 'constructor' || name === 'timeStamp') continue
      const value = (event: Event) => {
        const member = (event as unknown as Record<string, unknown>)[name]
        return typeof member == 'function' ? typeof member : member
      }
      expect([name, value(ours)]).toEqual([name, value(nodes)])
    }
    expect(ours.composedPath()).toEqual([])
    expect(ours.ports).toEqual([])
    expect(Object.isFrozen(ours.ports)).toBe(true)
    expect(Object.prototype.toString.call(ours)).toBe(Object.prototype.toString.call(nodes))
  })

  test('have a timeStamp from the same clock as Node’s events', () => {
    const before = performance.now()
    const ours = createMessageEvent('m', 'x', '', '')
    const nodes = new MessageEvent('m')
    expect(ours.timeStamp).toBeGreaterThanOrEqual(before)
    expect(ours.timeStamp).toBeLessThanOrEqual(nodes.timeStamp)
  })

  test('are not cancelable: preventDefault and returnValue change nothing', () => {
    const target = idleSource()
    const event = createMessageEvent('m', 'x', '', '')
    target.addEventListener('m', (inside) => {
      inside.preventDefault()
      inside.returnValue = false
    })
    expect(target.dispatchEvent(event)).toBe(true)
    expect([event.defaultPrevented, event.returnValue]).toEqual([false, true])
  })

  test('show their data in util.inspect', () => {
    const text = inspect(createMessageEvent('price', 'the data', 'http://a.test', '9'))
    expect(text).toMatch(/^MessageEvent \{/)
    expect(text).toContain("data: 'the data'")
    expect(text).toContain("lastEventId: '9'")
    expect(inspect({nested: {deeper: createMessageEvent('m', 'x', '', '')}}, {depth: 1})).toContain('MessageEvent')
  })

  test('a passive listener cannot cancel a cancelable event of Node’s', () => {
    const target = idleSource()
    target.addEventListener('m', (event) => event.preventDefault(), {passive: true})
    expect(target.dispatchEvent(new Event('m', {cancelable: true}))).toBe(true)
    target.addEventListener('m', (event) => event.preventDefault())
    expect(target.dispatchEvent(new Event('m', {cancelable: true}))).toBe(false)
  })

  test('a listener that is not a function or an object is a TypeError', () => {
    expect(() => idleSource().addEventListener('m', 'nope' as unknown as EventListener)).toThrow(TypeError)
  })
})

// A throwing listener is an uncaught exception on the next tick, as with Node's EventTarget: run in
// a child process (the test runner would take it for a failure of its own), on the built package.
describe('errors in listeners', () => {
  test("are uncaught exceptions, as Node's EventTarget makes them, and the other listeners still run", () => {
    assertBuilt()
    const script = `
      const {EventSource} = await import(${JSON.stringify(`${distDir}/node/index.js`)})
      const {createMessageEvent} = await import(${JSON.stringify(`${distDir}/node/platform/node.js`)})
      const log = []
      process.on('uncaughtException', (error) => log.push('uncaught: ' + error.message))
      for (const [name, target, event] of [
        ['node', new EventTarget(), () => new MessageEvent('m')],
        ['own', new EventSource('http://127.0.0.1:1/'), () => createMessageEvent('m', 'x', '', '')],
      ]) {
        target.close?.()
        target.addEventListener('m', () => { throw new Error(name + ' sync') })
        target.addEventListener('m', async () => { throw new Error(name + ' async') })
        target.addEventListener('m', () => log.push(name + ' after'))
        target.dispatchEvent(event())
        // Node's EventTarget reports both on the next tick: done before the loop's next turn.
        await new Promise((resolve) => setImmediate(resolve))
      }
      console.log(JSON.stringify(log))
    `
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {encoding: 'utf8'})
    const log = JSON.parse(output) as string[]
    const lines = (name: string) => log.filter((line) => line.includes(name)).map((line) => line.replace(name, '…')).sort()
    expect(lines('node')).toEqual(['uncaught: … async', 'uncaught: … sync', '… after'])
    expect(lines('own')).toEqual(lines('node'))
  })
})

// The Node build is chosen when the package is built (package.json `exports` condition `node`), not
// installed when an entry runs: every entry gives the same sources, whichever is imported first.
describe('in Node, every entry and any import order', () => {
  test('give one EventSource class with its own listener lists and MessageEvents', () => {
    assertBuilt()
    const script = `
      await import(${JSON.stringify(`${distDir}/node/polyfill.js`)})
      const early = new globalThis.EventSource('http://127.0.0.1:1/')
      early.close()
      const log = []
      early.addEventListener('message', (event) => log.push('early ' + event.data + ' ' + (event.target === early)))
      const {EventSource} = await import(${JSON.stringify(`${distDir}/node/index.js`)})
      const platform = await import(${JSON.stringify(`${distDir}/node/platform/node.js`)})
      const made = platform.createMessageEvent('message', 'x', '', '')
      log.push('own event ' + (Object.getPrototypeOf(made) !== MessageEvent.prototype) + ' ' + (made instanceof MessageEvent))
      log.push('one class ' + (early instanceof EventSource))
      early.dispatchEvent(made)
      early.dispatchEvent(new MessageEvent('message', {data: 'y'}))
      console.log(JSON.stringify(log))
    `
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {encoding: 'utf8'})
    expect(JSON.parse(output)).toEqual(['own event true true', 'one class true', 'early x true', 'early y true'])
  })
})

// A listener added with `{signal}` puts abort steps on the signal. A signal often outlives the
// sources it is given to (one per page, per request handler, per app): its abort steps must not keep
// the source, nor gather there once their listener is gone. Node's own EventTarget holds them weakly
// and takes them off the signal once the target is collected.
describe('the abort steps of a listener added with a signal', () => {
  test('do not keep closed sources alive: as with Node’s EventTarget, (nearly) all 200 are collected', () => {
    assertBuilt()
    // A child process with --expose-gc, on the built package: the test runner keeps references of its
    // own, and full collections there are slow.
    const script = `
      const {EventSource} = await import(${JSON.stringify(`${distDir}/node/index.js`)})
      const {getEventListeners, setMaxListeners} = await import('node:events')
      const controller = new AbortController()
      const signal = controller.signal
      // 200 listeners on one signal is this test's point, not a leak to warn of.
      setMaxListeners(0, signal)
      async function survivors(make) {
        let collected = 0
        const registry = new FinalizationRegistry(() => collected++)
        for (let i = 0; i < 200; i++) {
          const target = make()
          // The listener holds its source, as most do.
          target.addEventListener('message', () => target, {signal})
          target.close?.()
          registry.register(target, i)
        }
        for (let round = 0; round < 20 && (collected < 200 || getEventListeners(signal, 'abort').length > 0); round++) {
          // A turn of the loop, for the finalizers the last collection queued to run.
          await new Promise((resolve) => setImmediate(resolve))
          gc()
        }
        return {survivors: 200 - collected, abortListeners: getEventListeners(signal, 'abort').length}
      }
      const node = await survivors(() => new EventTarget())
      const own = await survivors(() => new EventSource('http://127.0.0.1:1/'))
      console.log(JSON.stringify({node, own}))
    `
    const output = execFileSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], {encoding: 'utf8'})
    const {node, own} = JSON.parse(output) as Record<'node' | 'own', {survivors: number; abortListeners: number}>
    // The measure works: Node's own targets go.
    expect(node.survivors).toBeLessThanOrEqual(2)
    expect(own.survivors, 'closed sources that survived garbage collection').toBeLessThanOrEqual(2)
    // And the abort listeners of the collected ones are off the signal (one each for a survivor at most).
    expect(own.abortListeners).toBeLessThanOrEqual(own.survivors)
  })

  test('are taken off the signal when the listener is removed, or was once and ran', () => {
    const target = idleSource()
    const controller = new AbortController()
    const listener = () => {}
    const abortListeners = () => getEventListeners(controller.signal, 'abort').length
    target.addEventListener('m', listener, {signal: controller.signal})
    expect(abortListeners()).toBe(1)
    target.removeEventListener('m', listener)
    expect(abortListeners(), 'after removeEventListener').toBe(0)
    target.addEventListener('m', listener, {signal: controller.signal, once: true})
    expect(abortListeners()).toBe(1)
    target.dispatchEvent(own.event('m'))
    expect(abortListeners(), 'after a once listener ran').toBe(0)
  })

  test('still remove the listener when the signal is aborted, and only that listener', () => {
    const target = idleSource()
    const controller = new AbortController()
    const log: string[] = []
    const listener = (event: Event) => log.push(`${event.type}`)
    target.addEventListener('m', listener, {signal: controller.signal})
    target.addEventListener('n', listener, {signal: controller.signal})
    target.addEventListener('m', () => log.push('plain'))
    target.dispatchEvent(own.event('m'))
    // Removed and added again without the signal: that is another listener, which the signal's abort
    // steps (for the first) do not remove. (Node's EventTarget removes it; the DOM does not.)
    target.removeEventListener('n', listener)
    target.addEventListener('n', listener)
    controller.abort()
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0)
    target.dispatchEvent(own.event('m'))
    target.dispatchEvent(own.event('n'))
    expect(log).toEqual(['m', 'plain', 'plain', 'n'])
  })
})
