import Foundation
import LitigeCore
import LitigeStore
import LuaHost
import Testing

@testable import LitigePolicies

private let reference = Date(timeIntervalSince1970: 1_790_000_000)
private let repositoryPlugins = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("plugins")

/// A workspace folder with a litige.toml and plugins written by the test.
private struct Sandbox {
  let folder = FileManager.default.temporaryDirectory.appendingPathComponent("litige-plugins-\(UUID())")

  func write(_ path: String, _ text: String) throws {
    let url = folder.appendingPathComponent(path)
    try FileManager.default.createDirectory(
      at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try text.write(to: url, atomically: true, encoding: .utf8)
  }

  func host(store: Store? = nil, bundled: URL? = nil, timeout: Duration = .seconds(20)) throws -> PluginHost {
    try PluginHost(
      store: try store ?? Store.inMemory(), now: reference,
      configuration: try WorkspaceConfiguration.load(folder: folder, bundled: bundled),
      limits: .init(timeout: timeout))
  }

  /// A store with a few generated cases, for hooks to run on.
  func store(cases: Int) throws -> Store {
    let store = try Store.inMemory()
    let data = DemoData.generate(
      seed: 1, reference: reference, customerCount: 3, invoiceCount: 5, caseCount: cases)
    try store.insert(
      customers: data.customers, invoices: data.invoices, cases: data.cases,
      provenance: Provenance(source: "t", hook: "t", runId: "t"))
    return store
  }

  func problem(bundled: URL? = nil) -> String? {
    do {
      _ = try host(bundled: bundled)
      return nil
    } catch {
      return "\(error)"
    }
  }
}

private let goodPlugin = """
  return {
    name = "acme", version = "1.2.0", priority = 5,
    config = { cap = { type = "amount", default = 50, min = 0, max = 500 }, mode = { type = "string", default = "soft", one_of = {"soft", "strict"} } },
    triage = function(case, ctx) case:tag("acme_" .. ctx.config.mode, "cap " .. ctx.config.cap) end,
  }
  """

@Suite("Plugin loading and configuration")
struct PluginHostTests {
  @Test func aValidPluginLoadsWithDefaultsAndSettings() throws {
    let sandbox = Sandbox()
    try sandbox.write("company/acme/init.lua", goodPlugin)
    try sandbox.write(
      "litige.toml", "[workspace]\nplugin_paths = [\"company\"]\n\n[plugins.acme]\nmode = \"strict\"\n")
    let host = try sandbox.host()
    let plugin = try #require(host.plugins.first)
    #expect(plugin.provenanceName == "acme@1.2.0")
    #expect(plugin.config["mode"] == "strict")
    #expect(plugin.config["cap"] == .number(50))
    #expect(plugin.hookNames == ["triage"])
  }

  @Test(arguments: [
    ("[plugins.acmee]\n", "litige.toml:1: unknown plugin 'acmee'"),
    ("[plugins.acme]\ncap = \"lots\"\n", "litige.toml:2: [plugins.acme] cap: expected an amount, got string"),
    ("[plugins.acme]\ncap = 900\n", "litige.toml:2: [plugins.acme] cap: 900.0 is above the maximum 500.0"),
    ("[plugins.acme]\nmode = \"wild\"\n", "'wild' is not one of soft, strict"),
    (
      "[plugins.acme]\ncolour = 1\n",
      "litige.toml:2: [plugins.acme] has no setting 'colour' (known: cap, mode)"
    ),
    ("[plugins.acme]\nenabled = \"yes\"\n", "enabled: expected true or false"),
    ("[plugin.acme]\n", "litige.toml:1: unknown table [plugin.acme]"),
    ("[plugins.acme]\ncap = \n", "litige.toml:2: cap: missing value"),
  ])
  func badConfigurationIsRefusedWithFileLineAndKey(toml: String, expected: String) throws {
    let sandbox = Sandbox()
    try sandbox.write("company/acme/init.lua", goodPlugin)
    try sandbox.write("litige.toml", "[workspace]\nplugin_paths = [\"company\"]\n" + toml)
    let problem = sandbox.problem()
    // The two header lines shift every line number by two.
    let shifted = expected.replacingOccurrences(of: "litige.toml:1:", with: "litige.toml:3:")
      .replacingOccurrences(of: "litige.toml:2:", with: "litige.toml:4:")
    #expect(problem?.contains(shifted) == true, "\(problem ?? "accepted")")
  }

