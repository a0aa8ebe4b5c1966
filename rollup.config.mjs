// Every build of the package, declarations included (rollup-plugin-dts: one file per entry point, in
// both module kinds). The TypeScript plugin here only transpiles.
import {chmodSync, readdirSync, readFileSync} from 'node:fs'
import {dirname, join, relative} from 'node:path'
import {fileURLToPath} from 'node:url'
import terser from '@rollup/plugin-terser'
import typescript from '@rollup/plugin-typescript'
import {babel} from '@rollup/plugin-babel'
import ts from 'typescript'
import {dts} from 'rollup-plugin-dts'
import {NODE_SWAPS, swapModules} from './scripts/platform-swaps.mjs'

/**
 * Private members end in `_` (TypeScript `private`, not `#private`: an ES5 build would turn those
 * into WeakMaps). Minifiers keep property names, so the build shortens these itself, the same way
 * in every output: the names found in src/, sorted, become `_a`, `_b`… (an underscore first, so a
 * subclass's own short names cannot collide with them). No other identifier in src/ ends in `_`.
 */
const PRIVATE = /^[a-z][A-Za-z0-9]*_$/
const privateNames = new Map(
  [...new Set(sourceFiles('src').flatMap((file) => readFileSync(file, 'utf8').match(/\b[a-z][A-Za-z0-9]*_(?![\w$])/g) ?? []))]
    .sort()
    .map((name, index) => [name, `_${shortName(index)}`]),
)

function sourceFiles(dir) {
  return readdirSync(dir, {withFileTypes: true}).flatMap((entry) => {
    const path = join(dir, entry.name)
    return entry.isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : []
  })
}

function shortName(index) {
  const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'
  return index < letters.length ? letters[index] : shortName(Math.floor(index / letters.length) - 1) + letters[index % letters.length]
}

/** A TypeScript transformer that renames every identifier in `privateNames`: TypeScript keeps the source maps right. */
const shortenPrivateNames = (context) => {
  const visit = (node) => {
    if (ts.isIdentifier(node) && PRIVATE.test(node.text)) {
      const name = privateNames.get(node.text)
      if (name === undefined) throw new Error(`rollup.config.mjs: ${node.text} was not found in src/`)
      return ts.setTextRange(ts.factory.createIdentifier(name), node)
    }
    return ts.visitEachChild(node, visit, context)
  }
  return (source) => ts.visitNode(source, visit)
}

/** Transpile only: type errors are `npm run typecheck`'s job. `outDir`: the output's, as the plugin wants it. */
const tsPlugin = (tsconfig = './tsconfig.build.json', outDir = 'dist', options = {}) =>
  typescript({
    tsconfig,
    compilerOptions: {
      ...options,
      outDir,
      declaration: false,
      emitDeclarationOnly: false,
      noEmit: false,
      module: 'esnext',
      moduleResolution: 'bundler',
      // The JavaScript carries no comments: the package ships src/, where the source maps point, with
      // every comment. (Declarations keep theirs: rollup-plugin-dts bundles them, in the build below.)
      removeComments: true,
    },
    noForceEmit: false,
    outputToFilesystem: false,
    transformers: {before: [shortenPrivateNames]},
  })

/**
 * `import.meta.url`, by which shared-tabs.ts finds the worker script beside itself, in the formats
 * that have no `import.meta`: `replacement` (an expression), where rollup's own stand-ins would be
 * wrong. In CommonJS they call `require('url')` (a build warning or failure for bundlers that meet
 * it) or read `document.currentScript` when the code runs, which names the app's script, not this
 * package's file; no CommonJS code can know where a bundler put that file, so `undefined`: no
 * worker unless the `worker` option names one. ES modules keep `import.meta.url`.
 */
const importMetaUrl = (replacement = 'undefined') => ({
  name: 'import-meta-url',
  resolveImportMeta(property, {format}) {
    return property === 'url' && format !== 'es' ? replacement : null
  },
})

/** Makes the files written executable, as a `bin` run by path (`./dist/cli.js`) must be. */
const executable = () => ({
  name: 'executable',
  writeBundle(options, bundle) {
    for (const name of Object.keys(bundle)) if (name.endsWith('.js')) chmodSync(join(options.dir, name), 0o755)
  },
})

/**
 * Private members (TypeScript `private`, named `…_`) are no one else's business: in the
 * declarations each class keeps one `#private;` in their place, as TypeScript declares classes with
 * `#private` fields, so the class stays nominal and a subclass is not told the internal names.
 */
const hidePrivateMembers = () => ({
  name: 'hide-private-members',
  renderChunk: (code) =>
    code
      .split(/^(?=(?:export )?declare (?:abstract )?class )/m)
      .map((part) => {
        let first = true
        const member = /^(?:[ \t]*\/\*\*(?:(?!\*\/)[\s\S])*?\*\/\n)?([ \t]*)private (?:readonly )?[a-z]\w*_;\n/gm
        return part.replace(member, (_, indent) => (first ? ((first = false), `${indent}#private;\n`) : ''))
      })
      .join(''),
})

