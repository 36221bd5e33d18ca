import ArgumentParser
import Foundation
import LitigeCore
import LitigePolicies
import LitigeStore
import LuaHost
import Synchronization

/// Loads the workspace's plugins for a command: the store and a plugin host over it.
struct PolicyContext {
  let store: Store
  let host: PluginHost

  /// Throws `Failure` with every configuration problem, one per line.
  ///
  /// With `showsPersonalData` (`--verbose`), the plugins' errors and log lines keep the customer data
  /// they quote.
  init(
    workspace: WorkspaceOptions, now: Date? = nil, requireWorkspace: Bool = true,
    showsPersonalData: Bool = false
  ) throws {
    let now = try now ?? CommandClock.now()
    let exists = FileManager.default.fileExists(atPath: workspace.path)
    store = try exists || requireWorkspace ? workspace.openStore() : Store.inMemory()
    do {
      let folder = URL(fileURLWithPath: workspace.path).deletingLastPathComponent()
      let configuration = try WorkspaceConfiguration.load(
        folder: folder, bundled: WorkspaceConfiguration.bundledPluginsFolder())
      host = try PluginHost(store: store, now: now, configuration: configuration)
      host.showsPersonalData = showsPersonalData
    } catch let error as ConfigError {
      throw Failure(error.message)
    } catch let error as LuaError {
      throw Failure(error.message)
    }
  }

  /// Runs `hook` on case `caseId` and prints one JSON object.
  ///
  /// The object holds `fields`, then the decisions (`plugin`, `kind`, `story`, `reason`) and the failures
  /// (`plugin`, `message`). False on a failure.
  func runAndReportJSON(
    hook: String, caseId: Int64, runId: String, subject: LuaValue? = nil, fields: [String: Any]
  ) -> Bool {
    var decisions: [[String: Any]] = []
    var failures: [[String: Any]] = []
    for outcome in host.run(hook: hook, caseId: caseId, runId: runId, subject: subject) {
      if let failure = outcome.failure {
        failures.append(["plugin": outcome.plugin, "message": failure])
      }
      for event in outcome.events {
        decisions.append([
          "plugin": outcome.plugin, "kind": event.kind, "story": Story.describe(event),
          "reason": event.reason,
        ])
      }
    }
    var object = fields
    object["decisions"] = decisions
    object["failures"] = failures
    print(jsonText(object))
    return failures.isEmpty
  }

  /// Runs `hook` on `caseId` and prints what each plugin decided; returns whether all calls succeeded.
  func runAndReport(hook: String, caseId: Int64, runId: String, subject: LuaValue? = nil) -> Bool {
    var succeeded = true
    for outcome in host.run(hook: hook, caseId: caseId, runId: runId, subject: subject) {
      if let failure = outcome.failure {
        succeeded = false
        StandardStream.error.write(
          "litige: \(outcome.plugin) \(hook) failed on case \(caseId): \(TerminalText.visible(failure))\n")
        continue
      }
      // A plugin's reasons are its text: shown, not run by the terminal.
      for event in outcome.events {
        print(
          TerminalText.visible(
            "  \(outcome.plugin): \(Story.describe(event))"
              + (event.reason.isEmpty ? "" : " (\(event.reason))")))
      }
    }
    return succeeded
  }
}