  @Test(arguments: [
    ("return { name = 'acme', priority = 1 }", "company/acme/init.lua: missing version"),
    ("return { name = 'acme', version = 'one' }", "version 'one' is not a version number"),
    ("return { name = 'acme', version = '1.0', triag = function() end }", "unknown hook 'triag'"),
    ("return { name = 'other', version = '1.0' }", "name 'other' does not match its folder 'acme'"),
    ("return { name = 'acme', version = '1.0', priority = 'high' }", "priority must be an integer"),
    (
      "return { name = 'acme', version = '1.0', config = { n = { type = 'int' } } }",
      "config.n: type must be one of"
    ),
    (
      "return { name = 'acme', version = '1.0', config = { n = { type = 'integer', default = 'x' } } }",
      "config.n.default: expected an integer"
    ),
    (
      "return { name = 'acme', version = '1.0', config = { n = { type = 'number', default = 0/0 } } }",
      "config.n.default: expected a finite number"
    ),
    (
      "return { name = 'acme', version = '1.0', config = { n = { type = 'amount', default = 1e300 } } }",
      "beyond the largest amount"
    ),
    (
      "return { name = 'acme', version = '1.0', config = { n = { type = 'list', default = {'a', x = {}} } } }",
      "config.n.default: expected a list of strings"
    ),
    (
      "return { name = 'acme', version = '1.0', config = { n = { type = 'integer', defualt = 3 } } }",
      "config.n: unknown key 'defualt'"
    ),
    (
      "return { name = 'acme', version = '1.0', config = { n = { type = 'integer', min = math.huge } } }",
      "config.n.min: expected a finite number"
    ),
    (
      "return { name = 'acme', version = '1.0', config = { n = { type = 'string', one_of = {1, 2} } } }",
      "config.n.one_of: expected a list of strings"
    ),
    ("return { name = 'acme', version = '1.0.0-' .. string.rep('a', 100) }", "at most 64 characters"),
    ("return { name = 'escalation@evil', version = '1.0' }", "is not a plugin name"),
    ("return 42", "company/acme/init.lua: must return a table, got number"),
    ("return {", "company/acme/init.lua:1:"),
  ])
  func badPluginsAreRefusedBeforeAnyHookRuns(source: String, expected: String) throws {
    let sandbox = Sandbox()
    try sandbox.write("company/acme/init.lua", source)
    try sandbox.write("litige.toml", "[workspace]\nplugin_paths = [\"company\"]\n[plugins.acme]\n")
    let problem = sandbox.problem()
    #expect(problem?.contains(expected) == true, "\(problem ?? "accepted")")
  }

  @Test func twoPluginsWithOneNameAreRefused() throws {
    let sandbox = Sandbox()
    try sandbox.write("company/triage/init.lua", "return { name = 'triage', version = '9.0' }")
    try sandbox.write("litige.toml", "[workspace]\nplugin_paths = [\"company\"]\n[plugins.triage]\n")
    let problem = sandbox.problem(bundled: repositoryPlugins)
    #expect(problem?.contains("two plugins are named 'triage'") == true, "\(problem ?? "accepted")")
  }

  @Test("one folder named twice, as plugin_paths and as the bundled folder, is searched once")
  func oneFolderNamedTwice() throws {
    let sandbox = Sandbox()
    try sandbox.write(
      "plugins/acme/init.lua", "return { name = 'acme', version = '1.0', nightly = function() end }")
    try sandbox.write(
      "litige.toml", "[workspace]\nplugin_paths = [\"plugins\", \"./plugins/\"]\n[plugins.acme]\n")
    #expect(sandbox.problem(bundled: sandbox.folder.appendingPathComponent("plugins")) == nil)
    let configuration = try WorkspaceConfiguration.load(
      folder: sandbox.folder, bundled: sandbox.folder.appendingPathComponent("plugins"))
    #expect(configuration.pluginPaths.count == 1)
  }

