/**
 * Cuts `input` at `cuts` (any numbers, taken modulo the length + 1, sorted); empty pieces allowed.
 * Bytes are cut into views of the same buffer (`subarray`), so a piece can start at any byte offset.
 */
export function split<T extends string | Uint8Array>(input: T, cuts: number[]): T[] {
  const points = cuts.map((cut) => cut % (input.length + 1)).sort((a, b) => a - b)
  const piece = (start: number, end?: number): T =>
    (typeof input == 'string' ? input.slice(start, end) : input.subarray(start, end)) as T
  const pieces: T[] = []
  let start = 0
  for (const point of points) {
    pieces.push(piece(start, point))
    start = point
  }
  pieces.push(piece(start))
  return pieces
}
