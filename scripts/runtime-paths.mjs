// Where the Deno, Bun and workerd binaries are, for the runtime suites (test/runtime-*.test.ts).
// The npm packages `deno`, `bun` and `workerd` carry them in per-platform optional dependencies
// (@deno/linux-x64-glibc, @oven/bun-linux-x64, @cloudflare/workerd-linux-64…); npm installs the one
// that fits this machine. Their postinstall scripts then move or link the binary into the main
// package (node_modules/bun/bin/bun.exe, node_modules/deno/deno, node_modules/workerd/bin/workerd),
// but an install that skips scripts leaves it only in the platform package, and leaves placeholders
// (a README, a JavaScript launcher) in the main one: so both places are looked at, and a candidate
// counts only once it runs and answers `--version`.
//
//   node scripts/runtime-paths.mjs        prints each runtime's binary and version
import {execFileSync} from 'node:child_process'
import {existsSync, readFileSync, statSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const modules = join(root, 'node_modules')

/** Per runtime: its npm package, the binary's path inside a platform package, and inside the main one after postinstall. */
const RUNTIMES = {
  deno: {pkg: 'deno', inPlatform: 'deno', inMain: 'deno'},
  bun: {pkg: 'bun', inPlatform: 'bin/bun', inMain: 'bin/bun.exe'},
  workerd: {pkg: 'workerd', inPlatform: 'bin/workerd', inMain: 'bin/workerd'},
}

/** The candidate binaries of one runtime, platform packages first (what the postinstall would move). */
function candidates(name) {
  const {pkg, inPlatform, inMain} = RUNTIMES[name]
  const manifest = join(modules, pkg, 'package.json')
  const optional = existsSync(manifest) ? Object.keys(JSON.parse(readFileSync(manifest, 'utf8')).optionalDependencies ?? {}) : []
  // npm installs only the optional dependencies whose os/cpu/libc fit this machine.
  const platform = optional.map((dependency) => join(modules, dependency, inPlatform))
  return [...platform, join(modules, pkg, inMain)]
}

/** The version line the binary prints, or undefined when it is not a working binary (missing, a placeholder, another platform's). */
function versionOf(path) {
  if (!existsSync(path) || !statSync(path).isFile()) return undefined
  try {
    // A launcher script would start Node or download something: only a native binary may answer.
    const head = readFileSync(path).subarray(0, 4)
    const elf = head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46
    const machO = head[0] === 0xcf && head[1] === 0xfa && head[2] === 0xed && head[3] === 0xfe
    const pe = head[0] === 0x4d && head[1] === 0x5a
    if (!elf && !machO && !pe) return undefined
    return execFileSync(path, ['--version'], {encoding: 'utf8', timeout: 20_000, stdio: ['ignore', 'pipe', 'ignore']}).trim().split('\n')[0]
  } catch {
    return undefined
  }
}

const found = new Map()

/**
 * The binary of `name` (`'deno'`, `'bun'` or `'workerd'`) and its version; throws an error that says
 * where it looked and how to get it when there is none, so a runtime suite fails rather than skips.
 */
export function runtimePath(name) {
  if (!(name in RUNTIMES)) throw new Error(`runtime-paths: unknown runtime ${name}`)
  if (!found.has(name)) {
    const looked = candidates(name)
    let result
    for (const path of looked) {
      const version = versionOf(path)
      if (version !== undefined) {
        result = {path, version}
        break
      }
    }
    found.set(
      name,
      result ??
        new Error(
          `No working ${name} binary in node_modules (looked at ${looked.map((path) => path.slice(root.length + 1)).join(', ')}). ` +
            `It comes with the npm package \`${name}\` (a devDependency) through its optional dependency for this platform: ` +
            `run \`npm install\`, and check that npm did not omit optional dependencies (--omit=optional).`,
        ),
    )
  }
  const result = found.get(name)
  if (result instanceof Error) throw result
  return result
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  let missing = false
  for (const name of Object.keys(RUNTIMES)) {
    try {
      const {path, version} = runtimePath(name)
      console.log(`${name}: ${path.slice(root.length + 1)} (${version})`)
    } catch (error) {
      missing = true
      console.error(error.message)
    }
  }
  process.exitCode = missing ? 1 : 0
}