  @Test func onePluginsGlobalsNeverReachAnother() throws {
    let sandbox = Sandbox()
    try sandbox.write(
      "p/writer/init.lua",
      "counter = 41\nreturn { name = 'writer', version = '1.0', priority = 2, triage = function(c) counter = counter + 1; string.secret = 1 end }"
    )
    try sandbox.write(
      "p/reader/init.lua",
      "return { name = 'reader', version = '1.0', priority = 1, triage = function(c) c:tag(counter == nil and 'isolated' or 'leaked') end }"
    )
    try sandbox.write(
      "litige.toml", "[workspace]\nplugin_paths = [\"p\"]\n[plugins.writer]\n[plugins.reader]\n")
    let store = try sandbox.store(cases: 1)
    let outcomes = try sandbox.host(store: store).run(hook: "triage", caseId: 1, runId: "r")
    #expect(outcomes[0].failure?.contains("read-only table 'string'") == true)
    #expect(outcomes[1].failure == nil)
    #expect(try store.disputeCase(id: 1)?.tags == ["isolated"])
  }

  @Test("what a hook returns is not read: a cycle or a huge table returned changes nothing of its call")
  func aHooksReturnValueIsNotRead() throws {
    let sandbox = Sandbox()
    try sandbox.write(
      "p/odd/init.lua",
      """
      return { name = 'odd', version = '1.0', priority = 2, triage = function(c)
        c:tag('cycle')
        local cycle = {}; cycle.self = cycle
        local huge = {}; for i = 1, 100001 do huge[i] = i end
        return cycle, huge, setmetatable({}, { __index = function() error('read') end })
      end }
      """)
    try sandbox.write(
      "p/next/init.lua",
      "return { name = 'next', version = '1.0', priority = 1, triage = function(c) c:tag('after') return c end }"
    )
    try sandbox.write("litige.toml", "[workspace]\nplugin_paths = [\"p\"]\n[plugins.odd]\n[plugins.next]\n")
    let store = try sandbox.store(cases: 1)
    let before = try #require(try store.disputeCase(id: 1)).tags
    let outcomes = try sandbox.host(store: store).run(hook: "triage", caseId: 1, runId: "r")
    #expect(outcomes.map(\.failure) == [nil, nil])
    let after = try #require(try store.disputeCase(id: 1)).tags
    #expect(Set(after) == Set(before + ["cycle", "after"]), "\(before) -> \(after)")
  }

  @Test func loadingAPluginDoesNotRunItsHooks() throws {
    let sandbox = Sandbox()
    try sandbox.write(
      "p/acme/init.lua", "return { name = 'acme', version = '1.0', triage = function() error('ran') end }")
    try sandbox.write("litige.toml", "[workspace]\nplugin_paths = [\"p\"]\n[plugins.acme]\n")
    #expect(try sandbox.host().plugins.count == 1)
  }

  @Test func hooksRunByPriorityAndAFailingCallAppliesNothing() throws {
    let sandbox = Sandbox()
    try sandbox.write(
      "p/first/init.lua",
      "return { name = 'first', version = '1.0', priority = 10, triage = function(c) c:tag('first') end }")
    try sandbox.write(
      "p/broken/init.lua",
      "return { name = 'broken', version = '1.0', priority = 5, triage = function(c) c:tag('broken') error('bug') end }"
    )
    try sandbox.write(
      "p/last/init.lua",
      "return { name = 'last', version = '2.0', priority = 1, triage = function(c) c:tag('last') end }")
    try sandbox.write(
      "litige.toml",
      "[workspace]\nplugin_paths = [\"p\"]\n[plugins.last]\n[plugins.broken]\n[plugins.first]\n")
    let store = try sandbox.store(cases: 2)
    let host = try sandbox.host(store: store)
    #expect(host.plugins.map(\.name) == ["first", "broken", "last"])
    let outcomes = host.run(hook: "triage", caseId: 1, runId: "r1")
    #expect(outcomes.map(\.plugin) == ["first@1.0", "broken@1.0", "last@2.0"])
    #expect(outcomes[1].failure?.contains("p/broken/init.lua:1: bug") == true)
    #expect(try store.disputeCase(id: 1)?.tags == ["first", "last"])
    #expect(try store.events(ofCase: 1).suffix(2).map(\.provenance.source) == ["first@1.0", "last@2.0"])
  }

