import Foundation
import LitigeBatch
import LitigeCore
import LitigeStore
import Testing

/// The night's wake-up index (issue 14): a night visits only the cases that are due, and decides
/// exactly what a night visiting every case decides.
@Suite("The night's wake-up index")
struct WakeIndexReplayTests {
  /// Two copies of one generated company, with the rates the nights cross.
  static func twins(cases: Int) throws -> (indexed: Litige, full: Litige) {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("litige-wake-\(UUID())")
    let first = root.appendingPathComponent("indexed")
    let second = root.appendingPathComponent("full")
    for folder in [first, second] {
      try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }
    let indexed = Litige(workspace: first.appendingPathComponent("w.sqlite").path)
    let generated = try indexed.run("generate", "--cases", String(cases), "--seed", "11")
    #expect(generated.status == 0, "\(generated.standardError)")
    let configuration = first.appendingPathComponent("litige.toml")
    var text = try String(contentsOf: configuration, encoding: .utf8)
    text += "\n[company.ecb_rates]\n\"2026-H2\" = 2.15\n\"2027-H1\" = 2.15\n\"2027-H2\" = 2.15\n"
    text += "\n[company.legal_rates]\n\"2026-H2\" = 2.5\n\"2027-H1\" = 2.5\n\"2027-H2\" = 2.5\n"
    try text.write(to: configuration, atomically: true, encoding: .utf8)
    for name in ["w.sqlite", "litige.toml"] {
      try FileManager.default.copyItem(
        at: first.appendingPathComponent(name), to: second.appendingPathComponent(name))
    }
    return (indexed, Litige(workspace: second.appendingPathComponent("w.sqlite").path))
  }

  /// Every journal entry as a line, by case, without the run ids (which differ between the twins).
  static func journal(of litige: Litige) throws -> [String] {
    let store = try Store.open(path: litige.workspace)
    var lines: [String] = []
    for item in try store.cases(matching: CaseFilter()) {
      for entry in try store.events(ofCase: item.id) {
        lines.append(
          "\(item.id) \(Timestamp.utcText(entry.at)) \(entry.kind) \(entry.event.fields.sorted { $0.key < $1.key }) "
            + "\(entry.reason) \(entry.provenance.source) \(entry.provenance.hook)")
      }
    }
    return lines
  }

  /// The number of cases a night's summary says it visited.
  static func visited(_ output: String) -> Int {
    guard let range = output.range(of: #": (\d+) cases,"#, options: .regularExpression) else { return -1 }
    return Int(output[range].dropFirst(2).prefix { $0.isNumber }) ?? -1
  }

  @Test("90 nights with and without the index write the same journal, people's work included")
  func replay() throws {
    // 20,000 cases over 90 nights is `make bench`'s (release build); here a company small enough for
    // a debug build, and 2,000 cases with `make test-slow`.
    let (cases, people) = SixtyNightsTests.full ? (2_000, 3) : (150, 1)
    let (indexed, full) = try Self.twins(cases: cases)
    let zone = TimeZone(identifier: "Europe/Paris") ?? .current
    let start = LocalDate(Date(), in: zone).adding(days: 1)
    var visitedIndexed = 0
    var visitedFull = 0
    var failures: [String] = []
    for night in 0..<90 {
      let day = start.adding(days: night)
      let withIndex = try indexed.run("batch", "--as-of", day.description, "--in-process")
      let everyCase = try full.run("batch", "--as-of", day.description, "--in-process", "--full")
      for (name, result) in [("indexed", withIndex), ("full", everyCase)] where result.status != 0 {
        failures.append("\(day) \(name): \(result.standardError.suffix(300))")
      }
      visitedIndexed += Self.visited(withIndex.standardOutput)
      visitedFull += Self.visited(everyCase.standardOutput)
      if night % 7 == 6 {
        // The same people's work on both: answers, approvals, resolutions, payments, messages, a new case.
        try SixtyNightsTests.peopleWork(indexed, on: day, week: night / 7, count: people)
        try SixtyNightsTests.peopleWork(full, on: day, week: night / 7, count: people)
      }
    }
    #expect(failures.isEmpty, "\(failures)")
    let journalIndexed = try Self.journal(of: indexed)
    let journalFull = try Self.journal(of: full)
    #expect(journalIndexed.count > cases, "the nights decided something")
    #expect(journalIndexed.count == journalFull.count)
    let firstDifference = zip(journalIndexed, journalFull).first { $0 != $1 }
    #expect(firstDifference == nil, "first difference: \(String(describing: firstDifference))")
    // The index must have spared most visits, or it is not doing its job.
    #expect(
      visitedIndexed * 2 < visitedFull, "visited \(visitedIndexed) with the index, \(visitedFull) without")
  }

