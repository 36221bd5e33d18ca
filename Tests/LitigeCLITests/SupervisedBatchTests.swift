import Foundation
import LitigeCore
import LitigeStore
import Testing

/// The nightly run's worker processes under their supervisor, with a plugin that misbehaves.
@Suite("litige batch under a hostile plugin")
struct SupervisedBatchTests {
  /// A demo workspace and a copy with plugin `hostile` enabled, whose `hook` (nightly, or the invoice
  /// pass's before_due) is `body`.
  private func workspaces(hostile body: String, hook: String = "nightly") throws -> (
    plain: Litige, hostile: Litige
  ) {
    let plain = try Litige.demo()
    let folder = URL(fileURLWithPath: plain.workspace).deletingLastPathComponent()
    let copy = FileManager.default.temporaryDirectory.appendingPathComponent("litige-hostile-\(UUID())")
    try FileManager.default.copyItem(at: folder, to: copy)
    let plugin = copy.appendingPathComponent("company/hostile")
    try FileManager.default.createDirectory(at: plugin, withIntermediateDirectories: true)
    try """
    return { name = "hostile", version = "1.0.0", priority = 1000,
      \(hook) = function(case, \(hook == "before_due" ? "invoice, " : "")ctx)
    \(body)
      end }
    """.write(to: plugin.appendingPathComponent("init.lua"), atomically: true, encoding: .utf8)
    let configuration = copy.appendingPathComponent("litige.toml")
    var toml = try String(contentsOf: configuration, encoding: .utf8)
    toml = toml.replacingOccurrences(of: "plugin_paths = []", with: "plugin_paths = [\"company\"]")
    try (toml + "\n[plugins.hostile]\n").write(to: configuration, atomically: true, encoding: .utf8)
    return (plain, Litige(workspace: copy.appendingPathComponent("w.sqlite").path))
  }

  /// The journal of a workspace, as comparable text.
  private func journal(_ path: String) throws -> [String] {
    let store = try Store.open(path: path)
    return try store.caseIds(matching: CaseFilter()).flatMap { id in
      try store.events(ofCase: id).map {
        "\(id) \($0.kind) \($0.payload) \($0.provenance.source) \($0.provenance.hook) \(Timestamp.utcText($0.at))"
      }
    }
  }

  private func report(_ litige: Litige) throws -> [String: Any] {
    let path = (litige.workspace as NSString).deletingLastPathComponent + "/night.json"
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
  }

  @Test(
    "a call stuck in C is killed, the case recorded, the night goes on and writes what it would without it")
  func aCallStuckInCIsKilledAndTheNightGoesOn() throws {
    // A backtracking pattern: one C call that no hook reaches, on case 7 only.
    let (plain, hostile) = try workspaces(
      hostile: "if case.id == 7 then string.find(string.rep('a', 300000), '.-.-.-.-b') end")
    let night = ["batch", "--as-of", "2027-01-20", "--timeout", "0.3", "--jobs", "2", "--chunk-size", "20"]
    #expect(try plain.run(night).status == 0)
    let reportPath = (hostile.workspace as NSString).deletingLastPathComponent + "/night.json"
    let result = try hostile.run(night + ["--report", reportPath])
    #expect(result.status == 1, "\(result.standardError)")
    let failures = try report(hostile)["failures"] as? [[String: Any]] ?? []
    #expect(failures.count == 1, "\(failures)")
    #expect(failures.first?["case_id"] as? Int == 7)
    #expect(failures.first?["plugin"] as? String == "hostile@1.0.0")
    #expect(failures.first?["hook"] as? String == "nightly")
    #expect((failures.first?["message"] as? String)?.contains("hard deadline") == true)
    // The chunk replayed after the kill doubled nothing and lost nothing.
    #expect(try journal(hostile.workspace) == journal(plain.workspace))
    #expect(try hostile.run("case", "list").status == 0)
  }