  /// A plugin's error quoting its case's customer, a message with a line break, or another case's
  /// customer it read is masked; the error's place (file and line) is kept whole even when the
  /// customer's name is a word of it.
  @Test func personalDataInAnErrorIsMaskedButItsPlaceIsKept() throws {
    let sandbox = Sandbox()
    try sandbox.write(
      "p/init/init.lua",
      """
      return { name = 'init', version = '1.0', triage = function(c)
        local other = litige.case(2)
        error(c.customer.name .. ' / ' .. c.communications[1].summary:upper() .. ' / ' .. other.customer.email)
      end }
      """)
    try sandbox.write("litige.toml", "[workspace]\nplugin_paths = [\"p\"]\n[plugins.init]\n")
    let store = try Store.inMemory()
    let euros = Money(minorUnits: 10_000, currency: .euro)
    try store.insert(
      customers: [
        Customer(id: "C1", name: "init", kind: .company),
        Customer(id: "C2", name: "Zoé Lefèvre", kind: .person, email: "zoe@lefevre.example"),
      ],
      invoices: [],
      cases: [
        DisputeCase(
          id: 1, customerId: "C1", openedAt: reference, channel: .email, category: nil, reason: "prix",
          disputed: euros, invoiceNumbers: []),
        DisputeCase(
          id: 2, customerId: "C2", openedAt: reference, channel: .email, category: nil, reason: "délai",
          disputed: euros, invoiceNumbers: []),
      ], provenance: Provenance(source: "t", hook: "t", runId: "t"))
    try store.record(
      Communication(
        caseId: 1, at: reference, direction: .incoming, channel: .email, author: "Mme Init",
        summary: "Bonjour,\nje conteste\tla facture"),
      provenance: Provenance(source: "t", hook: "t", runId: "t"))
    let host = try sandbox.host(store: store)
    let failure = try #require(host.run(hook: "triage", caseId: 1, runId: "r1").first?.failure)
    #expect(
      failure.hasSuffix("/p/init/init.lua:3: ‹customer name› / ‹message text› / ‹customer e-mail›"),
      "\(failure)")
    host.showsPersonalData = true
    let shown = try #require(host.run(hook: "triage", caseId: 1, runId: "r2").first?.failure)
    #expect(shown.hasSuffix("init / BONJOUR,\nJE CONTESTE\tLA FACTURE / zoe@lefevre.example"), "\(shown)")
  }

  /// `ctx` is made cheaply (a fresh table reading shared fields through its metatable): each call still
  /// gets its own, with the call's run id, and what a hook stores there never reaches the next call.
  @Test func eachCallGetsItsOwnCtxWithTheCallsFields() throws {
    let sandbox = Sandbox()
    // The hook reports what it saw as its error message.
    try sandbox.write(
      "p/seer/init.lua",
      """
      return { name = 'seer', version = '1.4', config = { cap = { type = 'integer', default = 7 } },
        triage = function(c, ctx)
          local seen = {}
          for key, value in pairs(ctx) do
            seen[#seen + 1] = key .. '=' .. (key == 'config' and type(value) or tostring(value))
          end
          table.sort(seen)
          local report = (ctx.stored == nil and 'fresh' or 'stale') .. ' ' .. ctx.run_id .. ' ' .. ctx.hook
            .. ' ' .. ctx.plugin .. ' ' .. ctx.version .. ' ' .. ctx.config.cap .. ' ' .. math.type(ctx.now)
            .. ' ' .. tostring(getmetatable(ctx)) .. ' | ' .. table.concat(seen, ' ')
          local ok = pcall(function() ctx.config.cap = 1 end)
          ctx.stored = true
          ctx.run_id = 'changed by the hook'
          ctx.config = 'replaced'
          error(report .. ' | ' .. tostring(ok) .. ' ' .. tostring(ctx.stored) .. ' ' .. ctx.config, 0)
        end }
      """)
    try sandbox.write("litige.toml", "[workspace]\nplugin_paths = [\"p\"]\n[plugins.seer]\n")
    let store = try sandbox.store(cases: 2)
    let host = try sandbox.host(store: store)
    let now = Int64(reference.timeIntervalSince1970)
    for (caseId, runId) in [(Int64(1), "r1"), (1, "r1"), (2, "r2")] {
      let outcome = try #require(host.run(hook: "triage", caseId: caseId, runId: runId).first)
      #expect(
        outcome.failure
          == "fresh \(runId) triage seer 1.4 7 integer ctx | config=table hook=triage now=\(now) plugin=seer "
          + "run_id=\(runId) version=1.4 | false true replaced")
    }
  }
}

