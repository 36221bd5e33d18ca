import Foundation
import LitigeCore
import LitigeStore
import Testing

@testable import LitigeCLI

@Suite("litige batch")
struct BatchCommandTests {
  /// Every journal entry of the workspace made by the nightly run, as comparable text.
  private func nightlyDecisions(_ path: String) throws -> [String] {
    let store = try Store.open(path: path)
    return try store.caseIds(matching: CaseFilter()).flatMap { id in
      try store.events(ofCase: id).filter { $0.provenance.runId.hasPrefix("night-") }.map {
        "\(id) \($0.kind) \($0.payload) \($0.provenance.source) \($0.provenance.hook) \(Timestamp.utcText($0.at))"
      }
    }.sorted()
  }

  @Test(arguments: 1...3)
  func aRunKilledAtARandomPointResumesWithEveryDecisionAppliedExactlyOnce(attempt: Int) throws {
    let reference = try Litige.demo()
    let folder = URL(fileURLWithPath: reference.workspace).deletingLastPathComponent()
    let copy = FileManager.default.temporaryDirectory.appendingPathComponent("litige-kill-\(UUID())")
    try FileManager.default.copyItem(at: folder, to: copy)
    let killed = Litige(workspace: copy.appendingPathComponent("w.sqlite").path)
    let arguments = ["batch", "--as-of", "2027-01-20", "--chunk-size", "10", "--jobs", "2"]

    let uninterrupted = try reference.run(arguments)
    #expect(uninterrupted.status == 0, "\(uninterrupted.standardError)")

    // Kill the run right after a random number of chunks were checkpointed (mid-way through the next).
    let chunks = Int.random(in: 1...10)
    let process = Process()
    process.executableURL = Litige.executable
    process.arguments = arguments + ["--db", killed.workspace]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    let store = try Store.open(path: killed.workspace)
    var polls = 0
    while process.isRunning, polls < 4_000 {
      if let run = try store.runs(limit: 1).first, try store.completedChunks(runId: run.id).count >= chunks {
        break
      }
      usleep(5_000)
      polls += 1
    }
    kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
    // No process runs it any more: the history lists it as interrupted, not running...
    let listed = try killed.run("batch", "history")
    #expect(listed.standardOutput.contains("interrupted"), "\(listed.standardOutput)")
    #expect(!listed.standardOutput.contains("running"), "\(listed.standardOutput)")
    #expect(listed.standardOutput.contains("'litige batch' resumes it"))
    // ...but as running while a process holds the workspace's lock, as a night under way does.
    let held = Process()
    held.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
    held.arguments = [
      "-x", killed.workspace, Litige.executable.path, "batch", "history", "--json", "--db", killed.workspace,
    ]
    let output = Pipe()
    held.standardOutput = output
    try held.run()
    let underWay = output.fileHandleForReading.readDataToEndOfFile()
    held.waitUntilExit()
    let runs = try JSONSerialization.jsonObject(with: underWay) as? [[String: Any]]
    #expect(runs?.first?["status"] as? String == "running", "\(String(decoding: underWay, as: UTF8.self))")

    let resumed = try killed.run(arguments)
    #expect(resumed.status == 0, "killed after \(chunks) chunks: \(resumed.standardError)")
    #expect(resumed.standardError.contains("Resuming night-"), "the kill did not interrupt the run")
    #expect(
      try nightlyDecisions(killed.workspace) == nightlyDecisions(reference.workspace),
      "killed after \(chunks) chunks")
    // The same night once more changes nothing.
    let again = try killed.run(arguments)
    #expect(again.standardOutput.contains(" 0 decisions applied"), "\(again.standardOutput)")
  }

  @Test("a night stopped after its last chunk resumes without a rate of 0 cases/s")
  func aNightStoppedAfterItsLastChunkSaysSoOnResuming() throws {
    let litige = try Litige.demo()
    let arguments = ["batch", "--as-of", "2027-01-20", "--chunk-size", "10", "--jobs", "1"]
    let night = try litige.run(arguments)
    #expect(night.status == 0, "\(night.standardError)")
    // Stopped (Ctrl-C during the invoice pass) after its last checkpoint.
    let store = try Store.open(path: litige.workspace)
    let run = try #require(try store.runs(limit: 1).first)
    try store.finishRun(id: run.id, status: "aborted", report: "")
    let resumed = try litige.run(arguments)
    #expect(resumed.status == 0, "\(resumed.standardError)")
    #expect(resumed.standardError.contains("Resuming \(run.id)"))
    let summary = try #require(resumed.standardOutput.split(separator: "\n").first)
    #expect(summary.hasSuffix("(every chunk was done before it stopped)."), "\(summary)")
    // The whole night's counts, as the night itself reported them.
    let counts = try #require(
      night.standardOutput.split(separator: "\n").first?.split(separator: ",").prefix(2))
    #expect(summary.hasPrefix(counts.joined(separator: ",")), "\(summary) against \(night.standardOutput)")
    #expect(!counts.joined().contains(" 0 cases"))
    #expect(!summary.contains("cases/s"), "\(summary)")
    #expect(try Store.open(path: litige.workspace).runs(limit: 1).first?.status == "completed")
  }

  @Test("a night with no plugin enabled says so, and a night with plugins does not")
  func aNightWithoutPluginsSaysSo() throws {
    let litige = try Litige.demo()
    let arguments = ["batch", "--as-of", "2027-01-20", "--jobs", "1", "--dry-run"]
    let withPlugins = try litige.run(arguments)
    #expect(withPlugins.status == 0, "\(withPlugins.standardError)")
    #expect(!withPlugins.standardError.contains("no_plugins"), "\(withPlugins.standardError)")
    let toml = URL(fileURLWithPath: litige.workspace).deletingLastPathComponent()
      .appendingPathComponent("litige.toml")
    try Data().write(to: toml)
    let without = try litige.run(arguments)
    #expect(without.status == 0, "\(without.standardError)")
    #expect(
      without.standardError.contains("event=no_plugins")
        && without.standardError.contains("no plugin is enabled: only the lifecycle's own moves run"),
      "\(without.standardError)")
  }

  @Test("a night whose output nobody reads any more (a closed pipe) goes on to its end", arguments: [1, 2])
  func aNightGoesOnWhenItsOutputIsClosed(jobs: Int) throws {
    let litige = try Litige.demo()
    let process = Process()
    process.executableURL = Litige.executable
    process.arguments = [
      "batch", "--as-of", "2027-01-20", "--chunk-size", "10", "--jobs", "\(jobs)", "--db", litige.workspace,
    ]
    // `litige batch 2>&1 | head -0`: the pipe's reader is gone before the first line.
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try pipe.fileHandleForReading.close()
    try process.run()
    try pipe.fileHandleForWriting.close()
    process.waitUntilExit()
    #expect(process.terminationReason == .exit, "ended by signal \(process.terminationStatus)")
    #expect(process.terminationStatus == 0)
    let run = try #require(try Store.open(path: litige.workspace).runs(limit: 1).first)
    #expect(run.status == "completed")
    #expect(try nightlyDecisions(litige.workspace).count > 10)
  }

  @Test("a second night on a workspace is refused while one runs, and writes nothing; then it runs")
  func oneNightAtATime() throws {
    let litige = try Litige.demo()
    // Another litige batch holding the workspace, as the running night does.
    let holder = open(litige.workspace, O_RDONLY)
    #expect(holder >= 0 && flock(holder, LOCK_EX | LOCK_NB) == 0)
    let refused = try litige.run("batch", "--as-of", "2026-03-03")
    #expect(refused.status == 1)
    #expect(refused.standardError.contains("is already running on \(litige.workspace)"))
    #expect(try Store.open(path: litige.workspace).runs(limit: 10).isEmpty)
    // The same workspace by another path (a symbolic link) is the same workspace.
    let link = (litige.workspace as NSString).deletingLastPathComponent + "/lien vers l'espace.sqlite"
    try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: litige.workspace)
    let linked = try Litige(workspace: link).run("batch", "--as-of", "2026-03-03")
    #expect(linked.status == 1 && linked.standardError.contains("is already running on \(link)"))
    // A dry run writes no event: it is not held back.
    #expect(try litige.run("batch", "--as-of", "2026-03-03", "--dry-run").status == 0)
    close(holder)  // the holder ends (killed or done): the lock goes with it
    let night = try litige.run("batch", "--as-of", "2026-03-03")
    #expect(night.status == 0, "\(night.standardError)")
    #expect(try Store.open(path: litige.workspace).runs(limit: 10).contains { !$0.dryRun })
  }

  /// The POSIX locks this process holds on the file at `path`, as /proc/locks lists them.
  private func posixLocksOfThisProcess(on path: String) throws -> [String] {
    let inode = try #require(
      try FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? Int)
    return try String(contentsOfFile: "/proc/locks", encoding: .utf8).split(separator: "\n").filter {
      let fields = $0.split(separator: " ")
      return fields.count >= 8 && fields[1] == "POSIX" && fields[4] == "\(getpid())"
        && fields[5].hasSuffix(":\(inode)")
    }.map { $0.split(separator: " ").dropFirst().joined(separator: " ") }
  }

  @Test("taking the night lock leaves SQLite's own locks on the database, and it is kept")
  func theNightLockLeavesSQLitesLocks() throws {
    let litige = try Litige.demo()
    let store = try Store.open(path: litige.workspace)
    _ = try store.runs(limit: 1)  // the pool's connections are open: each holds its shared lock
    let held = try posixLocksOfThisProcess(on: litige.workspace)
    #expect(!held.isEmpty, "SQLite holds no lock on the database: the test sees nothing")
    // Closing a descriptor of the database drops them (howtocorrupt.html 2.2): the night's lock is
    // never closed while the process runs.
    try NightLock.take(path: litige.workspace)
    #expect(try posixLocksOfThisProcess(on: litige.workspace) == held)
    withExtendedLifetime(store) {}
  }

  @Test("a report that could not be written after the night is refused before it starts")
  func anUnwritableReportIsRefusedFirst() throws {
    let litige = try Litige.demo()
    let missing = "/nonexistent-\(UUID().uuidString)/night.json"
    let run = try litige.run(["batch", "--as-of", "2027-01-20", "--report", missing])
    #expect(run.status == 2)
    #expect(run.standardError.contains("the folder '/nonexistent-"), "\(run.standardError)")
    let folder = (litige.workspace as NSString).deletingLastPathComponent + "/night.json"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    #expect(try litige.run(["batch", "--as-of", "2027-01-20", "--report", folder]).status == 2)
    // The workspace's database by another name (a symbolic or a hard link): writing the report there
    // destroyed the workspace.
    let base = (litige.workspace as NSString).deletingLastPathComponent
    try FileManager.default.createSymbolicLink(
      atPath: base + "/lien.json", withDestinationPath: litige.workspace)
    try FileManager.default.linkItem(atPath: litige.workspace, toPath: base + "/dur.html")
    for report in [base + "/lien.json", base + "/dur.html"] {
      let refused = try litige.run(["batch", "--as-of", "2027-01-20", "--report", report])
      #expect(
        refused.status == 2 && refused.standardError.contains("is the workspace's database"), "\(report)")
    }
    // A workspace with a second hard link is not opened (SQLite would keep a log per name)...
    let linked = try litige.run("case", "list")
    #expect(linked.status == 1 && linked.standardError.contains("hard links"), "\(linked.standardError)")
    #expect(try Litige(workspace: base + "/dur.html").run("case", "list").status == 1)
    // ...and opens again under its one name.
    try FileManager.default.removeItem(atPath: base + "/dur.html")
    #expect(try litige.run("case", "list").status == 0)
    // No night ran: the next one is the first.
    #expect(!(try litige.run("batch", "history").standardOutput.contains("night-")))
  }

  /// `--restart` gives up the unfinished night (abandoned, never resumed), and the next night is the
  /// one asked for, not the night given up.
  @Test func aRestartGivesUpTheUnfinishedNight() throws {
    let litige = try Litige.demo()
    // The row a night killed before its end leaves, then an import's triage run after it: the
    // import is no night, and leaves the killed one to be resumed.
    let store = try Store.open(path: litige.workspace)
    _ = try store.startRun(
      id: "night-killed", asOf: try Timestamp.parse("2027-01-20T01:00:00Z"), dryRun: false, chunkSize: 500)
    _ = try store.startRun(
      id: "import-after", asOf: try Timestamp.parse("2027-01-20T01:00:00Z"), dryRun: false, chunkSize: 500)
    try store.finishRun(id: "import-after", status: "completed", report: "{}")
    #expect(try store.unfinishedRun()?.id == "night-killed")
    let listed = try litige.run("batch", "history")
    #expect(listed.standardOutput.contains("interrupted"), "\(listed.standardOutput)")
    #expect(listed.standardOutput.contains("night-killed stopped before its end: 'litige batch' resumes it"))
    // A restart that cannot start (a plugin litige.toml names is missing) gives up nothing.
    let toml = URL(fileURLWithPath: litige.workspace).deletingLastPathComponent().appendingPathComponent(
      "litige.toml")
    let settings = try String(contentsOf: toml, encoding: .utf8)
    try (settings + "\n[plugins.no_such_plugin]\n").write(to: toml, atomically: true, encoding: .utf8)
    #expect(try litige.run("batch", "--restart", "--as-of", "2027-01-20").status != 0)
    #expect(try litige.run("batch", "history").standardOutput.contains("night-killed stopped before its end"))
    try settings.write(to: toml, atomically: true, encoding: .utf8)
    let restarted = try litige.run("batch", "--restart", "--as-of", "2027-01-20")
    #expect(restarted.status == 0, "\(restarted.standardError)")
    #expect(restarted.standardError.contains("Not resuming night-killed (--restart): it is marked abandoned"))
    let runs = try #require(
      try JSONSerialization.jsonObject(
        with: Data(litige.run("batch", "history", "--json").standardOutput.utf8))
        as? [[String: Any]])
    #expect(runs.first { $0["id"] as? String == "night-killed" }?["status"] as? String == "abandoned")
    #expect(!(try litige.run("batch", "history").standardOutput.contains("resumes it")))
    let next = try litige.run("batch", "--as-of", "2027-01-21")
    #expect(next.status == 0 && !next.standardError.contains("Resuming"), "\(next.standardError)")
    let after = try #require(
      try JSONSerialization.jsonObject(
        with: Data(litige.run("batch", "history", "--json").standardOutput.utf8))
        as? [[String: Any]])
    #expect(after.first?["as_of"] as? String == "2027-01-21T01:00:00Z", "\(after)")
  }

  /// A FIFO given for the workspace is refused at once: opening it to lock it must not wait for a
  /// writer that never comes.
  @Test func aFIFOForTheWorkspaceIsRefusedNotWaitedOn() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("litige-fifo-\(UUID())")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let fifo = folder.appendingPathComponent("w.sqlite").path
    #expect(mkfifo(fifo, 0o600) == 0)
    let night = try Litige(workspace: fifo).run("batch", "--as-of", "2027-01-20")
    #expect(night.status != 0 && night.standardError.contains("not a regular file"), "\(night.standardError)")
    let history = try Litige(workspace: fifo).run("batch", "history")
    #expect(history.status != 0 && history.standardError.contains("it is a FIFO, not a workspace database"))
    // A folder or a device neither, whatever the command; nothing is written beside them.
    let listed = try Litige(workspace: folder.path).run("case", "list")
    #expect(listed.status != 0 && listed.standardError.contains("it is a folder"), "\(listed.standardError)")
    let device = try Litige(workspace: "/dev/null").run("batch", "history")
    #expect(device.status != 0 && device.standardError.contains("it is a device"), "\(device.standardError)")
    #expect(!FileManager.default.fileExists(atPath: "/dev/null-wal"))
  }

  @Test func historyListsRunsAndTheJSONReportCounts() throws {
    let litige = try Litige.demo()
    let report = (litige.workspace as NSString).deletingLastPathComponent + "/night.json"
    let run = try litige.run(["batch", "--as-of", "2027-01-20", "--report", report])
    #expect(run.status == 0, "\(run.standardError)")
    // Not a terminal: a few logfmt lines on standard error, no progress bar, no personal data.
    let logLines = run.standardError.split(separator: "\n")
    #expect(logLines.first?.contains("level=info component=batch event=started") == true)
    #expect(
      logLines.last?.contains("event=finished") == true && logLines.last?.contains("status=completed") == true
    )
    #expect(logLines.allSatisfy { $0.hasPrefix("time=") })
    #expect((2...13).contains(logLines.count), "\(logLines.count) lines")
    #expect(!run.standardError.contains("\r") && !run.standardError.contains("@"))
    let data = try Data(contentsOf: URL(fileURLWithPath: report))
    let json = try JSONSerialization.jsonObject(with: data) as? [String: Any]
    #expect(json?["status"] as? String == "completed")
    #expect((json?["cases"] as? Int ?? 0) > 100)
    #expect((json?["decisions_by_kind"] as? [String: Int])?["escalate"] ?? 0 > 0)
    let history = try litige.run("batch", "history")
    #expect(history.standardOutput.contains("completed"))
    #expect(try litige.run(["batch", "--report", "night.txt"]).status == 2)
    let page = (litige.workspace as NSString).deletingLastPathComponent + "/night.html"
    #expect(try litige.run(["batch", "--as-of", "2027-01-21", "--report", page]).status == 0)
    let html = try String(contentsOfFile: page, encoding: .utf8)
    #expect(html.hasPrefix("<!DOCTYPE html>"))
    // The demo company writes French: the page is in French (its figures are checked in Chromium by
    // ReportPageTests).
    #expect(
      html.contains("Créances en litige") && html.contains("Par ancienneté") && html.contains("data-value="))
    #expect(!html.contains("<script") && !html.contains("src=") && !html.contains("href="))  // self-contained
  }
}

