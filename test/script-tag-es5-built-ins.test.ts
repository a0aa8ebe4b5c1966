// Which built-ins beyond ES5 the script-tag build touches, and that each is guarded.
//
// "Built-ins beyond ES5": what ES2015 and later, and Annex B, add to the global object and to ES5's
// built-ins, as a new V8 context has them (test/support/es5-built-ins.ts: `Symbol`, `Promise`,
// `Uint8Array`, `Object.assign`, `String.prototype.padStart`, `unescape`, `__proto__`…). An ES5
// engine may lack any of them. Three checks, each catching what the others cannot:
//
// 1. MuJS has none of them (the first test here pins that), and runs every scenario of
//    test/script-tag-es5-*.test.ts: an unguarded use on any path those scenarios take throws there.
// 2. test/es5/built-ins.js records each of them that the build reads while a scenario runs, in MuJS
//    and Duktape (which has many, some only in part: `Symbol` without `asyncIterator`, a
//    `Reflect.construct` that refuses a `newTarget`), and every scenario fails on one that
//    `GUARDED` does not list with its guard: a new use is looked at even where it works, in the
//    engines it works in.
// 3. This file scans the built files for their names (a global read, `Object.assign`, `Symbol.for`,
//    a method only a later edition adds to a prototype such as `.padStart`): that covers the paths
//    no scenario takes (an error branch, tab sharing), which 1 and 2 never see. A name that
//    `GUARDED` does not list fails, and so does an entry of `GUARDED` the build no longer names, so
//    the list says what the build touches, no more. (Names only: `x.at` is the library's own
//    `SharingKey.at`, listed as such; a computed `x[name]` escapes this scan, and check 2 catches it
//    when a scenario reaches it.)
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {parse} from 'acorn'
import {describe, expect, test} from 'vitest'
import {beyondEs5, codeName, ES5, GUARDED} from './support/es5-built-ins.js'
import {ES5_ENGINES, runInEs5Engine, SCRIPT_TAG_BUILDS} from './support/es5-engines.js'
import {assertBuilt, distDir} from './support/paths.js'

interface Node {
  type: string
  [key: string]: unknown
}

/** The built-ins beyond ES5 that `code` names (see the header). */
function namedBuiltIns(code: string): Set<string> {
  const tracked = beyondEs5()
  const es5Names = new Set(Object.values(ES5).flat())
  // Methods later editions add to ES5's prototypes, found on any receiver (`text.padStart`).
  const prototypeAdditions = new Set(
    Object.entries(tracked)
      .filter(([path]) => path.endsWith('.prototype') && Object.hasOwn(ES5, path))
      .flatMap(([, names]) => names)
      .filter((name) => !es5Names.has(name)),
  )
  const declared = new Set<string>()
  const references: string[] = []
  const found = new Set<string>()
  const visit = (node: Node, parent: Node, key: string): void => {
    if (node.type === 'Identifier') {
      const name = node['name'] as string
      const binding =
        (parent.type === 'VariableDeclarator' && key === 'id') ||
        ((parent.type === 'FunctionDeclaration' || parent.type === 'FunctionExpression') && (key === 'id' || key === 'params')) ||
        (parent.type === 'CatchClause' && key === 'param')
      const propertyName = (parent.type === 'MemberExpression' && key === 'property' && !parent['computed']) || (parent.type === 'Property' && key === 'key')
      if (binding) declared.add(name)
      else if (!propertyName) references.push(name)
    }
    if (node.type === 'MemberExpression') {
      const property = node['property'] as Node
      const name = node['computed'] ? (property.type === 'Literal' && typeof property['value'] == 'string' ? property['value'] : undefined) : (property['name'] as string)
      const object = node['object'] as Node
      const receiver = object.type === 'Identifier' ? (object['name'] as string) : undefined
      // `self.Symbol` (the intro) reads a global; `Symbol.for` a member of one, even where the intro's own `Symbol` stands for it.
      const path = receiver === 'self' || receiver === 'window' || receiver === 'globalThis' ? '' : receiver
      if (name !== undefined) {
        if (path !== undefined && tracked[path]?.includes(name)) found.add(path === '' ? name : `${path}.${name}`)
        else if (prototypeAdditions.has(name)) found.add(`.${name}`)
      }
    }
    for (const [childKey, value] of Object.entries(node)) {
      for (const child of Array.isArray(value) ? value : [value]) {
        if (child && typeof child == 'object' && typeof (child as Node).type == 'string') visit(child as Node, node, childKey)
      }
    }
  }
  visit(parse(code, {ecmaVersion: 5}) as unknown as Node, {type: 'Root'}, '')
  // Globals read by name, not declared anywhere in the file (the intro declares its own `Symbol` and `Set`).
  for (const name of references) if (!declared.has(name) && tracked['']!.includes(name)) found.add(name)
  return found
}

describe.each(SCRIPT_TAG_BUILDS)('dist/%s', (build) => {
  test('names no built-in beyond ES5 that GUARDED does not list with its guard', () => {
    assertBuilt()
    const named = [...namedBuiltIns(readFileSync(join(distDir, build), 'utf8'))].sort()
    expect(named.filter((name) => !Object.hasOwn(GUARDED, name)), 'unguarded: guard each, then list it in GUARDED').toEqual([])
    // The minified build names fewer: terser renames the intro's `Symbol`, whose members then go unnamed.
    if (build === 'streamsource.global.js') expect(Object.keys(GUARDED).sort(), 'GUARDED lists what the build no longer names').toEqual(named)
    // The polyfill build names a part of it: the built-ins of the parts it leaves out, it does not.
    if (build === 'streamsource.polyfill.js') expect(Object.keys(GUARDED)).toEqual(expect.arrayContaining(named))
  })
})

describe.each(ES5_ENGINES)('$name', (engine) => {
  test('has which built-ins beyond ES5, and the recorder sees what a script reads', async () => {
    const result = await runInEs5Engine(
      engine,
      `
      var reads = [typeof Object.assign, typeof ''.padStart, typeof Symbol, typeof unescape]
      page.done({present: builtIns.present(), reads: reads})
      `,
    )
    const present = result.extra as {present: string[]}
    if (engine.name === 'MuJS') {
      // None: every fallback runs there.
      expect(present.present).toEqual([])
    } else {
      // Duktape: some of ES2015 (and Annex B), which the build meets as an old browser's.
      expect(present.present).toEqual(expect.arrayContaining(['Symbol', 'Symbol.iterator', 'Reflect', 'Reflect.construct', 'Uint8Array', 'Object.assign', 'unescape']))
      expect(present.present).not.toEqual(expect.arrayContaining(['Symbol.asyncIterator']))
      expect(present.present).not.toEqual(expect.arrayContaining(['Promise']))
    }
    expect(result.touched.map((entry) => codeName(entry.replace(/: \w+$/, '')))).toEqual(
      expect.arrayContaining(['Object.assign', '.padStart', 'Symbol', 'unescape']),
    )
  })
})
