// Makes a fresh clone ready for `npm start` and `npm test` with no other step:
// installs the npm dependencies when they are missing or older than the lockfile,
// builds dist/ with --build, and with --browser installs the Debian packages of every browser
// engine that is missing (Chromium for playwright-core, firefox-esr for puppeteer-core, WebKitGTK's
// driver and Xvfb for selenium-webdriver, and the ES5 interpreters mujs and duktape that run the
// script-tag build as the oldest browsers would).
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
  const {findChromium, findFirefox, findMujs, findDuktape} = await import('./browser-paths.mjs')
  const {findWebKitDriver, findMiniBrowser, findXvfb, WEBKIT_PACKAGES} = await import('./webkit-path.mjs')
  /**
   * The engines the browser tests drive, each with the Debian packages that bring it. One
   * `apt-get update` and one `apt-get install` cover every engine that is missing. WebKit is
   * WebKitGTK's WebKitWebDriver and MiniBrowser, which runs under Xvfb (test/support/webkit.ts).
   * @type {{name: string, found: () => boolean, packages: string[], hint: string}[]}
   */
  const engines = [
    {name: 'Chromium', found: () => findChromium() !== undefined, packages: ['chromium'], hint: 'CHROMIUM_PATH'},
    {name: 'Firefox', found: () => findFirefox() !== undefined, packages: ['firefox-esr'], hint: 'FIREFOX_PATH'},
    {
      name: 'WebKit',
      found: () => findWebKitDriver() !== undefined && findMiniBrowser() !== undefined && findXvfb() !== undefined,
      packages: WEBKIT_PACKAGES,
      hint: 'WEBKIT_DRIVER_PATH and WEBKIT_MINIBROWSER_PATH',
    },
    {name: 'MuJS', found: () => findMujs() !== undefined, packages: ['mujs'], hint: 'MUJS_PATH'},
    {name: 'Duktape', found: () => findDuktape() !== undefined, packages: ['duktape'], hint: 'DUK_PATH'},
  ]
  const missing = engines.filter((engine) => !engine.found())
  if (missing.length > 0) {
    const packages = [...new Set(missing.flatMap((engine) => engine.packages))]
    const isRoot = typeof process.getuid === 'function' && process.getuid() === 0
    if (!isRoot || !existsSync('/usr/bin/apt-get')) {
      console.error(
        `[ensure] Missing for the browser tests: ${missing.map((engine) => engine.name).join(', ')}.\n` +
          `         Install them (Debian: \`apt-get install ${packages.join(' ')}\`)\n` +
          `         or point ${missing.map((engine) => engine.hint).join(', ')} at the binaries.`,
      )
      process.exit(1)
    }
    const env = {...process.env, DEBIAN_FRONTEND: 'noninteractive'}
    run('apt-get', ['update'], env)
    run('apt-get', ['install', '-y', '--no-install-recommends', ...packages], env)
    const stillMissing = missing.filter((engine) => !engine.found())
    if (stillMissing.length > 0) {
      console.error(`[ensure] apt-get installed ${packages.join(' ')} but found no ${stillMissing.map((engine) => engine.name).join(', ')}`)
      process.exit(1)
    }
  }
}
