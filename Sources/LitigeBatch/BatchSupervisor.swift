import Foundation
import LitigePolicies
import LitigeStore
import LuaHost

/// Runs a night's chunks in worker processes and kills a worker whose hook call outlives the hard
/// deadline.
///
/// A call that loops in Lua is stopped by its time limit inside the worker; a single C call that never
/// returns to Lua (a backtracking pattern over a long string) cannot be, so the process boundary bounds
/// it. Each worker (`litige batch worker`) publishes the call it is running on a shared status page
/// (`WorkerStatusPage`); past the hard deadline the supervisor kills it (SIGKILL), records the case as
/// timed out for that plugin, starts a new worker and gives it the same chunk again with that plugin
/// skipped on that case. A chunk's decisions and checkpoint are written in one transaction, so a
/// worker killed in the middle of a chunk loses and doubles nothing. A plugin killed `suspendAfter`
/// times is suspended for the rest of the night.
final class BatchSupervisor: Sendable {
  private let runner: BatchRunner
  private let executable: URL
  private let run: RunRecord
  private let pluginNames: [String]
  private let hardDeadline: Duration
  private let folder: URL
  private let killCounts = KillCounts()
  /// Probe calls killed per plugin (counted apart from real calls; names with their version).
  private let probeKillCounts = KillCounts()
  /// The workers idle between two rounds of chunks (the cases', then the invoice pass's), by slot.
  private let idle = IdleWorkers()

  init(runner: BatchRunner, executable: URL, run: RunRecord) throws {
    // A worker that died between two chunks has a closed input: writing the next command to it must
    // fail with EPIPE (and the worker be replaced), not end the supervisor with SIGPIPE.
    signal(SIGPIPE, SIG_IGN)
    self.runner = runner
    self.executable = executable
    self.run = run
    pluginNames = try runner.makeHost().plugins.map(\.provenanceName)
    let timeout = runner.options.limits.timeout ?? .seconds(10)
    hardDeadline = runner.options.hardDeadline ?? timeout * 2 + .seconds(1)
    Self.removeFoldersOfEndedNights()
    folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "litige-batch-\(getpid())-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
  }

  /// Removes the status folders that nights killed outright left in the temporary folder.
  ///
  /// A folder is `litige-batch-PID-XXXXXXXX`; it is removed when process PID no longer exists (a
  /// SIGKILL, a power cut). A folder of a live process, of a process this user may not signal, or
  /// named otherwise (an older version's) is left alone.
  static func removeFoldersOfEndedNights() {
    let temporary = FileManager.default.temporaryDirectory
    let names = (try? FileManager.default.contentsOfDirectory(atPath: temporary.path)) ?? []
    for name in names where name.hasPrefix("litige-batch-") {
      // Exactly `litige-batch-PID-XXXXXXXX` (as `init` names them): nothing else is taken for one.
      let parts = name.dropFirst("litige-batch-".count).split(
        separator: "-", omittingEmptySubsequences: false)
      guard parts.count == 2, parts[1].count == 8, parts[1].allSatisfy(\.isHexDigit),
        parts[0].allSatisfy(\.isASCII), let pid = Int32(parts[0]), pid > 1, kill(pid, 0) != 0, errno == ESRCH
      else { continue }
      try? FileManager.default.removeItem(at: temporary.appendingPathComponent(name))
    }
  }

  deinit {
    finishWorkers()
    try? FileManager.default.removeItem(at: folder)
  }

  /// Ends the workers kept between rounds (their input closed: each finishes and exits).
  func finishWorkers() {
    for worker in idle.takeAll() { worker.finish() }
  }

