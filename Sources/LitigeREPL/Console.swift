import Foundation
import LitigeCore
import LitigePolicies
import LitigeStore
import LuaHost

/// The REPL's brain, independent of the terminal: it takes lines and writes answers.
///
/// Lines accumulate until they form a complete chunk (an error "at <eof>" means more input, as in stock
/// `lua`); an expression alone prints its values. Globals persist between lines. Decisions made by
/// scripts are staged in one `CaseSession` and shown; nothing reaches the store before `.commit` with
/// `.dry off`. Errors print their message and traceback and leave the state as it was.
public final class Console {
  /// What the caller does after a line.
  public enum Next: Equatable {
    /// Read another line.
    case read
    /// The user asked to leave (`.quit`).
    case quit
  }

  /// How the console behaves.
  public struct Options {
    /// ANSI colours in output (a terminal, and `NO_COLOR` unset).
    public var colour = false
    /// Limits of each statement, as in `litige run`.
    public var limits = LuaState.Limits(memoryBytes: 256 << 20, timeout: .seconds(30))
    /// Whether `.commit` only shows what it would write (the default for a new session).
    public var dryRun = true
    /// Who works in the console, as the journal records their decisions (`user:NAME`): an approver
    /// approves gestures as themself.
    public var author = "repl"
    /// Whether `.try` shows the plugins' errors and log lines as written, personal data included
    /// (`--verbose`); by default the case's customer data is masked in them.
    public var showsPersonalData = false
    /// Creates the default options.
    public init() {}
  }

  /// The session's decisions and Lua state.
  public let runtime: PolicyRuntime
  /// The workspace.
  public let store: Store
  /// Where the workspace's `litige.toml` is, for `.plugins`, `.try` and `.reload`.
  public let workspaceFolder: URL
  /// Whether `.commit` writes (false) or only shows (true).
  public private(set) var dryRun: Bool
  /// Statements that failed so far (a piped session exits with 1 when any did).
  public private(set) var failures = 0

  private let options: Options
  private let environment: LuaEnvironment
  private let showFunction: LuaReference
  private let membersFunction: LuaReference
  private var membersHostFunction: Int32 = 0
  private var interruptCheckFunction: Int32 = 0
  private var pending: [String] = []
  private var host: PluginHost?
  private let write: (String) -> Void
  private let writeError: (String) -> Void

  /// A console over `store`, deciding as of `now`.
  ///
  /// `write` and `writeError` receive text with its newlines. Throws `LuaError` if the Lua state
  /// cannot be made.
  public init(
    store: Store, workspaceFolder: URL, now: Date = Date(), options: Options = Options(),
    write: @escaping (String) -> Void, writeError: @escaping (String) -> Void
  ) throws {
    self.store = store
    self.workspaceFolder = workspaceFolder
    Story.displayZone = store.settings.timeZone
    self.options = options
    self.write = write
    self.writeError = writeError
    dryRun = options.dryRun
    let session = CaseSession(
      store: store, now: now,
      provenance: Provenance(
        source: "user:\(options.author)", hook: "repl", runId: "repl-" + Timestamp.utcText(now)))
    runtime = try PolicyRuntime(session: session, limits: options.limits)
    // The person's own statements: what they log is what they asked to see (the plugins `.try` runs
    // are masked unless --verbose).
    runtime.showsPersonalData = true
    // What a statement prints is shown, not run by the terminal (a customer's text could hold an
    // escape sequence).
    runtime.state.output = { write(TerminalText.visibleLines($0)) }
    runtime.state.hostChunkNames.insert("=repl-helpers")  // its frames mean nothing to the user
    environment = try runtime.state.makeEnvironment(moduleRoot: workspaceFolder, displayRoot: ".")
    let helperEnvironment = try runtime.state.makeEnvironment()
    let helpers = try runtime.state.runKeepingResult(
      source: ConsoleHelpers.source, chunkName: "=repl-helpers", environment: helperEnvironment)
    guard let show = runtime.state.function(named: "show", in: helpers.reference),
      let members = runtime.state.function(named: "members", in: helpers.reference)
    else { throw LuaError(kind: .runtime, message: "the REPL helpers did not load") }
    showFunction = show
    membersFunction = members
    membersHostFunction = runtime.state.register { [unowned self] stack in
      guard let object = runtime.state.objectOrNil(on: stack, at: 1),
        let names = runtime.memberNames(of: object)
      else {
        stack.push(.nil)
        return 1
      }
      let separator = (try? stack.value(at: 2))?.stringValue ?? "."
      stack.push(.array((separator == ":" ? names.methods : names.fields).map { .string($0) }))
      return 1
    }
    interruptCheckFunction = runtime.state.register { [unowned self] _ in
      if interruptPending() { throw LuaRaisedError("interrupted", kind: .interrupted) }
      return 0
    }
    try runtime.state.seedRandom(0)
  }