  @Test("a probe stuck in C is killed without blame: the call's decision stays, the plugin is not suspended")
  func aProbeStuckInCIsNotAFailure() throws {
    // Cases 7, 17, 27... are tagged once a night; asked again on the decided state (the probe:
    // tonight's tag is there), the plugin is stuck in one C call, which the supervisor kills with its
    // worker. After three such kills the plugin is no longer probed that night.
    let (_, hostile) = try workspaces(
      hostile: """
        litige.wake_on_change()
        if case.id % 10 ~= 7 then return end
        local tag = "h" .. litige.today():gsub("-", "")
        if case:has_tag(tag) then string.find(string.rep('a', 300000), '.-.-.-.-b') else case:tag(tag) end
        """)
    let reportPath = (hostile.workspace as NSString).deletingLastPathComponent + "/night.json"
    let options = ["--timeout", "0.3", "--jobs", "2", "--chunk-size", "20", "--report", reportPath]
    // The first night visits every case and does not probe; the second probes case 7 after its tag.
    #expect(try hostile.run(["batch", "--as-of", "2027-01-20"] + options).status == 0)
    let second = try hostile.run(["batch", "--as-of", "2027-01-21"] + options)
    #expect(second.status == 0, "\(second.standardError)")
    #expect((try report(hostile)["failures"] as? [[String: Any]] ?? []).isEmpty)
    #expect(!second.standardError.contains("suspended"))
    let store = try Store.open(path: hostile.workspace)
    let tagged = try store.caseIds(matching: CaseFilter()).filter { $0 % 10 == 7 }.filter {
      (try store.disputeCase(id: $0)?.tags ?? []).contains("h20270121")
    }
    // Every open one of them kept its tag (the demo's closed cases are not visited).
    let open = try store.cases(matching: CaseFilter()).filter { $0.id % 10 == 7 && $0.status != .closed }
    #expect(tagged.count > 3 && Set(tagged) == Set(open.map(\.id)), "\(tagged)")
  }

