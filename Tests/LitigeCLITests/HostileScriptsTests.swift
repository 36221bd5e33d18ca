import Foundation
import Testing

/// The hostile scripts of Tests/Hostile/scripts, each run in the three places a script runs.
///
/// The places: `litige run`, a plugin hook inside `litige batch` (beside the standard plugins) and the
/// REPL. Slow (every hang waits for a time limit), so it runs when LITIGE_SLOW_TESTS=1 (`make
/// test-slow`).
///
/// Each script's header says what it tries and its expected outcome (`timeout`, `memory`, `error: TEXT`
/// or `ok`). In every place the process must end by itself (no hang) with a status (no crash), the
/// message must say what happened, the workspace must open afterwards, and nothing may be half
/// written; in the batch, the failure is attributed to the hostile plugin and a case, and the other
/// plugins' decisions are exactly those of a night without it.
@Suite("Hostile scripts", .enabled(if: ProcessInfo.processInfo.environment["LITIGE_SLOW_TESTS"] == "1"))
struct HostileScriptsTests {
  struct Script: CustomTestStringConvertible, Sendable {
    var name: String
    var path: URL
    var expectation: String
    var testDescription: String { name }

    /// `timeout`, `memory`, `ok`, or `error`.
    var kind: String {
      expectation.hasPrefix("error") ? "error" : expectation.trimmingCharacters(in: .whitespaces)
    }
    /// The text an `error:` expectation names.
    var errorText: String {
      guard let colon = expectation.firstIndex(of: ":") else { return "" }
      return expectation[expectation.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }
  }

  static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Hostile/scripts")

