import Foundation
import LitigeCore
import LitigeStore
import LuaHost

/// The result of one policy test.
public struct PolicyTestResult: Sendable {
  /// The test file, as shown to users.
  public var file: String
  /// The test's name.
  public var name: String
  /// Why it failed (a diff of decisions, an error); nil when it passed.
  public var failure: String?
}

/// Runs policy tests: `plugins/NAME/tests/*.lua` files that return a list of tests.
///
/// ```lua
/// return {
///   {
///     name = "a public complaint is urgent",
///     case = { reason = "Avis négatif", channel = "social", disputed = 300 },  -- also gestures = {...}
///     customer = { vip = false },            -- optional: kind, vip, language, segment
///     invoices = { { total = 300 } },        -- optional: number, total, paid, issued_on, due_on
///     communications = { { direction = "out", channel = "email", age_days = 1 } },
///     message = { direction = "in", channel = "email", summary = "..." },  -- for on_communication
///     upcoming = { number = "F-9", total = 500, due_on = "2026-01-20" },   -- for before_due
///     history = { { kind = "resolve", age_days = 8, data = { outcome = "accepted" } } },
///     promise = { amount = 500, due_on = "2026-01-10", paid_since = 200 },  -- paid since it was made
///     config = { large_amount = 1000 },      -- settings of the plugin under test
///     hooks = { "triage" },                  -- run in this order (default: triage)
///     expect = { { "tag", "public_complaint" }, { "prioritize", 1 } },
///     expect_wake = "2026-01-22",            -- optional: when the night would next visit the case
///                                            -- ("YYYY-MM-DD", "change" or "next night")
///     check = function(case) assert(case.priority == 1) end,   -- optional, after the hooks
///     -- or: expect_error = "court needs a formal notice",      -- a hook must fail with this
///   },
/// }
/// ```
/// Each test gets a throwaway store and a fresh Lua state; `expect` lists every decision applied, in
/// order, as `{kind, value}` (a test that expects nothing says `expect = {}`).
public enum PolicyTests {
  /// The number of a test's `upcoming` invoice unless it says one.
  static let upcomingNumber = "F-UPCOMING"

  /// The time tests run at unless they say `now`: 2026-01-15 10:00 in Paris.
  public static let defaultNow = Date(timeIntervalSince1970: 1_768_467_600)

  /// Finds the test files below `folder`: `*/tests/*.lua` of each plugin, or `tests/*.lua` of one plugin.
  public static func files(in folder: URL) -> [URL] {
    let manager = FileManager.default
    var plugins: [URL] = []
    if manager.fileExists(atPath: folder.appendingPathComponent("init.lua").path) {
      plugins = [folder]
    } else {
      plugins = ((try? manager.contentsOfDirectory(atPath: folder.path)) ?? []).sorted().map {
        folder.appendingPathComponent($0)
      }
    }
    return plugins.flatMap { plugin -> [URL] in
      let tests = plugin.appendingPathComponent("tests")
      return ((try? manager.contentsOfDirectory(atPath: tests.path)) ?? []).filter { $0.hasSuffix(".lua") }
        .sorted().map {
          tests.appendingPathComponent($0)
        }
    }
  }

  /// Runs every test of `file` (in `plugins/NAME/tests/`), with `searchPaths` to find the plugins.
  public static func run(file: URL, searchPaths: [(url: URL, display: String)]) -> [PolicyTestResult] {
    let display = WorkspaceConfiguration.relativeDisplay(file)
    let plugin = file.deletingLastPathComponent().deletingLastPathComponent().lastPathComponent
    guard
      let source = FileManager.default.contents(atPath: file.path).map({ [UInt8]($0) })  // bytes, as lua5.4
    else {
      return [PolicyTestResult(file: display, name: "(file)", failure: "cannot read \(display)")]
    }
    // A first pass reads the list of tests as data.
    let specs: [LuaValue]
    do {
      let state = try LuaState(limits: .init(memoryBytes: 64 << 20, timeout: .seconds(5)))
      let environment = try state.makeEnvironment(
        moduleRoot: file.deletingLastPathComponent(), displayRoot: display)
      let value = try state.run(bytes: source, chunkName: display, environment: environment).first ?? .nil
      specs = value.sequence
      guard case .table = value, !specs.isEmpty else {
        return [
          PolicyTestResult(file: display, name: "(file)", failure: "\(display): must return a list of tests")
        ]
      }
    } catch {
      return [PolicyTestResult(file: display, name: "(file)", failure: "\(error)")]
    }
    let text = String(decoding: source, as: UTF8.self)
    return specs.enumerated().map { offset, spec in
      let name = spec["name"].stringValue ?? "test \(offset + 1)"
      if let mistake = mistake(
        in: spec, index: offset + 1, text: text, display: display, searchPaths: searchPaths)
      {
        return PolicyTestResult(file: display, name: name, failure: mistake)
      }
      do {
        let failure = try runOne(
          index: offset + 1, spec: spec, source: source, file: file, display: display, plugin: plugin,
          searchPaths: searchPaths)
        return PolicyTestResult(file: display, name: name, failure: failure)
      } catch {
        return PolicyTestResult(file: display, name: name, failure: "\(error)")
      }
    }
  }

