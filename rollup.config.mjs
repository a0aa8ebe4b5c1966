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
const entries = {index: 'src/index.ts'}

export default [
  {
    input: entries,
    plugins: [ts()],
    output: [
      {dir: 'dist', format: 'es', entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js', sourcemap: true},
      {dir: 'dist', format: 'cjs', entryFileNames: '[name].cjs', chunkFileNames: 'chunks/[name]-[hash].cjs', sourcemap: true, exports: 'named'},
    ],
  },
  {
    // Minified ES module copies, for CDNs and for measuring what an app pays (npm run size).
    input: entries,
    plugins: [ts(), terser({ecma: 2022, module: true, compress: {passes: 2}})],
    output: {dir: 'dist', format: 'es', entryFileNames: '[name].min.js', chunkFileNames: 'chunks/[name]-[hash].min.js'},
  },
]
