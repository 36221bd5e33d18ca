import Foundation
import LitigeCore
import LitigePolicies
import Synchronization
import Testing

@testable import LitigeBatch
@testable import LitigeStore

private let night = Date(timeIntervalSince1970: 1_790_000_000)

/// The test workspaces' folders, removed when the test process ends (not when a workspace value goes
/// out of use: a runner made from it may still be reading its plugins).
private enum LeftoverFolders {
  static let folders = Mutex<[URL]>([])
  private static let removeAtExit: Void = {
    atexit {
      for folder in LeftoverFolders.folders.withLock({ $0 }) {
        try? FileManager.default.removeItem(at: folder)
      }
    }
  }()

  /// Notes `folder` for removal at exit; returns it.
  static func add(_ folder: URL) -> URL {
    removeAtExit
    folders.withLock { $0.append(folder) }
    return folder
  }
}

/// A workspace with generated cases and one test plugin, `night`, whose nightly hook tags each case once
/// and fails on the cases its `fail_every` setting names.
///
/// Its folder is removed when the tests end.
private struct Workspace {
  let folder = LeftoverFolders.add(
    FileManager.default.temporaryDirectory.appendingPathComponent("litige-batch-\(UUID())"))
  let store: Store

  init(cases: Int = 60, failEvery: Int = 0, plugin: String? = nil) throws {
    try FileManager.default.createDirectory(
      at: folder.appendingPathComponent("p/night"), withIntermediateDirectories: true)
    try
      (plugin
        ?? """
        return {
          name = "night", version = "1.0",
          config = { fail_every = { type = "integer", default = 0 } },
          nightly = function(c, ctx)
            c:tag("night_seen", "visited by the nightly run")
            if ctx.config.fail_every > 0 and c.id % ctx.config.fail_every == 0 then error("policy bug on purpose") end
          end,
        }
        """).write(to: folder.appendingPathComponent("p/night/init.lua"), atomically: true, encoding: .utf8)
    try "[workspace]\nplugin_paths = [\"p\"]\n[plugins.night]\nfail_every = \(failEvery)\n"
      .write(to: folder.appendingPathComponent("litige.toml"), atomically: true, encoding: .utf8)
    store = try Store.open(path: folder.appendingPathComponent("w.sqlite").path)
    let data = DemoData.generate(
      seed: 3, reference: night, customerCount: 10, invoiceCount: cases * 2, caseCount: cases)
    try store.insert(
      customers: data.customers, invoices: data.invoices, cases: data.cases,
      communications: data.communications,
      provenance: Provenance(source: "test", hook: "setup", runId: "setup"))
  }

  /// The source of a plugin `night` whose nightly hook `(c, ctx)` runs `body`.
  static func plugin(nightly body: String) -> String {
    """
    return {
      name = "night", version = "1.0",
      config = { fail_every = { type = "integer", default = 0 } },
      nightly = function(c, ctx)
    \(body)
      end,
    }
    """
  }

  func runner(_ change: (inout BatchOptions) -> Void = { _ in }) throws -> BatchRunner {
    var options = BatchOptions()
    options.asOf = night
    options.chunkSize = 7
    options.jobs = 2
    options.hooks = ["nightly"]
    change(&options)
    return BatchRunner(
      store: store, configuration: try WorkspaceConfiguration.load(folder: folder, bundled: nil),
      options: options)
  }

  /// Runs the night `day` days after `night` with the night's hooks (so with the wake-up index).
  func runNight(_ day: Int) throws -> BatchReport {
    try runner {
      $0.asOf = night.addingTimeInterval(Double(day) * 86_400)
      $0.hooks = BatchOptions.nightHooks
    }.run()
  }

  func taggedEvents() throws -> [Int64: Int] {
    var counts: [Int64: Int] = [:]
    for id in try store.caseIds(matching: CaseFilter()) {
      counts[id] = try store.events(ofCase: id).filter {
        $0.kind == "tag" && $0.payload.contains("night_seen")
      }.count
    }
    return counts
  }

  func visitedCases() throws -> Set<Int64> {
    Set(try store.cases(matching: CaseFilter()).filter { $0.status != .closed }.map(\.id))
  }
}

@Suite("Nightly runner")
struct BatchRunnerTests {
  @Test func everyCaseIsVisitedOnceAndASecondNightChangesNothing() throws {
    let workspace = try Workspace()
    let first = try workspace.runner().run()
    let expected = try workspace.visitedCases()
    #expect(first.cases == expected.count)
    #expect(first.status == "completed")
    #expect(first.decisionsByKind["tag"] == expected.count)
    #expect(first.decisionsByPlugin["night@1.0"] == expected.count)
    let second = try workspace.runner().run()
    #expect(second.decisionsByKind.isEmpty)
    #expect(try workspace.taggedEvents().filter { $0.value > 1 }.isEmpty)
  }