  /// Runs chunks through one worker process until none are left.
  ///
  /// The worker is kept for the slot's next round (`finishWorkers` ends it): starting one loads every
  /// plugin again.
  func superviseSlot(_ slot: Int, progress: @Sendable (BatchProgress) -> Void) throws {
    let state = runner.runState
    let statusPath = folder.appendingPathComponent("worker-\(slot).status").path
    var worker: WorkerProcess? = idle.take(slot)
    defer { if let worker { idle.keep(worker, slot: slot) } }
    while let chunk = state.nextChunk() {
      var skip: [WorkerCommand.Skip] = []
      var deaths = 0
      while true {
        if worker == nil {
          let started = try WorkerProcess(
            executable: executable, arguments: workerArguments(statusPath: statusPath), statusPath: statusPath
          )
          // Loading runs every init.lua: allow each plugin a hard deadline, and five seconds more.
          try started.awaitReady(
            limit: hardDeadline * max(1, pluginNames.count) + .seconds(5), stopping: { state.isStopping })
          worker = started
        }
        guard let current = worker else { continue }
        let command = WorkerCommand(
          chunk: chunk, suspended: state.suspensions(), skip: skip,
          unprobed: probeKillCounts.reaching(runner.options.suspendAfter))
        switch try current.perform(command, hardDeadline: hardDeadline, stopping: { state.isStopping }) {
        case .stopped:
          worker = nil
          return
        case .done(let tally):
          progress(state.add(tally, errorBudget: runner.options.errorBudget))
        case .stuck(let caseId, let pluginIndex, let hookIndex, let seconds):
          current.kill()
          worker = nil
          if let probed = probe(
            caseId: caseId, plugin: current.name(ofPlugin: pluginIndex), hookIndex: hookIndex)
          {
            skip.append(probed)
            continue
          }
          blame(
            caseId: caseId, plugin: current.name(ofPlugin: pluginIndex), hookIndex: hookIndex,
            kind: "timeout",
            message:
              "time limit exceeded: a single call into the C library ran "
              + "\(LuaState.describe(.milliseconds(Int64(seconds * 1_000)))), past the hard "
              + "deadline of \(LuaState.describe(hardDeadline)); its worker was killed and restarted",
            skip: &skip)
          continue
        case .died(let description, let call):
          worker = nil
          if let call {
            if let probed = probe(
              caseId: call.caseId, plugin: current.name(ofPlugin: call.plugin), hookIndex: call.hook)
            {
              skip.append(probed)
              continue
            }
            // The worker died inside a plugin's call (a crash in C): that call is the culprit, as for a
            // kill; the chunk is replayed without it.
            blame(
              caseId: call.caseId, plugin: current.name(ofPlugin: call.plugin), hookIndex: call.hook,
              kind: "crash",
              message: "the worker process died during this call (\(description)); it was restarted",
              skip: &skip)
            continue
          }
          deaths += 1
          guard deaths < 3 else {
            throw BatchSupervisorError(
              "a worker process died three times on the chunk of "
                + (chunk.invoices.map { "\($0.count) invoices from \($0.first?.invoice ?? "")" }
                  ?? "cases \(chunk.first)-\(chunk.last)") + ": \(description)"
            )
          }
          continue
        }
        break
      }
    }
  }

  /// When the call killed (or that crashed its worker) was a probe (`BatchRunner.probe`): the skip
  /// that replays the chunk without probing that plugin on that case (the case is then due the next
  /// night), with no failure counted and nothing towards suspending the plugin; nil for a real call.
  private func probe(caseId: Int64, plugin: String, hookIndex: Int) -> WorkerCommand.Skip? {
    guard hookIndex >= runner.options.workerHooks.count else { return nil }
    let name = String(plugin.split(separator: "@").first ?? "")
    _ = probeKillCounts.add(name)
    return .init(caseId: caseId, plugin: name, probe: true)
  }

  /// Records that plugin `pluginIndex`'s call on `caseId` was killed or crashed its worker, skips it
  /// in the chunk's replay, and suspends the plugin after `suspendAfter` such calls.
  private func blame(
    caseId: Int64, plugin: String, hookIndex: Int, kind: String, message: String,
    skip: inout [WorkerCommand.Skip]
  ) {
    let state = runner.runState
    let name = String(plugin.split(separator: "@").first ?? "")
    skip.append(.init(caseId: caseId, plugin: name))
    var tally = Tally()
    tally.failedCases = 1
    let hooks = runner.options.workerHooks
    tally.failures = [
      .init(
        caseId: caseId, plugin: plugin, hook: hooks.indices.contains(hookIndex) ? hooks[hookIndex] : "?",
        message: message)
    ]
    _ = state.add(tally, errorBudget: runner.options.errorBudget, completesChunk: false)
    let kills = killCounts.add(plugin)
    if kills >= runner.options.suspendAfter {
      state.addSuspension(
        PluginSuspension(plugin: plugin, kind: kind, consecutiveFailures: kills, caseId: caseId))
    }
  }

  private func workerArguments(statusPath: String) -> [String] {
    var arguments = [
      "batch", "worker", "--db", runner.options.databasePath ?? "litige.sqlite", "--run", run.id,
      "--status-file", statusPath,
    ]
    if let timeout = runner.options.limits.timeout {
      arguments += ["--timeout-ms", String(Self.milliseconds(timeout))]
    }
    arguments += ["--memory-mb", String(runner.options.limits.memoryBytes >> 20)]
    arguments += ["--suspend-after", String(runner.options.suspendAfter)]
    if runner.options.showsPersonalData { arguments.append("--verbose") }
    return arguments
  }

  static func milliseconds(_ duration: Duration) -> Int64 {
    duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
  }

}

/// A failure of the supervision itself (a worker that cannot start or keeps dying).
struct BatchSupervisorError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}

