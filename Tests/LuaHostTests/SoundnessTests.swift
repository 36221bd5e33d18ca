import Foundation
import Testing

@testable import LuaHost

/// What issue 9 asked of the host: no route to the real libraries, C loops that stay interruptible,
/// memory charged to whoever causes it, stock Lua semantics, source bytes kept.
@Suite("Host soundness")
struct SoundnessTests {
  /// Every library function as the next script sees it, by name (a Lua table value of opaque
  /// functions is not comparable from Swift, so the check runs in Lua against a snapshot).
  static let snapshot = """
    local seen = {}
    for _, name in ipairs{"string", "table", "math", "os", "coroutine", "utf8"} do
      for key, value in pairs(_G[name]) do seen[name .. "." .. key] = value end
    end
    for _, key in ipairs{"pairs", "next", "select", "rawget", "rawset", "setmetatable", "getmetatable",
        "pcall", "xpcall", "tostring", "type", "error", "assert", "ipairs"} do
      seen[key] = _G[key]
    end
    seen["string metatable"] = getmetatable("").__index
    return seen
    """

  @Test("a hostile script cannot change any library function another script sees")
  func librariesSurviveAHostileScript() throws {
    let state = try LuaState(limits: .init(memoryBytes: 32 << 20, timeout: .seconds(5)))
    let before = try state.runKeepingResult(
      source: Self.snapshot, chunkName: "before.lua", environment: try state.makeEnvironment())
    let hostile = try state.makeEnvironment()
    // Every route tried; each attempt in its own pcall, so one refusal does not stop the others.
    _ = try state.run(
      source: """
        local attempts = {
          function() local _, real = pairs(string); real.upper = function() return "owned" end end,
          function() local f, s, k = pairs(table); local _, v = f(s, k); s.insert = nil end,
          function() local _, real = next, string; rawset(real, "rep", nil) end,
          function() for k, v in pairs(math) do rawset(math, k, nil) end end,
          function() string.format = nil end,
          function() getmetatable("").__index.upper = nil end,
          function() getmetatable("").__index = {} end,
          function() setmetatable(string, {}) end,
          function() coroutine.wrap = nil end,
          function() os.time = nil end,
          function() utf8.char = nil end,
          function() select(2, pairs(coroutine)).resume = nil end,
          function() local co = coroutine.create(function() string.lower = nil end); coroutine.resume(co) end,
          function() _G.pairs = nil; pairs = nil end,
          function() local mt = getmetatable(_G); mt.__index.pcall = nil end,
          function() for _, lib in pairs{string, table, math} do for k in pairs(lib) do lib[k] = nil end end end,
        }
        for _, attempt in ipairs(attempts) do pcall(attempt) end
        """, chunkName: "hostile.lua", environment: hostile)
    let after = try state.makeEnvironment()
    let check = try state.load(
      source: """
        local before = ...
        local now = (load(\(String(reflecting: Self.snapshot))))()
        local changed = {}
        for key, value in pairs(before) do
          if not rawequal(now[key], value) then changed[#changed + 1] = key end
        end
        for key in pairs(now) do if before[key] == nil then changed[#changed + 1] = key end end
        table.sort(changed)
        return table.concat(changed, ", "), string.upper("ok")
        """, chunkName: "after.lua", environment: after)
    let results = try state.call(check, argumentCount: 1) { $0.push(reference: before.reference) }
    #expect(results.first == "", "changed: \(results.first ?? .nil)")
    #expect(results.last == "OK")
  }

  @Test("pairs on a library hands out no real table")
  func pairsHidesTheRealTable() throws {
    let lua = try Harness()
    let results = try lua.run(
      """
      local iterate, state = pairs(string)
      return rawequal(state, string), select("#", iterate(state, nil)) > 0
      """)
    #expect(results == [true, true])
  }

  @Test(
    "C loops over lying lengths end at the time limit",
    arguments: [
      "table.insert(setmetatable({}, {__len = function() return math.maxinteger - 1 end}), 1, 'x')",
      "table.insert(setmetatable({}, {__len = function() return math.maxinteger - 1 end}), 1.0, 'x')",
      "table.remove(setmetatable({}, {__len = function() return math.maxinteger end}), '1')",
      "table.move({}, 1, math.maxinteger - 1, 2)",
      "table.move({}, -math.maxinteger + 2, 1, 1)",
    ])
  func lyingLengthsTimeOut(_ source: String) throws {
    let lua = try Harness(timeout: .milliseconds(300))
    #expect(lua.error(source)?.kind == .timeout)
    #expect(try lua.run("return 1 + 1") == [.integer(2)])
  }

