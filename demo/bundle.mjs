// The React demo's bundle: demo/react-app.jsx built by esbuild the way an app would build it,
// `streamsource` and `streamsource/react` resolved through the package's own `exports` to the built
// library (in `distDir`), React from node_modules, production mode. Built on first request and kept
// in memory until one of its input files changes (a rebuild of dist/ shows up on reload).
// esbuild is a devDependency, loaded only here and only when asked: the rest of the server needs nothing.
import {existsSync} from 'node:fs'
import {readFile, stat} from 'node:fs/promises'
import {dirname, join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..')
const PACKAGE_NAME = 'streamsource'

/**
 * Returns `get()`: the bundle's code (cached), or a rejection whose message says what went wrong.
 * Concurrent calls share one build; a failed build is not cached, so the next request tries again.
 * @param {string} entry the app's source file
 * @param {{distDir: string}} options
 * @returns {() => Promise<string>}
 */
export function createBundle(entry, {distDir}) {
  /** @type {{code: string, inputs: Map<string, number>} | undefined} */
  let cached
  /** @type {Promise<string> | undefined} */
  let building

  return async function get() {
    if (cached && !(await changed(cached.inputs))) return cached.code
    building ??= build(entry, distDir)
      .then((result) => {
        cached = result
        return result.code
      })
      .finally(() => {
        building = undefined
      })
    return building
  }
}

async function build(entry, distDir) {
  let esbuild
  try {
    esbuild = await import('esbuild')
  } catch (error) {
    throw new Error(`esbuild is not installed (${error.message}): run \`npm install\`, it is a devDependency`)
  }
  const {exports} = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8'))
  let result
  try {
    result = await esbuild.build({
      entryPoints: [entry],
      bundle: true,
      write: false,
      format: 'esm',
      target: 'es2020',
      jsx: 'automatic',
      minify: true,
      define: {'process.env.NODE_ENV': '"production"'},
      metafile: true,
      logLevel: 'silent',
      absWorkingDir: repoRoot,
      plugins: [selfReference(exports, distDir)],
    })
  } catch (error) {
    // esbuild's own failure carries its messages, with file and line, in `errors`.
    const messages = error.errors?.map(formatMessage) ?? [error.message]
    throw new Error(`esbuild could not bundle ${entry}:\n${messages.join('\n')}`)
  }
  for (const warning of result.warnings) console.warn(`[demo] bundling ${entry}: ${formatMessage(warning)}`)
  const inputs = new Map()
  for (const input of Object.keys(result.metafile.inputs)) {
    const file = resolve(repoRoot, input)
    inputs.set(file, await mtime(file))
  }
  return {code: result.outputFiles[0].text, inputs}
}

/**
 * `streamsource` and `streamsource/…` as a published package resolves them (its `exports`, the
 * `import` condition), with `./dist/` standing for `distDir`.
 */
function selfReference(exports, distDir) {
  return {
    name: 'streamsource-self-reference',
    setup(build) {
      build.onResolve({filter: /^streamsource(\/.*)?$/}, ({path}) => {
        const subpath = `.${path.slice(PACKAGE_NAME.length)}`
        const target = exports[subpath]?.import?.default
        if (typeof target !== 'string' || !target.startsWith('./dist/')) {
          return {errors: [{text: `"${path}" is not exported by ${PACKAGE_NAME}'s package.json`}]}
        }
        const file = join(distDir, target.slice('./dist/'.length))
        if (!existsSync(file)) return {errors: [{text: `${file} is missing: run \`npm run build\` first`}]}
        return {path: file}
      })
    },
  }
}

async function changed(inputs) {
  for (const [file, time] of inputs) {
    if ((await mtime(file)) !== time) return true
  }
  return false
}

async function mtime(file) {
  try {
    return (await stat(file)).mtimeMs
  } catch {
    return -1
  }
}

function formatMessage({text, location}) {
  return location ? `${location.file}:${location.line}:${location.column}: ${text}` : text
}
