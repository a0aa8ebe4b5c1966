// Where tests find the repository's files, independent of the working directory.
import {existsSync, readdirSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url))
/** The built library, as `npm run build` leaves it; the browser tests load it from here. */
export const distDir = join(repoRoot, 'dist')

/** The library's modules: every `.ts` file under src/ (in folders too), as absolute paths. */
export function sourceModules(dir: string = join(repoRoot, 'src')): string[] {
  return readdirSync(dir, {withFileTypes: true}).flatMap((entry) =>
    entry.isDirectory() ? sourceModules(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  )
}

/** Fails fast with a helpful message, instead of a page that waits forever for its module. */
export function assertBuilt(): void {
  // The module build and the script-tag build: a test that loads a missing one would only time out.
  for (const file of ['index.js', 'streamsource.global.min.js']) {
    if (!existsSync(join(distDir, file))) {
      throw new Error(`${join(distDir, file)} is missing: run \`npm run build\` first (\`npm test\` does).`)
    }
  }
}
