import CLuaShim
import Foundation

/// The sandbox: which parts of Lua's standard library scripts see, and how they are protected.
///
/// Built by allowlist, once per state, by the Lua prelude below (run in a protected call with the
/// real libraries and the C wrappers of `shim.h` as arguments):
/// - every environment's globals fall back to one shared table of allowed functions and read-only
///   library proxies: writing `string.upper = nil` is an error, and one script's globals never reach
///   another's;
/// - the string metatable is locked; `string.dump`, `io`, `debug`, `package`, `dofile`, `loadfile` and
///   all of `os` but `clock`, `time` and `date` are absent;
/// - `load` takes text only, `require` only standard library names and files of the module root;
/// - `pcall`, `xpcall`, `coroutine.resume`, `coroutine.wrap`, `coroutine.close` and `load` raise again
///   a timeout, an interruption or a memory error instead of returning it to the script;
/// - `setmetatable` refuses `__gc` (a finalizer runs with hooks off, so a looping one could hang the
///   host), and `collectgarbage` allows only the options that cannot disturb other scripts.
enum Sandbox {
  /// The prelude's chunk name; locations skip its frames to point at the script.
  static let chunkName = "=sandbox"

  static let prelude = #"""
    local G, host = ...
    local error, type, tostring, select, next = G.error, G.type, G.tostring, G.select, G.next
    local setmetatable, getmetatable, rawget, rawset = G.setmetatable, G.getmetatable, G.rawget, G.rawset
    local concat, format = G.table.concat, G.string.format

    -- A read-only view of a library table. No route hands a script the real table: `__index` is the
    -- table itself but the metatable is hidden, `pairs` gets an iterator closed over it (returning
    -- `next, t` would give `t` away as the second value), and nested tables are views too.
    local frozen = setmetatable({}, { __mode = "k" })
    local function readonly(t, name)
      for key, value in next, t do
        if type(value) == "table" and not frozen[value] then
          t[key] = readonly(value, name .. "." .. tostring(key))
        end
      end
      local proxy = {}
      local function iterate(_, key) return next(t, key) end
      setmetatable(proxy, {
        __index = t,
        __newindex = function(_, key)
          error(format("attempt to modify read-only table '%s' (field '%s')", name, tostring(key)), 2)
        end,
        __pairs = function(self) return iterate, self, nil end,
        __len = function() return #t end,
        __metatable = false,
      })
      frozen[proxy] = true
      return proxy
    end
    local function pick(t, names)
      local copy = {}
      for i = 1, #names do copy[names[i]] = t[names[i]] end
      return copy
    end

