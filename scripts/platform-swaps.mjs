// What differs by platform is chosen when the package is built, not patched in when it runs: a
// build resolves every import of a module listed here to its replacement. rollup.config.mjs builds
// dist/node/ (package.json `exports` condition `node`) with NODE_SWAPS, and vitest.config.ts runs
// the tests in Node with the same swaps, so they test what `import 'streamsource'` gives there.
import {fileURLToPath} from 'node:url'

const source = (path) => fileURLToPath(new URL(`../${path}`, import.meta.url))

/** The library's sources: only their imports are swapped. */
const SRC = source('src/')

/**
 * A rollup (and Vite) plugin: every import by the library's sources that resolves to a key of
 * `swaps` (an absolute path) resolves to its value instead. A replacement's own imports resolve as
 * usual, so it may build on the module it replaces; and a test that imports one module of a pair
 * by its path gets that one.
 */
export function swapModules(swaps, name = 'swap-modules') {
  const replacements = new Set(swaps.values())
  return {
    name,
    // Vite runs a plugin's resolveId after its own resolver unless asked to run it before.
    enforce: 'pre',
    async resolveId(id, importer, options) {
      if (importer === undefined || !importer.startsWith(SRC) || replacements.has(importer)) return null
      const resolved = await this.resolve(id, importer, {...options, skipSelf: true})
      return resolved && swaps.has(resolved.id) ? swaps.get(resolved.id) : resolved
    },
  }
}

/**
 * The Node build: the full parser in a faster, larger form of its own with `Buffer`'s decoders, the
 * EventSource's own listener lists and `MessageEvent`s (faster than Node's), a chunk's events
 * dispatched at once, and a fetch transport that cancels a stream body itself (undici does not).
 */
export const NODE_SWAPS = new Map(
  [
    ['src/parser/parse.ts', 'src/parser/parse-node.ts'],
    ['src/parser/stream-reader.ts', 'src/parser/stream-reader-fast.ts'],
    ['src/parser/decode.ts', 'src/parser/decode-node.ts'],
    ['src/platform/web.ts', 'src/platform/node.ts'],
    ['src/platform/event-tasks.ts', 'src/platform/event-tasks-node.ts'],
    ['src/transport/index.ts', 'src/transport/node.ts'],
  ].map(([module, replacement]) => [source(module), source(replacement)]),
)