  @Test func repeatingNothingIsInstant() throws {
    let lua = try Harness(timeout: .milliseconds(300))
    #expect(try lua.run("return #string.rep('', 1e15), #('').rep('', math.maxinteger, '')") == [0, 0])
    #expect(try lua.run("return string.rep('ab', 3, ',')") == ["ab,ab,ab"])
  }

  @Test("garbage another call left is not charged to the next call")
  func garbageIsCollectedBeforeRefusing() throws {
    let lua = try Harness(memoryBytes: 24 << 20)
    // Each call leaves about 16 MB of garbage: without a collection first, the next would be refused.
    for _ in 0..<5 {
      try lua.run("local t = {} for i = 1, 16 do t[i] = string.rep('x', 1 << 20) .. i end")
    }
    #expect(
      lua.error("local t = {} for i = 1, 64 do t[i] = string.rep('x', 1 << 20) .. i end")?.kind == .memory)
    #expect(try lua.run("return 'alive'") == ["alive"])
  }

  @Test("a memory error inside a load reader is not caught by load")
  func loadReaderMemoryErrorIsFatal() throws {
    let lua = try Harness(memoryBytes: 24 << 20)
    let error = lua.error(
      """
      local parts = 0
      local f, message = load(function()
        parts = parts + 1
        if parts == 1 then return string.rep("x", 64 << 20) end
      end)
      error("load returned: " .. tostring(message))
      """)
    #expect(error?.kind == .memory)
  }

  @Test func loadReadersCountAgainstTheSourceCap() throws {
    let state = try LuaState(
      limits: .init(memoryBytes: 32 << 20, timeout: .seconds(5), maxSourceBytes: 1_000))
    let environment = try state.makeEnvironment()
    let results = try state.run(
      source: "return load(function() return '-- 0123456789\\n' end)", chunkName: "r.lua",
      environment: environment)
    #expect(results.first == .nil)
    #expect(results.last?.stringValue?.contains("chunk too large") == true)
  }

  @Test("load honours its mode and returns stock messages")
  func loadModes() throws {
    let lua = try Harness()
    let text = try lua.run("return load('return 1', 'x', 'b')")
    #expect(text.first == .nil)
    #expect(text.last == "attempt to load a text chunk (mode is 'b')")
    #expect(try lua.run("return load('return 1', 'x', 't')()") == [1])
    #expect(try lua.run("return load('return 1', '=x', 'bt')()") == [1])
    let syntax = try lua.run("return load('x =', '=chunk')")
    #expect(syntax.last == "chunk:1: unexpected symbol near <eof>")
  }

  @Test("source is bytes: a Windows-1252 script keeps its accented bytes")
  func latin1SourceIsLoadedByteForByte() throws {
    let state = try LuaState()
    let environment = try state.makeEnvironment()
    // "é" in Windows-1252 is the single byte 0xE9; "Noël" is N o 0xEB l.
    let source: [UInt8] =
      Array("local s = \"R".utf8) + [0xE9] + Array("clamation No".utf8) + [0xEB]
      + Array("l\" return #s, s:byte(2), s:byte(-2)".utf8)
    let results = try state.run(bytes: source, chunkName: "latin1.lua", environment: environment)
    #expect(results == [.integer(16), .integer(0xE9), .integer(0xEB)])
  }

  @Test("positions and tracebacks point at the script, never at the sandbox")
  func tracebacksShowTheScriptOnly() throws {
    let lua = try Harness()
    let error = try #require(lua.error("local function f()\n  string.upper = 1\nend\nf()"))
    #expect(error.message.hasPrefix("test.lua:2:"))
    #expect(error.traceback?.contains("sandbox") == false)
    #expect(error.traceback?.contains("test.lua:2") == true)
  }

  @Test("require does not follow a link out of the module root")
  func requireStaysInTheModuleRoot() throws {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("litige-root-\(UUID())")
    let outside = FileManager.default.temporaryDirectory.appendingPathComponent("litige-outside-\(UUID())")
    try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
    try "return 'secret'".write(
      to: outside.appendingPathComponent("secret.lua"), atomically: true, encoding: .utf8)
    try "return 'inside'".write(
      to: root.appendingPathComponent("inner.lua"), atomically: true, encoding: .utf8)
    try FileManager.default.createSymbolicLink(
      at: root.appendingPathComponent("lib"), withDestinationURL: outside)
    let state = try LuaState()
    let environment = try state.makeEnvironment(moduleRoot: root, displayRoot: "plugin")
    let results = try state.run(
      source: "return require('inner'), pcall(require, 'lib.secret')", chunkName: "m.lua",
      environment: environment)
    #expect(results[0] == "inside")
    #expect(results[1] == false)
    #expect(results[2].stringValue?.contains("module 'lib.secret' not found") == true)
  }

  @Test("the Lua release linked is one without known script-reachable bugs")
  func releaseIsFixed() {
    #expect(LuaState.release.hasPrefix("Lua 5.4."))
    #expect(!LuaState.releaseHasKnownBugs, "\(LuaState.release)")
  }
}

