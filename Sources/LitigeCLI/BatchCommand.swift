import ArgumentParser
import Foundation
import LitigeBatch
import LitigeCore
import LitigePolicies
import LitigeStore
import LuaHost

struct BatchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "batch",
    abstract: "Run the nightly policies over every case that is not closed.",
    discussion: """
      Each case goes through the escalate, compensate and nightly hooks of the enabled plugins. One failing
      case never stops the night; the exit status is 1 when any failed. An interrupted run (Ctrl-C, a kill,
      a power cut) is resumed by the next 'litige batch': nothing is applied twice. One night runs at a
      time on a workspace: while one runs, another 'litige batch' on it (by any path) is refused.
      """,
    subcommands: [Run.self, History.self, Worker.self], defaultSubcommand: Run.self)

  struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "run", abstract: "Run the night (the default).")

    @OptionGroup var workspace: WorkspaceOptions

    @Flag(help: "Run everything and report what would change; write nothing.")
    var dryRun = false

    @Option(
      parsing: .unconditional,
      help: "Workers, each with its own Lua state (the default is the number of cores).")
    var jobs = max(1, ProcessInfo.processInfo.activeProcessorCount)

    @Option(help: "Run the night as if it were this date (YYYY-MM-DD, at 02:00 in the company's time zone).")
    var asOf: String?

    @Option(help: "Write the report to this file: .json for machines, .html for a page a manager opens.")
    var report: String?

    @Flag(help: "Start a new run even if the last one did not finish.")
    var restart = false

    @Option(parsing: .unconditional, help: "Abort when more than this share of cases fail (0 to 1).")
    var errorBudget = 0.5

    @Option(
      parsing: .unconditional,
      help: "Case ids per checkpoint: an interrupted run resumes from the first chunk not done.")
    var chunkSize = 500

    @Option(
      parsing: .unconditional,
      help: "Seconds one hook call may run; a call stuck in C is killed at twice this plus 1 s.")
    var timeout: Double = 2

    @Option(parsing: .unconditional, help: "Memory ceiling of each plugin's Lua state, in MB.")
    var memory = 64

    @Option(
      parsing: .unconditional,
      help:
        "Suspend a plugin for the night after this many time or memory failures in a row (or three times as many in all)."
    )
    var suspendAfter = 3

    @Flag(
      help: """
        Run the workers as threads of this process instead of child processes (a call stuck in C \
        then cannot be stopped: for debugging only).
        """)
    var inProcess = false

    @Flag(
      help: """
        Visit every open case, not only those the wake-up index says are due tonight (the index is \
        rebuilt by itself when a plugin, its settings or litige.toml change).
        """)
    var full = false

    @OptionGroup var personalData: PersonalDataOptions

    func validate() throws {
      guard jobs >= 1, jobs <= 64 else { throw ValidationError("--jobs must be between 1 and 64") }
      guard (0...1).contains(errorBudget) else {
        throw ValidationError("--error-budget must be between 0 and 1")
      }
      guard chunkSize >= 1 else { throw ValidationError("--chunk-size must be at least 1") }
      guard timeout >= 0.05, timeout <= 3_600 else {
        throw ValidationError("--timeout must be between 0.05 and 3600 seconds")
      }
      guard memory >= 8, memory <= 65_536 else {
        throw ValidationError("--memory must be between 8 and 65536 MB")
      }
      guard suspendAfter >= 1, suspendAfter <= 1_000_000 else {
        throw ValidationError("--suspend-after must be between 1 and 1000000")
      }
      if let report, !report.hasSuffix(".json"), !report.hasSuffix(".html") {
        throw ValidationError("--report must name a .json or an .html file")
      }
      // Checked before the night: a report that cannot be written after it leaves the night done and
      // its figures only in `batch history`.
      if var report {
        // A link is judged by where it leads (a dangling one by the folder it names).
        if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: report) {
          report =
            target.hasPrefix("/")
            ? target
            : ((report as NSString).deletingLastPathComponent as NSString).appendingPathComponent(target)
        }
        let folder = (report as NSString).deletingLastPathComponent
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.isEmpty ? "." : folder, isDirectory: &isFolder),
          isFolder.boolValue
        else { throw ValidationError("--report \(report): the folder '\(folder)' does not exist") }
        guard FileManager.default.isWritableFile(atPath: folder.isEmpty ? "." : folder) else {
          throw ValidationError("--report \(report): cannot write in the folder '\(folder)'")
        }
        if FileManager.default.fileExists(atPath: report, isDirectory: &isFolder) {
          guard !isFolder.boolValue else {
            throw ValidationError("--report \(report) is a folder; name a .json or an .html file")
          }
          // By any name (a link): writing the report there would destroy the workspace.
          for file in ["", "-wal", "-shm"] where Self.isSameFile(report, workspace.path + file) {
            throw ValidationError(
              "--report \(report) is the workspace's database\(file.isEmpty ? "" : " (\(file))"): name another file"
            )
          }
          guard FileManager.default.isWritableFile(atPath: report) else {
            throw ValidationError("--report \(report): the file exists and cannot be written")
          }
        }
      }
    }

    /// Whether paths `first` and `second` name the same file (links followed), by device and inode:
    /// `stat` opens neither (closing a descriptor of the database would drop SQLite's locks).
    static func isSameFile(_ first: String, _ second: String) -> Bool {
      var a = stat()
      var b = stat()
      guard stat(first, &a) == 0, stat(second, &b) == 0 else { return false }
      return a.st_dev == b.st_dev && a.st_ino == b.st_ino
    }

    func run() throws {
      // One night at a time on a workspace: a second `litige batch` would take the running night for
      // an unfinished one and resume it beside it. The lock is the kernel's, on the database file, taken
      // before this process opens it and held until it ends, even killed (NightLock).
      if !dryRun, FileManager.default.fileExists(atPath: workspace.path) {
        try NightLock.take(path: workspace.path)
      }
      let store = try workspace.openStore()
      var options = BatchOptions()
      options.dryRun = dryRun
      options.full = full
      options.jobs = jobs
      options.errorBudget = errorBudget
      options.chunkSize = chunkSize
      options.databasePath = workspace.path
      options.limits.timeout = .milliseconds(Int64(timeout * 1_000))
      options.limits.memoryBytes = memory << 20
      options.suspendAfter = suspendAfter
      options.showsPersonalData = personalData.verbose
      if !inProcess { options.workerExecutable = Self.executable }
      if let asOf {
        do {
          let day = try LocalDate(parsing: asOf, field: "--as-of")
          try Plausible.check(day, field: "--as-of")
          options.asOf = day.start(in: store.settings.timeZone).addingTimeInterval(2 * 3_600)
        } catch let error as DomainError {
          throw ValidationError("\(error)")
        }
      }
      // Nights run forward: the journal is append-only and in time order, so a night dated before one
      // already run would write events in the past of others.
      if !dryRun,
        // A night killed before its end wrote its chunks done: one started anew (--restart) counts it.
        let last = try store.runs(limit: 200).filter({ !$0.dryRun && ($0.finishedAt != nil || restart) })
          .map(\.asOf).max(),
        LocalDate(options.asOf, in: store.settings.timeZone) < LocalDate(last, in: store.settings.timeZone)
      {
        throw Failure(
          "a night as of \(LocalDate(last, in: store.settings.timeZone)) was already run; nights run forward "
            + "(use --dry-run to see what an earlier night would have decided)")
      }
      if !dryRun, restart, let unfinished = try store.unfinishedRun() {
        // Started anew: the unfinished night is given up, never resumed after this one.
        options.replacing = unfinished
        note("Not resuming \(unfinished.id) (--restart): it is marked abandoned as the new night starts.")
      }
      if !dryRun, !restart, let unfinished = try store.unfinishedRun() {
        let asked = asOf.map { _ in LocalDate(options.asOf, in: store.settings.timeZone) }
        let resumed = LocalDate(unfinished.asOf, in: store.settings.timeZone)
        options.resume = unfinished
        options.asOf = unfinished.asOf
        note(
          "Resuming \(unfinished.id), which did not finish (as of \(Timestamp.utcText(unfinished.asOf)))."
            + (asked.map { $0 != resumed ? " The night as of \($0) is not run: run the command again." : "" }
              ?? ""))
      }
      let configuration = try BatchCommand.configuration(of: workspace)
      if dryRun {
        // Marked alive before its row exists, so that `batch history` can tell it from a dry run
        // that was killed (which keeps its row's status, running).
        let id = BatchRunner.newRunId(name: options.runName, asOf: options.asOf)
        options.newRunId = id
        DryRunMark.take(path: workspace.path, runId: id)
      }
      let runner = BatchRunner(store: store, configuration: configuration, options: options)
      // A night goes on when whoever read its output stops reading (`litige batch | head -2`, a
      // closed log): its writes fail instead (`StandardStream`), it does not end with SIGPIPE.
      signal(SIGPIPE, SIG_IGN)
      // Ctrl-C, or a scheduler's SIGTERM: stop at the end of the chunks under way (resumable).
      let stops = [SIGINT, SIGTERM].map { number in
        signal(number, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
        source.setEventHandler {
          runner.requestStop()
          note("\nStopping at the end of the current chunks...")
        }
        source.resume()
        return source
      }
      let terminal = isatty(STDERR_FILENO) == 1
      let display = ProgressDisplay(terminal: terminal, started: Date())
      if !terminal {
        display.log(
          "started", ["run": options.resume?.id ?? "new", "as_of": Timestamp.utcText(options.asOf)])
      }
      // A litige.toml without [plugins.NAME] (empty, or only [company]) runs the lifecycle alone: say
      // so, or operations would read a quiet night as a night with nothing to do.
      if configuration.enabled.isEmpty {
        let message =
          "no plugin is enabled: only the lifecycle's own moves run "
          + "(add [plugins.NAME] tables to litige.toml beside the workspace)"
        if terminal {
          note("warning: " + message)
        } else {
          display.log("no_plugins", ["message": message])
        }
      }
      // Late penalties need the rates of the night's half-year (Code de commerce L441-10): say so once.
      let period = HalfYear(containing: LocalDate(options.asOf, in: store.settings.timeZone))
      do {
        _ = try store.settings.penaltyRates.penaltyRate(for: period)
      } catch let error as DomainError {
        let message = "\(error); late penalties cannot be computed for \(period)"
        if terminal {
          note("warning: " + message)
        } else {
          display.log("rates_missing", ["message": message])
        }
      }
      let result: BatchReport
      do {
        result = try runner.run { progress in display.show(progress) }
      } catch {
        throw Failure("\(error)")
      }
      for source in stops { source.cancel() }
      if terminal {
        note("")
      } else {
        display.log(
          "finished",
          [
            "run": result.runId, "status": result.status, "cases": "\(result.cases)",
            "failed": "\(result.failedCases)", "cases_per_s": String(format: "%.0f", result.casesPerSecond),
            "cases_s": String(format: "%.2f", result.phaseSeconds?.cases ?? 0),
            "invoices_s": String(format: "%.2f", result.phaseSeconds?.invoices ?? 0),
            "figures_s": String(format: "%.2f", result.phaseSeconds?.figures ?? 0),
          ])
      }
      if let path = report {
        do {
          if path.hasSuffix(".html") {
            try result.html().write(toFile: path, atomically: true, encoding: .utf8)
          } else {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            // Atomically: a new file renamed over the path, never written through a link it may be.
            try encoder.encode(result).write(to: URL(fileURLWithPath: path), options: .atomic)
          }
        } catch {
          throw Failure(
            "\(result.runId) is done and written, but its report could not be written to \(path) "
              + "(\(error.localizedDescription)); its counts are in `litige batch history --json`")
        }
      }
      let decisions = result.decisionsByKind.values.reduce(0, +)
      // A night resumed after its last chunk visits nothing: "0 cases/s" would read as a stall.
      let rate =
        result.resumedChunks > 0 && result.casesPerSecond == 0
        ? " (every chunk was done before it stopped)"
        : ", \(String(format: "%.0f", result.casesPerSecond)) cases/s"
      print(
        "\(result.dryRun ? "Dry run " : "")\(result.runId): \(result.cases) cases, "
          + "\(decisions) decision\(decisions == 1 ? "" : "s") \(result.dryRun ? "would be " : "")applied, "
          + "\(result.failedCases) failed\(rate).")
      if let asleep = result.casesAsleep, asleep > 0 {
        print(
          "  \(asleep) open case\(asleep == 1 ? "" : "s") with nothing due tonight (litige batch --full visits them)"
        )
      } else if result.full == true, !result.dryRun, result.status != "aborted" {
        print("  every open case visited (full night): the wake-up index is up to date")
      }
      for (kind, count) in result.decisionsByKind.sorted(by: { $0.key < $1.key }) {
        print("  \(kind): \(count)")
      }
      // The morning's work queues (litige case list --queue NAME).
      // Counted here on workspaces up to 20,000 cases (it reads every open case, and the commitments of
      // the active ones); above, `litige case list --queue NAME` counts one queue without slowing the night.
      if !result.dryRun, try store.openCaseCount() <= 20_000 {
        do {
          let cases = try store.cases(matching: CaseFilter(activeOnly: false)).filter { $0.status != .closed }
          let counts = try WorkQueue.allCases.map { queue in
            (queue, try queue.cases(of: cases, at: options.asOf, in: store).count)
          }
          print(
            "Work queues: "
              + counts.map { "\($0.0.rawValue) \($0.1)" }.joined(separator: ", ")
              + " (litige case list --queue NAME)")
        } catch {
          // The night is written: a case that cannot be read (reported below) leaves the queues uncounted.
          note("Work queues: not counted (\(error))")
        }
      }
      for failure in result.failures.prefix(20) {
        // One line each: the report has the whole message and its traceback.
        var message = String(failure.message.prefix { $0 != "\n" })
        if message.count > 300 { message = String(message.prefix(300)) + "..." }
        note("  case \(failure.caseId): \(failure.plugin) \(failure.hook): \(TerminalText.visible(message))")
      }
      if result.failures.count > 20 {
        note("  ... and \(result.failures.count - 20) more failures (see --report)")
      }
      if let path = report { print("Report: \(path)") }
      if let reason = result.abortReason {
        throw Failure("the run was \(result.status): \(reason); run 'litige batch' again to resume it")
      }
      for suspension in result.suspendedPlugins ?? [] {
        note(
          "  \(suspension.plugin) was suspended for the rest of the night after \(suspension.consecutiveFailures) "
            + "\(suspension.kind) failures (the last on case \(suspension.caseId)); its other cases were skipped"
        )
      }
      if result.status != "completed" { throw ExitCode(1) }
    }

    /// This executable, which the supervisor starts as `litige batch worker`.
    static var executable: URL {
      let path =
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        ?? Bundle.main.executablePath ?? CommandLine.arguments[0]
      return URL(fileURLWithPath: path)
    }
  }

  /// The workspace's plugin configuration, beside its database.
  static func configuration(of workspace: WorkspaceOptions) throws -> WorkspaceConfiguration {
    let folder = URL(fileURLWithPath: workspace.path).deletingLastPathComponent()
    do {
      return try WorkspaceConfiguration.load(
        folder: folder, bundled: WorkspaceConfiguration.bundledPluginsFolder())
    } catch let error as ConfigError {
      throw Failure(error.message)
    }
  }

  /// A worker process of a supervised night; `litige batch` starts it, people never do.
  struct Worker: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "worker", abstract: "Serve a supervised night's chunks (internal).", shouldDisplay: false)

    @OptionGroup var workspace: WorkspaceOptions
    @Option(name: .customLong("run"), help: "The run's id.") var runId: String
    @Option(help: "The shared status page.") var statusFile: String
    @Option(help: "Time limit of a hook call, in ms.") var timeoutMs: Int64 = 2_000
    @Option(help: "Memory ceiling of a plugin's state, in MB.") var memoryMb = 64
    @Option(help: "Suspend a plugin after this many resource failures in a row.") var suspendAfter = 3
    @OptionGroup var personalData: PersonalDataOptions

    func run() throws {
      let store = try workspace.openStore()
      guard let record = try store.runs(limit: 200).first(where: { $0.id == runId }) else {
        throw Failure("no run \(runId) in \(workspace.path)")
      }
      var options = BatchOptions()
      options.asOf = record.asOf
      options.dryRun = record.dryRun
      options.chunkSize = record.chunkSize
      options.limits.timeout = .milliseconds(timeoutMs)
      options.limits.memoryBytes = memoryMb << 20
      options.suspendAfter = suspendAfter
      options.showsPersonalData = personalData.verbose
      let runner = BatchRunner(
        store: store, configuration: try BatchCommand.configuration(of: workspace), options: options)
      signal(SIGINT, SIG_IGN)  // Ctrl-C is the supervisor's: it stops at a chunk boundary
      LuaHardDeadline.action = LuaHardDeadline.ignore  // the supervisor kills this process instead
      try BatchWorker.serve(runner: runner, run: record, statusPath: statusFile)
    }
  }

  struct History: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "List the recent nightly runs.",
      discussion: """
        A run's status is completed, failed (a case or a plugin failed: see its report), aborted \
        (stopped by Ctrl-C or past its error budget), running (a night under way now), interrupted \
        (its process died before the end) or abandoned (replaced by a later night, or by --restart). \
        The next 'litige batch' resumes the last night when it is aborted or interrupted; a dry run \
        is never resumed.
        """)
    @OptionGroup var workspace: WorkspaceOptions
    @Flag(help: "Print JSON: each run with its id, as_of, status, dry_run, cases and failed_cases.")
    var json = false

    func run() throws {
      let store = try workspace.openStore()
      // A night recorded as running while no process holds the workspace's lock (NightLock) was
      // stopped (killed, the machine down). The runs are read before and after the lock is looked at
      // (without taking it): a night ending meanwhile shows as it ended, one starting meanwhile as
      // running. A dry run holds no lock, so its row says what it says.
      let before = try store.runs()
      let nightUnderWay = NightLock.isHeld(path: workspace.path) ?? true
      // The dry runs recorded as running whose process still marks them alive (DryRunMark).
      let dryRunsAlive = Set(
        before.filter { $0.dryRun && $0.status == "running" }.map(\.id).filter {
          DryRunMark.isHeld(path: workspace.path, runId: $0) ?? true
        })
      var runs = try store.runs()
      // The night `litige batch` would resume is always listed, however many runs came after it.
      if let lastReal = try store.lastRealRun(), !runs.contains(where: { $0.id == lastReal.id }) {
        runs.append(lastReal)
      }
      let runningBefore = Set(before.filter { $0.status == "running" }.map(\.id))
      // Only the last real run is resumed (Store.unfinishedRun); an older one left unfinished was
      // given up for a later one.
      let last = runs.first { !$0.dryRun && Store.isNight($0) }?.id
      func status(of run: RunRecord) -> String {
        if run.dryRun, run.status == "running", runningBefore.contains(run.id), !dryRunsAlive.contains(run.id)
        {
          return "interrupted"
        }
        guard !run.dryRun, Store.isNight(run), run.status == "running" || run.status == "aborted" else {
          return run.status
        }
        if run.id != last { return "abandoned" }
        // Under way: a night resuming an aborted run keeps its row's status until it ends.
        if nightUnderWay { return "running" }
        if run.status == "running", runningBefore.contains(run.id) { return "interrupted" }
        return run.status
      }
      if json {
        print(
          jsonText(
            runs.map { run -> [String: Any] in
              let report = run.report.flatMap {
                try? JSONDecoder().decode(BatchReport.self, from: Data($0.utf8))
              }
              return [
                "id": run.id, "as_of": Timestamp.utcText(run.asOf), "status": status(of: run),
                "dry_run": run.dryRun,
                "cases": report.map { $0.cases as Any } ?? NSNull(),
                "failed_cases": report.map { $0.failedCases as Any } ?? NSNull(),
                "decisions": report.map { $0.decisionsByKind.values.reduce(0, +) as Any } ?? NSNull(),
              ]
            }))
        return
      }
      var table = TextTable(
        headers: ["RUN", "AS OF", "STATUS", "DRY", "CASES", "FAILED"], rightAligned: [4, 5])
      for run in runs {
        let report = run.report.flatMap { try? JSONDecoder().decode(BatchReport.self, from: Data($0.utf8)) }
        table.rows.append([
          run.id, Timestamp.display(run.asOf, in: store.settings.timeZone), status(of: run),
          run.dryRun ? "yes" : "no",
          report.map { String($0.cases) } ?? "-", report.map { String($0.failedCases) } ?? "-",
        ])
      }
      print(table.render())
      if let run = runs.first(where: { !$0.dryRun && Store.isNight($0) }),
        ["interrupted", "aborted"].contains(status(of: run))
      {
        print("\(run.id) stopped before its end: 'litige batch' resumes it where it stopped.")
      }
    }
  }
}