  @Test("a case decided on sleeps until its policies' date when, asked again, they want nothing more")
  func aDecidedCaseIsProbedOnItsNewState() throws {
    // Three steps a night apart at most: `first` on every case, then `second` on even ids, then
    // `third` on multiples of 4, each a reaction to the step before; otherwise ten days of quiet.
    let workspace = try Workspace(
      cases: 40,
      plugin: Workspace.plugin(
        nightly: """
          litige.wake_on(litige.add_days(litige.today(), 10))
          if not c:has_tag("first") then return c:tag("first") end
          if c.id % 2 == 0 and not c:has_tag("second") then return c:tag("second") end
          if c.id % 4 == 0 and not c:has_tag("third") then return c:tag("third") end
          """))
    let open = try workspace.visitedCases()
    func wakes() throws -> [Int64: Int] {
      Dictionary(uniqueKeysWithValues: try open.map { ($0, try workspace.store.wakeOn(caseId: $0) ?? -1) })
    }
    // The first night visits every case (no index yet) and does not probe: all are due the next.
    #expect(try workspace.runNight(0).cases == open.count)
    #expect(try wakes().values.allSatisfy { $0 == 0 })
    // The second: every case; even ids decide `second`. Asked again, multiples of 4 would decide
    // `third`: due tomorrow. The others declared ten days on the decided state: asleep.
    #expect(try workspace.runNight(1).cases == open.count)
    let second = try wakes()
    let reacting = Set(open.filter { $0 % 4 == 0 })
    #expect(Set(second.filter { $0.value == 0 }.keys) == reacting)
    let zone = workspace.store.settings.timeZone
    let tenDaysOn = NightIndex.caseKey(
      LocalDate(night.addingTimeInterval(86_400), in: zone).adding(days: 10).start(in: zone))
    #expect(second.filter { $0.value != 0 }.values.allSatisfy { $0 == tenDaysOn }, "\(second)")
    // The third visits only those, which decide `third` and then sleep.
    #expect(try workspace.runNight(2).cases == reacting.count)
    #expect(try wakes().values.allSatisfy { $0 != 0 })
    #expect(try workspace.runNight(3).cases == 0)
    for id in open {
      let tags = try workspace.store.disputeCase(id: id)?.tags ?? []
      #expect(tags.contains("first") && tags.contains("second") == (id % 2 == 0))
      #expect(tags.contains("third") == (id % 4 == 0))
    }
  }