  static let scripts: [Script] = {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
    return names.filter { $0.hasSuffix(".lua") }.sorted().compactMap { name in
      let path = folder.appendingPathComponent(name)
      guard let data = FileManager.default.contents(atPath: path.path) else { return nil }
      let text = String(decoding: data, as: UTF8.self)
      guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("-- expect:") }) else {
        return nil
      }
      return Script(
        name: name, path: path,
        expectation: String(line.dropFirst("-- expect:".count)).trimmingCharacters(in: .whitespaces))
    }
  }()

  /// A demo workspace made once, copied for each script, and the night its standard plugins decide.
  final class Baseline: @unchecked Sendable {
    let folder: URL
    let events: [String]

    init() throws {
      folder = FileManager.default.temporaryDirectory.appendingPathComponent("litige-hostile-\(UUID())")
      try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
      let database = folder.appendingPathComponent("litige.sqlite").path
      let made = try HostileScriptsTests.run(["init", "--demo", "--seed", "5", "--db", database])
      precondition(made.status == 0, made.error)
      let copy = try HostileScriptsTests.copy(folder)
      let night = try HostileScriptsTests.run(HostileScriptsTests.night(copy))
      precondition(night.status == 0, night.error)
      events = try HostileScriptsTests.events(copy)
    }
  }

  static let baseline = Result { try Baseline() }

  struct Outcome {
    var status: Int32
    var crashed: Bool
    var hung: Bool
    var output: String
    var error: String
  }

  /// Runs litige with `arguments`, feeding `input`; kills it after 120 s (a hang).
  static func run(_ arguments: [String], input: String? = nil, in directory: URL? = nil) throws -> Outcome {
    let process = Process()
    process.executableURL = Litige.executable
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = directory }
    let inputPipe = Pipe()
    let output = Pipe()
    let error = Pipe()
    process.standardInput = inputPipe
    process.standardOutput = output
    process.standardError = error
    try process.run()
    if let input { inputPipe.fileHandleForWriting.write(Data(input.utf8)) }
    try inputPipe.fileHandleForWriting.close()
    let watchdog = DispatchWorkItem { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
    DispatchQueue.global().asyncAfter(deadline: .now() + 120, execute: watchdog)
    // Both pipes are drained at once: a process that fills one while the other is read would block.
    let errorBox = DataBox()
    let reader = Thread { errorBox.data = error.fileHandleForReading.readDataToEndOfFile() }
    reader.start()
    let outputData = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    while !errorBox.done { usleep(1_000) }
    let errorData = errorBox.data
    let hung =
      watchdog.isCancelled == false && process.terminationReason == .uncaughtSignal
      && process.terminationStatus == SIGTERM
    watchdog.cancel()
    return Outcome(
      status: process.terminationStatus, crashed: process.terminationReason == .uncaughtSignal && !hung,
      hung: hung, output: String(decoding: outputData, as: UTF8.self),
      error: String(decoding: errorData, as: UTF8.self))
  }

  /// What a reader thread read, and whether it is done.
  final class DataBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored = Data()
    private var finished = false
    var data: Data {
      get { lock.withLock { stored } }
      set {
        lock.withLock {
          stored = newValue; finished = true
        }
      }
    }
    var done: Bool { lock.withLock { finished } }
  }

  static func copy(_ folder: URL) throws -> URL {
    let copy = FileManager.default.temporaryDirectory.appendingPathComponent("litige-hostile-\(UUID())")
    try FileManager.default.copyItem(at: folder, to: copy)
    return copy
  }

  static func night(_ folder: URL, timeout: String = "2") -> [String] {
    [
      "batch", "--db", folder.appendingPathComponent("litige.sqlite").path, "--as-of", "2026-12-01",
      "--timeout", timeout, "--memory", "64", "--restart",
    ]
  }

  /// The time limit a script runs under (seconds): 2, or 20 for one that must reach the memory limit, so
  /// that on a loaded machine it still gets there before its time is up.
  static func timeout(for script: Script) -> String { script.kind == "memory" ? "20" : "2" }

  /// The journal as comparable lines (the run's id left out).
  static func events(_ folder: URL) throws -> [String] {
    let dump = try run([
      "case", "list", "--json", "--db", folder.appendingPathComponent("litige.sqlite").path,
    ])
    precondition(dump.status == 0, dump.error)
    return try journal(folder)
  }

  static func journal(_ folder: URL) throws -> [String] {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
    process.arguments = [
      folder.appendingPathComponent("litige.sqlite").path,
      "SELECT case_id, kind, payload, reason, source, hook, at FROM events ORDER BY case_id, id",
    ]
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
  }

  /// Whether `text` tells the expected outcome.
  static func tells(_ text: String, _ script: Script) -> Bool {
    switch script.kind {
    case "timeout":
      return text.contains("time limit exceeded") || text.contains("ran past twice its time limit")
    case "memory": return text.contains("memory limit exceeded") || text.contains("not enough memory")
    case "error": return text.contains(script.errorText)
    default: return true
    }
  }

  static func checkClean(_ outcome: Outcome, _ script: Script, place: String) {
    #expect(!outcome.hung, "\(script.name) in \(place): hung")
    #expect(
      !outcome.crashed, "\(script.name) in \(place): crashed (signal \(outcome.status))\n\(outcome.error)")
  }

  @Test("litige run", arguments: scripts)
  func inRun(_ script: Script) throws {
    let base = try Self.baseline.get()
    let folder = try Self.copy(base.folder)
    defer { try? FileManager.default.removeItem(at: folder) }
    let before = try Self.journal(folder)
    let outcome = try Self.run(
      [
        "run", script.path.path, "--timeout", Self.timeout(for: script), "--memory", "64", "--db",
        folder.appendingPathComponent("litige.sqlite").path,
      ])
    Self.checkClean(outcome, script, place: "litige run")
    if script.kind == "ok" {
      #expect(outcome.status == 0, "\(script.name) in litige run: \(outcome.error)")
    } else {
      #expect(outcome.status == 1, "\(script.name) in litige run: status \(outcome.status)\n\(outcome.error)")
      #expect(Self.tells(outcome.error, script), "\(script.name) in litige run: \(outcome.error)")
      #expect(try Self.journal(folder) == before, "\(script.name) in litige run: something was written")
    }
    let list = try Self.run(["case", "list", "--db", folder.appendingPathComponent("litige.sqlite").path])
    #expect(list.status == 0, "\(script.name): the workspace does not open after litige run: \(list.error)")
  }

  @Test("a plugin hook in litige batch", arguments: scripts)
  func inBatch(_ script: Script) throws {
    let base = try Self.baseline.get()
    let folder = try Self.copy(base.folder)
    defer { try? FileManager.default.removeItem(at: folder) }
    let plugin = folder.appendingPathComponent("company/hostile")
    try FileManager.default.createDirectory(at: plugin, withIntermediateDirectories: true)
    let body = try String(contentsOf: script.path, encoding: .utf8)
    // The script becomes the body of the nightly hook, its lines where they were in its file.
    let source =
      "return { name = \"hostile\", version = \"1.0.0\", priority = 1000, nightly = function(case, ctx) "
      + body + "\nend }\n"
    try source.write(to: plugin.appendingPathComponent("init.lua"), atomically: true, encoding: .utf8)
    let configuration = folder.appendingPathComponent("litige.toml")
    var toml = try String(contentsOf: configuration, encoding: .utf8)
    toml = toml.replacingOccurrences(of: "plugin_paths = []", with: "plugin_paths = [\"company\"]")
    toml += "\n[plugins.hostile]\n"
    try toml.write(to: configuration, atomically: true, encoding: .utf8)
    let report = folder.appendingPathComponent("night.json")
    let outcome = try Self.run(
      Self.night(folder, timeout: Self.timeout(for: script)) + ["--report", report.path])
    Self.checkClean(outcome, script, place: "litige batch")
    // The other plugins decide exactly what they decide without the hostile one.
    #expect(
      try Self.journal(folder) == base.events,
      "\(script.name) in litige batch: other plugins' decisions changed")
    let data = try Data(contentsOf: report)
    let json = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    let failures = json["failures"] as? [[String: Any]] ?? []
    #expect(
      failures.allSatisfy { ($0["plugin"] as? String) == "hostile@1.0.0" }, "\(script.name): \(failures)")
    if script.kind == "ok" {
      #expect(outcome.status == 0, "\(script.name) in litige batch: \(outcome.error)")
    } else {
      #expect(outcome.status == 1, "\(script.name) in litige batch: status \(outcome.status)")
      let messages = failures.compactMap { $0["message"] as? String }.joined(separator: "\n")
      #expect(!failures.isEmpty && failures.allSatisfy { ($0["case_id"] as? Int ?? 0) > 0 }, "\(script.name)")
      #expect(Self.tells(messages, script), "\(script.name) in litige batch: \(messages.prefix(600))")
    }
    let list = try Self.run(["case", "list", "--db", folder.appendingPathComponent("litige.sqlite").path])
    #expect(list.status == 0, "\(script.name): the workspace does not open after litige batch: \(list.error)")
  }

  @Test("the REPL", arguments: scripts)
  func inREPL(_ script: Script) throws {
    let base = try Self.baseline.get()
    let folder = try Self.copy(base.folder)
    defer { try? FileManager.default.removeItem(at: folder) }
    let before = try Self.journal(folder)
    let body = try String(contentsOf: script.path, encoding: .utf8)
    let outcome = try Self.run(
      [
        "repl", "--timeout", Self.timeout(for: script), "--memory", "64", "--db",
        folder.appendingPathComponent("litige.sqlite").path,
      ],
      input: "do\n" + body + "\nend\nprint('still ' .. 'here')\n.commit\n")
    Self.checkClean(outcome, script, place: "the REPL")
    let survived = outcome.output.contains("still here")
    if script.kind == "ok" {
      #expect(outcome.status == 0 && survived, "\(script.name) in the REPL: \(outcome.error)")
    } else {
      #expect(outcome.status == 1, "\(script.name) in the REPL: status \(outcome.status)")
      #expect(
        Self.tells(outcome.error + outcome.output, script), "\(script.name) in the REPL: \(outcome.error)")
      // Only a call stuck in C ends a piped session; anything else leaves it usable.
      #expect(
        survived || outcome.error.contains("ran past twice its time limit"), "\(script.name) in the REPL")
    }
    #expect(try Self.journal(folder) == before, "\(script.name) in the REPL: something was written")
  }
}
