// The built-ins of ES5.1 and those beyond it, for the ES5 interpreter tests
// (test/script-tag-es5-built-ins.test.ts, test/es5/built-ins.js).
import {runInNewContext} from 'node:vm'
import {expect} from 'vitest'

/** ES5.1's standard built-ins (ECMA-262 5.1, § 15), by object path; '' is the global object. */
export const ES5: Record<string, string[]> = {
  '': [
    'NaN', 'Infinity', 'undefined', 'eval', 'parseInt', 'parseFloat', 'isNaN', 'isFinite', 'decodeURI',
    'decodeURIComponent', 'encodeURI', 'encodeURIComponent', 'Object', 'Function', 'Array', 'String', 'Boolean',
    'Number', 'Date', 'RegExp', 'Error', 'EvalError', 'RangeError', 'ReferenceError', 'SyntaxError', 'TypeError',
    'URIError', 'Math', 'JSON',
  ],
  Object: [
    'getPrototypeOf', 'getOwnPropertyDescriptor', 'getOwnPropertyNames', 'create', 'defineProperty', 'defineProperties',
    'seal', 'freeze', 'preventExtensions', 'isSealed', 'isFrozen', 'isExtensible', 'keys',
  ],
  'Object.prototype': ['toString', 'toLocaleString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', 'propertyIsEnumerable'],
  Function: [],
  'Function.prototype': ['toString', 'apply', 'call', 'bind'],
  Array: ['isArray'],
  'Array.prototype': [
    'toString', 'toLocaleString', 'concat', 'join', 'pop', 'push', 'reverse', 'shift', 'slice', 'sort', 'splice',
    'unshift', 'indexOf', 'lastIndexOf', 'every', 'some', 'forEach', 'map', 'filter', 'reduce', 'reduceRight',
  ],
  String: ['fromCharCode'],
  'String.prototype': [
    'toString', 'valueOf', 'charAt', 'charCodeAt', 'concat', 'indexOf', 'lastIndexOf', 'localeCompare', 'match',
    'replace', 'search', 'slice', 'split', 'substring', 'toLowerCase', 'toLocaleLowerCase', 'toUpperCase',
    'toLocaleUpperCase', 'trim',
  ],
  Boolean: [],
  'Boolean.prototype': ['toString', 'valueOf'],
  Number: ['MAX_VALUE', 'MIN_VALUE', 'NaN', 'NEGATIVE_INFINITY', 'POSITIVE_INFINITY'],
  'Number.prototype': ['toString', 'toLocaleString', 'valueOf', 'toFixed', 'toExponential', 'toPrecision'],
  Math: [
    'E', 'LN10', 'LN2', 'LOG2E', 'LOG10E', 'PI', 'SQRT1_2', 'SQRT2', 'abs', 'acos', 'asin', 'atan', 'atan2', 'ceil',
    'cos', 'exp', 'floor', 'log', 'max', 'min', 'pow', 'random', 'round', 'sin', 'sqrt', 'tan',
  ],
  Date: ['parse', 'UTC', 'now'],
  'Date.prototype': [
    'toString', 'toDateString', 'toTimeString', 'toLocaleString', 'toLocaleDateString', 'toLocaleTimeString', 'valueOf',
    'getTime', 'getFullYear', 'getUTCFullYear', 'getMonth', 'getUTCMonth', 'getDate', 'getUTCDate', 'getDay',
    'getUTCDay', 'getHours', 'getUTCHours', 'getMinutes', 'getUTCMinutes', 'getSeconds', 'getUTCSeconds',
    'getMilliseconds', 'getUTCMilliseconds', 'getTimezoneOffset', 'setTime', 'setMilliseconds', 'setUTCMilliseconds',
    'setSeconds', 'setUTCSeconds', 'setMinutes', 'setUTCMinutes', 'setHours', 'setUTCHours', 'setDate', 'setUTCDate',
    'setMonth', 'setUTCMonth', 'setFullYear', 'setUTCFullYear', 'toUTCString', 'toISOString', 'toJSON',
  ],
  RegExp: [],
  // (ES5 gives each regular expression own `source`, `global`, `ignoreCase`, `multiline` and
  // `lastIndex`; ES2015 made the first four accessors of the prototype.)
  'RegExp.prototype': ['exec', 'test', 'toString', 'source', 'global', 'ignoreCase', 'multiline', 'lastIndex'],
  Error: [],
  'Error.prototype': ['name', 'message', 'toString'],
  JSON: ['parse', 'stringify'],
  ...Object.fromEntries(
    ['EvalError', 'RangeError', 'ReferenceError', 'SyntaxError', 'TypeError', 'URIError'].flatMap((name) => [
      [name, []],
      [`${name}.prototype`, ['name', 'message']],
    ]),
  ),
}

/** Host objects of the engines, not ECMAScript's (a new V8 context has `console`). */
const HOST = new Set(['console'])

/**
 * What ES2015 and later, and Annex B, add: the names a new V8 context has beyond ES5, on the
 * global object and on each ES5 built-in (and prototype), and every member of each global ES5
 * lacks and of its prototype (`Symbol.asyncIterator`, `Reflect.construct`, `Uint8Array.prototype.set`…).
 */
export function beyondEs5(): Record<string, string[]> {
  const names = runInNewContext(`(${collect.toString()})(this, ${JSON.stringify(ES5)}, ${JSON.stringify([...HOST])})`) as Record<string, string[]>
  return names
}

