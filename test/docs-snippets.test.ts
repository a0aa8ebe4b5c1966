// Every TypeScript snippet of the documentation (README.md, docs/migrating.md, docs/faq.md) is
// type-checked as a user's app would check it: strict (with noUncheckedIndexedAccess and
// exactOptionalPropertyTypes), `skipLibCheck: false`, against the built package's declarations
// (imported as `streamsource`, by package.json `exports`), in a browser project (the DOM lib), a
// Node project with the DOM lib and a Node-only one (@types/node, no DOM lib: not the React
// snippets, since @types/react needs the DOM lib), with nothing around each snippet but test/docs/snippet-globals.d.ts
// (an app's own names: a token, a render function). A line whose comment says `// error` must fail
// to compile (it is shown as a mistake). The "before" half of a migration snippet shows another
// package's API and is left out. JavaScript blocks must parse: as ES5 when they use the script-tag
// build's `StreamSource` global (they are for the old browsers that build serves).
import {execFile} from 'node:child_process'
import {mkdirSync, rmSync, writeFileSync} from 'node:fs'
import {join, relative} from 'node:path'
import {promisify} from 'node:util'
import {parse} from 'acorn'
import {beforeAll, describe, expect, test} from 'vitest'
import {DOCUMENTS, snippetsOf, type Snippet} from './support/doc-snippets.js'
import {assertBuilt, repoRoot} from './support/paths.js'

const run = promisify(execFile)

/**
 * The snippet as a module file: the part after `// after` when it has a `// before` half, each
 * line meant to fail preceded by `// @ts-expect-error`, and `export {}` so that it is a module
 * (top-level `await`, no clash between snippets).
 */
function asModule({code}: Snippet): string {
  const after = /^\/\/ before\n[\s\S]*?^\/\/ after\n/m
  const lines = code.replace(after, '').split('\n')
  const marked = lines.flatMap((line) => (/\/\/ error\b/.test(line) ? ['// @ts-expect-error (the snippet says so)', line] : [line]))
  return `${marked.join('\n')}\nexport {}\n`
}

const allSnippets = DOCUMENTS.flatMap(snippetsOf)
const snippets = allSnippets.filter((snippet) => snippet.language !== 'js')
const scripts = allSnippets.filter((snippet) => snippet.language === 'js')
/** Where the projects are written: inside the repository, so that `streamsource` resolves to this package by its own name. */
const workDir = join(repoRoot, 'test-results', 'docs-snippets')

/** The compiler options of an app that checks strictly; `lib` and `types` make it a browser or a Node project. */
const strictApp = (lib: string[], types: string[]) => ({
  target: 'ES2022',
  module: 'ESNext',
  moduleResolution: 'Bundler',
  lib,
  types,
  strict: true,
  noUncheckedIndexedAccess: true,
  exactOptionalPropertyTypes: true,
  skipLibCheck: false,
  jsx: 'react-jsx',
  noEmit: true,
})

/** Each setup, and whether it checks the React (tsx) snippets: @types/react needs the DOM lib. */
const setups = {
  browser: [strictApp(['ES2022', 'DOM', 'DOM.Iterable'], []), true],
  'Node (with the DOM lib)': [strictApp(['ES2022', 'DOM', 'DOM.Iterable'], ['node']), true],
  'Node-only (no DOM lib)': [strictApp(['ES2022'], ['node']), false],
} as const

beforeAll(() => {
  assertBuilt()
  rmSync(workDir, {recursive: true, force: true})
  for (const [index, snippet] of snippets.entries()) {
    mkdirSync(join(workDir, 'src'), {recursive: true})
    writeFileSync(join(workDir, 'src', `snippet-${index}.${snippet.language}`), asModule(snippet))
  }
})

describe('the documentation\'s code', () => {
  test('has snippets to check: each document\'s TypeScript blocks are found', () => {
    for (const document of ['README.md', 'docs/migrating.md']) expect(snippets.some((snippet) => snippet.where.startsWith(document))).toBe(true)
    expect(snippets.length).toBeGreaterThan(12)
  })

  test('JavaScript blocks parse: as ES5 scripts where they use the script-tag global', () => {
    expect(scripts.length).toBeGreaterThan(0)
    for (const {where, code} of scripts) {
      const ecmaVersion = code.includes('StreamSource.') ? 5 : 'latest'
      expect(() => parse(code, {ecmaVersion, sourceType: 'script'}), where).not.toThrow()
    }
  })

  // Each setup with the current compiler and the last of the major before it (npm alias `typescript-5.9`).
  const compilers = {'TypeScript 6': 'typescript', 'TypeScript 5.9': 'typescript-5.9'}
  const runs = Object.entries(setups).flatMap(([setup, options]) => Object.entries(compilers).map(([compiler, pkg]) => [`${setup} (${compiler})`, pkg, options] as const))
  test.each(runs)('type-checks strictly in a %s project, every snippet as printed', {timeout: 180_000}, async (setup, pkg, [compilerOptions, withReact]) => {
    const config = join(workDir, `tsconfig.${setup.replace(/\W+/g, '-')}.json`)
    const files = snippets.flatMap((snippet, index) => (snippet.language === 'tsx' && !withReact ? [] : [`src/snippet-${index}.${snippet.language}`]))
    writeFileSync(config, JSON.stringify({compilerOptions, files: ['../../test/docs/snippet-globals.d.ts', ...files]}, null, 2))
    const tsc = join(repoRoot, 'node_modules', pkg, 'bin', 'tsc')
    const output = await run(process.execPath, [tsc, '-p', config], {cwd: workDir}).then(
      () => '',
      (error: {stdout?: string}) => error.stdout ?? String(error),
    )
    // Each error, named by the document and line it comes from rather than the generated file.
    const errors = output
      .split('\n')
      .filter((line) => /error TS\d+/.test(line))
      .map((line) => {
        const found = /src\/snippet-(\d+)\.tsx?\((\d+),\d+\): (.*)/.exec(line)
        if (!found) return line
        const snippet = snippets[Number(found[1])]!
        const [document, start] = snippet.where.split(':')
        return `${document}:${Number(start) + Number(found[2])}: ${found[3]}`
      })
    expect(errors, `in ${relative(repoRoot, workDir)}`).toEqual([])
  })
})
