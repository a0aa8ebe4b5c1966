// What installing the package weighs: the tarball `npm pack` would publish, measured without
// writing it (`--dry-run`). For `npm run size` and test/package.test.ts.
import {execFileSync} from 'node:child_process'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))

/** Bytes packed and unpacked, the file count and the files' paths and sizes. */
export function packedSize() {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
  const output = execFileSync(npm, ['pack', '--dry-run', '--json', '--ignore-scripts'], {cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']})
  const [pack] = JSON.parse(output)
  return {packed: pack.size, unpacked: pack.unpackedSize, files: pack.entryCount, paths: pack.files.map((file) => ({path: file.path, size: file.size}))}
}
