// Where the browser tests find WebKit: the WebDriver server of WebKitGTK (Debian's
// `webkit2gtk-driver`) and the WebKitGTK MiniBrowser it drives. Debian ships MiniBrowser in the
// WebKit library package itself (libwebkit2gtk-4.1-0: /usr/lib/<triplet>/webkit2gtk-4.1/MiniBrowser),
// not on the PATH, so it is looked up in `dpkg -L` of the library the driver was built against:
// a MiniBrowser of another WebKit version would not speak the driver's automation protocol.
// MiniBrowser has no headless mode, hence `xvfb`. Uses only Node's standard library (ensure.mjs
// imports it before anything is installed).
import {execFileSync} from 'node:child_process'
import {existsSync} from 'node:fs'

/**
 * What `apt-get install --no-install-recommends` needs for the WebKit tests. The MiniBrowser
 * comes with libwebkit2gtk-4.1-0, a dependency of webkit2gtk-driver, so it needs no entry here.
 */
export const WEBKIT_PACKAGES = ['webkit2gtk-driver', 'xvfb']

const driverCandidates = ['/usr/bin/WebKitWebDriver', '/usr/local/bin/WebKitWebDriver']

/** Where distributions without dpkg (or a dpkg that does not know the package) put it. */
const miniBrowserCandidates = [
  '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser',
  '/usr/lib/aarch64-linux-gnu/webkit2gtk-4.1/MiniBrowser',
  '/usr/libexec/webkit2gtk-4.1/MiniBrowser',
  '/usr/lib/webkit2gtk-4.1/MiniBrowser',
]

/** @returns {string | undefined} $WEBKIT_DRIVER_PATH, else WebKitWebDriver where packages put it. */
export function findWebKitDriver() {
  const fromEnv = process.env['WEBKIT_DRIVER_PATH']
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : undefined
  return driverCandidates.find((path) => existsSync(path))
}

/** Runs a dpkg tool and returns its output, or '' where dpkg is missing or knows no such package. */
function dpkg(command, args) {
  try {
    return execFileSync(command, args, {encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']})
  } catch {
    return ''
  }
}

/** The WebKitGTK library packages webkit2gtk-driver depends on, e.g. `libwebkit2gtk-4.1-0`. */
function webkitLibraries() {
  const depends = dpkg('dpkg-query', ['-W', '-f=${Depends}', 'webkit2gtk-driver'])
  const named = depends
    .split(',')
    .map((entry) => entry.trim().split(/[\s:(]/)[0] ?? '')
    .filter((name) => /^libwebkit(2)?gtk-/.test(name))
  return named.length > 0 ? named : ['libwebkit2gtk-4.1-0', 'libwebkitgtk-6.0-4']
}

/** @returns {string | undefined} $WEBKIT_MINIBROWSER_PATH, else the MiniBrowser of the driver's WebKitGTK. */
export function findMiniBrowser() {
  const fromEnv = process.env['WEBKIT_MINIBROWSER_PATH']
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : undefined
  for (const library of webkitLibraries()) {
    const files = dpkg('dpkg', ['-L', library]).split('\n')
    const found = files.find((file) => file.endsWith('/MiniBrowser') && existsSync(file))
    if (found) return found
  }
  return miniBrowserCandidates.find((path) => existsSync(path))
}

/** @returns {string | undefined} Xvfb, which the MiniBrowser needs for a display. */
export function findXvfb() {
  return ['/usr/bin/Xvfb', '/usr/local/bin/Xvfb'].find((path) => existsSync(path))
}