  /// The keys a test may have, and those of its tables.
  static let testKeys = [
    "name", "case", "customer", "invoices", "communications", "message", "upcoming", "history", "promise",
    "config", "company", "plugins", "hooks", "now", "expect", "expect_error", "expect_wake", "check",
  ]
  static let tableKeys: [String: [String]] = [
    "case": [
      "id", "reason", "channel", "category", "status", "outcome", "escalation", "owner", "priority", "tags",
      "disputed", "age_days", "opened_at", "gestures",
    ],
    "customer": ["id", "name", "kind", "vip", "language", "segment"],
    "invoices": ["number", "total", "paid", "issued_on", "due_on"],
    "upcoming": ["number", "total", "paid", "issued_on", "due_on"],
    "communications": ["direction", "channel", "age_days", "author", "summary"],
    "message": ["direction", "channel", "author", "summary"],
    "history": ["kind", "age_days", "data", "reason", "source"],
    "promise": ["amount", "due_on", "paid_since"],
    "company": ["name", "legal_form", "siren", "address", "penalties_on_disputed", "approvers"],
    "gestures": ["kind", "amount", "state", "needs_approval", "approved_by"],
  ]
  /// What `expect_wake` may say.
  static let expectWakeForms =
    "expect_wake must be a date \"YYYY-MM-DD\" (not before that night), \"change\" (only when the case "
    + "changes) or \"next night\" (the hooks declared nothing, decided, or gave a day not after today)"

  /// The normalized `expect_wake` of a test; throws when it is none of `expectWakeForms`.
  static func expectedWake(_ value: LuaValue) throws -> String {
    guard let text = value.stringValue else { throw ConfigError(expectWakeForms) }
    if text == "change" || text == "next night" { return text }
    return try LocalDate(parsing: text, field: "expect_wake").description
  }

  /// How a test shows a combined declaration (see `expectWakeForms`).
  static func wakeText(_ wake: Wake?) -> String {
    switch wake?.byDay {
    case nil: return "next night"
    case .onChange?: return "change"
    case .on(let day)?: return day.description
    case .at(_, let day)?: return day.description
    }
  }

  /// Keys whose values are numbers.
  static let numberKeys: Set<String> = [
    "total", "paid", "disputed", "amount", "age_days", "priority", "paid_since", "id",
  ]
  /// The tables that are lists of entries.
  static let listKeys: Set<String> = ["invoices", "communications", "history", "gestures"]