/** The public entry points: `exports` subpath → source file. */
const entries = {index: 'src/index.ts', polyfill: 'src/adapters/polyfill.ts', react: 'src/adapters/react.ts', shared: 'src/shared/index.ts'}
/**
 * The same entry points under the `node` condition of `exports`, built into dist/node/ with the
 * Node modules of scripts/platform-swaps.mjs (Buffer's decoders, the EventSource's own listener
 * lists): the React hook too, so that in Node it holds the same classes as the root (an `HTTPError`
 * from a hook's source is the `HTTPError` that `streamsource` exports).
 */
const nodeEntries = entries

/** Peer dependencies: imported at run time, never bundled (only `streamsource/react` imports React). */
const external = ['react', 'node:buffer']

const source = (path) => fileURLToPath(new URL(path, import.meta.url))

// --- The ES5 script-tag build ---------------------------------------------------------------

/**
 * Modules the ES5 build replaces (resolved path → its replacement): the transport that falls back
 * to XMLHttpRequest, and the platform module with base classes an ES5 subclass can call.
 */
const LEGACY_SWAPS = new Map([
  [source('src/transport/index.ts'), source('src/transport/legacy.ts')],
  [source('src/platform/web.ts'), source('src/platform/legacy.ts')],
])

/**
 * The full script-tag build's swaps besides: the EventSource reads with the full parser, whose
 * decoding falls back to the JavaScript decoder of src/parser/utf8.ts where there is no TextDecoder
 * (src/parser/decode-legacy.ts: the build exports `createParser`, which takes bytes). The polyfill build keeps the small reader: over
 * XMLHttpRequest the browser decodes, and every browser whose fetch streams has a TextDecoder.
 */
const FULL_LEGACY_SWAPS = new Map([
  ...LEGACY_SWAPS,
  [source('src/parser/stream-reader.ts'), source('src/parser/stream-reader-fast.ts')],
  [source('src/parser/decode.ts'), source('src/parser/decode-legacy.ts')],
])

/**
 * Native classes that src/ extends, and what the ES5 build extends instead (an export of
 * src/platform/legacy.ts): an ES5 subclass calls its base as `Base.call(this)`, which throws for a
 * native class.
 */
const LEGACY_BASES = {EventTarget: 'EventTargetBase', Event: 'EventBase', Error: 'ErrorBase'}

/**
 * A Babel plugin, before the ES5 lowering: every class of src/ must extend a class an ES5 subclass
 * can call. `extends Error` (a native one of LEGACY_BASES) becomes `extends ErrorBase`, imported from
 * src/platform/legacy.ts; `extends Base`, where `Base` is a variable that may hold a native class
 * (`const TransformStreamBase = TransformStream…`), becomes `extends extendable(Base)`; a class or an
 * import of the same build is left as it is. Any other global fails the build, rather than ship a
 * class whose constructor throws (Babel would wrap it in its `wrapNativeSuper`, which IE 10 and
 * MuJS cannot run).
 */
function callableBases({types: t}) {
  const platform = source('src/platform/legacy.ts')
  return {
    name: 'callable-bases',
    visitor: {
      Program(program, {filename}) {
        if (filename === platform) return
        const used = new Set()
        program.traverse({
          Class(path) {
            const base = path.get('superClass')
            if (!base.node) return
            if (!base.isIdentifier()) throw base.buildCodeFrameError('the ES5 build needs a class to extend a name')
            const {name} = base.node
            const binding = path.scope.getBinding(name)
            if (!binding) {
              if (!Object.hasOwn(LEGACY_BASES, name)) throw base.buildCodeFrameError(`a class extends ${name}, which the ES5 build cannot call: add it to LEGACY_BASES`)
              used.add(LEGACY_BASES[name])
              base.replaceWith(t.identifier(LEGACY_BASES[name]))
            } else if (binding.kind !== 'module' && !binding.path.isClassDeclaration()) {
              used.add('extendable')
              base.replaceWith(t.callExpression(t.identifier('extendable'), [t.identifier(name)]))
            }
          },
        })
        if (used.size === 0) return
        const specifiers = [...used].map((name) => t.importSpecifier(t.identifier(name), t.identifier(name)))
        program.unshiftContainer('body', t.importDeclaration(specifiers, t.stringLiteral(platform)))
        program.scope.crawl()
      },
    },
  }
}

