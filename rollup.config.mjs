// Every build of the package. Declarations come from `tsc -p tsconfig.build.json`
// (scripts/emit-types.mjs), so the TypeScript plugin here only transpiles.
import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import terser from '@rollup/plugin-terser'
import typescript from '@rollup/plugin-typescript'
import ts from 'typescript'

/**
 * Private members end in `_` (TypeScript `private`, not `#private`: an ES5 build would turn those
 * into WeakMaps). Minifiers keep property names, so the build shortens these itself, the same way
 * in every output: the names found in src/, sorted, become `_a`, `_b`… (an underscore first, so a
 * subclass's own short names cannot collide with them). No other identifier in src/ ends in `_`.
 */
const PRIVATE = /^[a-z][A-Za-z0-9]*_$/
const privateNames = new Map(
  [...new Set(sourceFiles('src').flatMap((file) => readFileSync(file, 'utf8').match(/\b[a-z][A-Za-z0-9]*_(?![\w$])/g) ?? []))]
    .sort()
    .map((name, index) => [name, `_${shortName(index)}`]),
)

function sourceFiles(dir) {
  return readdirSync(dir, {withFileTypes: true}).flatMap((entry) => {
    const path = join(dir, entry.name)
    return entry.isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : []
  })
}

function shortName(index) {
  const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'
  return index < letters.length ? letters[index] : shortName(Math.floor(index / letters.length) - 1) + letters[index % letters.length]
}

/** A TypeScript transformer that renames every identifier in `privateNames`: TypeScript keeps the source maps right. */
const shortenPrivateNames = (context) => {
  const visit = (node) => {
    if (ts.isIdentifier(node) && PRIVATE.test(node.text)) {
      const name = privateNames.get(node.text)
      if (name === undefined) throw new Error(`rollup.config.mjs: ${node.text} was not found in src/`)
      return ts.setTextRange(ts.factory.createIdentifier(name), node)
    }
    return ts.visitEachChild(node, visit, context)
  }
  return (source) => ts.visitNode(source, visit)
}

/** Transpile only: type errors are `npm run typecheck`'s job. */
const tsPlugin = () =>
  typescript({
    tsconfig: './tsconfig.build.json',
    compilerOptions: {declaration: false, emitDeclarationOnly: false, noEmit: false, module: 'esnext', moduleResolution: 'bundler'},
    noForceEmit: false,
    outputToFilesystem: false,
    transformers: {before: [shortenPrivateNames]},
  })

/** The public entry points: `exports` subpath → source file. */
const entries = {index: 'src/index.ts', polyfill: 'src/polyfill.ts', react: 'src/react.ts'}
/** The root under the `node` condition of `exports`: index.ts plus Node's faster UTF-8 decoder. */
const nodeEntry = {node: 'src/node.ts'}

/** Peer dependencies: imported at run time, never bundled (only `streamsource/react` imports React). */
const external = ['react', 'node:buffer']

export default [
  {
    // `node`: the root for Node (package.json `exports` condition `node`), with Buffer's decoders.
    input: {...entries, node: 'src/node.ts'},
    external,
    plugins: [tsPlugin()],
    // One file per source module, not shared chunks: a bundler drops a whole module nobody imports
    // from (`sideEffects` names only the polyfill), so `createParser` alone leaves EventSource.js
    // out, whereas a chunk holding both would keep EventSource for its top-level defineProperties.
    output: [
      {dir: 'dist', format: 'es', entryFileNames: '[name].js', preserveModules: true, preserveModulesRoot: 'src', sourcemap: true},
      {dir: 'dist', format: 'cjs', entryFileNames: '[name].cjs', preserveModules: true, preserveModulesRoot: 'src', sourcemap: true, exports: 'named'},
    ],
  },
  {
    // Minified ES module copies, for CDNs. (npm run size measures what an app pays with esbuild instead.)
    input: entries,
    external,
    plugins: [tsPlugin(), terser({ecma: 2022, module: true, compress: {passes: 2}})],
    output: {dir: 'dist', format: 'es', entryFileNames: '[name].min.js', chunkFileNames: 'chunks/[name]-[hash].min.js'},
  },
]