  @Test("a case declared for an instant is not visited by a night of that day run before it")
  func anInstantLaterInTheDayWaitsForTheFirstNightAfterIt() throws {
    // Every case ripens at one instant, four hours after the time of day the nights run at, the day
    // after the first night: a policy counting days from an event's time does so.
    let ripe = Int(night.timeIntervalSince1970) + 86_400 + 4 * 3_600
    let workspace = try Workspace(
      cases: 30,
      plugin: Workspace.plugin(
        nightly: """
          if ctx.now < \(ripe) then return litige.wake_on(\(ripe)) end
          litige.wake_on_change()
          if not c:has_tag("ripe") then c:tag("ripe") end
          """))
    let open = try workspace.visitedCases()
    #expect(try workspace.runNight(0).cases == open.count)
    let zone = workspace.store.settings.timeZone
    let instant = Date(timeIntervalSince1970: Double(ripe))
    #expect(
      LocalDate(instant, in: zone) == LocalDate(night.addingTimeInterval(86_400), in: zone),
      "the instant is on the second night's day")
    for id in open { #expect(try workspace.store.wakeOn(caseId: id) == NightIndex.caseKey(instant)) }
    // The night of that day, run before the instant: nothing is due (a date would have woken all).
    let early = try workspace.runNight(1)
    #expect(early.cases == 0 && early.decisionsByKind.isEmpty, "\(early.cases) visited")
    // A minute before it, still nothing; at the instant, every case, and each ripens.
    let before = try workspace.runner {
      $0.asOf = instant.addingTimeInterval(-60)
      $0.hooks = BatchOptions.nightHooks
    }.run()
    #expect(before.cases == 0)
    let at = try workspace.runner {
      $0.asOf = instant
      $0.hooks = BatchOptions.nightHooks
    }.run()
    #expect(at.cases == open.count && at.decisionsByKind["tag"] == open.count, "\(at.decisionsByKind)")
    for id in open { #expect(try workspace.store.wakeOn(caseId: id) == NightIndex.caseOnChange) }
  }

  @Test("a call that read another case is due the next night whatever it declared, and sees that case change")
  func aCallReadingAnotherCaseIsDueEveryNight() throws {
    // Every case follows case 1: once a person makes it urgent, the others are tagged. The plugin
    // declares `wake_on_change()`, but what it read of case 1 is not its own case's to wake it.
    let workspace = try Workspace(
      cases: 20,
      plugin: Workspace.plugin(
        nightly: """
          litige.wake_on_change()
          local leader = litige.case(1)
          if c.id ~= 1 and leader.priority == 1 and not c:has_tag("follows") then c:tag("follows") end
          """))
    let open = try workspace.visitedCases()
    let leaderPriority = try workspace.store.disputeCase(id: 1)?.priority
    #expect(open.contains(1) && leaderPriority != nil && leaderPriority != 1)
    #expect(try workspace.runNight(0).cases == open.count)
    // Case 1 read only itself: its declaration holds. Every other case read case 1: due.
    #expect(try workspace.store.wakeOn(caseId: 1) == NightIndex.caseOnChange)
    #expect(try workspace.runNight(1).cases == open.count - 1)
    _ = try workspace.store.apply(
      [ProposedDecision(caseId: 1, decision: .prioritize(1), reason: "urgent")], caseId: 1,
      provenance: Provenance(source: "user:claire", hook: "cli", runId: "cli"),
      at: night.addingTimeInterval(86_400 + 3_600))
    let followed = try workspace.runNight(2)
    #expect(followed.decisionsByKind["tag"] == open.count - 1, "\(followed.decisionsByKind)")
  }

  @Test("the calls after a case's last decision are not asked again, and what they declared holds")
  func callsAfterTheLastDecisionKeepTheirDates() throws {
    // `night` (priority 10) wants each case the next day, then tags it and wants it in ten days;
    // `later` (priority 1) runs after it, decides nothing and wants even cases in three days, odd ones
    // only on a change.
    let workspace = try Workspace(
      cases: 20,
      plugin: """
        return {
          name = "night", version = "1.0", priority = 10,
          config = { fail_every = { type = "integer", default = 0 } },
          nightly = function(c)
            if litige.today() == "2026-09-21" then return litige.wake_on(litige.add_days(litige.today(), 1)) end
            litige.wake_on(litige.add_days(litige.today(), 10))
            if not c:has_tag("seen") then c:tag("seen") end
          end,
        }
        """)
    let later = workspace.folder.appendingPathComponent("p/later")
    try FileManager.default.createDirectory(at: later, withIntermediateDirectories: true)
    try """
    return {
      name = "later", version = "1.0", priority = 1,
      nightly = function(c)
        if c.id % 2 == 0 then litige.wake_on(litige.add_days(litige.today(), 3)) else litige.wake_on_change() end
      end,
    }
    """.write(to: later.appendingPathComponent("init.lua"), atomically: true, encoding: .utf8)
    let toml = workspace.folder.appendingPathComponent("litige.toml")
    try (try String(contentsOf: toml, encoding: .utf8) + "[plugins.later]\n").write(
      to: toml, atomically: true, encoding: .utf8)
    let open = try workspace.visitedCases()
    let zone = workspace.store.settings.timeZone
    // The first night (full: no dates yet) decides nothing; the second, on the index, tags every
    // case and asks again: `night` wants it in ten days, and `later`, which ran after the tag, in three
    // days (even ids) or on a change (odd ids). The earliest holds.
    let first = try workspace.runNight(0)
    #expect(first.decisionsByKind.isEmpty && first.failures.isEmpty, "\(first.failures) \(first.status)")
    let second = try workspace.runNight(1)
    #expect(second.full == false)
    #expect(second.decisionsByKind["tag"] == open.count, "\(second.decisionsByKind)")
    let day = LocalDate(night.addingTimeInterval(86_400), in: zone)
    for id in open {
      let expected = NightIndex.caseKey(day.adding(days: id % 2 == 0 ? 3 : 10).start(in: zone))
      let stored = try workspace.store.wakeOn(caseId: id)
      #expect(stored == expected, "case \(id): \(String(describing: stored)), expected \(expected)")
    }
  }

  @Test("a few cases failing every night do not exceed the error budget of a night that visits few")
  func casesFailingEveryNightDoNotAbortTheIndexNights() throws {
    // Every third case is tagged once, then fails every night: due again each night, they are most of
    // what a night with the index visits; the others sleep for a month.
    let workspace = try Workspace(
      cases: 90,
      plugin: Workspace.plugin(
        nightly: """
          litige.wake_on(litige.add_days(litige.today(), 30))
          if c.id % 3 ~= 0 then return end
          if c:has_tag("flaky") then error("fails every night on purpose") end
          c:tag("flaky")
          """))
    let flaky = try workspace.visitedCases().filter { $0 % 3 == 0 }
    #expect(flaky.count >= 20)
    for day in 0..<4 {
      let report = try workspace.runNight(day)
      #expect(report.abortReason == nil, "night \(day): \(report.abortReason ?? "")")
      if day >= 1 { #expect(report.failedCases == flaky.count, "night \(day)") }
    }
  }

  /// A hook decides only on the case it was called for (DESIGN.md).
  ///
  /// A decision on another case, through `litige.case(id)` or a view kept from an earlier call, is an
  /// error naming the plugin and both cases, and nothing of that call is applied. Its history reads its
  /// own decisions at once.
  @Test func aHookDecidesOnlyOnItsOwnCase() throws {
    let workspace = try Workspace(
      cases: 12,
      plugin: """
        local kept
        return {
          name = "night", version = "1.0",
          config = { fail_every = { type = "integer", default = 0 } },
          nightly = function(c, ctx)
            local previous = kept
            kept = c
            local before = #c.history
            c:tag("night_seen", "visited by the nightly run")
            local after = c.history
            if #after ~= before + 1 or after[#after].kind ~= "tag" or after[#after].data.tag ~= "night_seen" then
              error("the history does not show the hook's own tag: " .. before .. " then " .. #after)
            end
            if c.id == 2 then litige.case(1):tag("from_2") end
            if c.id == 3 then previous:tag("from_3") end
          end,
        }
        """)
    let report = try workspace.runner { $0.jobs = 1 }.run()
    let failures = Dictionary(uniqueKeysWithValues: report.failures.map { ($0.caseId, $0.message) })
    #expect(Set(failures.keys) == [2, 3])
    #expect(failures[2]?.contains("night@1.0 nightly on case 2 cannot decide on case 1 (c:tag)") == true)
    #expect(failures[3]?.contains("night@1.0 nightly on case 3 cannot decide on case 2 (c:tag)") == true)
    #expect(failures[3]?.contains("p/night/init.lua:15:") == true, "\(failures[3] ?? "")")
    let tags = try workspace.store.cases(matching: CaseFilter()).flatMap(\.tags)
    #expect(!tags.contains("from_2") && !tags.contains("from_3"))
    let tagged = try workspace.taggedEvents()
    #expect(tagged[1] == 1 && tagged[2] == 0 && tagged[3] == 0 && tagged[4] == 1)
  }

  @Test func aFailingCaseAppliesNothingAndTheNightGoesOn() throws {
    let workspace = try Workspace(failEvery: 5)
    let report = try workspace.runner().run()
    let visited = try workspace.visitedCases()
    let failing = visited.filter { $0 % 5 == 0 }
    #expect(report.status == "failed")
    #expect(report.failedCases == failing.count)
    #expect(Set(report.failures.map(\.caseId)) == failing)
    #expect(report.failures.allSatisfy { $0.message.contains("p/night/init.lua:6: policy bug on purpose") })
    let tagged = try workspace.taggedEvents()
    for id in visited { #expect(tagged[id] == (failing.contains(id) ? 0 : 1), "case \(id)") }
  }

  @Test func aBrokenDeployExhaustsTheErrorBudgetAndAbortsCleanly() throws {
    let workspace = try Workspace(cases: 80, failEvery: 1)
    let report = try workspace.runner { $0.jobs = 1 }.run()
    #expect(report.status == "aborted")
    #expect(report.abortReason?.contains("error budget exceeded") == true)
    #expect(report.cases < 80)
    #expect(try workspace.store.unfinishedRun()?.id == report.runId)
  }

  @Test func aDryRunReportsEverythingAndWritesNothing() throws {
    let workspace = try Workspace()
    let before = try workspace.store.counts()
    let report = try workspace.runner { $0.dryRun = true }.run()
    #expect(report.dryRun)
    #expect(report.decisionsByKind["tag"] == report.cases)
    #expect(try workspace.store.counts() == before)
  }

  /// A night stopped, its plugin's settings changed, then resumed, visits every open case again.
  ///
  /// The chunks done before ran under the old settings, so the resumed night visits every open case
  /// under the new ones (issue 14: a plugin's change wakes every case for it), and only then is the
  /// index up to date. Resumed with
  /// --full but unchanged, it does not run its done chunks again, and does not call itself full.
  @Test func aNightResumedAfterItsSettingsChangedVisitsEveryOpenCaseAgain() throws {
    // Even cases are visited every night; odd ones sleep until they change. Each visit tags the setting.
    let workspace = try Workspace(
      cases: 60,
      plugin: Workspace.plugin(
        nightly: """
          c:tag("mode_" .. ctx.config.fail_every, "the setting")
          if c.id % 2 == 1 then litige.wake_on_change() end
          """))
    let store = workspace.store
    /// Night `day` (days after `night`) with the index, one worker and chunks of 4, stopped after two.
    func stoppedNight(_ day: Int) throws -> (report: BatchReport, unfinished: RunRecord) {
      let runner = try workspace.runner {
        $0.asOf = night.addingTimeInterval(Double(day) * 86_400)
        $0.hooks = BatchOptions.nightHooks
        $0.jobs = 1
        $0.chunkSize = 4
      }
      let report = try runner.run { progress in if progress.chunksDone == 2 { runner.requestStop() } }
      return (report, try #require(try store.unfinishedRun()))
    }
    func resume(_ unfinished: RunRecord, day: Int, full: Bool = false) throws -> BatchReport {
      try workspace.runner {
        $0.asOf = night.addingTimeInterval(Double(day) * 86_400)
        $0.hooks = BatchOptions.nightHooks
        $0.resume = unfinished
        $0.full = full
      }.run()
    }
    func setting(_ value: Int) throws {
      try "[workspace]\nplugin_paths = [\"p\"]\n[plugins.night]\nfail_every = \(value)\n"
        .write(to: workspace.folder.appendingPathComponent("litige.toml"), atomically: true, encoding: .utf8)
    }
    func openCases() throws -> [DisputeCase] {
      try store.cases(matching: CaseFilter()).filter { $0.status != .closed }
    }
    _ = try workspace.runNight(0)  // the first night: every case, and the index is up to date
    let (stopped, unfinished) = try stoppedNight(1)
    #expect(stopped.status == "aborted")
    try setting(7)
    let resumed = try resume(unfinished, day: 1)
    #expect(resumed.runId == stopped.runId)
    #expect(resumed.status == "completed")
    #expect(resumed.full == true)
    #expect(resumed.resumedChunks == 0)
    let open = try openCases()
    #expect(!open.isEmpty)
    for item in open { #expect(item.tags.contains("mode_7"), "case \(item.id): \(item.tags)") }
    // Its report counts every decision of the night, those of the chunks done before the stop too.
    func tagsDecided(by runId: String) throws -> Int {
      try store.caseIds(matching: CaseFilter()).reduce(0) { sum, id in
        sum + (try store.events(ofCase: id).filter { $0.kind == "tag" && $0.provenance.runId == runId }.count)
      }
    }
    #expect(resumed.decisionsByKind["tag"] == (try tagsDecided(by: resumed.runId)))
    // By owner too: the chunks of the first pass were forgotten, their decisions were not.
    #expect(
      resumed.decisionsByOwner.values.reduce(0, +) == resumed.decisionsByKind.values.reduce(0, +),
      "\(resumed.decisionsByOwner) against \(resumed.decisionsByKind)")
    #expect(resumed.cases == open.count)
    // The index's dates are the new settings' now: the next night is not full. It visits the cases
    // decided on tonight (a full night does not ask them again), and the night after, only the even ones.
    let next = try workspace.runNight(2)
    #expect(next.full == false)
    let after = try workspace.runNight(3)
    #expect(after.cases == open.filter { $0.id % 2 == 0 }.count)
    #expect(after.casesAsleep == open.filter { $0.id % 2 == 1 }.count)

    // Stopped again, resumed with --full and nothing changed: what was done is not run again, so the odd
    // cases of the chunks done before were not visited tonight, and the night is not counted as full.
    let again = try stoppedNight(4)
    let eventsBefore = try store.events(ofCase: 2).count
    let resumedFull = try resume(again.unfinished, day: 4, full: true)
    #expect(resumedFull.status == "completed")
    #expect(resumedFull.resumedChunks == 2)
    #expect(resumedFull.full == false)
    #expect(try store.events(ofCase: 2).count == eventsBefore, "case 2's chunk is not run twice")

    // A night stopped by an earlier release recorded nothing of how it visits: resumed after a change
    // of settings, it starts again too.
    let legacy = try stoppedNight(5)
    try store.database.write { db in
      try db.execute(sql: "DELETE FROM settings WHERE key = ?", arguments: [Store.nightVisitsKey])
    }
    try setting(9)
    let resumedLegacy = try resume(legacy.unfinished, day: 5)
    #expect(resumedLegacy.full == true && resumedLegacy.resumedChunks == 0)
    for item in try openCases() { #expect(item.tags.contains("mode_9"), "case \(item.id): \(item.tags)") }

    // Started again after its first chunks decided something: its report counts those decisions by
    // owner too (their chunks are forgotten, their decisions are not).
    try setting(11)
    let decided = try stoppedNight(6)
    #expect(decided.report.decisionsByKind["tag", default: 0] > 0)
    try setting(13)
    let restarted = try resume(decided.unfinished, day: 6)
    #expect(restarted.full == true && restarted.resumedChunks == 0)
    #expect(restarted.decisionsByKind["tag"] == (try tagsDecided(by: restarted.runId)))
    #expect(
      restarted.decisionsByOwner.values.reduce(0, +) == restarted.decisionsByKind.values.reduce(0, +),
      "\(restarted.decisionsByOwner) against \(restarted.decisionsByKind)")
  }

  /// A plugin's error quoting a huge value is kept cut in the report (and the run's row), not whole.
  @Test func aHugeErrorIsKeptCutInTheReport() throws {
    let plugin = """
      return {
        name = "night", version = "1.0",
        config = { fail_every = { type = "integer", default = 0 } },
        nightly = function(c, ctx) error("trop long : " .. string.rep("é", 50000) .. " : la fin") end,
      }
      """
    let workspace = try Workspace(cases: 10, plugin: plugin)
    let report = try workspace.runner { $0.jobs = 1 }.run()
    #expect(report.failures.count == 10)
    for failure in report.failures {
      #expect(failure.message.count < BatchReport.Failure.maxMessageLength + 60)
      #expect(failure.message.contains("trop long : éé"))
      #expect(failure.message.contains(" characters in all) … éé"), "\(failure.message.suffix(80))")
      #expect(failure.message.hasSuffix("éé : la fin"), "its end is kept: \(failure.message.suffix(80))")
    }
    let stored = try #require(try workspace.store.runs(limit: 1).first?.report)
    #expect(stored.utf8.count < 10 * 2 * BatchReport.Failure.maxMessageLength + 20_000)
  }

  /// A resumed night counts its earlier chunks' decisions by the owner each case had when the night
  /// decided (here, before the night assigned it), as the same night run at once does (schema v18).
  @Test func aResumedNightCountsDecisionsByTheOwnersTheNightSaw() throws {
    let plugin = """
      return {
        name = "night", version = "1.0",
        config = { fail_every = { type = "integer", default = 0 } },
        nightly = function(c, ctx)
          if c.owner == nil then c:assign("sales", "the night assigns") end
          c:tag("night_seen", "visited by the nightly run")
        end,
      }
      """
    let uninterrupted = try Workspace(plugin: plugin).runner { $0.jobs = 1 }.run()
    let workspace = try Workspace(plugin: plugin)
    let first = try workspace.runner { $0.jobs = 1 }
    let stopped = try first.run { progress in if progress.chunksDone == 3 { first.requestStop() } }
    #expect(stopped.status == "aborted")
    let unfinished = try #require(try workspace.store.unfinishedRun())
    let resumed = try workspace.runner { $0.resume = unfinished }.run()
    #expect(resumed.resumedChunks == 3)
    #expect((uninterrupted.decisionsByOwner["unassigned"] ?? 0) > 0, "the night assigned some cases")
    #expect(resumed.decisionsByOwner == uninterrupted.decisionsByOwner)
    #expect(resumed.decisionsByKind == uninterrupted.decisionsByKind)
  }

  @Test func aStoppedRunResumesWhereItStoppedWithEveryDecisionAppliedOnce() throws {
    let workspace = try Workspace()
    let first = try workspace.runner { $0.jobs = 1 }
    let stopped = try first.run { progress in if progress.chunksDone == 3 { first.requestStop() } }
    #expect(stopped.status == "aborted")
    let unfinished = try #require(try workspace.store.unfinishedRun())
    #expect(unfinished.id == stopped.runId)
    let resumed = try workspace.runner { $0.resume = unfinished }.run()
    #expect(resumed.runId == stopped.runId)
    #expect(resumed.resumedChunks == 3)
    let visited = try workspace.visitedCases()
    #expect(stopped.cases < visited.count)
    // The resumed night's report covers the whole night, the chunks done before the stop included.
    #expect(resumed.cases == visited.count)
    let tagged = try workspace.taggedEvents()
    #expect(resumed.decisionsByKind["tag"] == tagged.values.reduce(0, +))
    #expect(resumed.decisionsByKind["tag"] ?? 0 > stopped.decisionsByKind["tag"] ?? 0)
    for (id, count) in tagged {
      #expect(count == (visited.contains(id) ? 1 : 0), "case \(id)")
    }
  }

  @Test("a night writing most open cases sets the figures' indexes aside, and every night builds them again")
  func busyNightsSetTheFiguresIndexesAside() throws {
    // Every case is tagged on its first visit, then sleeps 1 to 20 nights (by its id): after the first
    // night, a few cases are due each night.
    let workspace = try Workspace(
      cases: 60,
      plugin: Workspace.plugin(
        nightly: """
          if #c.tags == 0 then c:tag("seen", "first visit") end
          litige.wake_on(litige.add_days(litige.today(), c.id % 20 + 1))
          """))
    let store = workspace.store
    func schema() throws -> [String] {
      try store.database.read { db in
        try String.fetchAll(
          db, sql: "SELECT name || ' ' || COALESCE(sql, '') FROM sqlite_master ORDER BY name")
      }
    }
    let before = try schema()
    // After each chunk: whether the indexes were set aside while the night wrote it.
    var nights: Set<Bool> = []
    for day in 0..<4 {
      let observed = Mutex<[Bool]>([])
      let runner = try workspace.runner {
        $0.asOf = night.addingTimeInterval(Double(day) * 86_400)
        $0.hooks = BatchOptions.nightHooks
      }
      let report = try runner.run { _ in
        observed.withLock { $0.append((try? store.figuresIndexesSetAside()) ?? false) }
      }
      let busy = report.cases * 10 >= report.cases + (report.casesAsleep ?? 0)
      let seen = observed.withLock { $0 }
      #expect(!seen.isEmpty)
      nights.insert(busy)
      #expect(
        seen.allSatisfy { $0 == busy }, "night \(day): \(report.cases) visited, \(report.casesAsleep) asleep")
      #expect(try schema() == before, "night \(day)")
      #expect(try !store.figuresIndexesSetAside())
    }
    #expect(nights == [true, false], "a busy night and a quiet one")
    // A run over a few ids visits every case of its range, but not most open cases.
    let few = Mutex<[Bool]>([])
    let ranged = try workspace.runner { $0.caseRange = 1...3 }
    _ = try ranged.run { _ in few.withLock { $0.append((try? store.figuresIndexesSetAside()) ?? false) } }
    #expect(few.withLock { $0 } == [false])
    // A night killed with its indexes set aside: a dry run beside still reports its figures, and the
    // next night builds them again.
    try store.setAsideFiguresIndexes()
    let dry = try workspace.runner { $0.dryRun = true }.run()
    #expect(dry.status == "completed" && dry.portfolio.openCases > 0)
    #expect(try store.figuresIndexesSetAside())
    _ = try workspace.runNight(4)
    #expect(try schema() == before)
    #expect(try !store.figuresIndexesSetAside())
  }
}

@Suite("Supervisor's status folders")
struct StatusFolderTests {
  @Test("a status folder left by a night killed outright is removed by the next; a live night's is kept")
  func foldersOfEndedNightsAreRemoved() throws {
    let ended = Process()
    ended.executableURL = URL(fileURLWithPath: "/bin/true")
    try ended.run()
    ended.waitUntilExit()
    let temporary = FileManager.default.temporaryDirectory
    let left = temporary.appendingPathComponent(
      "litige-batch-\(ended.processIdentifier)-\(UUID().uuidString.prefix(8))")
    let live = temporary.appendingPathComponent("litige-batch-\(getpid())-\(UUID().uuidString.prefix(8))")
    // Named otherwise (an older version's UUID folders): left alone, whatever it starts with.
    let other = temporary.appendingPathComponent("litige-batch-\(ended.processIdentifier)ABC-notanight")
    for folder in [left, live, other] {
      try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }
    BatchSupervisor.removeFoldersOfEndedNights()
    #expect(!FileManager.default.fileExists(atPath: left.path))
    #expect(FileManager.default.fileExists(atPath: live.path))
    #expect(FileManager.default.fileExists(atPath: other.path))
    for folder in [live, other] { try FileManager.default.removeItem(at: folder) }
  }
}

/// The night's invoice pass with the standard follow-up plugin (domain.md §5, relances préventives).
@Suite("Invoice pass")
struct InvoicePassTests {
  /// Tuesday 10 March 2026 at 2 in the morning, Paris time.
  let tuesday = Date(timeIntervalSince1970: 1_773_104_400)

  /// An empty workspace with the standard follow_up plugin enabled.
  func emptyWorkspace() throws -> (folder: URL, store: Store) {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("litige-due-\(UUID())")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let plugins = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("plugins")
    try "[workspace]\nplugin_paths = [\"\(plugins.path)\"]\n[plugins.follow_up]\n"
      .write(to: folder.appendingPathComponent("litige.toml"), atomically: true, encoding: .utf8)
    return (folder, try Store.open(path: folder.appendingPathComponent("w.sqlite").path))
  }

  func workspace() throws -> (folder: URL, store: Store) {
    let (folder, store) = try emptyWorkspace()
    let euros = { (major: Double) in try Money(major: major, currency: .euro, field: "test") }
    func invoice(_ number: String, _ customer: String, due: String, total: Double, paid: Double = 0) throws
      -> Invoice
    {
      Invoice(
        number: number, customerId: customer, issuedOn: try LocalDate(parsing: "2026-02-01"),
        dueOn: try LocalDate(parsing: due), total: try euros(total), paid: try euros(paid))
    }
    var closed = DisputeCase(
      id: 1, customerId: "C1", openedAt: tuesday.addingTimeInterval(-60 * 86_400), channel: .email,
      reason: "prix", disputed: try euros(100), invoiceNumbers: ["F-1"], status: .closed)
    closed.outcome = .accepted
    try store.insert(
      customers: [
        Customer(id: "C1", name: "Boulangerie Émile", kind: .company),
        Customer(id: "C2", name: "Jamais Fâché", kind: .company),
      ],
      invoices: [
        try invoice("F-1", "C1", due: "2026-01-31", total: 100),
        try invoice("F-2", "C1", due: "2026-03-13", total: 1_200),  // due in 3 days: reminded
        try invoice("F-3", "C1", due: "2026-03-13", total: 500, paid: 500),  // paid: nothing to remind
        try invoice("F-4", "C2", due: "2026-03-13", total: 800),  // no dispute history
        try invoice("F-5", "C1", due: "2026-04-30", total: 900),  // too far ahead
        try invoice("F-6", "C1", due: "2026-03-09", total: 700),  // already overdue: dunning's job
      ],
      cases: [closed], provenance: Provenance(source: "test", hook: "setup", runId: "setup"))
    return (folder, store)
  }

  /// The night `day` days after Tuesday's.
  func night(_ folder: URL, _ store: Store, day: Int = 0, dryRun: Bool = false, full: Bool = false) throws
    -> BatchReport
  {
    var options = BatchOptions()
    options.asOf = tuesday.addingTimeInterval(Double(day) * 86_400)
    options.jobs = 1
    options.dryRun = dryRun
    options.full = full
    return try BatchRunner(
      store: store, configuration: try WorkspaceConfiguration.load(folder: folder, bundled: nil),
      options: options
    ).run()
  }

  @Test("the pass's chunks keep each case's invoices together, in due-date order, whatever the size")
  func invoiceChunksKeepACaseTogether() throws {
    let (folder, store) = try workspace()
    // More invoices coming due for customer C1 (latest case 1), then a second customer with a case.
    let euros = { (major: Double) in try Money(major: major, currency: .euro, field: "test") }
    try store.insert(
      customers: [Customer(id: "C3", name: "Troisième", kind: .company)],
      invoices: try (7...12).map { index in
        Invoice(
          number: "F-\(index)", customerId: index % 2 == 0 ? "C1" : "C3",
          issuedOn: try LocalDate(parsing: "2026-02-01"),
          dueOn: try LocalDate(parsing: "2026-03-\(25 - index)"), total: try euros(100), paid: try euros(0))
      },
      cases: [
        DisputeCase(
          id: 3, customerId: "C3", openedAt: tuesday.addingTimeInterval(-86_400), channel: .email,
          reason: "prix", disputed: try euros(10), invoiceNumbers: ["F-11"])
      ], provenance: Provenance(source: "test", hook: "setup", runId: "setup"))
    for size in [1, 2, 3, 500] {
      var options = BatchOptions()
      options.asOf = tuesday
      let runner = BatchRunner(
        store: store, configuration: try WorkspaceConfiguration.load(folder: folder, bundled: nil),
        options: options)
      let run = try store.startRun(id: "chunks-\(size)", asOf: tuesday, dryRun: true, chunkSize: size)
      let chunks = try runner.invoiceChunks(run: run)
      let all = chunks.flatMap { $0.invoices ?? [] }
      #expect(Set(all.map(\.caseId)) == [1, 3], "size \(size)")
      for caseId in [Int64(1), 3] {
        // One chunk holds all of a case's invoices, earliest due first.
        #expect(chunks.filter { $0.invoices?.contains { $0.caseId == caseId } == true }.count == 1)
        let dues = all.filter { $0.caseId == caseId }.map(\.dueOn)
        #expect(dues == dues.sorted(), "size \(size), case \(caseId)")
      }
      #expect(chunks.count == (size >= all.count ? 1 : 2), "size \(size)")
    }
  }

  @Test("a letter the pass sends is asked again at once: the invoice and its case sleep until their dates")
  func aLetterOfThePassIsProbed() throws {
    let (folder, store) = try emptyWorkspace()
    let euros = { (major: Double) in try Money(major: major, currency: .euro, field: "test") }
    // Case 2 disputes F-1; F-7, due Friday 20 March, enters the seven days' notice on Friday the 13th.
    try store.insert(
      customers: [Customer(id: "C1", name: "Boulangerie Émile", kind: .company)],
      invoices: try [("F-1", "2026-02-28"), ("F-7", "2026-03-20")].map { number, due in
        Invoice(
          number: number, customerId: "C1", issuedOn: try LocalDate(parsing: "2026-02-01"),
          dueOn: try LocalDate(parsing: due), total: try euros(300), paid: try euros(0))
      },
      cases: [
        DisputeCase(
          id: 2, customerId: "C1", openedAt: tuesday.addingTimeInterval(-10 * 86_400), channel: .email,
          reason: "prix", disputed: try euros(100), invoiceNumbers: ["F-1"])
      ], provenance: Provenance(source: "test", hook: "setup", runId: "setup"))
    func night(_ day: Int, full: Bool = false) throws -> BatchReport {
      try self.night(folder, store, day: day, full: full)
    }
    for day in 0..<3 { #expect(try night(day).decisionsByKind.isEmpty) }
    #expect(try store.wakeOn(invoice: "F-7") == 20_260_313)
    // Friday: the letter. Asked again on the decided state, follow_up wants the invoice only if it
    // changes, and the case likewise: neither is due on Saturday.
    let friday = try night(3)
    #expect(friday.decisionsByKind["send"] == 1, "\(friday.decisionsByKind)")
    #expect(try store.wakeOn(invoice: "F-7") == NightIndex.onChange)
    #expect(try store.wakeOn(caseId: 2) == NightIndex.caseOnChange)
    let saturday = try night(4)
    #expect(saturday.cases == 0 && saturday.decisionsByKind.isEmpty)
    // A night visiting everything decides nothing more either: the dates were right.
    #expect(try night(5, full: true).decisionsByKind.isEmpty)
  }

  @Test("an invoice of the pass's window owing nothing waits for a change instead of being listed nightly")
  func invoicesOwingNothingWaitForAChange() throws {
    let (folder, store) = try workspace()
    let euros = { (major: Double) in try Money(major: major, currency: .euro, field: "test") }
    // F-8, due on the 13th, unpaid but written off whole: it owes nothing.
    try store.insert(
      invoices: [
        Invoice(
          number: "F-8", customerId: "C1", issuedOn: try LocalDate(parsing: "2026-02-01"),
          dueOn: try LocalDate(parsing: "2026-03-13"), total: try euros(400), paid: try euros(0))
      ], provenance: Provenance(source: "test", hook: "setup", runId: "setup"))
    try store.writeOff(
      invoice: "F-8", amount: try euros(400), on: try LocalDate(parsing: "2026-03-09"), reference: "W-1",
      reason: "perte", by: "claire", at: tuesday)
    let wednesday = LocalDate(tuesday.addingTimeInterval(86_400), in: store.settings.timeZone)
    func listed() throws -> InvoicePassList {
      try store.invoicePassList(
        from: wednesday, through: wednesday.adding(days: 30), asOf: tuesday.addingTimeInterval(86_400),
        dueThrough: NightIndex.key(wednesday))
    }
    #expect(try listed().owingNothing["F-8"] != nil)
    _ = try night(folder, store, day: 0)
    #expect(try store.wakeOn(invoice: "F-8") == NightIndex.onChange)
    #expect(try listed().owingNothing["F-8"] == nil)
    // Its total was wrong (500, not 400): it owes 100 again, is due, and is reminded.
    try store.database.write { db in
      try db.execute(sql: "UPDATE invoices SET total_minor = 50000 WHERE number = 'F-8'")
    }
    #expect(try store.wakeOn(invoice: "F-8") == NightIndex.everyNight)
    _ = try night(folder, store, day: 1)
    #expect(
      try store.events(ofCase: 1).contains {
        if case .sent("preventive_reminder", _, _, "F-8"?, _) = $0.event { return true }
        return false
      })
  }

  @Test("invoices a dispute holds, or of a customer without a case, wait for that to end, not every night")
  func heldInvoicesWaitForTheHoldToEnd() throws {
    let (folder, store) = try workspace()
    let euros = { (major: Double) in try Money(major: major, currency: .euro, field: "test") }
    let setup = Provenance(source: "test", hook: "setup", runId: "setup")
    // Case 2 disputes F-7 (due Friday 20 March); C2 (F-4, due on the 13th) has no case.
    try store.insert(
      invoices: [
        Invoice(
          number: "F-7", customerId: "C1", issuedOn: try LocalDate(parsing: "2026-02-01"),
          dueOn: try LocalDate(parsing: "2026-03-20"), total: try euros(300), paid: try euros(0))
      ],
      cases: [
        DisputeCase(
          id: 2, customerId: "C1", openedAt: tuesday.addingTimeInterval(-5 * 86_400), channel: .email,
          reason: "prix", disputed: try euros(300), invoiceNumbers: ["F-7"])
      ], provenance: setup)
    func night(_ day: Int) throws -> BatchReport { try self.night(folder, store, day: day) }
    func reminded(_ number: String) throws -> Bool {
      try [1, 2, 3].flatMap { try store.events(ofCase: $0) }.contains {
        if case .sent("preventive_reminder", _, _, number?, _) = $0.event { return true }
        return false
      }
    }
    _ = try night(0)  // Tuesday, the first night: every invoice, no dates yet
    _ = try night(1)  // Wednesday, on the index: the held invoices are set aside
    #expect(try store.wakeOn(invoice: "F-7") == NightIndex.onChange)
    #expect(try store.wakeOn(invoice: "F-4") == NightIndex.onChange)
    // The pass writing an invoice's date does not wake its cases: plugins do not see that date.
    let caseWake = try store.wakeOn(caseId: 2)
    #expect(caseWake != NightIndex.everyNight)
    _ = try store.writeNight(
      [], finalCases: [:], lastEventIds: [:], at: tuesday, runId: "test", chunk: nil, cases: 0, failures: 0,
      invoiceWakes: ["F-7": 20_260_401])
    #expect(try store.wakeOn(caseId: 2) == caseWake)
    // A case opened for C2 makes its invoices due again; closing case 2 frees F-7.
    try store.insert(
      cases: [
        DisputeCase(
          id: 3, customerId: "C2", openedAt: tuesday.addingTimeInterval(86_400), channel: .email,
          reason: "délai", disputed: try euros(10), invoiceNumbers: ["F-1"])
      ], provenance: setup)
    #expect(try store.wakeOn(invoice: "F-4") == NightIndex.everyNight)
    // Case 2 is resolved (rejected: F-7 stays disputed until the case closes): Thursday, F-4 is
    // reminded (due in a day) and F-7 set aside again.
    _ = try store.apply(
      [
        ProposedDecision(
          caseId: 2,
          decision: .resolve(
            outcome: .rejected, newDueDate: try LocalDate(parsing: "2026-03-20"), promise: nil),
          reason: "refusé")
      ], caseId: 2, provenance: setup, at: tuesday.addingTimeInterval(86_400 + 3_600))
    _ = try night(2)
    #expect(try reminded("F-4") && !(try reminded("F-7")))
    #expect(try store.wakeOn(invoice: "F-7") == NightIndex.onChange)
    // Closing case 2 frees F-7 (nothing else about the invoice changes): Friday the 13th, the first day
    // of its notice, it is reminded, as a night visiting every invoice would.
    _ = try store.apply(
      [ProposedDecision(caseId: 2, decision: .close, reason: "terminé")], caseId: 2, provenance: setup,
      at: tuesday.addingTimeInterval(2 * 86_400 + 3_600))
    #expect(try store.wakeOn(invoice: "F-7") == NightIndex.everyNight)
    _ = try night(3)
    #expect(try reminded("F-7"))
  }

  @Test func onlyOwedUndisputedInvoicesOfCustomersWithADisputeHistoryAreRemindedOnce() throws {
    let (folder, store) = try workspace()
    let dry = try night(folder, store, dryRun: true)
    #expect(dry.decisionsByKind["send"] == 1)
    let before = try store.events(ofCase: 1).count
    #expect(try store.events(ofCase: 1).allSatisfy { $0.kind != "send" })

    let report = try night(folder, store)
    #expect(report.status == "completed")
    #expect(report.decisionsByKind["send"] == 1)
    let sent = try store.events(ofCase: 1).compactMap { event -> (String, String?, String?)? in
      guard case .sent(let template, _, let body, let invoice, _) = event.event else { return nil }
      return (template, invoice, body)
    }
    #expect(sent.count == 1)
    #expect(sent.first?.0 == "preventive_reminder")
    #expect(sent.first?.1 == "F-2")
    #expect(sent.first?.2?.contains("1\u{202F}200,00\u{A0}€, arrive à échéance le 13 mars 2026") == true)
    // The closed case stays closed: the letter is about another invoice.
    #expect(try store.disputeCase(id: 1)?.status == .closed)

    let again = try night(folder, store)
    #expect(again.decisionsByKind["send"] == nil)
    #expect(try store.events(ofCase: 1).count == before + 1)

    // A new case of the customer the next day: the invoice already reminded is not reminded again.
    try store.insert(
      cases: [
        DisputeCase(
          id: 2, customerId: "C1", openedAt: tuesday.addingTimeInterval(3_600), channel: .email,
          reason: "délai",
          disputed: try Money(major: 100, currency: .euro, field: "test"), invoiceNumbers: ["F-5"])
      ], provenance: Provenance(source: "test", hook: "setup", runId: "setup"))
    var options = BatchOptions()
    options.asOf = tuesday.addingTimeInterval(86_400)
    options.jobs = 1
    options.hooks = ["nightly"]
    let wednesday = try BatchRunner(
      store: store, configuration: try WorkspaceConfiguration.load(folder: folder, bundled: nil),
      options: options
    ).run()
    #expect(wednesday.failures.isEmpty, "\(wednesday.failures)")
    let reminders = try [1, 2].flatMap { try store.events(ofCase: $0) }.filter {
      if case .sent("preventive_reminder", _, _, _, _) = $0.event { return true }
      return false
    }
    #expect(reminders.count == 1)
  }
}