  @Test("a before_due call stuck in C is killed with its worker: the night goes on, the plugin suspended")
  func aStuckInvoicePassCallIsKilled() throws {
    // The invoice pass ran in the supervisor's own process: such a call ended the night, every night.
    let (plain, hostile) = try workspaces(
      hostile: "string.find(string.rep('a', 300000), '.-.-.-.-b')", hook: "before_due")
    // The demo's invoices fall due in the weeks after today: the pass has some two days from now.
    let day = LocalDate(Date(), in: TimeZone(identifier: "Europe/Paris") ?? .gmt).adding(days: 2)
    let night = [
      "batch", "--as-of", day.description, "--timeout", "0.3", "--jobs", "2", "--chunk-size", "20",
    ]
    #expect(try plain.run(night).status == 0)
    let reportPath = (hostile.workspace as NSString).deletingLastPathComponent + "/night.json"
    let result = try hostile.run(night + ["--report", reportPath])
    #expect(result.status == 1, "\(result.standardError)")
    let json = try report(hostile)
    #expect(json["status"] as? String == "failed")
    let failures = json["failures"] as? [[String: Any]] ?? []
    #expect(failures.count == 3, "\(failures)")
    #expect(
      failures.allSatisfy {
        $0["hook"] as? String == "before_due" && $0["plugin"] as? String == "hostile@1.0.0"
      })
    #expect(failures.allSatisfy { ($0["message"] as? String)?.contains("hard deadline") == true })
    let suspended = json["suspended_plugins"] as? [[String: Any]] ?? []
    #expect(suspended.first?["plugin"] as? String == "hostile@1.0.0")
    // Every other plugin's letters, the invoice pass's included, are written as without it.
    #expect(try journal(hostile.workspace) == journal(plain.workspace))
    #expect(try hostile.run("batch", "history").standardOutput.contains("running") == false)
  }

  @Test("a plugin that always loops is suspended after three calls and the others decide as without it")
  func aPluginThatKeepsFailingIsSuspended() throws {
    let (plain, hostile) = try workspaces(hostile: "while true do end")
    let night = ["batch", "--as-of", "2027-01-20", "--timeout", "0.2", "--jobs", "1", "--chunk-size", "500"]
    #expect(try plain.run(night).status == 0)
    let reportPath = (hostile.workspace as NSString).deletingLastPathComponent + "/night.json"
    let result = try hostile.run(night + ["--report", reportPath])
    #expect(result.status == 1)
    #expect(result.standardError.contains("hostile@1.0.0 was suspended for the rest of the night"))
    let json = try report(hostile)
    let failures = json["failures"] as? [[String: Any]] ?? []
    let cases = json["cases"] as? Int ?? 0
    #expect(failures.count == 3, "\(failures.count) failures")
    #expect(failures.allSatisfy { ($0["message"] as? String)?.contains("time limit exceeded") == true })
    let suspended = json["suspended_plugins"] as? [[String: Any]] ?? []
    #expect(suspended.first?["plugin"] as? String == "hostile@1.0.0")
    #expect(suspended.first?["kind"] as? String == "timeout")
    let skipped = (json["skipped_by_plugin"] as? [String: Int])?["hostile@1.0.0"] ?? 0
    // Cases the lifecycle closed that night (their follow-up window over) are not visited by plugins.
    let closed = (json["decisions_by_plugin"] as? [String: Int])?["litige@core"] ?? 0
    #expect(skipped == cases - 3 - closed, "\(skipped) skipped of \(cases) cases, \(closed) closed")
    #expect(try journal(hostile.workspace) == journal(plain.workspace))
  }

  @Test(
    "timing a hook stops at the first failed call and names it, rather than call a loop for days",
    .timeLimit(.minutes(1)))
  func timingStopsAtAFailedCall() throws {
    let (plain, hostile) = try workspaces(hostile: "if case.id == 4 then while true do end end")
    // 100 warm-up calls and 100,000 timed ones would each run into the 2 s limit: days.
    let stuck = try hostile.run("plugins", "time", "nightly", "--case", "4", "--json")
    #expect(stuck.status == 1, "\(stuck.standardError)")
    #expect(
      stuck.standardError.contains("hostile@1.0.0 nightly failed on case 4: ")
        && stuck.standardError.contains("time limit exceeded")
        && stuck.standardError.contains("nothing was timed"), "\(stuck.standardError)")
    #expect(stuck.standardOutput.isEmpty)
    // On another case the same plugins are timed, the hostile one among them.
    let timed = try hostile.run("plugins", "time", "nightly", "--case", "2", "--iterations", "10", "--json")
    #expect(timed.status == 0, "\(timed.standardError)")
    let json = try JSONSerialization.jsonObject(with: Data(timed.standardOutput.utf8)) as? [String: Any]
    #expect((json?["plugins"] as? [String])?.contains("hostile@1.0.0") == true)
    #expect((json?["microseconds_per_call"] as? Double ?? 0) > 0)
    #expect(try plain.run("plugins", "time", "nightly", "--case", "4", "--iterations", "10").status == 0)
  }

  /// A plugin's error message is printed with its control characters shown, not run by the terminal
  /// (an escape sequence could clear the screen or rewrite earlier lines); the report keeps it whole.
  @Test("a plugin's escape sequences reach the terminal as text")
  func escapeSequencesAreShownNotRun() throws {
    let (_, hostile) = try workspaces(
      hostile: #"if case.id == 2 then error("\27[2J\27]0;owned\7 cleared", 0) end"#)
    let report = FileManager.default.temporaryDirectory.appendingPathComponent("night-\(UUID()).json")
    defer { try? FileManager.default.removeItem(at: report) }
    let night = try hostile.run("batch", "--as-of", "2026-12-01", "--report", report.path)
    let printed = night.standardOutput + night.standardError
    #expect(
      printed.contains(#"case 2: hostile@1.0.0 nightly: \u{1B}[2J\u{1B}]0;owned\u{7} cleared"#), "\(printed)")
    #expect(!night.standardOutput.contains("\u{1B}") && !night.standardError.contains("\u{1B}"))
    let json = try JSONSerialization.jsonObject(with: Data(contentsOf: report)) as? [String: Any]
    let failures = json?["failures"] as? [[String: Any]] ?? []
    #expect(failures.contains { ($0["message"] as? String)?.contains("\u{1B}[2J") == true })
    let timed = try hostile.run("plugins", "time", "nightly", "--case", "2")
    #expect(timed.status == 1)
    #expect(timed.standardError.contains(#"\u{1B}[2J"#) && !timed.standardError.contains("\u{1B}"))
  }

  /// A dry run takes no night lock; it marks itself alive (DryRunMark), so history tells one under
  /// way (running) from one that was killed (interrupted), and never offers to resume it.
  @Test("batch history tells a dry run under way from a killed one")
  func aKilledDryRunIsShownInterrupted() throws {
    let (_, slow) = try workspaces(
      hostile: "local t = os.clock() while os.clock() - t < 0.05 do end")
    let process = Process()
    process.executableURL = Litige.executable
    process.arguments = [
      "batch", "--dry-run", "--as-of", "2026-12-01", "--jobs", "1", "--in-process", "--db", slow.workspace,
    ]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    let store = try Store.open(path: slow.workspace)
    var polls = 0
    while process.isRunning, polls < 2_000, try store.runs(limit: 1).first?.status != "running" {
      usleep(5_000)
      polls += 1
    }
    let underWay = try slow.run("batch", "history", "--json")
    kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
    func statuses(_ output: String) throws -> [String] {
      let runs = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [[String: Any]] ?? []
      return runs.compactMap { $0["status"] as? String }
    }
    #expect(try statuses(underWay.standardOutput) == ["running"], "\(underWay.standardOutput)")
    let killed = try slow.run("batch", "history")
    #expect(killed.standardOutput.contains("interrupted"), "\(killed.standardOutput)")
    #expect(!killed.standardOutput.contains("resumes it"), "a dry run is never resumed")
    // The next night is not taken for a resumption of it.
    let night = try slow.run("batch", "--as-of", "2026-12-01")
    #expect(!night.standardError.contains("Resuming"), "\(night.standardError)")
  }

  /// A reason a plugin or a script wrote is shown with its control characters as escapes wherever a
  /// command prints it (`case show`, `case explain`, `litige run`); the journal keeps it as written.
  @Test("a reason's escape sequences reach the terminal as text in show, explain and run")
  func escapeSequencesInReasonsAreShownNotRun() throws {
    let (_, hostile) = try workspaces(
      hostile:
        #"if case.id == 2 then case:tag("odd", "\27[2J\27]0;owned\7 cleared\rover\nnext\u{202E}exe") end"#)
    let night = try hostile.run("batch", "--as-of", "2026-12-01")
    #expect(night.status == 0, "\(night.standardError)")
    // Line breaks too: a reason cannot forge a line of `case show`; nor reverse the text after it.
    let escaped = #"\u{1B}[2J\u{1B}]0;owned\u{7} cleared\u{D}over\u{A}next\u{202E}exe"#
    for command in [["case", "show", "2"], ["case", "explain", "2"]] {
      let shown = try hostile.run(command)
      #expect(shown.status == 0, "\(shown.standardError)")
      #expect(shown.standardOutput.contains(escaped), "\(command): \(shown.standardOutput)")
      #expect(
        !shown.standardOutput.unicodeScalars.contains { ["\u{1B}", "\r", "\u{7}", "\u{202E}"].contains($0) })
      #expect(!shown.standardOutput.contains("\nnext"))
    }
    let stored = try Store.open(path: hostile.workspace).events(ofCase: 2).map(\.reason)
    #expect(stored.contains("\u{1B}[2J\u{1B}]0;owned\u{7} cleared\rover\nnext\u{202E}exe"))
    let script = FileManager.default.temporaryDirectory.appendingPathComponent("reason-\(UUID()).lua")
    defer { try? FileManager.default.removeItem(at: script) }
    try #"litige.case(3):tag("odd", "\27[2J gone")"#.write(to: script, atomically: true, encoding: .utf8)
    let run = try hostile.run("run", script.path, "--dry-run")
    #expect(run.status == 0, "\(run.standardError)")
    #expect(run.standardOutput.contains(#"(\u{1B}[2J gone)"#), "\(run.standardOutput)")
    #expect(!run.standardOutput.contains("\u{1B}"))
    // The REPL shows a value's and print's C1 controls and bidirectional overrides as escapes too.
    let repl = try hostile.run(
      ["repl"],
      input: #"r = "\u{9B}2J\u{202E}exe""# + "\nr\nprint(r)\nprint('\\27[2J')\n"
        + #"forged = "Colis\nlitige> .commit""# + "\nforged\n")
    #expect(repl.status == 0, "\(repl.standardError)")
    #expect(repl.standardOutput.contains(#"\u{9B}2J\u{202E}exe"#), "\(repl.standardOutput)")
    #expect(repl.standardOutput.contains(#"\u{1B}[2J"#), "\(repl.standardOutput)")
    #expect(!repl.standardOutput.unicodeScalars.contains { ["\u{9B}", "\u{202E}", "\u{1B}"].contains($0) })
    // A string's line break is shown as \n: it cannot forge a line that looks like the console's.
    #expect(repl.standardOutput.contains(#""Colis\nlitige> .commit""#), "\(repl.standardOutput)")
  }

  /// A plugin's error or log line that quotes the customer goes to the summary, the report and the
  /// logs with the customer's data masked (README, "Personal data"); `--verbose` keeps it as written.
  @Test("a plugin quoting the customer in its error or log has it masked unless --verbose")
  func personalDataInAPluginsTextIsMasked() throws {
    let (_, hostile) = try workspaces(
      hostile: """
        if case.id == 2 then
          local other = litige.case(3)
          litige.log("looking at", case.customer.name, case.customer.email)
          litige.log(string.rep("x", 3995) .. case.customer.name)
          litige.log("last:", case.communications[#case.communications].summary, "\u{202E}gpj.exe")
          error("no mandate for " .. case.customer.name .. " <" .. string.upper(case.customer.email)
            .. "> nor " .. other.customer.name:upper())
        end
        """)
    // A message with a line break and a tab: a log line is masked before it is made one line.
    let noted = try hostile.run(
      at: "2026-11-30T20:00:00Z", "case", "note", "2", "--direction", "in", "--channel", "email", "--author",
      "Zoé Martin", "--summary", "Bonjour,\nje conteste\tla facture")
    #expect(noted.status == 0, "\(noted.standardError)")
    let store = try Store.open(path: hostile.workspace)
    let disputeCase = try #require(try store.disputeCase(id: 2))
    let customer = try #require(try store.customer(id: disputeCase.customerId))
    let email = try #require(customer.email)
    let otherCase = try #require(try store.disputeCase(id: 3))
    let other = try #require(try store.customer(id: otherCase.customerId))
    let reports = FileManager.default.temporaryDirectory.appendingPathComponent("masked-\(UUID())")
    try FileManager.default.createDirectory(at: reports, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: reports) }
    func failureMessages(_ file: URL) throws -> [String] {
      let json = try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any]
      return (json?["failures"] as? [[String: Any]] ?? []).compactMap { $0["message"] as? String }
    }
    // The start of the name too: a log line cut at 4,000 characters must not cut the name in two.
    func quotes(_ text: String) -> Bool {
      text.contains(customer.name.prefix(5)) || text.contains(email) || text.contains(email.uppercased())
        || text.contains(other.name) || text.contains(other.name.uppercased())
    }
    // Supervised workers (the default) and threads alike.
    for (index, jobs) in [["--jobs", "2"], ["--jobs", "1", "--in-process"]].enumerated() {
      let json = reports.appendingPathComponent("night-\(index).json")
      let html = reports.appendingPathComponent("night-\(index).html")
      let night = try hostile.run(
        ["batch", "--dry-run", "--as-of", "2026-12-01", "--report", json.path] + jobs)
      let page = try hostile.run(
        ["batch", "--dry-run", "--as-of", "2026-12-01", "--report", html.path] + jobs)
      let printed = night.standardOutput + night.standardError + page.standardOutput + page.standardError
      #expect(!quotes(printed), "\(printed)")
      #expect(!printed.contains("je conteste") && printed.contains("last: ‹message text› \\u{202E}gpj.exe"))
      #expect(
        printed.contains("no mandate for ‹customer name› <‹customer e-mail›> nor ‹customer name›"),
        "\(printed)")
      let messages = try failureMessages(json)
      #expect(messages.count == 1 && messages.allSatisfy { !quotes($0) }, "\(messages)")
      #expect(
        messages.first?.contains("no mandate for ‹customer name› <‹customer e-mail›> nor ‹customer name›")
          == true)
      // (The page's top customers name the company's largest debtors, by design: only the failures
      // are looked at.)
      let shownPage = try String(contentsOf: html, encoding: .utf8)
      #expect(
        shownPage.contains("no mandate for ‹customer name› &lt;‹customer e-mail›&gt; nor ‹customer name›"))
      #expect(!shownPage.contains("mandate for \(customer.name)"))
    }
    // The night for real: `runs.report` in the workspace keeps the masked text too.
    let real = try hostile.run("batch", "--as-of", "2026-12-01")
    #expect(!quotes(real.standardOutput + real.standardError))
    let stored = try #require(try store.runs(limit: 1).first)
    let storedReport =
      try JSONSerialization.jsonObject(with: Data((stored.report ?? "").utf8)) as? [String: Any]
    let storedFailures = (storedReport?["failures"] as? [[String: Any]] ?? []).compactMap {
      $0["message"] as? String
    }
    #expect(storedFailures.count == 1 && !storedFailures.contains(where: quotes), "\(storedFailures)")
    #expect(storedFailures.first?.contains("‹customer name›") == true)
    // Asked for: the text as the plugin wrote it.
    let verbose = reports.appendingPathComponent("verbose.json")
    let shown = try hostile.run(
      "batch", "--dry-run", "--verbose", "--as-of", "2026-12-02", "--report", verbose.path)
    let message = try #require(try failureMessages(verbose).first)
    #expect(message.contains("no mandate for \(customer.name) <\(email.uppercased())> nor "), "\(message)")
    #expect((shown.standardOutput + shown.standardError).contains(customer.name))
    // A person's own script logs what they asked for: masking is for plugins run unattended.
    let script = reports.appendingPathComponent("own.lua")
    try "litige.log('own:', litige.case(2).customer.name)".write(
      to: script, atomically: true, encoding: .utf8)
    let own = try hostile.run("run", script.path, "--dry-run")
    #expect(own.status == 0 && own.standardError.contains("own: \(customer.name)"), "\(own.standardError)")
    // A --verbose night stores the text as written; erasing the customer (RGPD article 17) masks it
    // in every stored report.
    _ = try hostile.run("batch", "--verbose", "--as-of", "2026-12-02")
    func storedReports() throws -> String {
      try Store.open(path: hostile.workspace).runs(limit: 20).compactMap(\.report).joined(separator: "\n")
    }
    #expect(try storedReports().contains("no mandate for \(customer.name) <\(email.uppercased())>"))
    let forgotten = try hostile.run("customer", "forget", customer.id, "--by", "Léa")
    #expect(forgotten.status == 0, "\(forgotten.standardError)")
    let afterwards = try storedReports()
    #expect(!afterwards.contains(customer.name) && !afterwards.uppercased().contains(email.uppercased()))
    #expect(afterwards.contains("no mandate for ‹customer name› <‹customer e-mail›>"), "\(afterwards)")
    // The reports are still read as reports.
    #expect(
      try Store.open(path: hostile.workspace).runs(limit: 20).allSatisfy { run in
        run.report.map { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) != nil } ?? true
      })
  }

  @Test(
    "each timed call starts from the case as loaded, and a call stuck in C is named when it stops the process",
    .timeLimit(.minutes(1)))
  func timedCallsStartFromTheLoadedCase() throws {
    // A decision of an earlier call would make this one fail.
    let (_, once) = try workspaces(
      hostile: """
        if case:has_tag("timed_once") then error("saw what an earlier call decided") end
        case:tag("timed_once", "timing")
        """)
    let timed = try once.run("plugins", "time", "nightly", "--case", "2", "--iterations", "50")
    #expect(timed.status == 0, "\(timed.standardError)")
    #expect(timed.standardOutput.contains("µs per call, 50 calls"), "\(timed.standardOutput)")
    let (_, stuck) = try workspaces(
      hostile: "if case.id == 2 then string.find(string.rep('a', 300000), '.-.-.-.-b') end")
    let result = try stuck.run("plugins", "time", "nightly", "--case", "2")
    #expect(result.status == 1)
    #expect(
      result.standardError.contains("litige: hostile@1.0.0 nightly on case 2 ran past twice its time limit")
        && result.standardError.contains("nothing was timed"), "\(result.standardError)")
  }
}