@Suite("litige generate")
struct GenerateCommandTests {
  @Test func generatesConsistentWorkspacesOfAnySizeSliceBySlice() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("litige-generate-\(UUID())")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let litige = Litige(workspace: folder.appendingPathComponent("w.sqlite").path)
    let result = try litige.run("generate", "--cases", "7000", "--seed", "4")
    #expect(result.status == 0, "\(result.standardError)")
    let store = try Store.open(path: litige.workspace)
    let counts = try store.counts()
    #expect(counts["cases"] == 7_000)
    #expect(counts["customers"] == 1_000 + 1_000 + 333)
    let ids = try store.caseIds(matching: CaseFilter())
    #expect(ids.first == 1 && ids.last == 7_000 && Set(ids).count == 7_000)
    #expect(try store.cases(matching: CaseFilter(), limit: 7_000).allSatisfy { !$0.invoiceNumbers.isEmpty })
    #expect(try litige.run("generate", "--cases", "10", "--seed", "4").status == 1)
  }

  @Test("generate and init refuse a folder, a missing folder and a wrong clock, and replace nothing then")
  func generateRefusesBeforeReplacingAnything() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("litige-generate-\(UUID())")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    // A folder given as the database: never removed, even with --force.
    let inner = folder.appendingPathComponent("keep")
    try FileManager.default.createDirectory(at: inner, withIntermediateDirectories: true)
    try "precious".write(to: inner.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
    for command in ["generate", "init"] {
      var arguments = [command, "--db", inner.path, "--force"]
      if command == "generate" { arguments += ["--cases", "3"] }
      let refused = try Litige(workspace: inner.path).run(arguments)
      #expect(
        refused.status == 1 && refused.standardError.contains("is a folder"), "\(refused.standardError)")
      #expect(
        try String(contentsOf: inner.appendingPathComponent("notes.txt"), encoding: .utf8) == "precious")
    }
    // A missing folder: named, no Foundation error.
    let missing = folder.appendingPathComponent("nowhere/w.sqlite").path
    let noFolder = try Litige(workspace: missing).run("generate", "--db", missing, "--cases", "3")
    #expect(noFolder.status == 1)
    #expect(noFolder.standardError.contains("does not exist") && !noFolder.standardError.contains("NSCocoa"))
    // A wrong LITIGE_NOW: the existing workspace stays as it was.
    let litige = Litige(workspace: folder.appendingPathComponent("w.sqlite").path)
    #expect(
      try litige.run(at: "2026-02-28T12:00:00Z", "generate", "--cases", "30", "--seed", "2").status == 0)
    let wrongClock = try litige.run(at: "yesterday", "generate", "--cases", "60", "--force")
    #expect(wrongClock.status == 1 && wrongClock.standardError.contains("LITIGE_NOW"))
    #expect(try Store.open(path: litige.workspace).counts()["cases"] == 30)
  }

  @Test("generate --force does not replace a workspace another process is working on")
  func generateWaitsForTheProcessHoldingTheWorkspace() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("litige-generate-\(UUID())")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let litige = Litige(workspace: folder.appendingPathComponent("w.sqlite").path)
    #expect(try litige.run(at: "2026-02-28T12:00:00Z", "generate", "--cases", "3").status == 0)
    // This process stands for a night or a generation running on it: it holds the file's lock.
    let descriptor = open(litige.workspace, O_RDONLY | O_CLOEXEC)
    #expect(descriptor >= 0 && flock(descriptor, LOCK_EX | LOCK_NB) == 0)
    for command in [["generate", "--cases", "6", "--force"], ["init", "--force"]] {
      let refused = try litige.run(command, environment: ["LITIGE_NOW": "2026-02-28T12:00:00Z"])
      #expect(refused.status == 1, "\(command)")
      #expect(
        refused.standardError.contains("is already running on \(litige.workspace)"),
        "\(refused.standardError)")
    }
    close(descriptor)
    #expect(try Store.open(path: litige.workspace).counts()["cases"] == 3)
    #expect(try litige.run(at: "2026-02-28T12:00:00Z", "generate", "--cases", "6", "--force").status == 0)
    #expect(try Store.open(path: litige.workspace).counts()["cases"] == 6)
  }

  @Test("a demo workspace follows LITIGE_NOW: the same seed and instant give the same data")
  func demoFollowsThePinnedClock() throws {
    var journals: [[String]] = []
    for _ in 0..<2 {
      let folder = FileManager.default.temporaryDirectory.appendingPathComponent("litige-demo-\(UUID())")
      try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
      defer { try? FileManager.default.removeItem(at: folder) }
      let litige = Litige(workspace: folder.appendingPathComponent("w.sqlite").path)
      #expect(try litige.run(at: "2031-03-01T08:00:00Z", "init", "--demo", "--seed", "9").status == 0)
      let store = try Store.open(path: litige.workspace)
      let latest = try #require(try store.cases(matching: CaseFilter()).map(\.openedAt).max())
      #expect(latest < (try Timestamp.parse("2031-03-01T08:00:00Z")))
      #expect(latest > (try Timestamp.parse("2030-09-01T00:00:00Z")))
      journals.append(
        try store.caseIds(matching: CaseFilter()).flatMap { id in
          try store.events(ofCase: id).map { "\($0.caseId) \($0.kind) \($0.at)" }
        })
    }
    #expect(journals[0] == journals[1] && !journals[0].isEmpty)
  }
}