  /// Whether Ctrl-C was pressed since the prompt: checked when a statement starts, so that a Ctrl-C
  /// typed between Enter and the start of the call is not lost.
  public var interruptPending: () -> Bool = { false }

  /// What to show before the next line: the primary prompt, or the continuation prompt mid-statement.
  public var prompt: String {
    if !pending.isEmpty { return ">> " }
    return dryRun ? "litige(dry)> " : "litige> "
  }

  /// Whether a statement is half typed.
  public var isContinuing: Bool { !pending.isEmpty }

  /// Drops a half-typed statement (Ctrl-C at the prompt).
  public func cancelInput() { pending = [] }

  /// The interrupter of whatever may run next (the console's state), for the Ctrl-C handler.
  public var interrupter: LuaInterrupter { runtime.state.interrupter }

  /// Handles one line of input.
  public func handle(line: String) -> Next {
    let trimmed = line.trimmingCharacters(in: .whitespaces)
    // `.name` is a meta command; `.5 * 2` is Lua.
    if pending.isEmpty, trimmed.hasPrefix("."), trimmed.dropFirst().first?.isLetter == true {
      return meta(trimmed)
    }
    pending.append(line)
    let source = pending.joined(separator: "\n")
    if source.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
      pending = []
      return .read
    }
    switch compile(source) {
    case .incomplete:
      return .read
    case .failed(let message):
      pending = []
      failures += 1
      report(message)
    case .compiled(let function):
      pending = []
      evaluate(function)
    }
    return .read
  }

  // MARK: Evaluation

  private enum Compiled {
    case compiled(LuaReference)
    case incomplete
    case failed(String)
  }

  private func compile(_ source: String) -> Compiled {
    // As lua.c: first as an expression whose values are printed, then as statements.
    if let expression = try? runtime.state.load(
      source: "return " + source, chunkName: "repl", environment: environment)
    {
      // Evaluated as the arguments of a call rather than returned: a function called in the return is
      // a tail call, and a Lua function raising there (the sandbox's `rawset` refusing a view) would
      // leave no line of the input in its message ("repl:1:"). The values are printed as they are.
      // The parenthesis closes on the input's last line (the traceback's line is the one it closes
      // on), or on a line of its own when the input may end with a comment.
      let closing = source.contains("--") ? "\n)" : ")"
      guard
        let function = try? runtime.state.load(
          source: "return (function(...) return ... end)(" + source + closing, chunkName: "repl",
          environment: environment)
      else { return .compiled(expression) }
      runtime.state.release(expression)
      return .compiled(function)
    }
    do {
      return .compiled(try runtime.state.load(source: source, chunkName: "repl", environment: environment))
    } catch let error as LuaError {
      if error.kind == .syntax, error.message.hasSuffix("<eof>") { return .incomplete }
      return .failed(error.message)
    } catch {
      return .failed("\(error)")
    }
  }

  private func evaluate(_ function: LuaReference) {
    defer { runtime.state.release(function) }
    let stagedBefore = runtime.session.stagedInOrder.count
    do {
      let results = try runtime.state.call(showFunction, argumentCount: 3) { stack in
        stack.push(.boolean(options.colour))
        stack.push(reference: function)
        stack.pushFunction(id: interruptCheckFunction)
      }
      // Strings are shown with %q (their C0 controls as \27); C1 controls and bidirectional overrides
      // are escaped here, the console's own colours kept.
      if case .string(let text)? = results.first {
        write(TerminalText.visible(text, keeping: ["\n", "\t", "\u{1B}"]) + "\n")
      }
    } catch let error as LuaError {
      failures += 1
      // The console's own frames (the helper that calls the chunk, the sandbox's wrappers) mean nothing
      // to the user: neither in the message's place (a tail call leaves only them) nor in the traceback.
      let shown = error.message.replacingOccurrences(
        of: #"^=?(repl-helpers|sandbox):\d+: "#, with: "", options: .regularExpression)
      var message = error.kind == .runtime ? shown : "\(shown) [\(error.kind)]"
      if let traceback = error.traceback, !traceback.isEmpty {
        let lines = traceback.split(separator: "\n", omittingEmptySubsequences: false)
          .filter {
            !$0.contains("[C]: in ?") && !$0.contains("repl-helpers") && !$0.contains("sandbox:")
              && !$0.contains("in upvalue 'method'") && !$0.contains("(...tail calls...)")
              && !$0.contains("in upvalue 'resolve'")
          }
          .map { $0.replacingOccurrences(of: "in local 'chunk'", with: "in main chunk") }
        // A traceback with no frame of the user's is left out.
        if lines.contains(where: {
          !$0.hasPrefix("stack traceback") && !$0.trimmingCharacters(in: .whitespaces).isEmpty
        }) {
          message += "\n" + lines.joined(separator: "\n")
        }
      }
      report(message)
    } catch {
      failures += 1
      report("\(error)")
    }
    let staged = runtime.session.stagedInOrder
    if staged.count > stagedBefore {
      for decision in staged[stagedBefore...] {
        write(dim("staged: case \(decision.caseId): \(describe(decision))") + "\n")
      }
    }
  }

  /// A staged decision in one line, its script's texts shown rather than run by the terminal.
  private func describe(_ decision: ProposedDecision) -> String {
    TerminalText.visible(
      "\(decision.decision.kind) \(Story.describe(decision.decision))"
        + (decision.reason.isEmpty ? "" : " (\(decision.reason))"))
  }

  private func report(_ message: String) {
    // What a script raised may hold escape sequences (its own, or a customer's text it quoted).
    let message = TerminalText.visibleLines(message)
    writeError((options.colour ? "\u{1B}[31m" + message + "\u{1B}[0m" : message) + "\n")
  }

  private func dim(_ text: String) -> String { options.colour ? "\u{1B}[2m" + text + "\u{1B}[0m" : text }

  // MARK: Completion

  /// The completions of the word that ends `text` (the line up to the cursor): whole words, sorted.
  ///
  /// Completes globals and keywords, `litige.` and library members, fields (`c.cus`) and methods
  /// (`c:esc`) of cases, invoices and customers, and meta commands at the start of a line.
  public func completions(for text: String) -> [String] {
    if pending.isEmpty, text.hasPrefix("."), !text.contains(" ") {
      return Self.metaCommands.map(\.name).filter { $0.hasPrefix(text) }
    }
    if pending.isEmpty, text.hasPrefix("."), let command = text.split(separator: " ").first {
      // A meta command's arguments: `.try HOOK ID`, `.case ID`, `.dry on|off` (the word being typed).
      let words = text.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
      let partial = words.last ?? ""
      let caseIds = {
        ((try? self.store.caseIds(matching: CaseFilter())) ?? []).map(String.init).filter {
          $0.hasPrefix(partial)
        }
      }
      switch (command, words.count) {
      case (".try", 2): return PluginHost.hookNames.filter { $0.hasPrefix(partial) }.sorted()
      case (".try", 3), (".case", 2): return Array(caseIds().prefix(500))
      case (".dry", 2): return ["off", "on"].filter { $0.hasPrefix(partial) }
      default: return []
      }
    }
    let word = String(
      text.reversed().prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." || $0 == ":" }.reversed())
    var path = ""
    var separator = "."
    var partial = word
    if let index = word.lastIndex(where: { $0 == "." || $0 == ":" }) {
      path = String(word[..<index])
      separator = String(word[index])
      partial = String(word[word.index(after: index)...])
      guard !path.contains(":"), !path.isEmpty else { return [] }
    }
    let results = try? runtime.state.call(membersFunction, argumentCount: 4) { stack in
      stack.push(environment: environment)
      stack.push(.string(path))
      stack.push(.string(separator))
      stack.pushFunction(id: membersHostFunction)
    }
    let names = Set((results?.first ?? .nil).sequence.compactMap(\.stringValue))
    let prefix = path.isEmpty ? "" : path + separator
    return names.filter { $0.hasPrefix(partial) }.sorted().map { prefix + $0 }
  }

  // MARK: Meta commands

  static let metaCommands: [(name: String, usage: String, help: String)] = [
    (".help", ".help", "this list"),
    (".case", ".case ID", "show a case: fields, invoices, history and staged decisions"),
    (".plugins", ".plugins", "the enabled plugins, their versions and hooks"),
    (".reload", ".reload", "reload the plugins and litige.toml after an edit"),
    (".try", ".try HOOK ID", "run HOOK of the enabled plugins on case ID; show what they would decide"),
    (".dry", ".dry on|off", "with on (the default), .commit only shows what it would write"),
    (".staged", ".staged", "the decisions staged so far"),
    (".commit", ".commit", "write the staged decisions (with .dry off), all or nothing"),
    (".rollback", ".rollback", "drop the staged decisions"),
    (".quit", ".quit", "leave (Ctrl-D too)"),
  ]

  private func meta(_ line: String) -> Next {
    let words = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
    let command = words.first ?? ""
    let arguments = Array(words.dropFirst())
    switch command {
    case ".help":
      write(
        "Type Lua: an expression prints its values, statements run; `litige.case(12)` reads a case.\n"
          + "Decisions (c:tag(\"vip\"), ...) are staged until .commit.\n")
      for entry in Self.metaCommands {
        write("  " + entry.usage.padding(toLength: 14, withPad: " ", startingAt: 0) + entry.help + "\n")
      }
    case ".quit", ".exit":
      return .quit
    case ".dry":
      switch arguments.first {
      case "on": dryRun = true
      case "off": dryRun = false
      case nil: break
      default: return usage(".dry on|off")
      }
      write("dry run is \(dryRun ? "on: .commit shows what it would write" : "off: .commit writes")\n")
    case ".staged":
      showStaged()
    case ".rollback":
      let count = runtime.session.stagedInOrder.count
      runtime.session.rollback()
      write("dropped \(count) staged decision\(count == 1 ? "" : "s")\n")
    case ".commit":
      commit()
    case ".case":
      guard arguments.count == 1 else { return usage(".case ID") }
      showCase((try? store.caseId(forReference: arguments[0])) ?? Int64(arguments[0]) ?? -1)
    case ".plugins":
      guard let host = pluginHost() else { break }
      for plugin in host.plugins {
        write(
          "  \(plugin.provenanceName.padding(toLength: 28, withPad: " ", startingAt: 0)) priority "
            + "\(plugin.priority), hooks: \(plugin.hookNames.joined(separator: ", "))\n")
      }
      if host.plugins.isEmpty { write("no plugin is enabled in litige.toml\n") }
    case ".reload":
      host = nil
      guard let host = pluginHost() else { break }
      write("reloaded \(host.plugins.count) plugin\(host.plugins.count == 1 ? "" : "s")\n")
    case ".try":
      // A case by its number or the company's reference, as everywhere else.
      guard arguments.count == 2 else { return usage(".try HOOK ID") }
      tryHook(arguments[0], on: (try? store.caseId(forReference: arguments[1])) ?? Int64(arguments[1]) ?? -1)
    default:
      failures += 1
      report("unknown command \(command); .help lists them")
    }
    return .read
  }

  private func usage(_ text: String) -> Next {
    failures += 1
    report("usage: \(text)")
    return .read
  }

  private func showStaged() {
    let staged = runtime.session.stagedInOrder
    if staged.isEmpty { write("nothing staged\n") }
    for decision in staged { write("  case \(decision.caseId): \(describe(decision))\n") }
  }

  private func commit() {
    let staged = runtime.session.stagedInOrder
    guard !staged.isEmpty else {
      write("nothing staged\n")
      return
    }
    if dryRun {
      write(
        "dry run: \(staged.count) decision\(staged.count == 1 ? "" : "s") would be written; nothing was "
          + "(.dry off, then .commit, to write; .rollback to drop)\n")
      for decision in staged { write("  case \(decision.caseId): \(describe(decision))\n") }
      return
    }
    do {
      let events = try runtime.session.commit()
      let cases = Set(events.map(\.caseId)).count
      write(
        "committed \(events.count) decision\(events.count == 1 ? "" : "s") on \(cases) case\(cases == 1 ? "" : "s")\n"
      )
    } catch {
      failures += 1
      report("nothing was written: \(error)")
    }
  }

  private func showCase(_ id: Int64) {
    do {
      guard let current = try runtime.session.disputeCase(id: id) else {
        failures += 1
        report("case \(id) does not exist")
        return
      }
      let zone = store.settings.timeZone
      write(runtime.summary(ofCase: id) + "\n")
      write("  customer  \(current.customerId)    opened \(Timestamp.display(current.openedAt, in: zone))\n")
      if let deadline = current.deadline { write("  deadline  \(Timestamp.display(deadline, in: zone))\n") }
      for invoice in try runtime.session.invoices(ofCase: id) {
        write("  invoice   \(invoice.number)  \(invoice.total), paid \(invoice.paid), due \(invoice.dueOn)\n")
      }
      for gesture in current.gestures {
        write(
          "  gesture   #\(gesture.id) \(gesture.kind.rawValue) \(gesture.amount) \(gesture.state.rawValue)\n")
      }
      let history = try runtime.session.history(ofCase: id)
      for event in history.suffix(8) {
        write("  \(Timestamp.display(event.at, in: zone))  \(Story.describe(event))\n")
      }
      if history.count > 8 {
        write(dim("  (\(history.count - 8) earlier events; litige case explain \(id))") + "\n")
      }
      for decision in runtime.session.staged[id] ?? [] {
        write(dim("  staged: \(describe(decision))") + "\n")
      }
    } catch {
      failures += 1
      report("\(error)")
    }
  }

  private func pluginHost() -> PluginHost? {
    if let host { return host }
    do {
      let configuration = try WorkspaceConfiguration.load(
        folder: workspaceFolder, bundled: WorkspaceConfiguration.bundledPluginsFolder())
      let loaded = try PluginHost(store: store, now: runtime.session.now, configuration: configuration)
      loaded.showsPersonalData = options.showsPersonalData
      host = loaded
      return loaded
    } catch let error as ConfigError {
      report(error.message)
    } catch let error as LuaError {
      report(error.message)
    } catch {
      report("\(error)")
    }
    failures += 1
    return nil
  }

  private func tryHook(_ hook: String, on id: Int64) {
    guard PluginHost.hookNames.contains(hook) else {
      failures += 1
      report(
        "unknown hook '\(hook)'\(Suggestion.phrase(for: hook, among: PluginHost.hookNames)) (expected \(PluginHost.hookNames.joined(separator: ", ")))"
      )
      return
    }
    // A case that does not exist is the person's mistake, not a plugin's.
    guard (try? store.disputeCase(id: id)) != nil else {
      failures += 1
      report("case \(id) does not exist")
      return
    }
    guard let host = pluginHost() else { return }
    onTry?(host.interrupter)
    let outcomes = host.run(hook: hook, caseId: id, runId: "repl-try", dryRun: true)
    if outcomes.isEmpty { write("no enabled plugin has a \(hook) hook\n") }
    for outcome in outcomes {
      if let failure = outcome.failure {
        failures += 1
        report("\(outcome.plugin) \(hook) failed on case \(id): \(failure)")
      } else if outcome.events.isEmpty {
        write("  \(outcome.plugin): nothing to do\n")
      }
      for event in outcome.events {
        write(
          TerminalText.visible(
            "  \(outcome.plugin) would: \(Story.describe(event))"
              + (event.reason.isEmpty ? "" : " (\(event.reason))")) + "\n")
      }
    }
    write(dim("(dry: nothing was staged or written)") + "\n")
  }

  /// Called before `.try` runs plugin code, with the interrupter of the plugins' state (Ctrl-C).
  public var onTry: ((LuaInterrupter) -> Void)?
}
