// Makes a fresh clone ready for `npm start` and `npm test` with no other step:
// installs the npm dependencies when they are missing or older than the lockfile,
// builds dist/ with --build, and with --browser installs Debian's Chromium when no
// browser is found (the browser tests drive it through playwright-core).
// Uses only Node's standard library: it runs before anything is installed.
import {execFileSync} from 'node:child_process'
import {existsSync, statSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const args = new Set(process.argv.slice(2))

function run(command, commandArgs, env = process.env) {
  console.log(`[ensure] ${command} ${commandArgs.join(' ')}`)
  execFileSync(command, commandArgs, {cwd: root, stdio: 'inherit', env})
}

function mtime(file) {
  return existsSync(file) ? statSync(file).mtimeMs : -1
}

// npm writes node_modules/.package-lock.json after every install: older than the
// lockfile (or missing) means the dependencies are not what the lockfile says.
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
const installed = join(root, 'node_modules', '.package-lock.json')
const lockfile = join(root, 'package-lock.json')
if (!existsSync(installed)) {
  run(npm, [existsSync(lockfile) ? 'ci' : 'install', '--no-audit', '--no-fund'])
} else if (mtime(lockfile) > mtime(installed) || mtime(join(root, 'package.json')) > mtime(installed)) {
  run(npm, ['install', '--no-audit', '--no-fund'])
}

if (args.has('--build') && !existsSync(join(root, 'dist', 'index.js'))) {
  run(npm, ['run', 'build'])
}

if (args.has('--browser')) {
  const {findChromium} = await import('./chromium-path.mjs')
  if (!findChromium()) {
    const isRoot = typeof process.getuid === 'function' && process.getuid() === 0
    if (!isRoot || !existsSync('/usr/bin/apt-get')) {
      console.error(
        '[ensure] No Chromium found for the browser tests. Install one (Debian: `apt-get install chromium`)\n' +
          '         or point CHROMIUM_PATH at a Chromium or Chrome binary.',
      )
      process.exit(1)
    }
    const env = {...process.env, DEBIAN_FRONTEND: 'noninteractive'}
    run('apt-get', ['update'], env)
    run('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], env)
    if (!findChromium()) {
      console.error('[ensure] apt-get installed chromium but no binary was found at /usr/bin/chromium')
      process.exit(1)
    }
  }
}