/// The mark of a dry run under way, which `batch history` reads to tell it from one that was killed.
///
/// A dry run takes no night lock (it writes no case, and may run beside a night), so its row alone
/// cannot say whether its process still lives. It holds a shared open-file-description lock
/// (`F_OFD_SETLK`) on one byte of the database file, far beyond any byte SQLite locks (its locks are
/// at 1 GiB, this one at 2^50 plus a hash of the run's id), until its process ends. A look
/// (`isHeld`) asks the kernel whether anyone holds it (`F_OFD_GETLK`) without taking it.
///
/// Open-file-description locks, unlike POSIX ones, are not dropped when another descriptor of the
/// file is closed, and they do not conflict with SQLite's POSIX locks on other bytes. The descriptors
/// are still never closed: closing one would drop SQLite's POSIX locks of this process (see
/// `NightLock`).
enum DryRunMark {
  /// The descriptors of the marks this process holds, kept open until it ends.
  nonisolated(unsafe) private static var held: [Int32] = []

  /// Marks dry run `runId` on the database at `path` alive for the rest of this process.
  ///
  /// Best effort: without it, a killed dry run shows as running, as before.
  static func take(path: String, runId: String) {
    guard let descriptor = try? NightLock.openRegularFile(path) else { return }
    held.append(descriptor)  // never closed, even if the lock is refused: see the type's comment
    var lock = region(of: runId, type: F_RDLCK)
    _ = fcntl(descriptor, setLock, &lock)
  }