  @Test("a person's note wakes a sleeping case; a changed setting makes the next night full")
  func wakingUp() throws {
    let litige = try Litige.demo()
    let zone = TimeZone(identifier: "Europe/Paris") ?? .current
    let start = LocalDate(Date(), in: zone).adding(days: 1)
    // Two nights: the first computes the dates, the second visits only what is due.
    _ = try litige.run("batch", "--as-of", start.description, "--in-process")
    _ = try litige.run("batch", "--as-of", start.adding(days: 1).description, "--in-process")
    let store = try Store.open(path: litige.workspace)
    // A case's key is the instant from which a night visits it (NightIndex.caseKey); `--as-of DAY`
    // runs the night at 02:00 in the company's zone.
    let tonight = NightIndex.caseKey(start.adding(days: 2).start(in: zone).addingTimeInterval(7_200))
    let asleep = try store.cases(matching: CaseFilter(activeOnly: true)).map(\.id).filter { id in
      (try? Self.wakeOn(store, id)).map { $0 > tonight } ?? false
    }
    #expect(!asleep.isEmpty, "some case has nothing due")
    guard let sleeper = asleep.first else { return }
    // case show says when the night next visits it.
    let shown = try litige.run("case", "show", String(sleeper), "--json")
    let before = try JSONSerialization.jsonObject(with: Data(shown.standardOutput.utf8)) as? [String: Any]
    let key = try Self.wakeOn(store, sleeper)
    let expected = NightIndex.instant(ofCaseKey: key).map { LocalDate($0, in: zone).description }
    #expect(before?["next_visit"] as? String == (key == NightIndex.caseOnChange ? "on_change" : expected))
    let note = try litige.run(
      at: "\(start.adding(days: 1))T10:00:00Z", "case", "note", String(sleeper), "--direction", "in",
      "--channel", "email", "--summary", "Des nouvelles ?", "--by", "julien")
    #expect(note.status == 0, "\(note.standardError)")
    #expect(try Self.wakeOn(store, sleeper) == 0, "a message makes the case due")
    let after = try litige.run("case", "show", String(sleeper))
    #expect(after.standardOutput.contains("Next visit the next night"), "\(after.standardOutput)")
    let third = try Self.night(litige, start.adding(days: 2))
    #expect(third.report["full"] as? Bool == false)
    #expect((third.report["cases_asleep"] as? Int ?? 0) > 0)
    #expect(Self.visited(third.output) > 0, "the woken case and those due")

    // A plugin setting changes: every case is visited once more, and then the index holds again.
    let configuration = URL(fileURLWithPath: litige.workspace).deletingLastPathComponent()
      .appendingPathComponent("litige.toml")
    var text = try String(contentsOf: configuration, encoding: .utf8)
    text = text.replacingOccurrences(of: "mediation_after_days = 30", with: "mediation_after_days = 40")
    try text.write(to: configuration, atomically: true, encoding: .utf8)
    // case show says so: its stored date no longer holds.
    let asleepCase = try #require(
      try store.cases(matching: CaseFilter(activeOnly: true)).map(\.id).first { id in
        (try? Self.wakeOn(store, id)).map { $0 > tonight } ?? false
      })
    let stale = try litige.run("case", "show", String(asleepCase), "--json")
    let staleObject =
      try JSONSerialization.jsonObject(with: Data(stale.standardOutput.utf8)) as? [String: Any]
    #expect(staleObject?["next_visit"] as? String == "next", "\(stale.standardOutput)")
    let staleText = try litige.run("case", "show", String(asleepCase))
    #expect(staleText.standardOutput.contains("the next night (the plugins, their settings"))
    let open = try store.cases(matching: CaseFilter(activeOnly: true)).count
    let fourth = try Self.night(litige, start.adding(days: 3))
    #expect(fourth.report["full"] as? Bool == true)
    #expect(Self.visited(fourth.output) >= open - 1)
    let fifth = try Self.night(litige, start.adding(days: 4))
    #expect(fifth.report["full"] as? Bool == false)
    // A (dry) night for an earlier day than the index served cannot trust its dates: it visits every case.
    let earlier = try Self.night(litige, start.adding(days: 2), "--dry-run")
    #expect(earlier.report["full"] as? Bool == true)
    // --full visits every case whatever the index says.
    let openNow = try store.cases(matching: CaseFilter(activeOnly: true)).count
    let forced = try Self.night(litige, start.adding(days: 5), "--full")
    #expect(forced.report["full"] as? Bool == true)
    #expect(Self.visited(forced.output) == openNow)
  }

  static func wakeOn(_ store: Store, _ id: Int64) throws -> Int {
    try store.wakeOn(caseId: id) ?? -1
  }

  /// Runs a night and reads its JSON report.
  static func night(_ litige: Litige, _ day: LocalDate, _ extra: String...) throws -> (
    output: String, report: [String: Any]
  ) {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("night-\(UUID()).json").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    let result = try litige.run(
      ["batch", "--as-of", day.description, "--in-process", "--report", path] + extra)
    #expect(result.status == 0, "\(result.standardError)")
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    return (result.standardOutput, (try JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:])
  }
}
