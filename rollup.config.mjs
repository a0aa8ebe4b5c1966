// Every build of the package. Declarations come from `tsc -p tsconfig.build.json`
// (scripts/emit-types.mjs), so the TypeScript plugin here only transpiles.
import terser from '@rollup/plugin-terser'
import typescript from '@rollup/plugin-typescript'

/** Transpile only: type errors are `npm run typecheck`'s job. */
const ts = () =>
  typescript({
    tsconfig: './tsconfig.build.json',
    compilerOptions: {declaration: false, emitDeclarationOnly: false, noEmit: false, module: 'esnext', moduleResolution: 'bundler'},
    noForceEmit: false,
    outputToFilesystem: false,
  })

/** The public entry points: `exports` subpath → source file. */
const entries = {index: 'src/index.ts', polyfill: 'src/polyfill.ts', react: 'src/react.ts'}

/** Peer dependencies: imported at run time, never bundled (only `streamsource/react` imports React). */
const external = ['react']

export default [
  {
    input: entries,
    external,
    plugins: [ts()],
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
    plugins: [ts(), terser({ecma: 2022, module: true, compress: {passes: 2}})],
    output: {dir: 'dist', format: 'es', entryFileNames: '[name].min.js', chunkFileNames: 'chunks/[name]-[hash].min.js'},
  },
]