  /// The first mistake of test `index`, as `file:line: test N: ...` with the closest known name, or nil.
  ///
  /// A misspelt key would otherwise be ignored and the test pass on defaults; a test with nothing to
  /// check would pass whatever the policy does.
  static func mistake(
    in spec: LuaValue, index: Int, text: String, display: String, searchPaths: [(url: URL, display: String)]
  ) -> String? {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    let name = spec["name"].stringValue
    // The test's line: where its name is written, else the file's start.
    let start = name.flatMap { name in lines.firstIndex { $0.contains("\"\(name)\"") } } ?? 0
    func line(of key: String) -> Int {
      let pattern = try? Regex("(^|[^A-Za-z0-9_])\(key)[ \t]*=")
      for number in start..<lines.count where pattern.map({ lines[number].contains($0) }) ?? false {
        return number + 1
      }
      return start + 1
    }
    func fail(_ key: String, _ message: String) -> String {
      "\(display):\(line(of: key)): test \(index)\(name.map { " (\($0))" } ?? ""): \(message)"
    }
    guard case .table(let fields) = spec else {
      return "\(display): test \(index) is a \(spec.typeName), not a table { name = ..., expect = ... }"
    }
    for key in fields.keys.compactMap(\.stringValue).sorted() where !testKeys.contains(key) {
      return fail(key, "unknown key '\(key)'\(Suggestion.phrase(for: key, among: testKeys))")
    }
    if spec["expect_wake"] != .nil, (try? expectedWake(spec["expect_wake"])) == nil {
      return fail("expect_wake", expectWakeForms)
    }
    func check(_ value: LuaValue, keys: [String], in table: String) -> String? {
      guard case .table(let entries) = value else {
        return fail(table, "'\(table)' must be a table, not a \(value.typeName)")
      }
      for (key, inner) in entries {
        guard let key = key.stringValue else { continue }
        guard keys.contains(key) else {
          return fail(key, "unknown key '\(key)' in \(table)\(Suggestion.phrase(for: key, among: keys))")
        }
        if numberKeys.contains(key), inner.doubleValue == nil, !(table == "customer" && key == "id") {
          return fail(
            key, "\(table).\(key) must be a number, not \(inner.typeName) '\(inner.stringValue ?? "")'")
        }
        let flags: Set<String> = ["vip", "needs_approval"]
        if flags.contains(key), inner.typeName != "boolean" {
          return fail(key, "\(table).\(key) must be true or false, not \(inner.typeName)")
        }
        if key == "priority", !(inner.integerValue.map { (1...5).contains($0) } ?? false) {
          return fail(key, "\(table).priority must be a whole number from 1 to 5")
        }
        if key == "tags", inner.typeName != "table" {
          return fail(key, "\(table).tags must be a list of tags { \"vip\", ... }")
        }
        // Vocabulary values, with the closest known one.
        let vocabularies: [String: [String]] = [
          "category": DisputeCategory.allCases.map(\.rawValue), "status": CaseStatus.allCases.map(\.rawValue),
          "channel": Channel.allCases.map(\.rawValue), "escalation": EscalationLevel.allCases.map(\.rawValue),
          "owner": Department.allCases.map(\.rawValue), "outcome": ResolutionOutcome.allCases.map(\.rawValue),
          "direction": Direction.allCases.map(\.rawValue),
        ]
        if let allowed = vocabularies[key], let value = inner.stringValue, !allowed.contains(value) {
          return fail(
            key,
            "\(table).\(key) '\(value)' is not one of \(allowed.joined(separator: ", "))"
              + Suggestion.phrase(for: value, among: allowed))
        }
        if table == "case", key == "gestures" {
          for gesture in inner.sequence {
            if let problem = check(gesture, keys: tableKeys["gestures"] ?? [], in: "gestures") {
              return problem
            }
          }
        }
      }
      return nil
    }
    for (table, keys) in tableKeys where table != "gestures" && fields[.string(table)] != nil {
      let value = spec[table]
      let entries = listKeys.contains(table) ? value.sequence : [value]
      if listKeys.contains(table), case .table = value {
      } else if listKeys.contains(table) {
        return fail(table, "'\(table)' must be a list of tables")
      }
      for entry in entries {
        if let problem = check(entry, keys: keys, in: table) { return problem }
      }
    }
    if spec["hooks"] != .nil, spec["hooks"].typeName != "table" {
      return fail("hooks", "hooks must be a list: hooks = { \"triage\" }")
    }
    if spec["expect"] != .nil {
      guard spec["expect"].typeName == "table", spec["expect"].sequence.allSatisfy({ $0.typeName == "table" })
      else {
        return fail(
          "expect",
          "expect is a list of decisions, each a list { kind, value }: expect = { { \"tag\", \"vip\" } }")
      }
    }
    if let now = spec["now"].stringValue, (try? Timestamp.parse(now, field: "now")) == nil {
      return fail(
        "now", "now '\(now)' is not an instant: ISO 8601 with an offset, such as 2026-01-15T10:00:00+01:00")
    }
    for hook in spec["hooks"].sequence {
      guard let hook = hook.stringValue, PluginHost.hookNames.contains(hook) else {
        let written = hook.stringValue ?? hook.typeName
        return fail(
          "hooks",
          "unknown hook '\(written)'\(Suggestion.phrase(for: written, among: PluginHost.hookNames)) (hooks: \(PluginHost.hookNames.joined(separator: ", ")))"
        )
      }
    }
    let available = searchPaths.flatMap { path in
      ((try? FileManager.default.contentsOfDirectory(atPath: path.url.path)) ?? []).filter {
        FileManager.default.fileExists(atPath: path.url.appendingPathComponent("\($0)/init.lua").path)
      }
    }
    for plugin in spec["plugins"].sequence {
      guard let plugin = plugin.stringValue, available.contains(plugin) else {
        let written = plugin.stringValue ?? plugin.typeName
        return fail(
          "plugins", "unknown plugin '\(written)'\(Suggestion.phrase(for: written, among: available))")
      }
    }
    if spec["expect"] == .nil, spec["expect_error"] == .nil, spec["check"] == .nil,
      spec["expect_wake"] == .nil
    {
      return fail(
        "name",
        "the test checks nothing: give expect = { ... } (expect = {} for no decision), expect_error, expect_wake or check"
      )
    }
    return nil
  }