  /// `F_OFD_GETLK` and `F_OFD_SETLK` of Linux (asm-generic/fcntl.h), which Glibc declares only with
  /// `_GNU_SOURCE`.
  private static let (getLock, setLock): (Int32, Int32) = (36, 37)

  /// Whether a process marks dry run `runId` alive; nil when that cannot be told.
  static func isHeld(path: String, runId: String) -> Bool? {
    guard let descriptor = try? NightLock.openRegularFile(path) else { return nil }
    held.append(descriptor)  // never closed: see the type's comment
    var lock = region(of: runId, type: F_WRLCK)
    guard fcntl(descriptor, getLock, &lock) == 0 else { return nil }
    return lock.l_type != F_UNLCK
  }

  /// The byte of run `runId`: 2^50 plus its id's digest (`ContentDigest`, FNV-1a) modulo 2^30.
  private static func region(of runId: String, type: Int32) -> flock {
    var digest = ContentDigest()
    digest.add(runId)
    let hash = digest.value
    var lock = flock()
    lock.l_type = Int16(type)
    lock.l_whence = Int16(SEEK_SET)
    lock.l_start = off_t(1 << 50) + off_t(hash % (1 << 30))
    lock.l_len = 1
    return lock
  }
}

/// A line on standard error.
func note(_ text: String, terminator: String = "\n") {
  StandardStream.error.write(text + terminator)
}

