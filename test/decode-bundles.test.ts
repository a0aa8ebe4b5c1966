// Which decoder each kind of app gets from the built package: Node (and bundles for Node) the Buffer
// decoders of src/parser/decode-node.ts through the `node` condition of package.json `exports`; browser
// bundles neither those nor the JavaScript fallback of src/parser/utf8.ts.
import {execFileSync} from 'node:child_process'
import {createRequire} from 'node:module'
import {build} from 'esbuild'
import {beforeAll, expect, test} from 'vitest'
import {assertBuilt, repoRoot} from './support/paths.js'

beforeAll(() => assertBuilt())

async function bundle(platform: 'browser' | 'node'): Promise<string> {
  const result = await build({
    stdin: {contents: `export {createParser} from 'streamsource'`, resolveDir: repoRoot, loader: 'js'},
    bundle: true,
    format: 'esm',
    platform,
    write: false,
    logLevel: 'silent',
  })
  return result.outputFiles[0]!.text
}

test('a browser bundle of createParser has neither the Node decoders nor the JavaScript fallback', async () => {
  const code = await bundle('browser')
  expect(code).toContain('TextDecoder')
  expect(code).not.toMatch(/latin1Slice|utf8Slice|node:buffer/)
  expect(code).not.toMatch(/fromCharCode|incompleteTail|installUtf8Fallback/)
})

test('a bundle for Node has the Buffer decoders as its decoding', async () => {
  const code = await bundle('node')
  expect(code).toMatch(/latin1Slice/)
  expect(code).toMatch(/create: createNodeDecoder, lastLineEnd: nodeLastLineEnd/)
})

test('Node resolves the package root to the Node build, which decodes with them, in ESM and CJS', async () => {
  const esm = execFileSync(process.execPath, ['--input-type=module', '-e', "console.log(import.meta.resolve('streamsource'))"], {
    cwd: repoRoot,
    encoding: 'utf8',
  })
  expect(esm.trim()).toMatch(/dist\/node\/index\.js$/)
  const require = createRequire(import.meta.url)
  expect(require.resolve('streamsource')).toMatch(/dist[\\/]node[\\/]index\.cjs$/)
  const {decoding} = require('../dist/node/parser/decode-node.cjs') as typeof import('../src/parser/decode-node.js')
  expect(decoding.lastLineEnd.name).toBe('nodeLastLineEnd')
})