  /// The company a test runs for: `company = { name =, legal_form =, siren =, address =,
  /// penalties_on_disputed = "waive"|"accrue", approvers = { claire = 5000 } }`, over the defaults.
  static func companySettings(_ spec: LuaValue) throws -> CompanySettings {
    var settings = CompanySettings()
    guard case .table = spec else { return settings }
    settings.profile.name = spec["name"].stringValue ?? settings.profile.name
    settings.profile.legalForm = spec["legal_form"].stringValue ?? settings.profile.legalForm
    settings.profile.siren = spec["siren"].stringValue ?? settings.profile.siren
    settings.profile.address = spec["address"].stringValue ?? settings.profile.address
    if let mode = spec["penalties_on_disputed"].stringValue {
      settings.penaltiesOnDisputed = try DisputedPenalties.parse(mode, field: "company.penalties_on_disputed")
    }
    if case .table(let approvers) = spec["approvers"] {
      for (name, limit) in approvers {
        guard let name = name.stringValue, let major = limit.doubleValue else { continue }
        settings.approvers[name] = try Money(
          major: major, currency: settings.currency, field: "company.approvers")
      }
    }
    return settings
  }

  private static func runOne(
    index: Int, spec: LuaValue, source: [UInt8], file: URL, display: String, plugin: String,
    searchPaths: [(url: URL, display: String)]
  ) throws -> String? {
    let now = try spec["now"].stringValue.map { try Timestamp.parse($0, field: "now") } ?? defaultNow
    let store = try Store.inMemory(settings: try companySettings(spec["company"]))
    let caseId = try TestCaseBuilder(store: store, now: now, spec: spec).build()
    let plugins = spec["plugins"] == .nil ? [plugin] : spec["plugins"].sequence.compactMap(\.stringValue)
    var enabled: [WorkspaceConfiguration.Enabled] = []
    for name in plugins {
      var settings: [String: ConfigValue] = [:]
      if name == plugin, case .table(let config) = spec["config"] {
        for (key, value) in config {
          guard let key = key.stringValue, let setting = configValue(value) else {
            throw ConfigError("\(display): test \(index): config values must be strings, numbers or booleans")
          }
          settings[key] = setting
        }
      }
      enabled.append(.init(name: name, line: 0, settings: settings))
    }
    let host = try PluginHost(
      store: store, now: now,
      configuration: WorkspaceConfiguration(file: display, pluginPaths: searchPaths, enabled: enabled),
      limits: .init(memoryBytes: 64 << 20, timeout: .seconds(5)), shadowing: true)
    // A test's customers are the test's own fixtures: its expected errors may quote them.
    host.showsPersonalData = true
    let runtime = host.runtime
    let hooks = spec["hooks"] == .nil ? ["triage"] : spec["hooks"].sequence.compactMap(\.stringValue)
    var subject: LuaValue?
    if case .table = spec["message"] {
      let message = spec["message"]
      let communication = Communication(
        caseId: caseId, at: now,
        direction: try Direction.parse(message["direction"].stringValue ?? "in", field: "message.direction"),
        channel: try Channel.parse(message["channel"].stringValue ?? "email", field: "message.channel"),
        author: message["author"].stringValue ?? "client", summary: message["summary"].stringValue ?? "")
      try store.record(communication, provenance: Provenance(source: "test", hook: "message", runId: "test"))
      subject = .table([
        "at": .integer(Int64(now.timeIntervalSince1970)),
        "direction": .string(communication.direction.rawValue),
        "channel": .string(communication.channel.rawValue), "author": .string(communication.author),
        "summary": .string(communication.summary),
      ])
    }
    if case .table = spec["upcoming"] {
      subject = try runtime.invoiceSubject(
        number: spec["upcoming"]["number"].stringValue ?? PolicyTests.upcomingNumber)
    }
    var actual: [String] = []
    var wake: Wake? = .onChange
    for hook in hooks {
      let argument = hook == "on_communication" || hook == "before_due" ? subject : nil
      for outcome in host.run(hook: hook, caseId: caseId, runId: "test", subject: argument) {
        wake = Wake.combining(wake, with: outcome)
        if let failure = outcome.failure {
          guard let expected = spec["expect_error"].stringValue else {
            return "\(outcome.plugin) \(hook) failed: \(failure)"
          }
          return failure.contains(expected)
            ? nil : "expected an error containing '\(expected)', got: \(failure)"
        }
        // Status changes are the lifecycle's consequences, not the policy's decisions.
        actual += outcome.events.filter { $0.kind != "status" }.map(describe)
      }
    }
    if let expected = spec["expect_error"].stringValue {
      return "expected an error containing '\(expected)', but every hook succeeded"
    }
    if spec["expect"] != .nil {
      let expected = spec["expect"].sequence.map { entry in
        entry.sequence.map { value -> String in
          switch value {
          case .string(let text): return text
          case .integer(let number): return String(number)
          case .number(let number): return String(number)
          case .boolean(let flag): return String(flag)
          default: return value.typeName
          }
        }.joined(separator: " ")
      }
      if expected != actual { return diff(expected: expected, actual: actual) }
    }
    if spec["expect_wake"] != .nil {
      // As the night keeps it: a date not after today means the next night.
      let shown = wakeText(Wake.kept(wake, after: LocalDate(now, in: store.settings.timeZone)))
      let expected = try expectedWake(spec["expect_wake"])
      if shown != expected {
        return "the night would next visit the case: expected \(expected), the hooks said \(shown)"
      }
    }
    if spec["check"] != .nil {
      // A test's check may require the plugin's own modules (`require("classify")`) and its data
      // (`require("tests.data.set")`): the module root is the plugin's folder.
      let pluginFolder = file.deletingLastPathComponent().deletingLastPathComponent()
      let environment = try runtime.state.makeEnvironment(
        moduleRoot: pluginFolder, displayRoot: WorkspaceConfiguration.relativeDisplay(pluginFolder))
      let (_, tests) = try runtime.state.runKeepingResult(
        bytes: source, chunkName: display, environment: environment)
      defer { runtime.state.release(tests) }
      guard let test = runtime.state.reference(at: .integer(Int64(index)), in: tests),
        let check = runtime.state.function(named: "check", in: test)
      else { return "\(display): test \(index): check must be a function" }
      defer {
        runtime.state.release(check)
        runtime.state.release(test)
      }
      runtime.session.rollback()
      try runtime.state.call(check, argumentCount: 1) { try runtime.pushCase(id: caseId, on: $0) }
    }
    return nil
  }