/** Runs inside the new context. */
function collect(global: Record<string, unknown>, es5: Record<string, string[]>, host: string[]): Record<string, string[]> {
  const result: Record<string, string[]> = {}
  const ownNames = (target: object): string[] =>
    Object.getOwnPropertyNames(target).filter((name) => !['constructor', 'prototype', 'length', 'name', 'arguments', 'caller'].includes(name))
  const add = (path: string, target: unknown, known: string[]): void => {
    if (target === null || (typeof target != 'object' && typeof target != 'function')) return
    const extra = ownNames(target as object).filter((name) => !known.includes(name) && !(path === '' && host.includes(name)))
    if (extra.length > 0) result[path] = extra.sort()
  }
  for (const path of Object.keys(es5)) {
    const target = path === '' ? global : path.split('.').reduce<unknown>((object, key) => (object as Record<string, unknown>)[key], global)
    add(path, target, es5[path]!)
  }
  for (const name of result['']!) {
    if (name === 'globalThis') continue
    const value = global[name]
    add(name, value, [])
    if (typeof value == 'function' && typeof value.prototype == 'object') add(`${name}.prototype`, value.prototype, [])
  }
  return result
}

/**
 * Every built-in beyond ES5 (or Annex B) that the script-tag build names, as it names it (`Promise`,
 * `Symbol.asyncIterator`, `Object.assign`; `.padStart` for a method of a prototype), and why an ES5
 * engine without it still runs the build: a feature test with a fallback, or a path that only a
 * platform with it can reach. MuJS, which has none of them, runs every scenario
 * (test/script-tag-es5-*.test.ts). A new name, read at run time (test/es5/built-ins.js records it
 * in each scenario) or only found in the built file (test/script-tag-es5-built-ins.test.ts), fails
 * the tests until it is guarded and listed here.
 */
export const GUARDED: Record<string, string> = {
  Symbol: "rollup.config.mjs legacyIntro: the engine's where it has Symbol.asyncIterator, else an object of string keys; Babel's for…of helper tests typeof Symbol",
  'Symbol.asyncIterator': "rollup.config.mjs legacyIntro: tested there (Duktape has Symbol without it; the key would be 'undefined')",
  'Symbol.toStringTag': "rollup.config.mjs legacyIntro: the engine's where it has a Symbol, else a string key",
  'Symbol.for': "rollup.config.mjs legacyIntro: the engine's where it has a Symbol, else string keys",
  'Symbol.iterator': "Babel's for…of helper (the full build): only where typeof Symbol != 'undefined'",
  Set: "rollup.config.mjs legacyIntro: the engine's, else a set of strings (add and has, all the core uses)",
  Promise:
    "src/transport/xhr.ts: an error response's text() and json() only where typeof Promise == 'function'; fetch, the async iterator and tab sharing run only where the page has promises",
  'Promise.resolve': 'src/extensions/message-iterator.ts: the async iterator of messages(), which only for await (so promises) calls',
  'Promise.reject': 'src/extensions/message-iterator.ts: the async iterator of messages(), which only for await (so promises) calls',
  Reflect: 'src/platform/legacy.ts: construct, tried in a try block',
  'Reflect.construct': 'src/platform/legacy.ts: used only where it makes an Error for a newTarget (Duktape refuses one)',
  'Array.from':
    "Babel's for…of helper, for a Set or Map where there is no Symbol.iterator: src/shared/tabs.ts iterates Sets only where tabs share (BroadcastChannel, Web Locks, crypto.subtle: browsers of 2022 on)",
  Uint8Array: 'src/parser/parse.ts: made only once bytes are fed (a typed array, so the page has them); tab sharing hashes with crypto.subtle',
  'Object.setPrototypeOf': "Babel's inheritsLoose (a subclass inherits its base's statics): Object.setPrototypeOf, else __proto__ assigned",
  '.__proto__': "Babel's inheritsLoose, where there is no Object.setPrototypeOf: assigned (Annex B; an ES5 engine without it gets a plain property, and no class of src/ reads an inherited static)",
  'Object.assign':
    "Babel's extends (object spread): Object.assign, else its own; src/shared/tabs.ts: only where tabs share (BroadcastChannel, Web Locks, crypto.subtle: browsers of 2022 on)",
  '.padStart': 'src/shared/tabs.ts: only where tabs share (BroadcastChannel, Web Locks, crypto.subtle: browsers of 2022 on)',
  '.at': "src/shared/tabs.ts and src/shared/source.ts: the library's own SharingKey.at (src/shared/key.ts), not Array's",
}

/** A name the recorder reports ('Object.prototype.__proto__', 'Symbol.for') as GUARDED names it ('.__proto__'). */
export const codeName = (touched: string): string => touched.replace(/^[\w$]+\.prototype\./, '.')

/** Fails, naming them, when `touched` (Es5Result.touched) holds a built-in not in {@link GUARDED}. */
export function expectOnlyGuardedBuiltIns(touched: string[]): void {
  const unguarded = touched.map((entry) => codeName(entry.replace(/: (present|absent)$/, ''))).filter((name) => !Object.hasOwn(GUARDED, name))
  expect(unguarded, 'built-ins beyond ES5 read at run time without a known guard (see GUARDED)').toEqual([])
}
