// The README's map of src/ lists every module there is, and nothing that is gone: a module added,
// moved or removed fails here until the map says so.
import {readFileSync} from 'node:fs'
import {join, relative} from 'node:path'
import {expect, test} from 'vitest'
import {repoRoot as root, sourceModules} from './support/paths.js'

/** The paths the README's `src/` tree names: each `name.ts` under the folder it is indented beneath. */
function mapped(readme: string): string[] {
  const block = /```text\nsrc\/\n([\s\S]*?)```/.exec(readme)?.[1]
  if (!block) throw new Error('README.md has no ```text block starting with src/')
  const paths: string[] = []
  let folder = ''
  for (const line of block.split('\n')) {
    const indent = /^ */.exec(line)![0].length
    const names = line.trim().split(/\s+/)
    if (names[0]?.endsWith('/')) {
      folder = names[0]
      continue
    }
    if (indent === 2) folder = ''
    // A line lists one module and what it does, or (cli/) several names and nothing else.
    const files = names.every((name) => name.endsWith('.ts')) ? names : names.slice(0, 1)
    for (const file of files) if (file.endsWith('.ts')) paths.push(folder + file)
  }
  return paths
}

test('the README maps every module in src/, in its folder', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8')
  expect(mapped(readme).sort()).toEqual(sourceModules().map((file) => relative(join(root, 'src'), file)).sort())
})
