import Foundation
import LitigeCore
import LitigeStore
import LuaHost
import PropertyBased
import Testing

@testable import LitigePolicies

/// Random and hostile values thrown at every decision method and library function: none may trap the
/// host, and whatever the core accepts must reach the store in a form it reads back.
@Suite("Hostile values at the bridge")
struct HostileValuesPropertyTests {
  /// Lua expressions a script may pass anywhere: extremes, wrong types, lying metamethods.
  static let hostileValues: [String] = [
    "nil", "true", "false", "0", "-1", "1", "math.maxinteger", "math.mininteger", "math.huge", "-math.huge",
    "0/0", "-0.0", "1e300", "-1e300", "5e-324", "2^53", "2^63", "-2^63", "123456789012345.67",
    "999999999999999.99", "0.005", "1.005", "\"\"", "\"a\\0b\"", "\"\\xff\\xfe\"", "\"\\xe9t\\xe9\"",
    "string.rep('x', 5000)", "string.rep('x', 200000)", "\"9999-12-31\"", "\"0001-01-01\"",
    "\"2026-02-30\"", "\"2026-13-01\"", "\"1969-12-31\"", "\"2200-01-01\"", "\"2199-12-31\"",
    "\"2026-11-29T10:00:00+01:00\"", "\"2026-11-29T10:00:00\"", "\"+999999-01-01T00:00:00Z\"", "{}",
    "{1, 2, 3}", "{kind = 'discount'}", "setmetatable({}, {__index = function() error('lying') end})",
    "setmetatable({}, {__tostring = function() return 'x' end})",
    "setmetatable({}, {__len = function() return math.maxinteger end})",
    "setmetatable({}, {__eq = function() return true end})", "print", "coroutine.create(print)",
    "litige.case(1)", "\"vip\"", "\"discount\"", "\"credit_note\"", "\"email\"", "\"court\"", "\"sales\"",
    "\"price\"", "\"accepted\"", "\"rejected\"", "\"survey\"",
  ]

  /// Calls on the case `c` and the library; `V` is replaced by a value.
  static let calls: [String] = [
    "c:categorize(V)", "c:prioritize(V)", "c:assign(V)", "c:tag(V)", "c:tag('vip', V)", "c:escalate(V)",
    "c:set_deadline(V)", "c:propose_gesture{kind = V, amount = 10}",
    "c:propose_gesture{kind = 'discount', amount = V}",
    "c:propose_gesture{kind = 'voucher', amount = 5, approved_by = V}", "c:send{template = V}",
    "c:send{template = 'survey', channel = V}", "c:send{template = 'survey', body = V}",
    "c:follow_up{in_days = V}", "c:resolve{outcome = V, new_due_date = '2027-01-15'}",
    "c:resolve{outcome = 'accepted', new_due_date = V}",
    "c:resolve{outcome = 'rejected', new_due_date = '2027-01-15', promise = V}", "c:judge_promise(V)",
    "c:has_tag(V)", "c:has_sent(V)", "litige.date(V)", "litige.add_days('2026-11-29', V)",
    "litige.add_days(V, 3)", "litige.days_between(V, '2026-01-01')", "litige.case(V)", "litige.invoice(V)",
    "litige.customer(V)", "litige.gesture_cap(V)", "for _ in litige.cases{status = V} do end",
    "for _ in litige.cases(V) do end", "litige.log(V)", "c:propose_gesture(V)", "c:resolve(V)",
  ]

  static func runtime() throws -> (PolicyRuntime, Store, Int64) {
    let store = try Store.inMemory()
    let now = Date(timeIntervalSince1970: 1_790_000_000)
    let data = DemoData.generate(seed: 11, reference: now, customerCount: 6, invoiceCount: 20, caseCount: 8)
    try store.load(data, provenance: Provenance(source: "test", hook: "import", runId: "t"))
    let active = try #require(try store.cases(matching: CaseFilter(activeOnly: true), limit: 1).first?.id)
    let session = CaseSession(
      store: store, now: now, provenance: Provenance(source: "script:p.lua", hook: "run", runId: "p"))
    let runtime = try PolicyRuntime(
      session: session, limits: .init(memoryBytes: 64 << 20, timeout: .seconds(5)))
    runtime.state.output = { _ in }
    return (runtime, store, active)
  }