/// The batch's progress: a bar on a terminal; otherwise a few `logfmt` lines on standard error (start,
/// every tenth of the run, end) that a scheduler's log keeps without flooding it.
final class ProgressDisplay: @unchecked Sendable {
  private let terminal: Bool
  private let started: Date
  private let lock = NSLock()
  private var lastTenth = -1

  init(terminal: Bool, started: Date) {
    self.terminal = terminal
    self.started = started
  }

  /// Shows where the run is; called from worker threads after each chunk.
  func show(_ progress: BatchProgress) {
    guard progress.chunksTotal > 0 else { return }
    let elapsed = max(Date().timeIntervalSince(started), 0.001)
    let rate = Double(progress.cases) / elapsed
    let fraction = Double(progress.chunksDone) / Double(progress.chunksTotal)
    let remaining = fraction > 0 ? elapsed / fraction * (1 - fraction) : 0
    lock.withLock {
      if terminal {
        let width = 24
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        let line = String(
          format: "\r[%@] %3d%%  %d cases  %.0f cases/s  ETA %@  %d failed ", bar, Int(fraction * 100),
          progress.cases, rate, Self.duration(remaining), progress.failedCases)
        StandardStream.error.write(line)
        return
      }
      let tenth = Int(fraction * 10)
      guard tenth > lastTenth else { return }
      lastTenth = tenth
      write(
        "progress",
        [
          "chunks": "\(progress.chunksDone)/\(progress.chunksTotal)", "cases": "\(progress.cases)",
          "failed": "\(progress.failedCases)", "cases_per_s": String(format: "%.0f", rate),
          "eta_s": String(format: "%.0f", remaining),
        ])
    }
  }

