// No built file can evaluate code: dist/ (every .js, .cjs and .min.js, chunks included) names no
// `eval` and calls no Function constructor, so a page's CSP without 'unsafe-eval' allows the library,
// and nothing a server sends could be run by it.
import {readdirSync, readFileSync} from 'node:fs'
import {join, relative} from 'node:path'
import {describe, expect, test} from 'vitest'
import {assertBuilt, distDir} from './support/paths.js'

describe('the built files', () => {
  /**
   * Ways to turn a string into running code: `eval` called or merely named (an indirect `(0, eval)(s)`
   * or `globalThis.eval` too), the Function constructor. Whole names only: not `retrieval`, `isFunction(`.
   */
  const EVALUATORS: [string, RegExp][] = [
    ['eval', /(?<![\w$])eval(?![\w$])/],
    ['new Function', /\bnew\s+Function\b/],
    ['Function(', /(?<![\w$])Function\s*\(/],
  ]

  function findEvaluators(code: string): string[] {
    return EVALUATORS.filter(([, pattern]) => pattern.test(code)).map(([name]) => name)
  }

  function builtScripts(dir: string): string[] {
    return readdirSync(dir, {withFileTypes: true}).flatMap((entry) => {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) return builtScripts(path)
      return /\.(c|m)?js$/.test(entry.name) ? [path] : []
    })
  }

  test('the check finds what it looks for, and not its look-alikes', () => {
    expect(findEvaluators('x = eval("1")')).toEqual(['eval'])
    expect(findEvaluators('(0,eval)(s); globalThis.eval(s)')).toEqual(['eval'])
    expect(findEvaluators('new Function("return 1")')).toEqual(['new Function', 'Function('])
    expect(findEvaluators('var f=Function ("a","return a"); globalThis.Function(s)')).toEqual(['Function('])
    expect(findEvaluators('isFunction(x); typeof x === "function"; retrieval(x); evaluate(x); function f(){}')).toEqual([])
  })

  test('dist/ (every .js, .cjs and .min.js, chunks included) names no eval and calls no Function constructor', () => {
    assertBuilt()
    const files = builtScripts(distDir)
    expect(files.some((file) => file.endsWith('.min.js'))).toBe(true)
    expect(files.some((file) => file.endsWith('.cjs'))).toBe(true)
    const found = files
      .map((file) => ({file: relative(distDir, file), evaluators: findEvaluators(readFileSync(file, 'utf8'))}))
      .filter((entry) => entry.evaluators.length > 0)
    expect(found).toEqual([])
  })
})