@Suite("Standard policy: triage")
struct TriagePolicyTests {
  private func triage(reason: String, channel: Channel, vip: Bool = false, disputed: Int64 = 300) throws
    -> DisputeCase
  {
    let sandbox = Sandbox()
    try sandbox.write("litige.toml", "[plugins.triage]\n")
    let store = try Store.inMemory()
    let euros = { (amount: Int64) in Money(minorUnits: amount * 100, currency: .euro) }
    let issued = try LocalDate(parsing: "2026-09-01")
    try store.insert(
      customers: [Customer(id: "C1", name: "Hôtel du Lac", kind: .company, vip: vip)],
      invoices: [
        Invoice(
          number: "F-1", customerId: "C1", issuedOn: issued, dueOn: issued.adding(days: 30),
          total: euros(disputed), paid: euros(0))
      ],
      cases: [
        DisputeCase(
          id: 1, customerId: "C1", openedAt: reference, channel: channel, reason: reason,
          disputed: euros(disputed), invoiceNumbers: ["F-1"])
      ],
      provenance: Provenance(source: "t", hook: "t", runId: "t"))
    let host = try sandbox.host(store: store, bundled: repositoryPlugins)
    let outcomes = host.run(hook: "triage", caseId: 1, runId: "r")
    #expect(outcomes.allSatisfy { $0.failure == nil }, "\(outcomes.compactMap(\.failure))")
    // Running the same triage again changes nothing.
    #expect(host.run(hook: "triage", caseId: 1, runId: "r2").allSatisfy { $0.events.isEmpty })
    return try #require(try store.disputeCase(id: 1))
  }

  @Test(arguments: [
    ("Le prix facturé ne correspond pas au devis", DisputeCategory.price, Department.sales),
    ("Facturé deux fois pour la même livraison", .doubleBilling, .accounting),
    ("Two items missing and one broken", .missingOrDefective, .logistics),
    ("Livraison avec trois semaines de retard", .dates, .operations),
    ("Numéro de bon de commande absent", .administrative, .administration),
  ])
  func categoryAndOwnerComeFromTheCustomersWords(reason: String, category: DisputeCategory, owner: Department)
    throws
  {
    let triaged = try triage(reason: reason, channel: .email)
    #expect(triaged.category == category)
    #expect(triaged.owner == owner)
    #expect(triaged.priority == 3)
    // The category's maximum resolution delay: 15 days for what is checked fast, 21 otherwise here.
    let days: Double = category == .doubleBilling || category == .administrative ? 15 : 21
    #expect(triaged.deadline == reference.addingTimeInterval(days * 86_400))
  }

  @Test func publicComplaintsAreUrgent() throws {
    let triaged = try triage(reason: "Avis négatif: produit de mauvaise qualité", channel: .social)
    #expect(triaged.priority == 1)
    #expect(triaged.tags.contains("public_complaint"))
    #expect(triaged.deadline == reference.addingTimeInterval(7 * 86_400))
  }

  @Test func vipAndLargeAmountsRaiseThePriority() throws {
    #expect(try triage(reason: "prix", channel: .email, vip: true).priority == 2)
    #expect(try triage(reason: "prix", channel: .email, disputed: 8_000).priority == 2)
    let both = try triage(reason: "prix", channel: .email, vip: true, disputed: 8_000)
    #expect(both.priority == 1 && both.tags == ["vip"])
  }

  @Test func anUnknownCategoryGoesToOperations() throws {
    let triaged = try triage(reason: "Je ne suis pas content", channel: .phone)
    #expect(triaged.category == nil)
    #expect(triaged.owner == .operations)
  }
}

