// The page an old browser gives a classic script, for the ES5 interpreters MuJS and Duktape
// (test/support/es5-engines.ts runs this file, then the script-tag build, then a scenario, as one
// script): `window`/`self`, a `location`, a `document` whose links resolve URLs as IE's do (no
// `origin`, `host` with the default port), a virtual timer queue, and an `XMLHttpRequest` whose
// server is the scenario (`page.serve`), streaming `responseText` by `progress` events, with no
// `responseURL` and no `overrideMimeType` (IE 9 and 10 have neither). ES5 only, like the build.
//
// A scenario calls `page.serve(handler)`, makes its sources, then `page.run(ms)` to let `ms` of
// virtual time pass, and ends with `page.done()`, which prints the result as one JSON line.
var page = (function (global) {
  var print = global.print
  // Web APIs Duktape has and old browsers lack: the build must do without them here.
  delete global.TextEncoder
  delete global.TextDecoder

  var log = []
  var uncaught = []
  var requests = []
  var handler = function () {
    throw new Error('page.serve() was not called')
  }

  // --- The timer queue: virtual time, tasks in order of time, then of scheduling -----------
  var now = 0
  var sequence = 0
  var tasks = []
  function schedule(fn, delay, kind) {
    var task = {id: ++sequence, time: now + Math.max(0, +delay || 0), fn: fn, kind: kind}
    tasks.push(task)
    return task
  }
  function unschedule(task) {
    for (var index = 0; index < tasks.length; index++) {
      if (tasks[index] === task) {
        tasks.splice(index, 1)
        return
      }
    }
  }
  function next() {
    var best = -1
    for (var index = 0; index < tasks.length; index++) {
      var task = tasks[index]
      if (best < 0 || task.time < tasks[best].time || (task.time === tasks[best].time && task.id < tasks[best].id)) best = index
    }
    return best
  }
  var timers = {}
  global.setTimeout = function (fn, delay) {
    if (typeof fn != 'function') throw new TypeError('setTimeout: not a function')
    var task = schedule(function () {
      delete timers[task.id]
      fn()
    }, delay, 'timer')
    timers[task.id] = task
    return task.id
  }
  global.clearTimeout = function (id) {
    if (timers.hasOwnProperty(id)) {
      unschedule(timers[id])
      delete timers[id]
    }
  }

  // --- window, location, document ------------------------------------------------------
  global.window = global.self = global
  var listeners = {count: 0}
  function eventTarget(target) {
    target.addEventListener = function () {
      listeners.count++
    }
    target.removeEventListener = function () {
      listeners.count--
    }
    return target
  }
  eventTarget(global)
  global.navigator = {userAgent: 'Mozilla/5.0 (Windows NT 6.1; Trident/7.0; rv:11.0) like Gecko', vendor: ''}
  global.location = {href: 'http://app.example/page/index.html', protocol: 'http:', host: 'app.example', hostname: 'app.example', port: '', pathname: '/page/index.html', search: '', hash: ''}

  var URL_PARTS = /^([a-z][a-z0-9+.-]*:)\/\/([^\/?#:]*)(?::(\d*))?([^?#]*)(\?[^#]*)?(#.*)?$/i
  /** `href` resolved against the page's URL, as a link element resolves it. */
  function resolve(href) {
    var base = global.location.href
    href = String(href)
    if (/^[a-z][a-z0-9+.-]*:/i.test(href)) return href
    if (href.slice(0, 2) === '//') return base.split('//')[0] + href
    var origin = base.match(/^[a-z][a-z0-9+.-]*:\/\/[^\/?#]*/i)[0]
    if (href.charAt(0) === '/') return origin + href
    if (href.charAt(0) === '?') return base.split(/[?#]/)[0] + href
    if (href.charAt(0) === '#') return base.split('#')[0] + href
    return base.split(/[?#]/)[0].replace(/[^\/]*$/, '') + href
  }
  /** A link element as IE 11's: no `origin`, `host` with the port even when it is the default one. */
  function Link() {}
  Object.defineProperty(Link.prototype, 'href', {
    get: function () {
      return this._href
    },
    set: function (value) {
      var href = resolve(value)
      var parts = href.match(URL_PARTS)
      this._href = href
      this.protocol = parts ? parts[1].toLowerCase() : ':'
      this.hostname = parts ? parts[2].toLowerCase() : ''
      this.port = parts && parts[3] ? parts[3] : parts && this.protocol === 'https:' ? '443' : parts ? '80' : ''
      this.host = this.hostname + (parts ? ':' + this.port : '')
      this.pathname = parts ? parts[4] || '/' : ''
      this.search = parts && parts[5] ? parts[5] : ''
      this.hash = parts && parts[6] ? parts[6] : ''
    },
  })
  global.document = eventTarget({
    currentScript: null,
    visibilityState: 'visible',
    createElement: function (name) {
      if (String(name).toLowerCase() !== 'a') throw new Error('page: no <' + name + '> here')
      return new Link()
    },
  })

  // --- XMLHttpRequest, answered by the scenario --------------------------------------------
  function XMLHttpRequest() {
    this.readyState = 0
    this.status = 0
    this.statusText = ''
    this.responseText = ''
    this.withCredentials = false
    this.onreadystatechange = this.onprogress = this.onload = this.onerror = this.ontimeout = this.onabort = null
    this._headers = {}
    this._responseHeaders = null
    this._steps = []
  }
  XMLHttpRequest.UNSENT = 0
  XMLHttpRequest.OPENED = 1
  XMLHttpRequest.HEADERS_RECEIVED = 2
  XMLHttpRequest.LOADING = 3
  XMLHttpRequest.DONE = 4
  function fire(xhr, name) {
    if (typeof xhr['on' + name] == 'function') xhr['on' + name]({type: name, target: xhr})
  }
  function state(xhr, readyState) {
    xhr.readyState = readyState
    fire(xhr, 'readystatechange')
  }
  XMLHttpRequest.prototype = {
    constructor: XMLHttpRequest,
    open: function (method, url, async) {
      if (async === false) throw new Error('page: synchronous XMLHttpRequest')
      this._method = method
      this._url = resolve(url)
      state(this, 1)
    },
    setRequestHeader: function (name, value) {
      if (this.readyState !== 1 || this._sent) throw new Error('InvalidStateError')
      var key = String(name).toLowerCase()
      this._headers[key] = this._headers.hasOwnProperty(key) ? this._headers[key] + ', ' + value : String(value)
    },
    send: function (body) {
      if (this.readyState !== 1 || this._sent) throw new Error('InvalidStateError')
      this._sent = true
      var xhr = this
      var request = {
        index: requests.length,
        time: now,
        method: this._method,
        url: this._url,
        headers: this._headers,
        body: body == null ? null : String(body),
        withCredentials: this.withCredentials,
        aborted: false,
        /**
         * Answers with `status`, `headers`, then each of `chunks` in a `progress` event of its
         * own, then `end`: 'load' (the default), 'error' (the connection drops) or 'open' (it
         * stays open). Each step is a task of its own, one virtual millisecond apart.
         */
        respond: function (status, headers, chunks, end) {
          var steps = [['head', status, headers]]
          for (var index = 0; index < (chunks || []).length; index++) steps.push(['chunk', chunks[index]])
          if (end !== 'open') steps.push([end === 'error' ? 'error' : 'load'])
          play(xhr, steps)
        },
        /** A network error before any response. */
        fail: function () {
          play(xhr, [['error']])
        },
      }
      this._request = request
      requests.push(request)
      handler(request)
    },
    abort: function () {
      for (var index = 0; index < this._steps.length; index++) unschedule(this._steps[index])
      this._steps = []
      if (this._request) this._request.aborted = true
      if (this.readyState > 1 || (this.readyState === 1 && this._sent)) {
        this.responseText = ''
        this.status = 0
        state(this, 4)
        fire(this, 'abort')
      }
      this.readyState = 0
    },
    getResponseHeader: function (name) {
      var key = String(name).toLowerCase()
      return this._responseHeaders && this._responseHeaders.hasOwnProperty(key) ? this._responseHeaders[key] : null
    },
    getAllResponseHeaders: function () {
      var lines = ''
      for (var key in this._responseHeaders) if (this._responseHeaders.hasOwnProperty(key)) lines += key + ': ' + this._responseHeaders[key] + '\r\n'
      return lines
    },
  }
  function play(xhr, steps) {
    var delay = 1
    for (var index = 0; index < steps.length; index++) {
      ;(function (step) {
        var task = schedule(function () {
          xhr._steps.splice(0, 1)
          if (step[0] === 'head') {
            xhr.status = step[1]
            xhr.statusText = step[1] === 200 ? 'OK' : step[1] === 404 ? 'Not Found' : ''
            xhr._responseHeaders = {}
            for (var name in step[2]) if (step[2].hasOwnProperty(name)) xhr._responseHeaders[name.toLowerCase()] = step[2][name]
            state(xhr, 2)
          } else if (step[0] === 'chunk') {
            xhr.responseText += step[1]
            state(xhr, 3)
            fire(xhr, 'progress')
          } else if (step[0] === 'load') {
            state(xhr, 4)
            fire(xhr, 'load')
          } else {
            xhr.status = 0
            xhr.responseText = ''
            xhr._responseHeaders = null
            state(xhr, 4)
            fire(xhr, 'error')
          }
        }, delay++, 'network')
        xhr._steps.push(task)
      })(steps[index])
    }
  }
  global.XMLHttpRequest = XMLHttpRequest

  // --- Running and reporting ---------------------------------------------------------------
  function describe(error) {
    return error && error.name ? error.name + ': ' + error.message : String(error)
  }
  function pendingTimers() {
    var count = 0
    for (var id in timers) if (timers.hasOwnProperty(id)) count++
    return count
  }
  /** Every character outside ASCII escaped: what the interpreters print is then the same bytes everywhere. */
  function ascii(json) {
    return json.replace(/[\u007f-\uffff]/g, function (character) {
      return '\\u' + ('000' + character.charCodeAt(0).toString(16)).slice(-4)
    })
  }
  return {
    serve: function (fn) {
      handler = fn
    },
    log: function (line) {
      log.push(String(line))
    },
    requests: requests,
    /**
     * Logs what `source` dispatches: `open`; for each of `types` (default `['message']`) the type,
     * data, `lastEventId` and `origin`; each `error` with the readyState and what the library adds.
     * Through `addEventListener`, so the library's own event target is what runs it.
     */
    watch: function (source, types) {
      types = types || ['message']
      source.addEventListener('open', function (event) {
        log.push('open ' + source.readyState + (event.target === source && event.currentTarget === source ? '' : ' (wrong target)'))
      })
      for (var index = 0; index < types.length; index++) {
        source.addEventListener(types[index], function (event) {
          log.push(event.type + ' ' + JSON.stringify(event.data) + ' id=' + event.lastEventId + ' origin=' + event.origin)
        })
      }
      source.addEventListener('error', function (event) {
        var cause = event.cause
        var status = cause && cause.status ? ' ' + cause.status : ''
        var next = event.willReconnect ? ' delay=' + event.reconnectDelay : ''
        log.push('error ' + source.readyState + ' cause=' + (cause ? cause.name : 'none') + status + ' willReconnect=' + event.willReconnect + next)
      })
    },
    /** Lets `ms` of virtual time pass, running every task that falls due. */
    run: function (ms) {
      var until = now + ms
      for (var index = next(); index >= 0 && tasks[index].time <= until; index = next()) {
        var task = tasks[index]
        now = task.time
        unschedule(task)
        try {
          task.fn()
        } catch (error) {
          // As a browser reports an exception thrown from a task.
          uncaught.push(describe(error))
        }
      }
      now = until
    },
    now: function () {
      return now
    },
    pendingTimers: pendingTimers,
    /**
     * Gives the page a `Promise`, as a page that loads a polyfill has one: `then`, `resolve` and
     * `reject`, callbacks in tasks of their own (not timers of the page).
     */
    installPromise: function () {
      function Promise(executor) {
        var promise = this
        promise._state = 0
        promise._callbacks = []
        function settle(state, value) {
          if (promise._state) return
          if (state === 1 && value && typeof value.then == 'function') {
            promise._state = -1
            value.then(function (result) { promise._state = 0; settle(1, result) }, function (error) { promise._state = 0; settle(2, error) })
            return
          }
          promise._state = state
          promise._value = value
          for (var index = 0; index < promise._callbacks.length; index++) later(promise, promise._callbacks[index])
          promise._callbacks = []
        }
        try {
          executor(function (value) { settle(1, value) }, function (error) { settle(2, error) })
        } catch (error) {
          settle(2, error)
        }
      }
      function later(promise, callback) {
        schedule(function () { callback(promise._state, promise._value) }, 0, 'promise')
      }
      Promise.prototype.then = function (onFulfilled, onRejected) {
        var promise = this
        return new Promise(function (resolve, reject) {
          var callback = function (state, value) {
            var handler = state === 1 ? onFulfilled : onRejected
            if (typeof handler != 'function') return (state === 1 ? resolve : reject)(value)
            try {
              resolve(handler(value))
            } catch (error) {
              reject(error)
            }
          }
          if (promise._state > 0) later(promise, callback)
          else promise._callbacks.push(callback)
        })
      }
      Promise.resolve = function (value) { return new Promise(function (resolve) { resolve(value) }) }
      Promise.reject = function (error) { return new Promise(function (resolve, reject) { reject(error) }) }
      global.Promise = Promise
    },
    /** Listeners added to `window` and `document` and not removed. */
    pageListeners: function () {
      return listeners.count
    },
    describe: describe,
    /** Prints the result, as the one line that starts with `RESULT `. */
    done: function (extra) {
      var result = {
        log: log,
        requests: requests,
        pendingTimers: pendingTimers(),
        pageListeners: listeners.count,
        uncaught: uncaught,
        touched: typeof builtIns == 'object' ? builtIns.touched() : null,
        extra: extra === undefined ? null : extra,
      }
      print('RESULT ' + ascii(JSON.stringify(result)))
    },
  }
})(this)
