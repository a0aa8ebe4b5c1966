// No module of src/ imports, at run time, one that imports it back (directly or through others):
// the data flows one way (transport → parser → EventSource → extensions → adapters), and a cycle
// would make a module's exports depend on which one a bundle happens to evaluate first. Imports of
// types alone are left out: TypeScript erases them.
import {readFileSync} from 'node:fs'
import {dirname, join, relative} from 'node:path'
import ts from 'typescript'
import {expect, test} from 'vitest'
import {repoRoot, sourceModules} from './support/paths.js'

const src = join(repoRoot, 'src')

/** The modules of src/ that `file` imports or re-exports values from. */
function runtimeImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest)
  const found: string[] = []
  for (const statement of source.statements) {
    let specifier: ts.Expression | undefined
    if (ts.isImportDeclaration(statement)) {
      const clause = statement.importClause
      const typesOnly =
        clause !== undefined &&
        (clause.isTypeOnly ||
          (clause.name === undefined &&
            clause.namedBindings !== undefined &&
            ts.isNamedImports(clause.namedBindings) &&
            clause.namedBindings.elements.length > 0 &&
            clause.namedBindings.elements.every((element) => element.isTypeOnly)))
      if (!typesOnly) specifier = statement.moduleSpecifier
    } else if (ts.isExportDeclaration(statement) && !statement.isTypeOnly) {
      const clause = statement.exportClause
      const typesOnly = clause !== undefined && ts.isNamedExports(clause) && clause.elements.every((element) => element.isTypeOnly)
      if (!typesOnly) specifier = statement.moduleSpecifier
    }
    if (specifier && ts.isStringLiteral(specifier) && specifier.text.startsWith('.')) {
      found.push(join(dirname(file), specifier.text.replace(/\.js$/, '.ts')))
    }
  }
  return found
}

test('no module of src/ imports itself back at run time', () => {
  const graph = new Map(sourceModules().map((file) => [file, runtimeImports(file)]))
  const cycles: string[] = []
  const state = new Map<string, 'visiting' | 'done'>()
  const path: string[] = []
  const visit = (file: string): void => {
    if (state.get(file) === 'visiting') {
      cycles.push([...path.slice(path.indexOf(file)), file].map((name) => relative(src, name)).join(' → '))
      return
    }
    if (state.has(file)) return
    state.set(file, 'visiting')
    path.push(file)
    for (const imported of graph.get(file) ?? []) visit(imported)
    path.pop()
    state.set(file, 'done')
  }
  for (const file of graph.keys()) visit(file)
  expect(cycles).toEqual([])
  // The walk saw the modules' imports at all: EventSource.ts imports its transport.
  expect(graph.get(join(src, 'eventsource/EventSource.ts'))).toContain(join(src, 'transport/index.ts'))
})