/**
 * The ES5 lowering: Babel's preset-env for IE 10, loose (plain assignments for class fields and
 * methods, `Base.call(this)` for `super()`), its helpers once in the bundle. `iterableIsArray`:
 * every `for…of`, spread and array destructuring is over an array, as src/ iterates, but in
 * src/shared/ (tab sharing iterates Sets and Headers), which keeps Babel's iterator helpers.
 */
const es5 = () =>
  babel({
    babelHelpers: 'bundled',
    extensions: ['.ts', '.js'],
    include: [source('src/') + '**'],
    babelrc: false,
    configFile: false,
    // (preset-env's loose `for…of` would ignore `iterableIsArray`: that plugin is given its own options.)
    plugins: [callableBases, ['@babel/plugin-transform-for-of', {assumeArray: true}]],
    presets: [['@babel/preset-env', {targets: {ie: '10'}, loose: true, modules: false, bugfixes: true, exclude: ['transform-typeof-symbol', 'transform-for-of']}]],
    assumptions: {
      iterableIsArray: true,
      constantSuper: true,
      ignoreFunctionLength: true,
      ignoreToPrimitiveHint: true,
      mutableTemplateObject: true,
      noClassCalls: true,
      noDocumentAll: true,
      noNewArrows: true,
      objectRestNoSymbols: true,
      privateFieldsAsProperties: true,
      pureGetters: true,
      setClassMethods: true,
      setComputedProperties: true,
      setPublicClassFields: true,
      setSpreadProperties: true,
      skipForOfIteratorClosing: true,
      superIsCallableConstructor: true,
    },
    overrides: [{test: source('src/shared/'), plugins: [['@babel/plugin-transform-for-of', {loose: true}]], assumptions: {iterableIsArray: false}}],
  })

/**
 * Code at the top of the ES5 IIFE: its own names for what an ES5 engine may lack. `globalThis` is
 * the window's (or worker's) `self`; `Symbol` the engine's where it has `Symbol.asyncIterator`, else
 * the symbols the core defines properties with, as string keys where the engine has none (IE 11
 * has no Symbol; Duktape, and the browsers of 2016 and 2017, have one without `asyncIterator`,
 * whose key would be "undefined", so only that one is a string there); `Set` the engine's, else a
 * set of strings with `add` and `has`, all the core uses (IE 11 has Set, IE 10 has none).
 * `currentScriptUrl` (`scriptUrl`: in the full build, whose tab sharing finds its worker script by
 * it) is `import.meta.url` there: the script's own URL, read while it runs (later,
 * `document.currentScript` is another script or none), so that the worker script is looked for
 * beside it, as dist/ has them.
 */
const legacyIntro = (scriptUrl) => `var globalThis = self,${
  scriptUrl ? '\n  currentScriptUrl = self.document && document.currentScript ? document.currentScript.src : undefined,' : ''
}
  Symbol = function (S) {
    return S && S.asyncIterator ? S : {asyncIterator: '@@asyncIterator', toStringTag: S && S.toStringTag || '@@toStringTag', for: S ? S.for : function (key) { return '@@' + key }}
  }(self.Symbol),
  Set = self.Set || function () {
    var keys = {}
    this.add = function (key) { keys['$' + key] = 1; return this }
    this.has = function (key) { return keys['$' + key] === 1 }
  };`

/** ES module and CommonJS outputs in `dir`, one file per source module. */
function modulesIn(dir) {
  // The maps point into src/, which the package ships once, rather than carry a copy of the source
  // each: four builds of every module (browser and Node, ES modules and CommonJS) would ship four.
  const options = {
    dir,
    preserveModules: true,
    preserveModulesRoot: 'src',
    sourcemap: true,
    sourcemapExcludeSources: true,
    // The TypeScript plugin's paths are relative to its `outDir` (dist/, even for dist/node/): each
    // source is named again from the map's own folder, by its path in src/.
    sourcemapPathTransform: (path, map) => relative(dirname(map), source(path.slice(path.lastIndexOf('src/')))).split('\\').join('/'),
  }
  return [
    {...options, format: 'es', entryFileNames: '[name].js'},
    {...options, format: 'cjs', entryFileNames: '[name].cjs', exports: 'named'},
  ]
}


/**
 * terser for the ES5 builds. No `safari10`: its workarounds are for `let` in loops and `await`, which
 * ES5 output has none of. `pure_getters`: no getter of the library or the platform that it reads is
 * read for a side effect; `keep_fargs: false`: nothing reads a function's `length`. (Private names are
 * shortened before, in every build alike: `shortenPrivateNames`, `_`-prefixed so that a page's
 * subclass's own short names cannot collide, which terser's property mangling cannot promise.)
 */
const LEGACY_TERSER = {ecma: 5, compress: {passes: 2, pure_getters: true, unsafe_comps: true, keep_fargs: false}}

/**
 * One ES5 script-tag build, the global `StreamSource`: `input` as `dist/<name>.js` and minified as
 * `dist/<name>.min.js`. `scriptUrl`: see {@link legacyIntro}.
 */