    -- An error raised by a C function that a wrapper below calls would name the wrapper's line
    -- ("sandbox:12: bad argument ..."). `relay` takes the result of the sandbox's pcall (which never
    -- catches a timeout or a memory error) and raises the error again at the script's line, as the
    -- unwrapped function would have. Wrappers call it in tail position, so level 2 is the script.
    local protect, gsub, find = host.pcall, G.string.gsub, G.string.find
    local function relay(name, ok, ...)
      if ok then return ... end
      local message = ...
      if type(message) ~= "string" then error(message, 0) end
      local located = find(message, "^sandbox:%d+: ")
      if located then message = gsub(message, "^sandbox:%d+: ", "", 1) end
      if find(message, "^bad argument #%d+ to ") then
        -- Called through pcall, a C function can tell neither its name nor the script's line.
        message = gsub(message, "^(bad argument #%d+ to )'[^']*'", "%1'" .. name .. "'", 1)
        error(message, 2)
      end
      -- Another error names the wrapper's line (moved to the script's) or the script's own code's (a
      -- __tostring), or none, as stock Lua's raised by a C function called from C.
      error(message, located and 2 or 0)
    end

    G.string.dump = nil
    -- math.random is seeded lazily: the host leaves the seed of the coming call in pending_seed[1]
    -- (a plain table write, no call), and the first draw of the call applies it.
    local pending_seed = {}
    local math_copy = {}
    for key, value in next, G.math do math_copy[key] = value end  -- all of it, LUA_COMPAT_MATHLIB included
    local random, randomseed = G.math.random, G.math.randomseed
    math_copy.random = function(...)
      local seed = pending_seed[1]
      if seed ~= nil then
        pending_seed[1] = nil
        randomseed(seed)
      end
      return relay("random", protect(random, ...))
    end
    math_copy.randomseed = function(...)
      pending_seed[1] = nil
      return relay("randomseed", protect(randomseed, ...))
    end
    local libraries = {
      string = readonly(G.string, "string"),
      table = readonly(pick(G.table, { "concat", "insert", "move", "pack", "remove", "sort", "unpack" }), "table"),
      math = readonly(math_copy, "math"),
      utf8 = readonly(pick(G.utf8, { "char", "charpattern", "codes", "codepoint", "len", "offset" }), "utf8"),
      coroutine = readonly({
        create = G.coroutine.create, isyieldable = G.coroutine.isyieldable, running = G.coroutine.running,
        status = G.coroutine.status, yield = G.coroutine.yield,
        resume = host.resume, wrap = host.wrap, close = host.close,
      }, "coroutine"),
      os = readonly(pick(G.os, { "clock", "date", "time", "difftime" }), "os"),
    }
    getmetatable("").__metatable = readonly({ __index = libraries.string }, "string metatable")

    -- The options that would change the collector for every script of the state; the others
    -- (collect, count, step, isrunning, and unknown ones, which get the stock error) pass through.
    local disallowed_gc = {
      stop = true, restart = true, setpause = true, setstepmul = true, incremental = true,
      generational = true,
    }
    local base = {
      assert = G.assert, error = error, getmetatable = getmetatable, ipairs = G.ipairs, next = next,
      pairs = G.pairs, rawequal = G.rawequal, rawget = rawget, rawlen = G.rawlen, select = select,
      tonumber = G.tonumber, tostring = tostring, type = type, _VERSION = G._VERSION,
      pcall = host.pcall, xpcall = host.xpcall,
      -- The wrappers pass their arguments on as they came (`...`), so that a missing one is reported
      -- as stock Lua reports it ("got no value").
      rawset = function(...)
        -- Missing arguments get stock Lua's message; a key is shown without calling its __tostring.
        if frozen[(...)] and select("#", ...) >= 3 then
          local key = select(2, ...)
          local shown = type(key) == "string" and format("field '%s'", key) or format("a %s key", type(key))
          error(format("attempt to modify a read-only table (%s)", shown), 2)
        end
        return relay("rawset", protect(rawset, ...))
      end,
      setmetatable = function(...)
        local _, mt = ...
        if type(mt) == "table" and rawget(mt, "__gc") ~= nil then
          error("__gc metamethods are not allowed in the sandbox", 2)
        end
        return relay("setmetatable", protect(setmetatable, ...))
      end,
      collectgarbage = function(...)
        local option = ...
        if disallowed_gc[option] then
          error(format("collectgarbage option '%s' is not allowed in the sandbox", tostring(option)), 2)
        end
        return relay("collectgarbage", protect(G.collectgarbage, ...))
      end,
      print = function(...)
        local n = select("#", ...)
        local parts = {}
        for i = 1, n do
          local ok, text = protect(tostring, (select(i, ...)))
          if not ok then
            -- Stock print raises tostring's own errors ("'__tostring' must return a string") at the
            -- script's line; through pcall they carry no position.
            if type(text) == "string" and not find(text, "^[^\n]-:%d+: ") then error(text, 2) end
            return relay("print", false, text)
          end
          parts[i] = text
        end
        host.write(concat(parts, "\t") .. "\n")
      end,
    }
    for name, library in next, libraries do base[name] = library end

    local operations = {}
    local environments = setmetatable({}, { __mode = "k" })  -- every environment, for define_global
    function operations.new_environment(holder, module_root, display_root)
      -- A plain table holding every global, as stock Lua's _G: `pairs(_G)` lists them, `print = nil`
      -- removes print, a script may give its _G a metatable (strict mode). Only this script's.
      local env, loaded = {}, {}
      for key, value in next, base do env[key] = value end
      env._G = env
      env.load = function(...)
        if select("#", ...) >= 4 then return relay("load", protect(host.load, ...)) end
        local chunk, name, mode = ...
        return relay("load", protect(host.load, chunk, name, mode, env))
      end
      env.require = function(name)
        if type(name) ~= "string" then
          error(format("bad argument #1 to 'require' (string expected, got %s)", type(name)), 2)
        end
        local library = libraries[name]
        if library then return library end
        local cached = loaded[name]
        if cached then return cached end  -- stock: a module that returned false is loaded again
        if module_root == nil then
          error(format("module '%s' not found: this script may require only the standard libraries", name), 2)
        end
        if not name:match("^[%a_][%w_]*$") and not name:match("^[%a_][%w_]*[%.%w_]*[%w_]$") or name:find("..", 1, true) then
          error(format("invalid module name '%s' (expected names joined by dots, such as 'rules.pricing')", name), 2)
        end
        local source, chunkname = host.read_module(module_root, display_root or module_root, name)
        if source == nil then error(chunkname, 2) end
        local chunk, message = host.load(source, "@" .. chunkname, "t", env)
        if chunk == nil then error(message, 0) end
        local result = chunk(name, chunkname)
        if result == nil then result = true end
        loaded[name] = result
        return result, chunkname
      end
      environments[env] = true
      holder[1] = env
    end
    function operations.define_global(name, value)
      if type(value) == "table" then value = readonly(value, name) end
      base[name] = value
      for env in next, environments do
        if rawget(env, name) == nil then rawset(env, name, value) end
      end
    end
    function operations.seed(n) pending_seed[1] = n end
    operations.pending_seed = pending_seed
    -- Host objects as userdata (a case cursor): every field read asks the host.
    function operations.make_class(holder, name, methods, resolve, newindex, gc, describe)
      local index = function(self, key)
        local method = methods[key]
        if method ~= nil then return method end
        return resolve(self, key)
      end
      holder[1] = {
        __index = index, __newindex = newindex, __gc = gc, __tostring = describe, __name = name,
        __metatable = name,
      }
    end
    -- Host objects seen as plain tables (issue 14): a view is a read-only proxy whose `__index` is a
    -- plain table of the object's fields, filled once, so a field read is a table lookup with no call
    -- into the host. A field not in the table (a nil field, one built on first read, a method or a
    -- misspelt name) reaches `index` below once; heavy fields are then kept in the table. A method
    -- (a decision) refreshes the view's table after it runs, so reads stay current. A view the host
    -- no longer keeps up to date is detached: its reads then go to the host every time (`live`).
    function operations.make_view_class(holder, name, methods, resolve, newindex, gc, describe, fill, plain_list, keep,
                                        field_list)
      local plain, parameters, entries = {}, {}, {}
      -- pairs(view) walks the object's fields in name order (its methods are not fields), skipping nil
      -- and those that cannot be computed now (penalties without a rate): a read of each gives its error.
      local names, named = {}, {}
      for _, list in ipairs({ plain_list, field_list }) do
        for _, key in ipairs(list) do
          if not named[key] and methods[key] == nil then named[key] = true; names[#names + 1] = key end
        end
      end
      G.table.sort(names)
      local function index_of(view, key) return view[key] end
      local function view_pairs(self)
        local position = 0
        return function()
          while true do
            position = position + 1
            local key = names[position]
            if key == nil then return nil end
            local ok, value = protect(index_of, self, key)
            if ok and value ~= nil then return key, value end
          end
        end, self, nil
      end
      for i, key in ipairs(plain_list) do
        plain[key] = true
        parameters[i] = "v" .. i
        entries[i] = format("[%q] = v%d", key, i)
      end
      local make_fields = G.load(
        "local " .. concat(parameters, ", ") .. " = ...\nreturn { " .. concat(entries, ", ") .. " }",
        "=sandbox", "t", {})
      local object_of = setmetatable({}, { __mode = "k" })  -- fields table -> host object
      local fields_of = setmetatable({}, { __mode = "k" })  -- view -> fields table
      local function refresh(fields)
        local fresh = make_fields(fill(object_of[fields]))
        for key in next, fields do fields[key] = nil end
        for key, value in next, fresh do fields[key] = value end
      end
      local function settled(fields, ...)
        refresh(fields)
        return ...
      end
      local wrapped = {}
      for key, method in next, methods do
        wrapped[key] = function(self, ...)
          local fields = fields_of[self]
          if fields == nil then return method(self, ...) end  -- the method names the bad receiver
          return settled(fields, method(object_of[fields], ...))
        end
      end
      local fields_mt = {
        __index = function(fields, key)
          local method = wrapped[key]
          if method ~= nil then return method end
          if plain[key] then return nil end
          local value = resolve(object_of[fields], key)  -- an unknown field raises, with a suggestion
          if keep then rawset(fields, key, value) end
          return value
        end,
        __metatable = name,
      }
      local function live(self, key)
        local method = wrapped[key]
        if method ~= nil then return method end
        local object = object_of[fields_of[self]]
        local value = make_fields(fill(object))[key]
        if value ~= nil or plain[key] then return value end
        return resolve(object, key)
      end
      holder[1] = {
        fields_mt = fields_mt, object_of = object_of, fields_of = fields_of, newindex = newindex,
        tostring = function(self) return describe(object_of[fields_of[self]]) end, live = live,
        handle_mt = { __gc = gc, __name = name, __metatable = name },
        frozen = frozen,  -- the host adds each view: the sandbox's rawset refuses to write into it
        plain_keys = plain_list,  -- the plain fields' names as Lua strings, for the host's fill
        pairs = view_pairs,
      }
    end
    -- A hook's `ctx` (issue 14): each call gets a fresh empty table whose metatable reads the call's
    -- fields from one table per plugin and hook (`config`, `plugin`, `version`, `hook`, and `run_id`
    -- and `now`, which the host sets when they change). What a hook stores in its ctx stays in that
    -- call's table; making it costs no key insertions (six of them were a fifth of a hook call).
    -- `ctx.config` is one read-only view of the plugin's settings, shared by its calls.
    function operations.make_hook_context(holder, config, plugin, version, name)
      local fields = { config = readonly(config, "ctx.config"), plugin = plugin, version = version, hook = name }
      holder[1] = {
        __index = fields,
        __metatable = "ctx",
        -- pairs(ctx) walks what the hook stored, then the call's fields it did not replace.
        __pairs = function(ctx)
          local own, key = true, nil
          return function()
            if own then
              key = next(ctx, key)
              if key ~= nil then return key, rawget(ctx, key) end
              own = false
            end
            repeat key = next(fields, key) until key == nil or rawget(ctx, key) == nil
            if key ~= nil then return key, fields[key] end
          end, ctx, nil
        end,
      }
    end
    G.debug.getregistry()["litige.sandbox"] = operations
    """#

  /// `host.read_module(root, display_root, name)`: the source of module `name` below `root`, and its
  /// chunk name; or nil and a message naming the places looked at.
  static func readModule(_ stack: LuaStack) throws -> Int {
    let root = try stack.string(at: 1, function: "require")
    let displayRoot = try stack.string(at: 2, function: "require")
    let name = try stack.string(at: 3, function: "require")
    let relative = name.split(separator: ".").joined(separator: "/")
    let candidates = [relative + ".lua", relative + "/init.lua"]
    // Links are followed only within the module root: `lib -> /elsewhere` reaches nothing outside it.
    let realRoot = URL(fileURLWithPath: root).resolvingSymlinksInPath().path
    for candidate in candidates {
      let url = URL(fileURLWithPath: root).appendingPathComponent(candidate)
      guard url.resolvingSymlinksInPath().path.hasPrefix(realRoot + "/") else { continue }
      guard let attributes = try? FileManager.default.attributesOfItem(atPath: url.path),
        attributes[.type] as? FileAttributeType == .typeRegular
      else { continue }
      let size = (attributes[.size] as? Int) ?? 0
      let display = displayRoot + "/" + candidate
      guard size <= stack.state.limits.maxSourceBytes else {
        throw LuaRaisedError(
          "module '\(name)' (\(display)) is \(size) bytes, more than the limit of \(stack.state.limits.maxSourceBytes)",
          kind: .validation)
      }
      guard let data = FileManager.default.contents(atPath: url.path) else { continue }
      stack.push(bytes: LuaState.skippingFirstLineComment([UInt8](data)))  // as lua5.4's loadfile
      stack.push(.string(display))
      return 2
    }
    stack.push(.nil)
    let tried = candidates.map { "\n\tno file '\(displayRoot)/\($0)'" }.joined()
    stack.push(.string("module '\(name)' not found:" + tried))
    return 2
  }
}