  private static func configValue(_ value: LuaValue) -> ConfigValue? {
    switch value {
    case .string(let text): return ConfigValue(kind: .string(text), line: 0)
    case .integer(let number): return ConfigValue(kind: .integer(number), line: 0)
    case .number(let number): return ConfigValue(kind: .float(number), line: 0)
    case .boolean(let flag): return ConfigValue(kind: .boolean(flag), line: 0)
    case .table:
      let elements = value.sequence.compactMap(configValue)
      return ConfigValue(kind: .array(elements), line: 0)
    default: return nil
    }
  }

  /// A decision as tests name it: `kind value` (`tag vip`, `prioritize 1`, `propose_gesture voucher 20.00`).
  static func describe(_ event: JournalEvent) -> String {
    let data = event.event.fields
    let keys: [String: [String]] = [
      "categorize": ["category"], "prioritize": ["priority"], "assign": ["owner"], "tag": ["tag"],
      "set_deadline": ["deadline"], "propose_gesture": ["kind", "amount"], "escalate": ["level"],
      "accept_gesture": ["id"], "refuse_gesture": ["id"], "approve_gesture": ["id"],
      "grant_gesture": ["kind", "amount"],
      "amicable_attempt": ["attempt"], "status": ["to"],
      "send": ["template"], "follow_up": ["due_on"], "resolve": ["outcome"], "judge_promise": ["status"],
    ]
    let values = (keys[event.kind] ?? []).compactMap { data[$0] }
    return ([event.kind] + values).joined(separator: " ")
  }