struct PluginsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "plugins", abstract: "List and check the workspace's policy plugins.",
    subcommands: [List.self, Check.self, Time.self])

  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Show the enabled plugins, their versions, priorities, hooks and settings.")
    @OptionGroup var workspace: WorkspaceOptions

    @Flag(help: "Print JSON: each plugin with its version, priority, hooks, folder and settings.")
    var json = false

    func run() throws {
      let context = try PolicyContext(workspace: workspace, requireWorkspace: false)
      let currency = context.store.settings.currency
      if json {
        print(
          jsonText(
            context.host.plugins.map { plugin -> [String: Any] in
              var settings: [String: Any] = [:]
              for field in plugin.schema {
                settings[field.name] = [
                  "value": plugin.config[field.name].map {
                    Self.json($0, type: field.type, currency: currency)
                  } ?? NSNull(),
                  "type": field.type, "doc": field.documentation,
                ]
              }
              return [
                "name": plugin.name, "version": plugin.version, "priority": plugin.priority,
                "hooks": plugin.hookNames, "folder": plugin.displayFolder, "settings": settings,
              ]
            }))
        return
      }
      guard !context.host.plugins.isEmpty else {
        print("No plugin is enabled: add [plugins.NAME] tables to litige.toml beside the workspace.")
        return
      }
      var table = TextTable(headers: ["PLUGIN", "VERSION", "PRIORITY", "HOOKS", "FOLDER"], rightAligned: [2])
      table.rows = context.host.plugins.map {
        [$0.name, $0.version, String($0.priority), $0.hookNames.joined(separator: ","), $0.displayFolder]
      }
      print(table.render())
      for plugin in context.host.plugins where !plugin.schema.isEmpty {
        print("\n\(TerminalText.visible(plugin.name)) settings")
        for field in plugin.schema {
          let value =
            plugin.config[field.name].map { Self.show($0, type: field.type, currency: currency) } ?? "-"
          // The plugin's own texts: a default or a doc could hold an escape sequence.
          print(
            TerminalText.visible(
              "  \(field.name) = \(value)  (\(field.type))  \(field.documentation)"))
        }
      }
    }

    /// A setting as people read it: an amount as money (`5,000.00 EUR`), a list in brackets.
    static func show(_ value: LuaValue, type: String, currency: Currency) -> String {
      if type == "amount", let major = value.doubleValue,
        let money = try? Money(major: major, currency: currency, field: "setting")
      {
        return money.formatted
      }
      switch value {
      case .string(let text): return "\"\(text)\""
      case .integer(let number): return String(number)
      case .number(let number): return String(number)
      case .boolean(let flag): return String(flag)
      default:
        return "[" + value.sequence.map { show($0, type: "", currency: currency) }.joined(separator: ", ")
          + "]"
      }
    }

    /// A setting for `--json`: amounts as decimal strings with their currency.
    static func json(_ value: LuaValue, type: String, currency: Currency) -> Any {
      if type == "amount", let major = value.doubleValue,
        let money = try? Money(major: major, currency: currency, field: "setting")
      {
        return ["amount": money.decimalText, "currency": currency.code]
      }
      switch value {
      case .string(let text): return text
      case .integer(let number): return number
      case .number(let number): return number
      case .boolean(let flag): return flag
      default: return value.sequence.map { json($0, type: "", currency: currency) }
      }
    }
  }

  struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Validate litige.toml and every enabled plugin; exit 1 on any problem.")
    @OptionGroup var workspace: WorkspaceOptions
    @Flag(help: "Print JSON: {valid, plugins} or {valid: false, errors}.") var json = false

    func run() throws {
      let context: PolicyContext
      do {
        context = try PolicyContext(workspace: workspace, requireWorkspace: false)
      } catch let failure as Failure where json {
        print(
          jsonText(
            ["valid": false, "errors": failure.message.split(separator: "\n").map(String.init)]
              as [String: Any]))
        throw ExitCode(1)
      }
      let count = context.host.plugins.count
      if json {
        print(jsonText(["valid": true, "plugins": context.host.plugins.map(\.name)] as [String: Any]))
        return
      }
      print("\(count) plugin\(count == 1 ? "" : "s") enabled, configuration valid.")
    }
  }
}