  /// A `logfmt` line: `time=... level=info event=... key=value...`, keys sorted.
  func log(_ event: String, _ fields: [String: String]) {
    lock.withLock { write(event, fields) }
  }

  private func write(_ event: String, _ fields: [String: String]) {
    var line = "time=\(Timestamp.utcText(Date())) level=info component=batch event=\(event)"
    for (key, value) in fields.sorted(by: { $0.key < $1.key }) {
      let quoted = value.contains(" ") || value.contains("=") || value.contains("\"")
      line += " \(key)=" + (quoted ? "\"" + value.replacingOccurrences(of: "\"", with: "\\\"") + "\"" : value)
    }
    StandardStream.error.write(line + "\n")
  }

  private static func duration(_ seconds: Double) -> String {
    let total = Int(seconds.rounded())
    return total >= 3_600
      ? String(format: "%dh%02dm", total / 3_600, total % 3_600 / 60)
      : String(format: "%dm%02ds", total / 60, total % 60)
  }
}

/// The right to run a night on a workspace, held by one `litige batch` at a time.
///
/// An exclusive `flock` on the database file, taken without waiting before the workspace is opened,
/// and held until the process ends, however it ends (the kernel releases it). The lock is on the file
/// itself, so a symbolic link to the database is the same workspace (`Store.open` refuses a database
/// with a second hard link), and anyone who may read the database may take it. Throws `Failure`
/// naming the workspace when another process holds it.
///
/// The descriptor is never closed while the process runs: closing any descriptor of the database
/// drops every POSIX lock this process holds on it, SQLite's own included
/// (https://www.sqlite.org/howtocorrupt.html, 2.2), and another process's last connection would then
/// take itself for the only one and checkpoint and delete the write-ahead log under this one. A night
/// run on 2026-11-30 corrupted its workspace so when this lock was released at the end of the night.
/// It is only closed when the lock is refused, before this process has opened the database.
final class NightLock: Sendable {
  private let descriptor: Int32

