// Records which built-ins beyond ES5 a script touches, in MuJS and Duktape alike (ES5 only).
// `tracked` (made by test/support/es5-built-ins.ts) maps each object path ('', the global object;
// 'Array.prototype', 'Symbol'…) to the names that ES2015 and later, or Annex B, define there.
// Each such property becomes an accessor that records the path when read and otherwise behaves as
// before: a present one still gives its value (an accessor's getter and setter still run), an
// absent one still reads `undefined` (only `in` would now see it). Installed after the page and
// before the build: only the build and the scenario run while it records.
var builtIns = (function (global, tracked) {
  var touched = {}
  var skip = {constructor: 1, prototype: 1, length: 1, name: 1, arguments: 1, caller: 1}

  function at(path) {
    var target = global
    var parts = path === '' ? [] : path.split('.')
    for (var index = 0; index < parts.length; index++) {
      if (target == null || !Object.prototype.hasOwnProperty.call(target, parts[index])) return undefined
      target = target[parts[index]]
    }
    return target != null && (typeof target == 'object' || typeof target == 'function') ? target : undefined
  }

  var present = []
  function watch(target, path, name) {
    var key = path === '' ? name : path + '.' + name
    var own = Object.getOwnPropertyDescriptor(target, name)
    if (own) present.push(key)
    if (own && !own.configurable) return
    var get, set
    var value = own && own.value
    /** An assignment: an accessor's setter, else a data property of its own for the object assigned to, as before. */
    set = function (next) {
      touched[key] = own ? 'present' : 'absent'
      if (own && (own.get || own.set)) {
        if (own.set) own.set.call(this, next)
      } else if (own && this === target) value = next
      else if (this === target) {
        // A global the page defines (a polyfill): a data property again. (Deleted first: MuJS's
        // defineProperty does not turn an accessor into a data property.)
        delete target[name]
        target[name] = next
      } else Object.defineProperty(this, name, {value: next, writable: true, enumerable: true, configurable: true})
    }
    get = function () {
      touched[key] = own ? 'present' : 'absent'
      return own && own.get ? own.get.call(this) : value
    }
    Object.defineProperty(target, name, {get: get, set: set, enumerable: own ? own.enumerable : false, configurable: true})
  }

  var paths = []
  for (var path in tracked) if (tracked.hasOwnProperty(path)) paths.push(path)
  // Members before the objects that hold them: a global is replaced by its accessor last.
  paths.sort(function (a, b) {
    return b.length - a.length
  })
  for (var index = 0; index < paths.length; index++) {
    var target = at(paths[index])
    if (!target) continue
    var names = tracked[paths[index]]
    for (var n = 0; n < names.length; n++) if (!skip.hasOwnProperty(names[n])) watch(target, paths[index], names[n])
  }

  return {
    /** The tracked built-ins this engine has. */
    present: function () {
      return present.slice().sort()
    },
    /** What was touched, sorted: "Symbol.asyncIterator: absent", "Reflect: present"… */
    touched: function () {
      var list = []
      for (var key in touched) if (touched.hasOwnProperty(key)) list.push(key + ': ' + touched[key])
      return list.sort()
    },
  }
})(this, TRACKED_BUILT_INS)