/// The supervisor's workers between two rounds of chunks, by slot.
final class IdleWorkers: @unchecked Sendable {
  private let lock = NSLock()
  private var workers: [Int: WorkerProcess] = [:]
  /// The slot's worker, if it is still alive (one that died while idle is reaped and forgotten).
  func take(_ slot: Int) -> WorkerProcess? {
    guard let worker = lock.withLock({ workers.removeValue(forKey: slot) }) else { return nil }
    guard worker.isRunning else {
      worker.finish()
      return nil
    }
    return worker
  }
  /// Keeps `worker` for the slot's next round.
  func keep(_ worker: WorkerProcess, slot: Int) { lock.withLock { workers[slot] = worker } }
  /// Every kept worker, no longer kept (to finish them).
  func takeAll() -> [WorkerProcess] {
    lock.withLock {
      defer { workers = [:] }
      return Array(workers.values)
    }
  }
}

/// How many times the supervisor killed each plugin's calls this night.
final class KillCounts: @unchecked Sendable {
  private let lock = NSLock()
  private var counts: [String: Int] = [:]
  func add(_ plugin: String) -> Int {
    lock.withLock {
      counts[plugin, default: 0] += 1
      return counts[plugin] ?? 0
    }
  }

  /// The plugins counted at least `limit` times.
  func reaching(_ limit: Int) -> [String] {
    lock.withLock { counts.filter { $0.value >= limit }.map(\.key).sorted() }
  }
}

/// What the supervisor asks a worker: one chunk, with the plugins suspended so far and the plugins not
/// to run on given cases (killed there before).
struct WorkerCommand: Codable {
  /// A plugin not to run on a case; with `probe`, only not to probe it there (a probe was killed).
  struct Skip: Codable {
    var caseId: Int64
    var plugin: String
    var probe: Bool? = nil
  }

  /// The index a worker publishes for a call of `hook` (the supervisor's `workerHooks`): a probe's is
  /// offset by their count, so that the supervisor tells a killed probe from a real call.
  static func hookIndex(of hook: String, in hooks: [String], probing: Bool) -> Int {
    guard let index = hooks.firstIndex(of: hook) else { return -1 }
    return probing ? hooks.count + index : index
  }
  var chunk: NightChunk
  var suspended: [PluginSuspension]
  var skip: [Skip]
  /// Plugins no longer probed tonight: `suspendAfter` of their probes were killed.
  var unprobed: [String] = []
}

/// What a worker answers: first, once its plugins are loaded, their names in its order; then each
/// chunk's counts, or the error that stopped it.
struct WorkerAnswer: Codable {
  var chunk: Int
  var tally: Tally?
  var error: String?
  var plugins: [String]?
}

/// One worker process, its pipes and its status page.
final class WorkerProcess {
  enum Outcome {
    case done(Tally)
    case stuck(caseId: Int64, pluginIndex: Int, hookIndex: Int, seconds: Double)
    case died(String, call: (plugin: Int, hook: Int, caseId: Int64)?)
    case stopped
  }

  /// The worker's plugins, `name@version` in its own order (the indices its status page uses).
  private(set) var pluginNames: [String] = []

  /// Held while a worker process starts (see `init`).
  private static let starting = NSLock()
  private let process = Process()
  private let input = Pipe()
  private let output = Pipe()
  private let page: WorkerStatusPage
  private var buffer: [UInt8] = []

  init(executable: URL, arguments: [String], statusPath: String) throws {
    page = try WorkerStatusPage(path: statusPath, create: true)
    process.executableURL = executable
    process.arguments = arguments
    process.standardInput = input
    process.standardOutput = output
    process.standardError = FileHandle.standardError
    // A worker that crashes ends at once, so that the supervisor sees it gone: Swift's backtracer
    // would keep the dead process running (and spinning) while it symbolicates.
    var environment = ProcessInfo.processInfo.environment
    environment["SWIFT_BACKTRACE"] = "enable=no"
    process.environment = environment
    do {
      // One start at a time: Foundation learns that a child ended when a socket only that child holds
      // closes, and a worker started by another thread in the middle of this start inherited this
      // worker's end, so its death went unseen and the night's end waited for it for ever
      // (swift-corelibs-foundation issue 4795; found with two slots starting at once).
      try Self.starting.withLock { try process.run() }
    } catch {
      throw BatchSupervisorError("cannot start a worker (\(executable.path)): \(error)")
    }
  }