  /// Expected and actual decisions side by side: `-` expected but not made, `+` made but not expected.
  static func diff(expected: [String], actual: [String]) -> String {
    var lines = ["decisions differ (- expected, + actual):"]
    var remaining = actual
    for line in expected {
      if let found = remaining.firstIndex(of: line) {
        for extra in remaining[..<found] { lines.append("  + \(extra)") }
        lines.append("    \(line)")
        remaining.removeSubrange(...found)
      } else {
        lines.append("  - \(line)")
      }
    }
    lines += remaining.map { "  + \($0)" }
    return lines.joined(separator: "\n")
  }
}

/// Builds the customer, invoices, case and communications a policy test describes, in a store.
struct TestCaseBuilder {
  let store: Store
  let now: Date
  let spec: LuaValue

  func build() throws -> Int64 {
    let currency = store.settings.currency
    let zone = store.settings.timeZone
    let customerSpec = spec["customer"]
    let customer = Customer(
      id: customerSpec["id"].stringValue ?? "C1", name: customerSpec["name"].stringValue ?? "Client Test",
      kind: try CustomerKind.parse(customerSpec["kind"].stringValue ?? "company", field: "customer.kind"),
      segment: customerSpec["segment"].stringValue ?? "",
      language: customerSpec["language"].stringValue ?? "fr",
      vip: customerSpec["vip"].isTruthy)
    let caseSpec = spec["case"]
    let age = caseSpec["age_days"].integerValue ?? 0
    let opened =
      try caseSpec["opened_at"].stringValue.map { try Timestamp.parse($0, field: "case.opened_at") }
      ?? now.addingTimeInterval(-Double(age) * 86_400 - 3_600)
    let today = LocalDate(opened, in: zone)
    var invoices: [Invoice] = []
    for (offset, entry) in spec["invoices"].sequence.enumerated() {
      let total = try Money(
        major: entry["total"].doubleValue ?? 100, currency: currency, field: "invoices.total")
      let issued =
        try entry["issued_on"].stringValue.map { try LocalDate(parsing: $0) } ?? today.adding(days: -20)
      invoices.append(
        Invoice(
          number: entry["number"].stringValue ?? "F-TEST-\(offset + 1)", customerId: customer.id,
          issuedOn: issued,
          dueOn: try entry["due_on"].stringValue.map { try LocalDate(parsing: $0) }
            ?? issued.adding(days: 30),
          total: total,
          paid: try Money(major: entry["paid"].doubleValue ?? 0, currency: currency, field: "invoices.paid")))
    }
    let disputed =
      try caseSpec["disputed"].doubleValue.map {
        try Money(major: $0, currency: currency, field: "case.disputed")
      }
      ?? invoices.reduce(Money.zero(currency)) { total, invoice in
        guard let sum = total.adding(invoice.outstanding) else {
          throw DomainError.invalid(field: "invoices", "their amounts add up beyond the largest amount")
        }
        return sum
      }
    var disputeCase = DisputeCase(
      id: caseSpec["id"].integerValue ?? 1, customerId: customer.id, openedAt: opened,
      channel: try Channel.parse(caseSpec["channel"].stringValue ?? "email", field: "case.channel"),
      category: try caseSpec["category"].stringValue.map {
        try DisputeCategory.parse($0, field: "case.category")
      },
      reason: caseSpec["reason"].stringValue ?? "", disputed: disputed,
      invoiceNumbers: invoices.map(\.number),
      status: try CaseStatus.parse(caseSpec["status"].stringValue ?? "open", field: "case.status"))
    disputeCase.escalation = try EscalationLevel.parse(
      caseSpec["escalation"].stringValue ?? "amicable", field: "case.escalation")
    disputeCase.owner = try caseSpec["owner"].stringValue.map {
      try Department.parse($0, field: "case.owner")
    }
    disputeCase.priority = Int(caseSpec["priority"].integerValue ?? 3)
    disputeCase.tags = caseSpec["tags"].sequence.compactMap(\.stringValue).sorted()
    // Gestures already on the case: `{ kind =, amount =, state =, needs_approval =, approved_by = }`.
    disputeCase.gestures = try caseSpec["gestures"].sequence.enumerated().map { offset, entry in
      Gesture(
        id: offset + 1,
        kind: try GestureKind.parse(entry["kind"].stringValue ?? "voucher", field: "case.gestures.kind"),
        amount: try Money(
          major: entry["amount"].doubleValue ?? 0, currency: currency, field: "case.gestures.amount"),
        state: try GestureState.parse(entry["state"].stringValue ?? "proposed", field: "case.gestures.state"),
        approvedBy: entry["approved_by"].stringValue, needsApproval: entry["needs_approval"].isTruthy)
    }
    disputeCase.outcome = try caseSpec["outcome"].stringValue.map {
      try ResolutionOutcome.parse($0, field: "case.outcome")
    }
    let communications = try spec["communications"].sequence.map { entry in
      Communication(
        caseId: disputeCase.id,
        at: now.addingTimeInterval(-Double(entry["age_days"].integerValue ?? 0) * 86_400),
        direction: try Direction.parse(
          entry["direction"].stringValue ?? "in", field: "communications.direction"),
        channel: try Channel.parse(entry["channel"].stringValue ?? "email", field: "communications.channel"),
        author: entry["author"].stringValue ?? "test", summary: entry["summary"].stringValue ?? "")
    }
    // Earlier decisions: { kind = "resolve", age_days = 8, data = { outcome = "accepted", ... } }.
    let events = try spec["history"].sequence.map { entry -> JournalEvent in
      guard let kind = entry["kind"].stringValue else {
        throw DomainError.invalid(field: "history.kind", "each history entry needs a kind")
      }
      var data: [String: String] = [:]
      if case .table(let fields) = entry["data"] {
        for (key, value) in fields {
          guard let key = key.stringValue else { continue }
          data[key] =
            value.stringValue ?? value.integerValue.map(String.init) ?? value.doubleValue.map { "\($0)" }
        }
      }
      let event: CaseEvent
      do {
        event = try CaseEvent(kind: kind, fields: data, currency: currency)
      } catch let error as DomainError {
        throw DomainError.invalid(field: "history", "\(error)")
      }
      return JournalEvent(
        caseId: disputeCase.id,
        at: now.addingTimeInterval(-Double(entry["age_days"].integerValue ?? 0) * 86_400),
        event: event, reason: entry["reason"].stringValue ?? "earlier decision",
        provenance: Provenance(source: entry["source"].stringValue ?? "test", hook: "history", runId: "test"))
    }
    try store.insert(
      customers: [customer], invoices: invoices, cases: [disputeCase], communications: communications,
      events: events, provenance: Provenance(source: "test", hook: "setup", runId: "test"))
    if case .table = spec["upcoming"] {
      // Another invoice of the customer, in no dispute: the subject of `before_due`.
      let entry = spec["upcoming"]
      let issued =
        try entry["issued_on"].stringValue.map { try LocalDate(parsing: $0) } ?? today.adding(days: -20)
      try store.insert(
        invoices: [
          Invoice(
            number: entry["number"].stringValue ?? PolicyTests.upcomingNumber, customerId: customer.id,
            issuedOn: issued,
            dueOn: try entry["due_on"].stringValue.map { try LocalDate(parsing: $0) }
              ?? issued.adding(days: 30),
            total: try Money(
              major: entry["total"].doubleValue ?? 100, currency: currency, field: "upcoming.total"),
            paid: try Money(major: entry["paid"].doubleValue ?? 0, currency: currency, field: "upcoming.paid")
          )
        ], provenance: Provenance(source: "test", hook: "setup", runId: "test"))
    }
    if case .table = spec["promise"] {
      let promise = spec["promise"]
      let paidTotal = try invoices.reduce(Money.zero(currency)) { total, invoice in
        guard let sum = total.adding(invoice.paid) else {
          throw DomainError.invalid(field: "invoices", "their amounts add up beyond the largest amount")
        }
        return sum
      }
      let paidSince = try Money(
        major: promise["paid_since"].doubleValue ?? 0, currency: currency, field: "promise.paid_since")
      try store.insertPromise(
        caseId: disputeCase.id,
        amount: try Money(
          major: promise["amount"].doubleValue ?? 0, currency: currency, field: "promise.amount"),
        dueOn: try LocalDate(parsing: promise["due_on"].stringValue ?? "", field: "promise.due_on"),
        paidAtPromise: paidTotal - paidSince)
    }
    return disputeCase.id
  }
}
