import Foundation
import Testing

@testable import LuaHost

@Suite("Sandbox")
struct SandboxTests {
  @Test func dangerousGlobalsAreAbsent() throws {
    let lua = try Harness()
    let absent = try lua.run(
      "return io, debug, package, dofile, loadfile, os.execute, os.getenv, os.remove, string.dump, warn")
    #expect(absent.count == 10)
    #expect(absent.allSatisfy { $0 == .nil })
    #expect(
      lua.error("os.execute('true')")?.message == "test.lua:1: attempt to call a nil value (field 'execute')")
    #expect(
      lua.error("io.open('/etc/passwd')")?.message == "test.lua:1: attempt to index a nil value (global 'io')"
    )
  }

  @Test func binaryChunksAreRefused() throws {
    let lua = try Harness()
    let result = try lua.run("return load('\\27Lua\\84\\0')")
    #expect(result.first == .nil)
    #expect(result.last?.stringValue?.contains("attempt to load a binary chunk") == true)
  }

  @Test func librariesAreReadOnlyAndShared() throws {
    let lua = try Harness()
    #expect(lua.error("string.upper = nil")?.message.contains("read-only table 'string'") == true)
    #expect(lua.error("rawset(math, 'pi', 3)")?.message.contains("read-only table (field 'pi')") == true)
    // A key is shown without calling its __tostring; missing arguments get stock Lua's message.
    let key = "setmetatable({}, {__tostring = function() error('boom') end})"
    #expect(lua.error("rawset(math, \(key), 3)")?.message.contains("read-only table (a table key)") == true)
    #expect(lua.error("rawset(math)")?.message.contains("bad argument #2 to 'rawset'") == true)
    #expect(lua.error("setmetatable(table, {})")?.message.contains("protected metatable") == true)
    #expect(lua.error("getmetatable('').__index = {}")?.message.contains("read-only") == true)
    #expect(try lua.run("return ('abc'):upper(), #string.format('%5d', 1)") == ["ABC", .integer(5)])
  }

  @Test func environmentsDoNotShareGlobals() throws {
    let state = try LuaState()
    let first = try state.makeEnvironment()
    let second = try state.makeEnvironment()
    try state.run(source: "shared_name = 'first'; tostring = nil", chunkName: "a.lua", environment: first)
    let seen = try state.run(
      source: "return shared_name, type(tostring), _G == _ENV", chunkName: "b.lua", environment: second)
    #expect(seen == [.nil, "function", true])
  }

  @Test func finalizersAreRefused() throws {
    let lua = try Harness()
    let error = lua.error("setmetatable({}, {__gc = function() while true do end end})")
    #expect(error?.message.contains("__gc metamethods are not allowed") == true)
  }

  @Test func requireLoadsOnlyTheModuleRoot() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("litige-require-\(UUID())")
    try FileManager.default.createDirectory(
      at: folder.appendingPathComponent("rules"), withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    try "return { rate = 0.1 }".write(
      to: folder.appendingPathComponent("rules/pricing.lua"), atomically: true, encoding: .utf8)
    let state = try LuaState()
    let environment = try state.makeEnvironment(moduleRoot: folder, displayRoot: "plugins/acme")
    let run = { (source: String) in
      try state.run(source: source, chunkName: "init.lua", environment: environment)
    }
    #expect(try run("return require('rules.pricing').rate, require('string') == string") == [0.1, true])
    #expect(try run("return require('rules.pricing') == require('rules.pricing')") == [true])
    #expect(throws: LuaError.self) { try run("require('../secrets')") }
    do {
      _ = try run("require('missing')")
      Issue.record("require of a missing module succeeded")
    } catch let error as LuaError {
      #expect(error.message.contains("no file 'plugins/acme/missing.lua'"))
    }
    let bare = try state.makeEnvironment()
    #expect(throws: LuaError.self) {
      try state.run(source: "require('rules.pricing')", chunkName: "x.lua", environment: bare)
    }
  }

  @Test func randomIsReproducibleOnceSeeded() throws {
    let lua = try Harness()
    try lua.state.seedRandom(42)
    let first = try lua.run("return math.random(1, 1000000), math.random()")
    try lua.state.seedRandom(42)
    #expect(try lua.run("return math.random(1, 1000000), math.random()") == first)
  }

  @Test func collectgarbageCannotStopTheCollector() throws {
    let lua = try Harness()
    #expect(lua.error("collectgarbage('stop')")?.message.contains("not allowed") == true)
    #expect(try lua.run("return type(collectgarbage('count'))") == ["number"])
  }
}

@Suite("Stock Lua semantics inside the sandbox")
struct StockSemanticsTests {
  @Test func ordinaryLuaBehavesAsInLua54() throws {
    let lua = try Harness()
    let source = """
      local results = {}
      results[#results + 1] = math.type(3 // 2) .. math.type(3 / 2) .. tostring(7 // 2) .. tostring(2^2)
      results[#results + 1] = tostring(math.maxinteger + 1 == math.mininteger)
      results[#results + 1] = string.format('%q', 1/3) .. ('x'):rep(3, ',')
      results[#results + 1] = utf8.char(233, 8364) .. utf8.len('été')
      local t = setmetatable({}, {__index = function(_, k) return k * 2 end, __call = function(self, a) return a + 1 end})
      results[#results + 1] = t[21] .. t(1)
      local co = coroutine.wrap(function(a) local b = coroutine.yield(a + 1) return b * 2 end)
      results[#results + 1] = co(1) .. co(5)
      local ok, err = pcall(error, {code = 7})
      results[#results + 1] = tostring(ok) .. err.code
      local ok2, msg = xpcall(function() error('deep') end, function(m) return 'handled: ' .. m end)
      results[#results + 1] = msg
      do
        local i = 0
        ::again:: i = i + 1
        if i < 3 then goto again end
        results[#results + 1] = i
      end
      local sorted = {5, 2, 9, 1}
      table.sort(sorted, function(a, b) return a > b end)
      results[#results + 1] = table.concat(sorted, ' ')
      local closed = false
      do local x <close> = setmetatable({}, {__close = function() closed = true end}) end
      results[#results + 1] = tostring(closed)
      results[#results + 1] = select('#', table.unpack({1, nil, 3}, 1, 3))
      local parts = {} for k in ('a,b,c'):gmatch('[^,]+') do parts[#parts + 1] = k end
      results[#results + 1] = #parts .. tostring(0.1 + 0.2 == 0.3) .. tostring(1 == 1.0) .. math.tointeger(3.0)
      return table.unpack(results)
      """
    let values = try lua.run(source)
    #expect(
      values == [
        "integerfloat34.0", "true", "0x1.5555555555555p-2x,x,x", "é€3", "422", "210", "false7",
        "handled: test.lua:12: deep", .integer(3), "9 5 2 1", "true", .integer(3), "3falsetrue3",
      ])
  }

  @Test func coroutinesYieldAcrossTheWrappedPcall() throws {
    let lua = try Harness()
    let source = """
      local co = coroutine.create(function()
        local ok, v = pcall(function() return coroutine.yield('inside') + 1 end)
        return ok, v
      end)
      local _, first = coroutine.resume(co)
      local _, ok, v = coroutine.resume(co, 41)
      return first, ok, v, coroutine.status(co), coroutine.close(co)
      """
    #expect(try lua.run(source) == ["inside", true, .integer(42), "dead", true])
  }
}
