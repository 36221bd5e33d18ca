import Foundation
import Testing

@testable import LitigePolicies

/// Policy tests that would pass on defaults whatever the policy does are errors with a place and a
/// suggestion (issue 13).
@Suite("Mistakes in policy tests")
struct PolicyTestMistakesTests {
  @Test("misspelt keys, unknown hooks and plugins, bad types and tests that check nothing are reported")
  func mistakes() throws {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("litige-pt-\(UUID())")
    let plugin = root.appendingPathComponent("probe")
    try FileManager.default.createDirectory(
      at: plugin.appendingPathComponent("tests"), withIntermediateDirectories: true)
    try """
    return { name = "probe", version = "1.0.0", triage = function(c) c:tag("seen", "seen") end }
    """.write(to: plugin.appendingPathComponent("init.lua"), atomically: true, encoding: .utf8)
    let file = plugin.appendingPathComponent("tests/probe_test.lua")
    try """
    return {
      {
        name = "typo in expect",
        case = { reason = "prix" },
        expct = {},
      },
      {
        name = "misspelt case key",
        case = { reson = "prix" },
        expect = {},
      },
      {
        name = "unknown hook",
        hooks = { "triag" },
        expect = {},
      },
      {
        name = "no expectation",
        case = { reason = "prix" },
      },
      {
        name = "bad total",
        invoices = { { total = "abc" } },
        expect = {},
      },
      "a bare string",
      {
        name = "unknown plugin",
        plugins = { "prob" },
        expect = {},
      },
      { name = "a flag that is not one", customer = { vip = "yes" }, expect = {} },
      { name = "hooks as a string", hooks = "triage", expect = {} },
      { name = "a flat expectation", expect = { "tag", "seen" } },
      { name = "a category misspelt", case = { category = "datez" }, expect = {} },
      { name = "now that is not a time", now = "yesterday", expect = {} },
      {
        name = "a good one",
        expect = { { "tag", "seen" } },
      },
    }
    """.write(to: file, atomically: true, encoding: .utf8)
    let results = PolicyTests.run(file: file, searchPaths: [(root, "plugins")])
    let failures = results.map { $0.failure.map { String($0.split(separator: " ", maxSplits: 1)[1]) } }
    #expect(
      failures == [
        "test 1 (typo in expect): unknown key 'expct' (did you mean 'expect'?)",
        "test 2 (misspelt case key): unknown key 'reson' in case (did you mean 'reason'?)",
        "test 3 (unknown hook): unknown hook 'triag' (did you mean 'triage'?) (hooks: triage, compensate, escalate, on_communication, nightly, before_due)",
        "test 4 (no expectation): the test checks nothing: give expect = { ... } (expect = {} for no decision), expect_error, expect_wake or check",
        "test 5 (bad total): invoices.total must be a number, not string 'abc'",
        "test 6 is a string, not a table { name = ..., expect = ... }",
        "test 7 (unknown plugin): unknown plugin 'prob' (did you mean 'probe'?)",
        "test 8 (a flag that is not one): customer.vip must be true or false, not string",
        "test 9 (hooks as a string): hooks must be a list: hooks = { \"triage\" }",
        "test 10 (a flat expectation): expect is a list of decisions, each a list { kind, value }: expect = { { \"tag\", \"vip\" } }",
        "test 11 (a category misspelt): case.category 'datez' is not one of price, double_billing, quality, missing_or_defective, delivery, dates, administrative (did you mean 'dates'?)",
        "test 12 (now that is not a time): now 'yesterday' is not an instant: ISO 8601 with an offset, such as 2026-01-15T10:00:00+01:00",
        nil,
      ], "\(results.map(\.failure))")
    // Each names its line.
    #expect(results[0].failure?.contains("probe_test.lua:5:") == true)
    #expect(results[1].failure?.contains("probe_test.lua:9:") == true)
    #expect(results[2].failure?.contains("probe_test.lua:14:") == true)
  }

  @Test("expect_wake checks when the night would next visit the case, as the night combines the calls")
  func expectWake() throws {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("litige-pt-\(UUID())")
    let plugin = root.appendingPathComponent("sleeper")
    try FileManager.default.createDirectory(
      at: plugin.appendingPathComponent("tests"), withIntermediateDirectories: true)
    // Declares from the case's reason: a day, only on change, a day already past, or nothing.
    try """
    return { name = "sleeper", version = "1.0.0",
      nightly = function(c)
        if c.reason == "later" then litige.wake_on("2026-02-01"); litige.wake_on_change()
        elseif c.reason == "change" then litige.wake_on_change()
        elseif c.reason == "past" then litige.wake_on("2026-01-15")
        elseif c.reason == "decides" then litige.wake_on("2026-02-01"); c:tag("seen", "seen")
        end
      end,
      escalate = function(c) if c.reason == "later" then litige.wake_on(litige.add_days(litige.today(), 30)) end end }
    """.write(to: plugin.appendingPathComponent("init.lua"), atomically: true, encoding: .utf8)
    let file = plugin.appendingPathComponent("tests/sleeper_test.lua")
    try """
    return {
      { name = "a date", case = { reason = "later" }, hooks = { "nightly" }, expect_wake = "2026-02-01" },
      { name = "the earlier of two calls", case = { reason = "later" }, hooks = { "nightly", "escalate" },
        expect_wake = "2026-02-01" },
      { name = "on change", case = { reason = "change" }, hooks = { "nightly" }, expect_wake = "change" },
      { name = "today is the next night", case = { reason = "past" }, hooks = { "nightly" },
        expect_wake = "next night" },
      { name = "a decision", case = { reason = "decides" }, hooks = { "nightly" }, expect_wake = "next night" },
      { name = "nothing declared", case = { reason = "x" }, hooks = { "nightly" }, expect_wake = "next night" },
      { name = "a wrong expectation", case = { reason = "later" }, hooks = { "nightly" },
        expect_wake = "2026-01-31" },
      { name = "not a form", case = { reason = "later" }, hooks = { "nightly" }, expect_wake = "tomorrow" },
    }
    """.write(to: file, atomically: true, encoding: .utf8)
    let results = PolicyTests.run(file: file, searchPaths: [(root, "plugins")])
    #expect(results.count == 8)
    #expect(results.prefix(6).allSatisfy { $0.failure == nil }, "\(results.map(\.failure))")
    #expect(
      results[6].failure
        == "the night would next visit the case: expected 2026-01-31, the hooks said 2026-02-01")
    #expect(results[7].failure?.contains("sleeper_test.lua:12:") == true, "\(results[7].failure ?? "")")
    #expect(results[7].failure?.contains("expect_wake must be a date") == true)
  }
}
