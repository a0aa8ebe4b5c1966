// Where the bytes of a one-line app go: esbuild's metafile, bytes each module adds to the minified
// bundle, and the gzip -9 total. Usage: node scripts/size-parts.mjs ["export {EventSource} from 'streamsource'"]
import {fileURLToPath} from 'node:url'
import {build} from 'esbuild'
import {APP_BUILD, measure} from './app-bundle.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const source = process.argv[2] ?? `export {EventSource} from 'streamsource'`
const result = await build({
  ...APP_BUILD,
  stdin: {contents: source, resolveDir: root, loader: 'js', sourcefile: 'app.js'},
  metafile: true,
  outfile: 'out.js',
})
const [output] = Object.values(result.metafile.outputs)
for (const [path, {bytesInOutput}] of Object.entries(output.inputs).sort((a, b) => b[1].bytesInOutput - a[1].bytesInOutput)) {
  console.log(String(bytesInOutput).padStart(6), path.replace(/^.*dist\//, ''))
}
const code = result.outputFiles[0].text
const {min, gz} = measure(code)
console.log(`${min} min, ${gz} gz`)
if (process.env.SHOW) console.log(code)
