import ArgumentParser
import Foundation
import LitigeBatch
import LitigeCore
import LitigePolicies
import LitigeStore

struct BatchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "batch",
    abstract: "Run the nightly policies over every case that is not closed.",
    discussion: """
      Each case goes through the escalate, compensate and nightly hooks of the enabled plugins. One failing
      case never stops the night; the exit status is 1 when any failed. An interrupted run (Ctrl-C, a kill,
      a power cut) is resumed by the next 'litige batch': nothing is applied twice.
      """,
    subcommands: [Run.self, History.self], defaultSubcommand: Run.self)

  struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "run", abstract: "Run the night (the default).")

    @OptionGroup var workspace: WorkspaceOptions

    @Flag(help: "Run everything and report what would change; write nothing.")
    var dryRun = false

    @Option(help: "Workers, each with its own Lua state (default: the number of cores).")
    var jobs = max(1, ProcessInfo.processInfo.activeProcessorCount)

    @Option(help: "Run the night as if it were this date (YYYY-MM-DD, at 02:00 in the company's time zone).")
    var asOf: String?

    @Option(help: "Write the report to this file: .json for machines, .html for a page a manager opens.")
    var report: String?

    @Flag(help: "Start a new run even if the last one did not finish.")
    var restart = false

    @Option(help: "Abort when more than this share of cases fail (0 to 1).")
    var errorBudget = 0.5

    @Option(help: "Case ids per checkpoint: an interrupted run resumes from the first chunk not done.")
    var chunkSize = 500

    func validate() throws {
      guard jobs >= 1, jobs <= 64 else { throw ValidationError("--jobs must be between 1 and 64") }
      guard (0...1).contains(errorBudget) else {
        throw ValidationError("--error-budget must be between 0 and 1")
      }
      guard chunkSize >= 1 else { throw ValidationError("--chunk-size must be at least 1") }
      if let report, !report.hasSuffix(".json"), !report.hasSuffix(".html") {
        throw ValidationError("--report must name a .json or an .html file")
      }
    }

    func run() throws {
      let store = try workspace.openStore()
      var options = BatchOptions()
      options.dryRun = dryRun
      options.jobs = jobs
      options.errorBudget = errorBudget
      options.chunkSize = chunkSize
      if let asOf {
        do {
          let day = try LocalDate(parsing: asOf, field: "--as-of")
          options.asOf = day.start(in: store.settings.timeZone).addingTimeInterval(2 * 3_600)
        } catch let error as DomainError {
          throw ValidationError("\(error)")
        }
      }
      if !dryRun, !restart, let unfinished = try store.unfinishedRun() {
        options.resume = unfinished
        options.asOf = unfinished.asOf
        note("Resuming \(unfinished.id), which did not finish (as of \(Timestamp.utcText(unfinished.asOf))).")
      }
      let folder = URL(fileURLWithPath: workspace.path).deletingLastPathComponent()
      let configuration: WorkspaceConfiguration
      do {
        configuration = try WorkspaceConfiguration.load(
          folder: folder, bundled: WorkspaceConfiguration.bundledPluginsFolder())
      } catch let error as ConfigError {
        throw Failure(error.message)
      }
      let runner = BatchRunner(store: store, configuration: configuration, options: options)
      signal(SIGINT, SIG_IGN)
      let interrupt = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
      interrupt.setEventHandler {
        runner.requestStop()
        note("\nStopping at the end of the current chunks...")
      }
      interrupt.resume()
      let terminal = isatty(STDERR_FILENO) == 1
      let started = Date()
      let result: BatchReport
      do {
        result = try runner.run { done, total, failed in
          guard terminal, total > 0 else { return }
          let elapsed = Date().timeIntervalSince(started)
          let remaining = done > 0 ? elapsed / Double(done) * Double(total - done) : 0
          let line = String(
            format: "\r%3d%%  chunk %d/%d  %d failed  ETA %.0f s ", done * 100 / total, done, total, failed,
            remaining)
          FileHandle.standardError.write(Data(line.utf8))
        }
      } catch {
        throw Failure("\(error)")
      }
      interrupt.cancel()
      if terminal { note("") }
      if let path = report {
        if path.hasSuffix(".html") {
          try result.html().write(toFile: path, atomically: true, encoding: .utf8)
        } else {
          let encoder = JSONEncoder()
          encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
          try encoder.encode(result).write(to: URL(fileURLWithPath: path))
        }
      }
      let decisions = result.decisionsByKind.values.reduce(0, +)
      print(
        "\(result.dryRun ? "Dry run " : "")\(result.runId): \(result.cases) cases, "
          + "\(decisions) decision\(decisions == 1 ? "" : "s") \(result.dryRun ? "would be " : "")applied, "
          + "\(result.failedCases) failed, \(String(format: "%.0f", result.casesPerSecond)) cases/s.")
      for (kind, count) in result.decisionsByKind.sorted(by: { $0.key < $1.key }) {
        print("  \(kind): \(count)")
      }
      for failure in result.failures.prefix(20) {
        note("  case \(failure.caseId): \(failure.plugin) \(failure.hook): \(failure.message)")
      }
      if let path = report { print("Report: \(path)") }
      if let reason = result.abortReason {
        throw Failure("the run was \(result.status): \(reason); run 'litige batch' again to resume it")
      }
      if result.failedCases > 0 { throw ExitCode(1) }
    }
  }

  struct History: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the recent nightly runs.")
    @OptionGroup var workspace: WorkspaceOptions

    func run() throws {
      let store = try workspace.openStore()
      var table = TextTable(
        headers: ["RUN", "AS OF", "STATUS", "DRY", "CASES", "FAILED"], rightAligned: [4, 5])
      for run in try store.runs() {
        let report = run.report.flatMap { try? JSONDecoder().decode(BatchReport.self, from: Data($0.utf8)) }
        table.rows.append([
          run.id, Timestamp.display(run.asOf, in: store.settings.timeZone), run.status,
          run.dryRun ? "yes" : "no",
          report.map { String($0.cases) } ?? "-", report.map { String($0.failedCases) } ?? "-",
        ])
      }
      print(table.render())
    }
  }
}

/// A line on standard error.
func note(_ text: String, terminator: String = "\n") {
  FileHandle.standardError.write(Data((text + terminator).utf8))
}
