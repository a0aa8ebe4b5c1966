// How the size scripts bundle a one-line app, as an app's bundler would: esbuild, minified, an ES
// module for browsers; and how they count its bytes (gzip -9, as size tools report it). Shared by
// scripts/size.mjs, size-parts.mjs and size-floor.mjs, so that their figures compare.
import {gzipSync} from 'node:zlib'

/** esbuild options for a one-line app; add `stdin` (and what else a script needs). */
export const APP_BUILD = {
  bundle: true,
  minify: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  // License banners are not code: they would only blur the comparison.
  legalComments: 'none',
  write: false,
  logLevel: 'silent',
}

/** Bytes minified and minified + gzipped (level 9). */
export function measure(code) {
  return {min: Buffer.byteLength(code), gz: gzipSync(code, {level: 9}).length}
}
