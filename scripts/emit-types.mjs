// Emits the type declarations twice: `.d.ts` for the ES module build and `.d.cts` for the
// CommonJS build, so TypeScript sees the right module kind under either condition.
import {execFileSync} from 'node:child_process'
import {readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {createRequire} from 'node:module'

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {stdio: 'inherit'})

for (const name of readdirSync('dist', {recursive: true})) {
  const file = join('dist', String(name))
  if (!file.endsWith('.d.ts')) continue
  // Relative specifiers `./x.js` become `./x.cjs`, which TypeScript maps to `./x.d.cts`.
  const cts = readFileSync(file, 'utf8').replace(/(from\s+['"]\.{1,2}\/[^'"]+)\.js(['"])/g, '$1.cjs$2')
  writeFileSync(file.replace(/\.d\.ts$/, '.d.cts'), cts)
}
