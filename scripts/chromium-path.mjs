// Where the browser tests find Chromium: $CHROMIUM_PATH, else Debian's package.
// (playwright-core cannot download its own browser on machines without internet.)
import {existsSync} from 'node:fs'

const candidates = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome']

/** @returns {string | undefined} */
export function findChromium() {
  const fromEnv = process.env['CHROMIUM_PATH']
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : undefined
  return candidates.find((path) => existsSync(path))
}
