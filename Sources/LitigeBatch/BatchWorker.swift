import Foundation
import LitigePolicies
import LitigeStore

/// The worker side of a supervised night (`litige batch worker`): reads chunk commands on standard
/// input, one JSON object a line, runs each chunk (of cases, or of the invoice pass) and answers its
/// counts on standard output.
public enum BatchWorker {
  /// Serves commands until standard input closes.
  ///
  /// `runner` holds the night's options; `run` is the run record the supervisor created; the status
  /// page at `statusPath` is where each hook call is published. Throws when the plugins do not load.
  public static func serve(runner: BatchRunner, run: RunRecord, statusPath: String) throws {
    let page = try WorkerStatusPage(path: statusPath, create: false)
    // A worker whose supervisor is gone (killed) must not run on, orphaned, in a call stuck in C,
    // nor write a chunk after it: a night resumed at once would read that chunk as not done, redo it
    // and report it short (the attack round caught a worker committing up to a second later).
    let parent = getppid()
    Thread.detachNewThread {
      while getppid() == parent { usleep(50_000) }
      _exit(1)
    }
    let exitIfOrphaned = { if getppid() != parent { _exit(1) } }
    // An answer to the supervisor; when it cannot be written (the supervisor is gone: a broken pipe),
    // the worker ends quietly, as when the orphan watch above notices first. `FileHandle.write(_:)`
    // stopped the process with a Swift crash trace on the night's terminal instead.
    func send(_ answer: WorkerAnswer, _ encoder: JSONEncoder) throws {
      let line = try encoder.encode(answer) + Data("\n".utf8)
      do { try FileHandle.standardOutput.write(contentsOf: line) } catch { _exit(1) }
    }
    let host = try runner.makeHost()
    try send(WorkerAnswer(chunk: -1, plugins: host.plugins.map(\.provenanceName)), JSONEncoder())
    let hooks = runner.options.workerHooks
    host.onCall = { plugin, hook, caseId, probing in
      page.publish(
        plugin: plugin, hook: WorkerCommand.hookIndex(of: hook, in: hooks, probing: probing), caseId: caseId)
    }
    let encoder = JSONEncoder()
    let decoder = JSONDecoder()
    while let line = readLine(strippingNewline: true) {
      guard !line.isEmpty else { continue }
      var answer = WorkerAnswer(chunk: -1)
      do {
        let command = try decoder.decode(WorkerCommand.self, from: Data(line.utf8))
        answer.chunk = Int(command.chunk.first)
        for suspension in command.suspended { host.suspend(suspension) }
        for name in command.unprobed { host.stopProbing(name) }
        var skip: [Int64: Set<String>] = [:]
        var skipProbes: [Int64: Set<String>] = [:]
        for entry in command.skip {
          if entry.probe == true {
            skipProbes[entry.caseId, default: []].insert(entry.plugin)
          } else {
            skip[entry.caseId, default: []].insert(entry.plugin)
          }
        }
        answer.tally = try runner.processChunk(
          command.chunk, run: run, host: host, skip: skip, skipProbes: skipProbes,
          beforeWriting: exitIfOrphaned)
      } catch {
        answer.error = "worker \(getpid()): \(error)"
      }
      try send(answer, encoder)
    }
  }
}
