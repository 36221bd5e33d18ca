import Foundation
import LitigeCore

/// The REPL's loop: a terminal session through libedit, or piped input read to its end.
public enum REPL {
  /// Where the history is kept: `LITIGE_HISTORY`, else `~/.litige_history`; nil without a home.
  public static var defaultHistoryPath: String? {
    let environment = ProcessInfo.processInfo.environment
    if let path = environment["LITIGE_HISTORY"] { return path.isEmpty ? nil : path }
    guard let home = environment["HOME"], !home.isEmpty else { return nil }
    return home + "/.litige_history"
  }

  /// Runs `console` until `.quit`, Ctrl-D or the end of input; returns the exit status.
  ///
  /// On a terminal (`interactive`): line editing, history (at most 1,000 lines in `historyPath`),
  /// completion, Ctrl-C. Piped: lines are read to the end without prompts, and the status is 1 when
  /// any statement failed, so scripts can rely on it.
  public static func run(console: Console, interactive: Bool, historyPath: String?) -> Int32 {
    InterruptHandling.install()
    console.interruptPending = InterruptHandling.interruptPending
    console.onTry = { pluginInterrupter in
      InterruptHandling.target([console.interrupter, pluginInterrupter])
    }
    if interactive {
      return runOnTerminal(console, historyPath: historyPath)
    }
    while let line = readLine(strippingNewline: true) {
      InterruptHandling.target([console.interrupter])
      let next = console.handle(line: line)
      InterruptHandling.target([])
      _ = InterruptHandling.takeInterrupt()
      if next == .quit { break }
    }
    if console.isContinuing {
      StandardStream.error.write("litige repl: the input ended inside a statement\n")
      return 1
    }
    return console.failures > 0 ? 1 : 0
  }

  private static func runOnTerminal(_ console: Console, historyPath: String?) -> Int32 {
    guard
      let editor = LineEditor(historyPath: historyPath, historySize: 1_000, completer: console.completions)
    else {
      StandardStream.error.write("litige repl: cannot start line editing on this terminal\n")
      return 1
    }
    print("Litige REPL. Type Lua; .help lists the commands; Ctrl-D leaves.")
    print(
      "Decisions are staged, and .commit writes them only after .dry off (dry run is "
        + (console.dryRun ? "on" : "off") + ").")
    var statement: [String] = []
    loop: while true {
      InterruptHandling.target([])
      _ = InterruptHandling.takeInterrupt()
      switch editor.read(prompt: console.prompt) {
      case .line(let line):
        statement.append(line)
        InterruptHandling.target([console.interrupter])
        let next = console.handle(line: line)
        InterruptHandling.target([])
        if !console.isContinuing {
          editor.remember(statement.joined(separator: "\n"))
          statement = []
        }
        if next == .quit {
          if confirmLeaving(console, editor) { break loop }
        }
      case .interrupted:
        console.cancelInput()
        statement = []
      case .end:
        if confirmLeaving(console, editor) { break loop }
      }
    }
    editor.save()
    let staged = console.runtime.session.stagedInOrder.count
    if staged > 0 {
      print(
        "\(staged) staged decision\(staged == 1 ? " was" : "s were") not committed and \(staged == 1 ? "is" : "are") dropped."
      )
    }
    return 0
  }

  /// Whether to leave: at once when nothing is staged; otherwise the person says so (y, o, oui, yes),
  /// since staged decisions are dropped on leaving.
  private static func confirmLeaving(_ console: Console, _ editor: LineEditor) -> Bool {
    let staged = console.runtime.session.stagedInOrder.count
    guard staged > 0 else { return true }
    let question =
      "\(staged) staged decision\(staged == 1 ? " is" : "s are") not committed and will be dropped. Leave? [y/N] "
    switch editor.read(prompt: question) {
    case .line(let answer):
      return ["y", "yes", "o", "oui"].contains(answer.trimmingCharacters(in: .whitespaces).lowercased())
    case .end: return true
    case .interrupted: return false
    }
  }
}
