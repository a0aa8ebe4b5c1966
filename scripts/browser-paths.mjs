// Where the browser tests find their engines: $CHROMIUM_PATH / $FIREFOX_PATH, else Debian's
// packages. (playwright-core and puppeteer-core cannot download browsers on machines without
// internet, so each engine is a Debian package that scripts/ensure.mjs --browser installs.)
import {existsSync} from 'node:fs'

/**
 * @param {string} variable
 * @param {string[]} candidates
 * @returns {string | undefined}
 */
function find(variable, candidates) {
  const fromEnv = process.env[variable]
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : undefined
  return candidates.find((path) => existsSync(path))
}

/** @returns {string | undefined} */
export function findChromium() {
  return find('CHROMIUM_PATH', ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'])
}

/** @returns {string | undefined} */
export function findFirefox() {
  return find('FIREFOX_PATH', ['/usr/bin/firefox-esr', '/usr/bin/firefox'])
}

/**
 * The ES5 interpreters that run the script-tag build as the oldest browsers would
 * (test/script-tag-in-es5-engines.test.ts): Debian's `mujs` (MuJS, strict ES5) and `duktape`
 * (Duktape's `duk`, ES5.1 with a few later pieces).
 * @returns {string | undefined}
 */
export function findMujs() {
  return find('MUJS_PATH', ['/usr/bin/mujs', '/usr/local/bin/mujs'])
}

/** @returns {string | undefined} */
export function findDuktape() {
  return find('DUK_PATH', ['/usr/bin/duk', '/usr/local/bin/duk'])
}
