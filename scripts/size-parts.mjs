// Where the bytes of a one-line app go: esbuild's metafile, bytes each module adds to the minified
// bundle, and the gzip -9 total. Usage: node scripts/size-parts.mjs ["export {EventSource} from 'streamsource'"]
import {gzipSync} from 'node:zlib'
import {fileURLToPath} from 'node:url'
import {build} from 'esbuild'

const root = fileURLToPath(new URL('..', import.meta.url))
const source = process.argv[2] ?? `export {EventSource} from 'streamsource'`
const result = await build({
  stdin: {contents: source, resolveDir: root, loader: 'js', sourcefile: 'app.js'},
  bundle: true, minify: true, format: 'esm', platform: 'browser', target: 'es2022',
  legalComments: 'none', write: false, metafile: true, logLevel: 'silent', outfile: 'out.js',
})
const [output] = Object.values(result.metafile.outputs)
for (const [path, {bytesInOutput}] of Object.entries(output.inputs).sort((a, b) => b[1].bytesInOutput - a[1].bytesInOutput)) {
  console.log(String(bytesInOutput).padStart(6), path.replace(/^.*dist\//, ''))
}
const code = result.outputFiles[0].text
console.log(`${Buffer.byteLength(code)} min, ${gzipSync(code, {level: 9}).length} gz`)
if (process.env.SHOW) console.log(code)
