import ArgumentParser
import Foundation
import LitigeCore
import LitigeREPL
import LuaHost

#if canImport(Glibc)
  import Glibc
#endif

/// `litige repl`: the interactive console over the workspace's cases.
struct ReplCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "repl",
    abstract: "An interactive Lua console over live cases: look, try a policy, fix it, try again.",
    discussion: """
      Type Lua: an expression prints its values (`litige.case(12)`), statements run, globals persist. \
      Decisions (`c:tag("vip")`) are staged and shown; `.commit` writes them after `.dry off`. \
      `.help` lists the commands (.case, .plugins, .reload, .try, .dry, .commit, .rollback, .quit). \
      Tab completes names, fields and methods; Ctrl-C stops a running statement or clears the line; \
      Ctrl-D leaves. History is kept in $LITIGE_HISTORY, else ~/.litige_history (1,000 lines). \
      With input that is not a terminal, lines are read to the end and the exit status is 1 if any failed. \
      A statement stuck in a C call past twice its time limit (a pattern that backtracks) cannot be \
      stopped: on a terminal the console then starts a new session (globals and staged decisions are \
      lost, nothing is written); with piped input the process ends with status 1.
      """)

  @OptionGroup var workspace: WorkspaceOptions
  @OptionGroup var author: AuthorOptions
  @Option(help: "Seconds a statement may run before it is stopped.") var timeout: Double = 30
  @Option(help: "Memory ceiling of the Lua state, in MB.") var memory = 256
  @Flag(inversion: .prefixedNo, help: "Start with .dry on: .commit only shows what it would write.")
  var dry = true
  @OptionGroup var personalData: PersonalDataOptions

  func validate() throws {
    // The bounds of `litige run` (a larger value would overflow the limits' units).
    guard timeout > 0, timeout <= 86_400 else {
      throw ValidationError("--timeout must be between 0 and 86400 seconds")
    }
    guard memory >= 8, memory <= 65_536 else {
      throw ValidationError("--memory must be between 8 and 65536 MB")
    }
  }

  /// Set in the environment of a REPL started again after a call stuck in C: the new session says so.
  static let restartNotice = "LITIGE_REPL_RESTARTED"

  func run() throws {
    let store = try workspace.openStore()
    let interactive = isatty(STDIN_FILENO) == 1
    if interactive {
      if ProcessInfo.processInfo.environment[Self.restartNotice] != nil {
        unsetenv(Self.restartNotice)
        StandardStream.error.write(
          "The last statement was stuck in a C call past its hard deadline, so the console started a new "
            + "session: globals and staged decisions of the old one are gone; nothing was written.\n")
      }
      // A statement stuck in C cannot be stopped in this process: start the console afresh in its place.
      LuaHardDeadline.action = { _ in
        setenv(Self.restartNotice, "1", 1)
        let arguments = CommandLine.arguments
        let path =
          (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? arguments[0]
        var pointers = arguments.map { strdup($0) } + [nil]
        execv(path, &pointers)
        LuaHardDeadline.exitProcess(.seconds(0))
      }
    }
    var options = Console.Options()
    options.colour =
      isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
    options.limits = LuaState.Limits(
      memoryBytes: memory << 20, timeout: .milliseconds(Int64(timeout * 1_000)))
    options.dryRun = dry
    options.author = author.author
    options.showsPersonalData = personalData.verbose
    // A person's commands, as `litige case ...`: at the machine's clock, or LITIGE_NOW (CommandClock).
    let now = try CommandClock.now()
    let console: Console
    do {
      console = try Console(
        store: store, workspaceFolder: URL(fileURLWithPath: workspace.path).deletingLastPathComponent(),
        now: now, options: options,
        write: { StandardStream.output.write($0) },
        writeError: { StandardStream.error.write($0) })
    } catch {
      throw Failure("\(error)")
    }
    let status = REPL.run(console: console, interactive: interactive, historyPath: REPL.defaultHistoryPath)
    if status != 0 { throw ExitCode(status) }
  }
}