  /// The locks this process holds, kept alive until it ends.
  nonisolated(unsafe) private static var held: [NightLock] = []

  /// Takes the lock of the database at `path`, or throws `Failure` when another process holds it.
  @discardableResult
  static func take(path: String) throws -> NightLock {
    let lock = try NightLock(path: path)
    held.append(lock)
    return lock
  }

  /// Throws `Failure` when another process holds the lock of the database at `path` (a night or a
  /// generation under way), without keeping it: for a command about to replace the file, which this
  /// process has not opened (closing the probe's descriptor drops no lock of SQLite's then).
  static func checkFree(path: String) throws {
    let probe = try NightLock(path: path)
    flock(probe.descriptor, LOCK_UN)
    close(probe.descriptor)
  }

  /// Whether a process holds the lock of the database at `path` now, asked without taking it for
  /// more than an instant; nil when that cannot be told (the file cannot be opened).
  ///
  /// For commands that only look (`batch history`): a shared lock is tried and given back at once, so
  /// two lookers never see each other as a night, and a night starting at that instant waits for it
  /// (`take` tries again for a moment). The descriptor is left open until the process ends: closing
  /// it would drop the locks SQLite holds on the file in this process.
  static func isHeld(path: String) -> Bool? {
    guard let descriptor = try? openRegularFile(path) else { return nil }
    guard flock(descriptor, LOCK_SH | LOCK_NB) == 0 else { return true }
    flock(descriptor, LOCK_UN)
    return false
  }

  /// A descriptor of the regular file at `path`, opened without blocking (a FIFO given for the
  /// workspace would wait for a writer forever); throws `Failure` for anything else.
  static func openRegularFile(_ path: String) throws -> Int32 {
    let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
    guard descriptor >= 0 else {
      throw Failure("cannot open \(path) to lock it: \(String(cString: strerror(errno)))")
    }
    var info = stat()
    guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
      close(descriptor)
      throw Failure("\(path) is not a workspace database: not a regular file")
    }
    return descriptor
  }

  private init(path: String) throws {
    descriptor = try Self.openRegularFile(path)
    // A look by `isHeld` holds a shared lock for an instant: tried again for half a second before
    // taking the lock for another night's.
    var locked = false
    for attempt in 1...50 {
      if flock(descriptor, LOCK_EX | LOCK_NB) == 0 {
        locked = true
        break
      }
      guard errno == EWOULDBLOCK || errno == EINTR, attempt < 50 else { break }
      usleep(10_000)
    }
    guard locked else {
      close(descriptor)
      throw Failure(
        "a night or a generation is already running on \(path) (another litige process holds it): wait "
          + "for it to finish, or stop it (Ctrl-C); a night stopped resumes when run again")
    }
  }
}
