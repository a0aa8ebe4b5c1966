// A loop over `messages(source)` paces the reading of the stream: the next chunk is read once the
// loop has caught up with the last one's events, so that a stream whose chunks are all there at
// once is not parsed far ahead of the loop (every waiting event is memory to collect). But for a
// task at most: a loop that awaits something slow does not stop the reading, and with it the
// heartbeat, for longer. Listeners alone never hold the reading back.
import {expect, test, vi} from 'vitest'
import {heartbeat, messages, type FetchLike} from '../src/index.js'
import {open, useEventSourceHooks, useFakeClock} from './support/eventsource.js'

useEventSourceHooks()

const CHUNKS = 20
const EVENTS_PER_CHUNK = 10

/**
 * A `fetch` whose body has `CHUNKS` chunks of `EVENTS_PER_CHUNK` events (`data: <chunk>.<event>`),
 * each there as soon as it is asked for: `pulled()` counts the chunks read so far. Then the stream
 * ends, or with `stayOpen`, stays open and quiet.
 */
function bufferedStream(stayOpen = false): {fetch: FetchLike; pulled: () => number} {
  let pulled = 0
  const encoder = new TextEncoder()
  const fetch: FetchLike = async () =>
    new Response(
      new ReadableStream<Uint8Array>(
        {
          pull(controller) {
            if (pulled === CHUNKS) return stayOpen ? new Promise<void>(() => {}) : controller.close()
            const chunk = pulled++
            let text = ''
            for (let event = 0; event < EVENTS_PER_CHUNK; event++) text += `data: ${chunk}.${event}\n\n`
            controller.enqueue(encoder.encode(text))
          },
        },
        // Nothing is read ahead of the reader: a pull is a read.
        {highWaterMark: 0},
      ),
      {headers: {'content-type': 'text/event-stream'}},
    )
  return {fetch, pulled: () => pulled}
}

test('a loop that keeps up is at most one chunk behind the reading', async () => {
  const {fetch, pulled} = bufferedStream()
  const source = open('http://127.0.0.1:9/stream', {fetch})
  const ahead: number[] = []
  let received = 0
  for await (const event of messages(source)) {
    const chunk = Number(event.data.split('.')[0])
    // Chunks read beyond the one this event came from.
    ahead.push(pulled() - 1 - chunk)
    if (++received === CHUNKS * EVENTS_PER_CHUNK) break
  }
  expect(Math.max(...ahead)).toBeLessThanOrEqual(1)
})

test('listeners alone do not hold the reading back', async () => {
  const {fetch, pulled} = bufferedStream()
  const source = open('http://127.0.0.1:9/stream', {fetch})
  const ahead: number[] = []
  await new Promise<void>((resolve) => {
    let received = 0
    source.addEventListener('message', (event) => {
      ahead.push(pulled() - 1 - Number(event.data.split('.')[0]))
      if (++received === CHUNKS * EVENTS_PER_CHUNK) resolve()
    })
  })
  source.close()
  expect(ahead.every((chunks) => chunks === 0)).toBe(true)
})

test('a loop busy for longer than a task does not stop the reading, nor starve the heartbeat', async () => {
  useFakeClock()
  const {fetch, pulled} = bufferedStream(true)
  const source = open('http://127.0.0.1:9/stream', {fetch, extensions: [heartbeat(50)]})
  const errors: string[] = []
  source.addEventListener('error', (event) => errors.push(event.message))
  const iterator = messages(source)
  // The first event, then the loop stops asking: the rest of the first chunk waits for it.
  expect((await iterator.next()).value?.data).toBe('0.0')
  const read = pulled()
  // The reading goes on a chunk a task, with no one asking for events: all of them are read well
  // within the heartbeat's 50 ms (reading that waited for the loop would have stopped at one, and
  // the heartbeat would have reconnected).
  await vi.advanceTimersByTimeAsync(40)
  expect(read).toBeLessThan(CHUNKS)
  expect(pulled()).toBe(CHUNKS)
  // Every event is still there for the loop, in order.
  let next = await iterator.next()
  expect(next.value?.data).toBe('0.1')
  for (let i = 2; i < CHUNKS * EVENTS_PER_CHUNK; i++) next = await iterator.next()
  expect(next.value?.data).toBe(`${CHUNKS - 1}.${EVENTS_PER_CHUNK - 1}`)
  expect(errors).toEqual([])
  await iterator.return?.()
})

test('a loop left while the reading waits for it leaves no timer behind', async () => {
  useFakeClock()
  const {fetch, pulled} = bufferedStream()
  const source = open('http://127.0.0.1:9/stream', {fetch})
  const iterator = messages(source)
  expect((await iterator.next()).value?.data).toBe('0.0')
  // The reading now waits on the loop, with a task's timer as its bound.
  expect(vi.getTimerCount()).toBe(1)
  await iterator.return?.()
  expect(source.readyState).toBe(source.CLOSED)
  expect(vi.getTimerCount()).toBe(0)
  await vi.advanceTimersByTimeAsync(10)
  expect(pulled()).toBe(1)
})