function scriptTagBuild(input, name, swaps, {scriptUrl}) {
  const output = {format: 'iife', name: 'StreamSource', intro: legacyIntro(scriptUrl), esModule: false, generatedCode: 'es5'}
  return {
    input,
    // Class fields as TypeScript assigns them in the constructor, `super(...arguments)` first where the
    // class has none, which Babel lowers to `Base.apply(this, arguments)` (its own fields lowering
    // would copy `arguments` into an array and spread it).
    plugins: [swapModules(swaps, 'legacy-modules'), tsPlugin(undefined, 'dist', {useDefineForClassFields: false}), es5(), importMetaUrl('currentScriptUrl')],
    output: [
      {...output, file: `dist/${name}.js`},
      {...output, file: `dist/${name}.min.js`, plugins: [terser(LEGACY_TERSER)]},
    ],
  }
}

export default [
  {
    input: entries,
    external,
    plugins: [tsPlugin(), importMetaUrl()],
    // One file per source module, not shared chunks: a bundler drops a whole module nobody imports
    // from (`sideEffects` names only the polyfill), so `createParser` alone leaves EventSource.js
    // out, whereas a chunk holding both would keep EventSource for its top-level defineProperties.
    output: modulesIn('dist'),
  },
  {
    input: nodeEntries,
    external,
    plugins: [swapModules(NODE_SWAPS), tsPlugin(undefined, 'dist/node'), importMetaUrl()],
    output: modulesIn('dist/node'),
  },
  {
    // Minified ES module copies, for CDNs. (npm run size measures what an app pays with esbuild instead.)
    input: entries,
    external,
    plugins: [tsPlugin(), terser({ecma: 2022, module: true, compress: {passes: 2}})],
    output: {dir: 'dist', format: 'es', entryFileNames: '[name].min.js', chunkFileNames: 'chunks/[name]-[hash].min.js'},
  },
  // The script-tag builds: ES5 syntax, no module system, the global `StreamSource`. The full one
  // (package.json `unpkg` and `jsdelivr`) has every export; the polyfill one the EventSource alone.
  scriptTagBuild('src/adapters/global.ts', 'streamsource.global', FULL_LEGACY_SWAPS, {scriptUrl: true}),
  scriptTagBuild('src/adapters/global-polyfill.ts', 'streamsource.polyfill', LEGACY_SWAPS, {scriptUrl: false}),
  {
    // The declarations, bundled by rollup-plugin-dts: one per entry point beside its JavaScript
    // (dist/index.d.ts, dist/react.d.ts…), and what several share in dist/types/. Twice: `.d.ts` for
    // the ES module build and `.d.cts` for the CommonJS one, so that TypeScript sees the right module
    // kind under either condition (the `.d.cts` files import each other as `.cjs`).
    input: entries,
    external,
    plugins: [dts({tsconfig: './tsconfig.build.json'}), hidePrivateMembers()],
    output: ['ts', 'cts'].map((kind) => ({
      dir: 'dist',
      format: 'es',
      entryFileNames: `[name].d.${kind}`,
      chunkFileNames: `types/[name].d.${kind}`,
    })),
  },
  {
    // The command line (package.json `bin`): Node only, never in a browser bundle. It imports the
    // library's Node build as the package ships it (./node/index.js beside it), not a copy of it.
    input: {cli: 'src/cli/bin.ts'},
    external: (id) => id.startsWith('node:') || id === source('src/index.ts'),
    plugins: [tsPlugin('./tsconfig.cli.json'), executable()],
    output: {
      dir: 'dist',
      format: 'es',
      entryFileNames: '[name].js',
      banner: '#!/usr/bin/env node',
      paths: {[source('src/index.ts')]: './node/index.js'},
    },
  },
  {
    // The SharedWorker script of createSharedEventSource (package.json `exports` ./shared-worker.js):
    // a classic script, as `new SharedWorker(url)` runs by default, with the library inside. Minified,
    // since apps serve it as it is (bundlers copy it, they do not build it).
    input: 'src/shared/worker.ts',
    plugins: [tsPlugin(), importMetaUrl()],
    // The same script as `.cjs` too, for the `require` condition of its export: an IIFE is a
    // classic script, an ES module and a CommonJS module alike, so every resolution finds a file
    // of its own format (and arethetypeswrong nothing to flag).
    output: ['js', 'cjs'].map((extension) => ({
      file: `dist/shared-worker.${extension}`,
      format: 'iife',
      // One map: browsers load the `.js`; the `.cjs` is there for resolvers.
      sourcemap: extension === 'js',
      sourcemapExcludeSources: true,
      plugins: [terser({ecma: 2022, compress: {passes: 2}})],
    })),
  },
]
