// Emits the type declarations twice: `.d.ts` for the ES module build and `.d.cts` for the
// CommonJS build, so TypeScript sees the right module kind under either condition.
import {execFileSync} from 'node:child_process'
import {readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {createRequire} from 'node:module'

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {stdio: 'inherit'})

/**
 * Private members (TypeScript `private`, named `…_`, see rollup.config.mjs) are no one else's
 * business: each class keeps one `#private;` in their place, as TypeScript declares classes with
 * `#private` fields, so the class stays nominal and a subclass is not told the internal names.
 */
function hidePrivateMembers(text) {
  return text
    .split(/^(?=(?:export )?declare (?:abstract )?class )/m)
    .map((part) => {
      let first = true
      const member = /^(?:[ \t]*\/\*\*(?:(?!\*\/)[\s\S])*?\*\/\n)?([ \t]*)private (?:readonly )?[a-z]\w*_;\n/gm
      return part.replace(member, (_, indent) => (first ? ((first = false), `${indent}#private;\n`) : ''))
    })
    .join('')
}

for (const name of readdirSync('dist', {recursive: true})) {
  const file = join('dist', String(name))
  if (!file.endsWith('.d.ts') || file.endsWith('streamsource.global.d.ts')) continue
  const dts = hidePrivateMembers(readFileSync(file, 'utf8'))
  writeFileSync(file, dts)
  // Relative specifiers `./x.js` become `./x.cjs`, which TypeScript maps to `./x.d.cts`.
  const cts = dts.replace(/(from\s+['"]\.{1,2}\/[^'"]+)\.js(['"])/g, '$1.cjs$2')
  writeFileSync(file.replace(/\.d\.ts$/, '.d.cts'), cts)
}

// The script-tag build (`<script src="…/streamsource.global.min.js">`) defines the global
// `StreamSource`: its declaration, for `/// <reference types="streamsource/global" />` (the
// `./global` export of package.json, types only). The CommonJS condition's file points at the same
// declaration, so that a project with files of both kinds declares the global once.
writeFileSync(
  join('dist', 'streamsource.global.d.ts'),
  `declare global {
  /**
   * The global \`StreamSource\` that the script-tag build (\`streamsource.global.min.js\`) defines:
   * every export of the package root and of \`streamsource/shared\`. Declared by
   * \`/// <reference types="streamsource/global" />\`.
   */
  var StreamSource: typeof import('./index.js') & typeof import('./shared/index.js')
}
export {}
`,
)
writeFileSync(join('dist', 'streamsource.global.d.cts'), `/// <reference path="./streamsource.global.d.ts" />\nexport {}\n`)

// The SharedWorker script (`streamsource/shared-worker.js`): a script to load by URL, no exports.
const workerDeclaration = `/**
 * The SharedWorker script of \`createSharedEventSource\` (\`streamsource/shared\`), to load by URL
 * (the \`worker\` option names it where the default cannot find it). It exports nothing.
 */
export {}
`
writeFileSync(join('dist', 'shared-worker.d.ts'), workerDeclaration)
writeFileSync(join('dist', 'shared-worker.d.cts'), workerDeclaration)
