// The API reference (docs/api) is generated from the TSDoc comments in src/ (issue #7). This runs
// TypeDoc with typedoc.json into a temporary directory and checks that every public member is
// documented, that every option says its default, and that the committed docs/api is what the
// source gives today, so it cannot go stale.
import {mkdtempSync, readdirSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, relative} from 'node:path'
import {Application, Logger, LogLevel, ReflectionKind, type DeclarationReflection, type ProjectReflection} from 'typedoc'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {repoRoot} from './support/paths.js'

const COMMITTED = join(repoRoot, 'docs/api')

/** Keeps every warning and error TypeDoc reports, instead of printing them. */
class CollectingLogger extends Logger {
  messages: string[] = []
  override log(message: string, level: LogLevel): void {
    super.log(message, level)
    if (level >= LogLevel.Warn) this.messages.push(`${LogLevel[level]}: ${message}`)
  }
}

/** Every file under `dir`, as paths relative to it (`/`-separated), sorted. */
function listFiles(dir: string): string[] {
  return readdirSync(dir, {recursive: true, withFileTypes: true})
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split('\\').join('/'))
    .sort()
}

let out: string
let messages: string[]
let project: ProjectReflection | undefined

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), 'streamsource-apidocs-'))
  // typedoc.json as `npm run docs` reads it; only the output directory differs.
  const app = await Application.bootstrapWithPlugins({options: join(repoRoot, 'typedoc.json'), out, logLevel: LogLevel.Warn})
  const logger = new CollectingLogger()
  logger.level = LogLevel.Warn
  // Option problems are reported while bootstrapping, to the logger TypeDoc starts with.
  const bootstrapProblems = app.logger.errorCount + app.logger.warningCount
  app.logger = logger
  project = await app.convert()
  if (project) {
    app.validate(project)
    await app.generateOutputs(project)
  }
  messages = bootstrapProblems ? [`${bootstrapProblems} problem(s) with typedoc.json, printed above`, ...logger.messages] : logger.messages
}, 60_000)

afterAll(() => {
  if (out) rmSync(out, {recursive: true, force: true})
})

test('TypeDoc reports no warning or error: every public member is documented', () => {
  expect(project, 'TypeDoc could not convert the project').toBeDefined()
  expect(messages).toEqual([])
})

test('docs/api is what the source generates (run `npm run docs` after changing a TSDoc comment)', () => {
  const generated = listFiles(out)
  const committed = listFiles(COMMITTED)
  expect(generated.length).toBeGreaterThan(10)
  const stale = [
    ...generated.filter((file) => !committed.includes(file)).map((file) => `missing: docs/api/${file}`),
    ...committed.filter((file) => !generated.includes(file)).map((file) => `not generated any more: docs/api/${file}`),
    ...generated
      .filter((file) => committed.includes(file))
      .filter((file) => readFileSync(join(out, file), 'utf8') !== readFileSync(join(COMMITTED, file), 'utf8'))
      .map((file) => `out of date: docs/api/${file}`),
  ]
  expect(stale, 'docs/api differs from the TSDoc comments in src/: run `npm run docs` and commit docs/api').toEqual([])
})

test('the generated pages name no local path and carry no timestamp', () => {
  for (const file of listFiles(out)) {
    const text = readFileSync(join(out, file), 'utf8')
    expect(text, file).not.toContain(repoRoot)
    expect(text, file).not.toMatch(/file:\/\/|\/(?:home|Users|tmp|work)\/|\b20\d\d-\d\d-\d\d\b/)
  }
})

describe('every option says its default', () => {
  // The project rule: every public option documented with its default (`@defaultValue`), or a
  // description that says it has none.
  const OPTION_INTERFACES = [
    'EventSourceInit',
    'ReconnectOptions',
    'SharedEventSourceInit',
    'ParserCallbacks',
    'ParserConfig',
    'StreamOptions',
    'SharedSourceOptions',
    'UseEventSourceOptions',
  ]

  test.each(OPTION_INTERFACES)('%s', (name) => {
    expect(project, 'TypeDoc could not convert the project').toBeDefined()
    const found = project!.getReflectionsByKind(ReflectionKind.Interface).filter((reflection) => reflection.name === name)
    expect(found, `interface ${name} in the documentation`).toHaveLength(1)
    const properties = ((found[0] as DeclarationReflection).children ?? []).filter((child) => child.kindOf(ReflectionKind.Property))
    expect(properties.length).toBeGreaterThan(0)
    const undocumented = properties
      .filter((property) => {
        const comment = property.comment
        const defaultValue = comment?.getTag('@defaultValue')?.content.map((part) => part.text).join('').trim()
        const summary = comment?.summary.map((part) => part.text).join('') ?? ''
        return !defaultValue && !/\bno default\b/i.test(summary)
      })
      .map((property) => `${name}.${property.name}`)
    expect(undocumented, 'add `@defaultValue …` to these (what leaving them out means, `undefined` included)').toEqual([])
  })
})