@Suite("Case histories in a night")
struct NightHistoryTests {
  /// In batch mode a case's history is built once per chunk and extended as calls settle events: a
  /// later plugin, or a later hook of the same plugin, reads every event the earlier calls settled, with
  /// its data, and never one a failed or probing call made.
  @Test func aLaterCallReadsTheEventsEarlierCallsSettled() throws {
    let sandbox = Sandbox()
    try sandbox.write(
      "litige.toml", "[workspace]\nplugin_paths = [\"p\"]\n[plugins.writer]\n[plugins.reader]\n")
    // The writer tags the case with the hook's name and one of its own runs; the reader reports the
    // tags it finds in the history, in order, as its error message.
    try sandbox.write(
      "p/writer/init.lua",
      """
      local count = 0
      local function write(c, ctx)
        count = count + 1
        c:tag(ctx.hook .. '-' .. count)
        if ctx.hook == 'escalate' then error('refused after tagging') end
      end
      return { name = 'writer', version = '1.0', priority = 10, nightly = write, compensate = write,
        escalate = write }
      """)
    try sandbox.write(
      "p/reader/init.lua",
      """
      local function read(c, ctx)
        local tags = {}
        for _, event in ipairs(c.history) do
          if event.kind == 'tag' then tags[#tags + 1] = event.data.tag end
        end
        error(ctx.hook .. ': ' .. table.concat(tags, ' '), 0)
      end
      return { name = 'reader', version = '1.0', priority = 1, nightly = read, compensate = read,
        escalate = read }
      """)
    let store = try sandbox.store(cases: 1)
    let host = try sandbox.host(store: store)
    let id = try #require(try store.caseIds(matching: CaseFilter()).first)
    let session = host.runtime.session
    session.load(try store.nightSnapshot(of: id...id))
    func readerSaw(_ hook: String, probing: Bool = false) -> String? {
      host.run(hook: hook, caseId: id, runId: "t", probing: probing).last?.failure
    }
    #expect(readerSaw("compensate") == "compensate: compensate-1")
    #expect(readerSaw("nightly") == "nightly: compensate-1 nightly-2")
    // A failed call settles nothing, and a probe's decisions are dropped.
    #expect(readerSaw("escalate") == "escalate: compensate-1 nightly-2")
    #expect(readerSaw("nightly", probing: true) == "nightly: compensate-1 nightly-2")
    #expect(readerSaw("compensate") == "compensate: compensate-1 nightly-2 compensate-5")
    _ = session.finishChunk()
  }
}

@Suite("Suspending a failing plugin")
struct SuspensionTests {
  /// A limit as large as an integer goes means "never": the counts are compared without overflowing.
  @Test(arguments: [1, Int.max / 3 + 1, Int.max])
  func anyLimitIsCountedWithoutOverflow(limit: Int) throws {
    let sandbox = Sandbox()
    try sandbox.write("litige.toml", "[workspace]\nplugin_paths = [\"p\"]\n[plugins.broken]\n")
    try sandbox.write(
      "p/broken/init.lua",
      "return { name = 'broken', version = '1.0', nightly = function() error('bug') end }\n")
    let host = try sandbox.host(store: try sandbox.store(cases: 1), timeout: .milliseconds(100))
    host.suspendAfter = limit
    for _ in 0..<12 { _ = host.run(hook: "nightly", caseId: 1, runId: "t") }
    // Ten times the limit of ordinary errors in a row suspend it: only the smallest limit is reached.
    #expect((host.suspended["broken"] != nil) == (limit == 1))
  }
}

@Suite("The night's probes")
struct ProbeTests {
  @Test("a plugin whose probe calls run out of time is no longer probed, and never suspended for it")
  func probesThatTimeOutStop() throws {
    let sandbox = Sandbox()
    try sandbox.write("litige.toml", "[workspace]\nplugin_paths = [\"p\"]\n[plugins.loop]\n")
    try sandbox.write(
      "p/loop/init.lua",
      "return { name = \"loop\", version = \"1.0\", nightly = function(c, ctx) while true do end end }\n")
    let store = try sandbox.store(cases: 1)
    let host = try sandbox.host(store: store, timeout: .milliseconds(50))
    host.suspendAfter = 3
    let id = try #require(try store.caseIds(matching: CaseFilter()).first)
    host.runtime.session.load(try store.nightSnapshot(of: id...id))
    var failures: [String] = []
    for _ in 0..<6 {
      for outcome in host.run(hook: "nightly", caseId: id, runId: "t", probing: true) {
        failures.append(outcome.failure ?? "")
      }
    }
    #expect(failures.count == 6)
    #expect(failures.prefix(3).allSatisfy { $0.contains("time limit") }, "\(failures)")
    #expect(failures.dropFirst(3).allSatisfy { $0.hasPrefix("not probed: loop@1.0") }, "\(failures)")
    #expect(host.probeResourceFailures["loop"] == 3)
    #expect(host.suspended.isEmpty)
    _ = host.runtime.session.finishChunk()
  }
}
