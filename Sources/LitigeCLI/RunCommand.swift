import ArgumentParser
import Foundation
import LitigeCore
import LitigePolicies
import LitigeStore
import LuaHost

struct RunCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run",
    abstract:
      "Run a Lua script over the workspace in the sandbox; its decisions are applied together or not at all.",
    discussion: """
      The script sees the litige API (litige.case, litige.cases{...}, litige.invoice, litige.customer, ...).
      Decisions it makes (c:tag, c:prioritize, c:assign, ...) are validated as they are made and written in
      one transaction when the script ends without error; with --dry-run they are only listed.
      """)

  @OptionGroup var workspace: WorkspaceOptions

  @Argument(help: "The Lua script to run.")
  var script: String

  @Flag(help: "List the decisions the script would make; write nothing.")
  var dryRun = false

  @Option(help: "Stop the script after this many seconds.")
  var timeout: Double = 10

  @Option(help: "Memory ceiling of the script, in MB.")
  var memory: Int = 256

  func validate() throws {
    guard timeout > 0, timeout <= 86_400 else {
      throw ValidationError("--timeout must be between 0 and 86400 seconds")
    }
    guard memory >= 1, memory <= 65_536 else {
      throw ValidationError("--memory must be between 1 and 65536 MB")
    }
  }

  func run() throws {
    guard let data = FileManager.default.contents(atPath: script) else {
      throw Failure("cannot read the script \(script)")
    }
    let store = try workspace.openStore()
    let now = try CommandClock.now()
    let runId = "run-" + Timestamp.utcText(now)
    let session = CaseSession(
      store: store, now: now, provenance: Provenance(source: "script:\(script)", hook: "run", runId: runId))
    let limits = LuaState.Limits(memoryBytes: memory << 20, timeout: .milliseconds(Int64(timeout * 1000)))
    let runtime: PolicyRuntime
    do {
      runtime = try PolicyRuntime(session: session, limits: limits)
    } catch {
      throw Failure("\(error)")
    }
    // The person's own script: what it logs is what they asked to see (masking is for plugins that
    // run unattended, PolicyRuntime.showsPersonalData).
    runtime.showsPersonalData = true
    if isatty(STDOUT_FILENO) == 1 {
      // On a terminal what the script prints is shown, not run (a customer's text could hold an
      // escape sequence); into a pipe or a file it goes byte for byte, as data.
      runtime.state.output = { print(TerminalText.visibleLines($0), terminator: "") }
    } else {
      runtime.state.rawOutput = { bytes in StandardStream.output.write(bytes) }
    }
    do {
      let today = LocalDate(now, in: store.settings.timeZone)
      try runtime.runScript(
        bytes: [UInt8](data), chunkName: script,
        moduleRoot: URL(fileURLWithPath: script).deletingLastPathComponent(),
        seed: Self.seed("\(script)|\(today)"))
    } catch let error as LuaError {
      var message = "\(error.message) [\(error.kind)]"
      if let traceback = error.traceback { message += "\n" + traceback }
      throw Failure(message + "\nnothing was written to the workspace")
    }
    let staged = session.stagedInOrder
    // The script's reasons, tags and templates: shown, not run by the terminal.
    let summary = staged.map {
      TerminalText.visible(
        "  case \($0.caseId): \($0.decision.kind) \(Story.describe($0.decision))"
          + ($0.reason.isEmpty ? "" : " (\($0.reason))"))
    }
    if dryRun {
      print(
        "Dry run: \(staged.count) decision\(staged.count == 1 ? "" : "s") would be applied; nothing was written."
      )
      if !summary.isEmpty { print(summary.joined(separator: "\n")) }
      return
    }
    do {
      let events = try session.commit()
      let cases = Set(events.map(\.caseId)).count
      print(
        "Applied \(events.count) decision\(events.count == 1 ? "" : "s") to \(cases) case\(cases == 1 ? "" : "s") (\(runId))."
      )
      if !summary.isEmpty { print(summary.joined(separator: "\n")) }
    } catch {
      throw Failure("\(error)\nnothing was written to the workspace")
    }
  }

  /// FNV-1a of `text`: a stable seed for `math.random`, the same on every run of the same day.
  static func seed(_ text: String) -> Int64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
    return Int64(bitPattern: hash)
  }
}