extension PluginsCommand {
  /// `litige plugins time`: what one hook call of the enabled plugins costs, for integrators and
  /// `make bench`.
  struct Time: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Measure what one call of a hook costs on one case, as the nightly runner calls it.",
      discussion: """
        Loads the case as the nightly runner does (one chunk snapshot), then calls HOOK of every enabled \
        plugin that has it ITERATIONS times, dropping the decisions after each call: each call starts \
        from the case as loaded. Nothing is written. \
        Prints the mean wall-clock time of one call (all plugins together) in microseconds. A call that \
        fails (an error, its time or memory limit) stops the command with the plugin's message.
        """)
    @OptionGroup var workspace: WorkspaceOptions
    @Argument(help: "The hook: triage, compensate, escalate, nightly.") var hook: String
    @Option(help: "The case to call it on.") var `case`: Int64 = 1
    @Option(help: "How many calls to time (after 100 to warm up).") var iterations = 100_000
    @Flag(help: "Print JSON: the hook, case, plugins, calls and microseconds per call.") var json = false
    @Option(help: "Decide as of 2 a.m. on this day (YYYY-MM-DD) in the company's time zone; default now.")
    var asOf: String?

    func validate() throws {
      guard iterations > 0 else { throw ValidationError("--iterations must be positive") }
      guard PluginHost.hookNames.contains(hook) else {
        throw ValidationError(
          "unknown hook '\(hook)' (expected \(PluginHost.hookNames.sorted().joined(separator: ", ")))")
      }
    }

    func run() throws {
      var now = try CommandClock.now()
      if let asOf {
        // As the nightly runner: 2 a.m. in the company's time zone on that day.
        let settings = try workspace.openStore().settings
        now = try LocalDate(parsing: asOf, field: "--as-of").start(in: settings.timeZone)
          .addingTimeInterval(2 * 3_600)
      }
      let context = try PolicyContext(workspace: workspace, now: now)
      let snapshot = try context.store.nightSnapshot(of: self.case...self.case)
      if let message = snapshot.unreadable[self.case] { throw Failure(message) }
      guard snapshot.cases[self.case] != nil else {
        throw Failure("case \(self.case) does not exist or is closed")
      }
      let session = context.host.runtime.session
      // As in a night: the case is loaded with its chunk once, and the hooks of the case share its view
      // (a call's decisions are dropped, so each call starts from the same case).
      session.load(snapshot)
      // The arguments read once: the loop times the host, not the argument parser's property wrappers.
      let (hook, caseId, host) = (self.hook, self.case, context.host)
      // A failed call is not a timing: the first one stops the command, named. A plugin that loops
      // would otherwise be called until its time limit (2 s) thousands of times.
      var failure: String?
      // A call stuck in C is stopped with the process (LuaHardDeadline): named too. The plugin under
      // way is kept as a number, so that noting it costs the timed calls nothing to speak of.
      let running = RunningPlugin()
      let names = host.plugins.map(\.provenanceName)
      host.onCall = { index, _, _, _ in running.index.store(index ?? -1, ordering: .relaxed) }
      LuaHardDeadline.action = { limit in
        let index = running.index.load(ordering: .relaxed)
        let plugin = names.indices.contains(index) ? names[index] : "a plugin"
        fflush(nil)
        StandardStream.error.write(
          "litige: \(plugin) \(hook) on case \(caseId) ran past twice its time limit of "
            + "\(LuaState.describe(limit)) in the C library and cannot be interrupted (a pattern that "
            + "backtracks?); nothing was timed\n")
        _exit(1)
      }
      // Each call is a probe (as the night asks a case again): its decisions are dropped, so that every
      // call starts from the case as loaded, not from what the calls before it decided.
      func call() {
        for outcome in host.run(hook: hook, caseId: caseId, runId: "timing", probing: true) {
          if let message = outcome.failure, failure == nil {
            failure = "\(outcome.plugin) \(hook) failed on case \(caseId): \(TerminalText.visible(message))"
          }
        }
      }
      func stopOnFailure() throws {
        if let failure { throw Failure("\(failure); nothing was timed (a call that fails is not timed)") }
      }
      for _ in 0..<100 {
        call()
        try stopOnFailure()
      }
      let clock = ContinuousClock()
      let elapsed = clock.measure {
        for _ in 0..<iterations {
          call()
          if failure != nil { break }
        }
      }
      try stopOnFailure()
      // The first call on a case also builds its view: timed apart, with the chunk loaded each time.
      let firstCalls = max(1, iterations / 10)
      let elapsedFirst = clock.measure {
        for _ in 0..<firstCalls {
          session.load(snapshot)
          call()
          if failure != nil { break }
        }
      }
      try stopOnFailure()
      _ = session.finishChunk()
      func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
      }
      let firstMicroseconds = seconds(elapsedFirst) / Double(firstCalls) * 1e6
      let seconds = seconds(elapsed)
      let plugins = context.host.plugins.filter { $0.hookNames.contains(hook) }.map(\.provenanceName)
      if json {
        print(
          jsonText(
            [
              "hook": hook, "case_id": self.case, "plugins": plugins, "calls": iterations,
              "microseconds_per_call": seconds / Double(iterations) * 1e6,
              "microseconds_first_call": firstMicroseconds,
            ] as [String: Any]))
        return
      }
      print(
        "\(hook) on case \(self.case) (\(plugins.joined(separator: ", "))): "
          + "\(String(format: "%.2f", seconds / Double(iterations) * 1e6)) µs per call, \(iterations) calls"
          + "; \(String(format: "%.2f", firstMicroseconds)) µs for a case's first call (its view built)")
    }
  }
}

/// The plugin whose call is under way (its index, -1 between calls), as `plugins time` names it when
/// the call is stopped with the process (read from the watchdog's thread).
private final class RunningPlugin: Sendable {
  let index = Atomic<Int>(-1)
}
