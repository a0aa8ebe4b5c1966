// The declarations that have no TypeScript source: the global of the script-tag build and the
// SharedWorker script's. (rollup.config.mjs bundles the others from src/ with rollup-plugin-dts.)
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'

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
  var StreamSource: typeof import('./index.js') & typeof import('./shared.js')
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