  /// The script for one property case: each call runs in pcall, so one refusal does not hide the rest.
  static func script(caseId: Int64, calls: [String], values: [String]) -> String {
    var lines = ["local c = litige.case(\(caseId))"]
    for (call, value) in zip(calls, values) {
      lines.append("pcall(function() \(call.replacingOccurrences(of: "V", with: value)) end)")
    }
    return lines.joined(separator: "\n")
  }

  /// Formats a random number as a Lua literal that reads back exactly.
  static func literal(_ number: Double) -> String {
    number.isNaN ? "0/0" : number.isInfinite ? (number > 0 ? "math.huge" : "-math.huge") : "\(number)"
  }

  @Test("random calls with hostile values never trap, and what the core accepts is stored readably")
  func hostileCallsLeaveAReadableStore() async throws {
    let values = Gen.oneOf(
      Gen.element(of: Self.hostileValues).map { $0 ?? "nil" },
      Gen.int64(in: .min ... .max).map { String($0) },
      Gen.double(in: -1e18...1e18).map { Self.literal($0) })
    let call = Gen.element(of: Self.calls).map { $0 ?? "c:tag(V)" }
    let (runtime, store, caseId) = try Self.runtime()
    await propertyCheck(count: 400, input: call.array(of: 1...6), values.array(of: 6...6)) { calls, chosen in
      Self.runAndCommit(Self.script(caseId: caseId, calls: calls, values: chosen), in: runtime)
      try Self.expectReadable(store, after: "\(calls) \(chosen)")
    }
  }

  /// Runs `source` and commits what the core accepted; a refusal is fine (a trap would have ended the
  /// test process).
  static func runAndCommit(_ source: String, in runtime: PolicyRuntime) {
    do {
      try runtime.runScript(source: source, chunkName: "p.lua")
      _ = try runtime.session.commit()
    } catch {
      runtime.session.rollback()
    }
  }

  /// Everything the store holds must read back, as `case list`, `case show` and the night read it.
  static func expectReadable(_ store: Store, after what: String) throws {
    _ = try store.cases(matching: CaseFilter(), limit: 1_000)
    _ = try store.nightSnapshot(of: 1...1_000)
    for id in try store.caseIds(matching: CaseFilter()) {
      let stored = try #require(try store.disputeCase(id: id), "case \(id) does not read back after \(what)")
      _ = try store.facts(for: stored)
    }
  }

  @Test("every call with every hostile value: no trap, and the store reads back", arguments: calls)
  func everyHostileValue(_ call: String) throws {
    let (runtime, store, caseId) = try Self.runtime()
    for value in Self.hostileValues {
      Self.runAndCommit(Self.script(caseId: caseId, calls: [call], values: [value]), in: runtime)
    }
    try Self.expectReadable(store, after: call)
  }

  @Test("random values cross the bridge and back unchanged, or are refused")
  func valuesRoundTripThroughTheBridge() async throws {
    let state = try LuaState(limits: .init(memoryBytes: 32 << 20, timeout: .seconds(5)))
    let environment = try state.makeEnvironment()
    let values = Gen.oneOf(
      Gen.element(of: Self.hostileValues).map { $0 ?? "nil" },
      Gen.int64(in: .min ... .max).map { String($0) },
      Gen.double(in: -1e300...1e300).map { Self.literal($0) })
    let identity = try #require(
      try state.run(
        source: "return function(...) return ... end", chunkName: "id.lua", environment: environment
      )
      .first)
    _ = identity
    let echo = try state.load(source: "return ...", chunkName: "echo.lua", environment: environment)
    await propertyCheck(count: 300, input: values) { value in
      guard !value.contains("litige") else { return }
      do {
        let results = try state.run(source: "return \(value)", chunkName: "v.lua", environment: environment)
        let first = results.first ?? .nil
        let back = try state.call(echo, [first]).first ?? .nil
        if case .opaque = first {
          #expect(back == .nil, "a \(first.typeName) has no copy: it crosses back as nil")
        } else if case .number(let number) = first, number.isNaN {
          #expect(back.doubleValue?.isNaN == true)
        } else {
          #expect(back == first, "\(value) came back as \(back)")
        }
      } catch let error as LuaError {
        #expect(!error.message.isEmpty)
      }
    }
  }
}