  /// Waits for the worker to have loaded its plugins (its first line), at most `limit`.
  ///
  /// A plugin whose `init.lua` is stuck in C would otherwise hold the night for ever: past the limit
  /// the worker is killed and this throws, naming the limit.
  func awaitReady(limit: Duration, stopping: () -> Bool) throws {
    let seconds = Double(BatchSupervisor.milliseconds(limit)) / 1000
    let started = DispatchTime.now().uptimeNanoseconds
    while true {
      if let line = try nextLine(timeoutMilliseconds: 50) {
        let answer = try JSONDecoder().decode(WorkerAnswer.self, from: line)
        if let error = answer.error { throw BatchSupervisorError(error) }
        pluginNames = answer.plugins ?? []
        return
      }
      let waited = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
      if waited > seconds || stopping() {
        kill()
        if stopping() { throw BatchSupervisorError("stopped while a worker was starting") }
        throw BatchSupervisorError(
          "a new worker did not finish loading the plugins within \(Int(seconds)) s (an init.lua stuck in a "
            + "C call?); the night stops here and resumes from this chunk")
      }
      if !process.isRunning {
        process.waitUntilExit()
        throw BatchSupervisorError(
          "a new worker exited while loading the plugins (status \(process.terminationStatus))")
      }
    }
  }

  /// The next line the worker wrote, if one arrives within the timeout; throws when its output ended.
  private func nextLine(timeoutMilliseconds: Int32) throws -> Data? {
    if let line = takeLine() { return line }
    var poller = pollfd(fd: output.fileHandleForReading.fileDescriptor, events: Int16(POLLIN), revents: 0)
    guard poll(&poller, 1, timeoutMilliseconds) > 0 else { return nil }
    var chunk = [UInt8](repeating: 0, count: 65_536)
    let count = read(output.fileHandleForReading.fileDescriptor, &chunk, chunk.count)
    guard count > 0 else { throw BatchSupervisorError("the worker's output ended") }
    scanned = buffer.count
    buffer += chunk[..<count]
    return takeLine()
  }

  /// Where the search for a newline resumes: bytes before it hold none (a long line is scanned once).
  private var scanned = 0

  private func takeLine() -> Data? {
    guard let newline = buffer[scanned...].firstIndex(of: 10) else {
      scanned = buffer.count
      return nil
    }
    let line = Data(buffer[..<newline])
    buffer.removeSubrange(...newline)
    scanned = 0
    return line
  }

  /// Sends `command` and waits for its answer, watching the running call's age.
  func perform(_ command: WorkerCommand, hardDeadline: Duration, stopping: () -> Bool) throws -> Outcome {
    let encoder = JSONEncoder()
    do {
      try input.fileHandleForWriting.write(contentsOf: try encoder.encode(command) + Data("\n".utf8))
    } catch {
      return .died("cannot write to it: \(error)", call: nil)
    }
    let limit = Double(BatchSupervisor.milliseconds(hardDeadline)) / 1000
    while true {
      let line: Data?
      do {
        line = try nextLine(timeoutMilliseconds: 50)
      } catch {
        process.waitUntilExit()
        return died()
      }
      if let line {
        let answer = try JSONDecoder().decode(WorkerAnswer.self, from: line)
        if let error = answer.error { throw BatchSupervisorError(error) }
        return .done(answer.tally ?? Tally())
      }
      if let call = page.runningCall(), call.seconds > limit {
        return .stuck(
          caseId: call.caseId, pluginIndex: call.plugin, hookIndex: call.hook, seconds: call.seconds)
      }
      if stopping() {
        // Ctrl-C or SIGTERM: the chunk under way is not written (it is in one transaction) and the next
        // run resumes from it.
        kill()
        return .stopped
      }
      if !process.isRunning {
        process.waitUntilExit()
        return died()
      }
    }
  }

  /// The `name@version` of the plugin at `index` in this worker's order.
  func name(ofPlugin index: Int) -> String {
    pluginNames.indices.contains(index) ? pluginNames[index] : "plugin #\(index)"
  }

  /// How the worker ended, and the call it was running then, if any.
  private func died() -> Outcome {
    let how =
      process.terminationReason == .uncaughtSignal
      ? "killed by signal \(process.terminationStatus)" : "exited with status \(process.terminationStatus)"
    let call = page.runningCall().map { (plugin: $0.plugin, hook: $0.hook, caseId: $0.caseId) }
    return .died(how, call: call)
  }

  /// Kills the worker at once (SIGKILL) and reaps it.
  func kill() {
    Foundation.kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
  }

  /// Whether the process is still alive.
  var isRunning: Bool { process.isRunning }

  /// Closes its input: the worker finishes and exits; one that has not after two seconds (stopped,
  /// or stuck) is killed.
  func finish() {
    try? input.fileHandleForWriting.close()
    for _ in 0..<200 where process.isRunning { usleep(10_000) }
    if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
    process.waitUntilExit()
  }
}