/// Differences from stock Lua 5.4 that running the official test files in the sandbox showed, fixed.
@Suite("Stock semantics found by the official tests")
struct OfficialTestFindingsTests {
  @Test("a first line starting with # is skipped in files, as loadfile does")
  func shebangLineIsSkipped() throws {
    let state = try LuaState()
    let environment = try state.makeEnvironment()
    let results = try state.run(
      bytes: Array("#!/usr/bin/env lua\nreturn 1 + 1, debug".utf8), chunkName: "s.lua",
      environment: environment)
    #expect(results == [.integer(2), .nil])
    #expect(LuaState.skippingFirstLineComment(Array("#x\ny".utf8)) == Array("\ny".utf8))
  }

  @Test("_G is a plain table of every global, and the script's own")
  func globalsArePlain() throws {
    let lua = try Harness()
    let results = try lua.run(
      """
      local seen = {}
      for k in pairs(_G) do seen[k] = true end
      local hadPrint = rawget(_G, "print") ~= nil and seen.print and seen.string
      print = nil
      local removed = print == nil
      local ok = pcall(setmetatable, _G, {__index = function(_, k) error("undefined " .. k) end})
      return hadPrint, removed, ok, getmetatable(_G) ~= nil
      """)
    #expect(results == [true, true, true, true])
    let other = try lua.state.makeEnvironment()
    let fresh = try lua.state.run(
      source: "return type(print), getmetatable(_G)", chunkName: "o.lua", environment: other)
    #expect(fresh == ["function", .nil])
  }

  @Test("wrapped functions report missing arguments and names as stock Lua does")
  func argumentErrorsAreStock() throws {
    let lua = try Harness()
    let results = try lua.run(
      """
      return select(2, pcall(setmetatable, {})), select(2, pcall(rawset, {}, "k")),
        select(2, pcall(function() math.random(2, 1) end)), select(2, pcall(function() load(nil) end)),
        select(2, pcall(collectgarbage, "nooption")), select(2, pcall(collectgarbage, false))
      """)
    #expect(results[0] == "bad argument #2 to 'setmetatable' (nil or table expected, got no value)")
    #expect(results[1] == "bad argument #3 to 'rawset' (value expected)")
    #expect(results[2] == "test.lua:2: bad argument #1 to 'random' (interval is empty)")
    #expect(results[3] == "test.lua:2: bad argument #1 to 'load' (function expected, got nil)")
    #expect(results[4].stringValue?.contains("invalid option 'nooption'") == true)
    #expect(results[5].stringValue?.contains("string expected, got boolean") == true)
    #expect(lua.error("collectgarbage('stop')")?.message.contains("not allowed in the sandbox") == true)
  }

  @Test("an error raised by __tostring inside print keeps its own position")
  func printKeepsTheErrorsPosition() throws {
    let lua = try Harness()
    let results = try lua.run(
      """
      local o = setmetatable({}, {__tostring = function() error("boom") end})
      return select(2, pcall(function() print(o) end))
      """)
    #expect(results == ["test.lua:1: boom"])
  }

  @Test func mathHasTheCompatibilityFunctions() throws {
    let lua = try Harness()
    #expect(try lua.run("return math.pow(2, 10), math.log10(1000), math.ldexp(1, 3)") == [1024.0, 3.0, 8.0])
  }
}
