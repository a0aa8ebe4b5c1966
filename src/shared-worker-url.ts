/**
 * Where the package's SharedWorker script is: dist/shared-worker.js, beside this module. It sits at
 * the top of src/ because its output sits at the top of every build (the modules of dist/, the
 * CDN's minified copies, the script tag's IIFE), so one relative URL is right in all of them;
 * from dist/shared/ it would not be.
 */

/**
 * The worker script's URL: where the ES module build has it, and where a bundler that follows
 * `new URL('…', import.meta.url)` (Vite, webpack 5, Parcel) copies it. The build replaces
 * `import.meta.url` where there is none (rollup.config.mjs): by `undefined` in the CommonJS build,
 * by the URL of its own `<script>` in the ES5 script-tag build.
 */
export function libraryWorker(): URL | undefined {
  try {
    return new URL('./shared-worker.js', import.meta.url)
  } catch {
    // No base URL: the CommonJS build, or a bundle that empties `import.meta` (esbuild's iife and cjs).
    return undefined
  }
}
