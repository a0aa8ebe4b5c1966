// React stays out of the core: `streamsource` (and the framework-free shared-source store) load
// with React made impossible to import, and no built file the core loads imports it. Only
// `streamsource/react` does, as its one runtime import.
import {readFileSync} from 'node:fs'
import {dirname, join, resolve} from 'node:path'
import {expect, test, vi} from 'vitest'
import {assertBuilt, distDir} from './support/paths.js'

vi.mock('react', () => {
  throw new Error('React was imported')
})

test('src/index.ts and src/shared/source.ts load with react unavailable', async () => {
  await expect(import('react')).rejects.toThrow()
  const core = await import('../src/index.js')
  const store = await import('../src/shared/source.js')
  expect(core.EventSource).toBeTypeOf('function')
  expect(store.SharedSubscription).toBeTypeOf('function')
})

/** The bare specifiers (packages) that a built file and the files it imports, transitively, import. */
function packagesImported(entry: string): Set<string> {
  const packages = new Set<string>()
  const seen = new Set<string>()
  const visit = (file: string): void => {
    if (seen.has(file)) return
    seen.add(file)
    const code = readFileSync(file, 'utf8')
    const specifiers = [...code.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)['"]([^'"]+)['"]/g)].map((match) => match[1]!)
    for (const specifier of specifiers) {
      if (specifier.startsWith('.')) visit(resolve(dirname(file), specifier))
      else packages.add(specifier)
    }
  }
  visit(join(distDir, entry))
  return packages
}

test('the built core imports no package at all; the React entry imports only react', () => {
  assertBuilt()
  for (const entry of ['index.js', 'index.cjs', 'index.min.js']) {
    expect({entry, packages: [...packagesImported(entry)]}).toEqual({entry, packages: []})
  }
  for (const entry of ['react.js', 'react.cjs', 'react.min.js']) {
    expect({entry, packages: [...packagesImported(entry)]}).toEqual({entry, packages: ['react']})
  }
})
