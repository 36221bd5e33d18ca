import Foundation
import LitigeStore
import Testing

/// A demo workspace in a temporary folder, with a private history file.
private struct Workspace {
  let folder: String
  var database: String { folder + "/litige.sqlite" }
  var history: String { folder + "/history" }
  var environment: [String: String] {
    [
      "TERM": "xterm", "HOME": folder, "LITIGE_HISTORY": history, "LITIGE_PLUGINS": pluginsFolder,
      "PATH": "/usr/bin:/bin",
    ]
  }

  /// The repository's bundled plugins (the tests run from the package root or below it).
  private var pluginsFolder: String {
    var directory = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { directory.deleteLastPathComponent() }
    return directory.appendingPathComponent("plugins").path
  }

  static func demo() throws -> Workspace {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("litige-repl-\(UUID())").path
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let workspace = Workspace(folder: folder)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: TerminalSession.executable)
    process.arguments = ["init", "--demo", "--seed", "3", "--db", workspace.database]
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    #expect(process.terminationStatus == 0)
    return workspace
  }

  func repl(_ arguments: [String] = []) throws -> TerminalSession {
    let session = try TerminalSession(
      arguments: ["repl", "--db", database] + arguments, directory: folder, environment: environment)
    #expect(session.waitFor("litige(dry)> ") != nil, "no prompt: \(session.screen)")
    return session
  }

  /// Runs `litige repl` with `input` piped in.
  func piped(_ input: String) throws -> (status: Int32, output: String, error: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: TerminalSession.executable)
    process.arguments = ["repl", "--db", database]
    process.environment = environment
    let standardInput = Pipe()
    let output = Pipe()
    let error = Pipe()
    process.standardInput = standardInput
    process.standardOutput = output
    process.standardError = error
    try process.run()
    standardInput.fileHandleForWriting.write(Data(input.utf8))
    try standardInput.fileHandleForWriting.close()
    let outputData = output.fileHandleForReading.readDataToEndOfFile()
    let errorData = error.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (
      process.terminationStatus, String(decoding: outputData, as: UTF8.self),
      String(decoding: errorData, as: UTF8.self)
    )
  }
}

@Suite("The REPL on a terminal")
struct TerminalTests {
  @Test("expressions print, globals persist, and a multi-line function continues on a second prompt")
  func typing() throws {
    let workspace = try Workspace.demo()
    let repl = try workspace.repl()
    repl.type("6 * 7\r")
    #expect(repl.waitFor("\n42\n") != nil, "\(repl.screen)")
    repl.type("function double(x)\r")
    #expect(repl.waitFor(">> ") != nil, "no continuation prompt: \(repl.screen)")
    repl.type("  return x * 2\r")
    #expect(repl.waitFor(">> ") != nil)
    repl.type("end\r")
    #expect(repl.waitFor("litige(dry)> ") != nil)
    repl.type("double(21), 'done'\r")
    #expect(repl.waitFor("42\t\"done\"") != nil, "\(repl.screen)")
    repl.type("{ 1, 2, name = 'x', nested = { deep = true } }\r")
    #expect(repl.waitFor("{ 1, 2, name = \"x\", nested = { deep = true } }") != nil, "\(repl.screen)")
    repl.type("litige.case(4)\r")
    #expect(repl.waitFor("<case #4 · ") != nil, "a case prints as a summary: \(repl.screen)")
    #expect(repl.waitFor("litige(dry)> ") != nil)
    repl.type("\u{04}")
    #expect(repl.exitStatus() == 0)
    // libedit's history file escapes spaces (`6\040*\0407`).
    let history = try String(contentsOfFile: workspace.history, encoding: .utf8)
    #expect(history.contains("double(21)"), "the history file keeps the lines: \(history)")
    #expect(history.contains("6\\040*\\0407"))
  }

  @Test("accented and non-Latin letters typed at the prompt arrive whole, with no locale set")
  func typesAnyLanguage() throws {
    let workspace = try Workspace.demo()
    let repl = try workspace.repl()
    repl.type("s = \"Réclamation née à Noël\"\r")
    #expect(repl.waitFor("litige(dry)> ") != nil)
    repl.type("#s, s\r")
    #expect(repl.waitFor("26\t\"Réclamation née à Noël\"") != nil, "\(repl.screen)")
    repl.type("#\"Привет, 日本\"\r")
    #expect(repl.waitFor("\n20\n") != nil, "\(repl.screen)")
    repl.type("\u{04}")
    #expect(repl.exitStatus() == 0)
  }

  @Test("a multi-line statement comes back whole from the history, and runs again")
  func multiLineHistory() throws {
    let workspace = try Workspace.demo()
    let repl = try workspace.repl()
    repl.type("function triple(x)\r")
    #expect(repl.waitFor(">> ") != nil)
    repl.type("  return x * 3\r")
    repl.type("end\r")
    #expect(repl.waitFor("litige(dry)> ") != nil)
    repl.type("triple = nil\r")
    #expect(repl.waitFor("litige(dry)> ") != nil)
    // Up twice: past `triple = nil`, the whole function; Enter defines it again.
    repl.type("\u{1B}[A\u{1B}[A\r")
    #expect(repl.waitFor("litige(dry)> ") != nil)
    repl.type("triple(14)\r")
    #expect(repl.waitFor("\n42\n") != nil, "\(repl.screen)")
    repl.type("\u{04}")
    #expect(repl.exitStatus() == 0)
    let history = try String(contentsOfFile: workspace.history, encoding: .utf8)
    let entries = history.split(separator: "\n").filter { $0.contains("triple(x)") }
    // Each time the function was entered it is one entry, its lines joined (libedit writes \012).
    #expect(!entries.isEmpty && entries.allSatisfy { $0.contains("\\012end") }, "\(history.debugDescription)")
  }

  @Test(".try completes hook names and case numbers; candidates are shown in columns")
  func metaCompletion() throws {
    let workspace = try Workspace.demo()
    let repl = try workspace.repl()
    repl.type(".try esc\t")
    #expect(repl.waitFor(".try escalate ") != nil, "\(repl.screen)")
    // The space after a whole argument is typed by the completion.
    repl.type("1\t")
    // Case numbers starting with 1, in columns (several on a line).
    #expect(repl.waitFor("10  ") != nil || repl.waitFor("100") != nil, "\(repl.screen)")
    repl.type("\u{15}.dry o\t")
    #expect(repl.waitFor("off") != nil, "\(repl.screen)")
    repl.type("\u{15}\u{04}")
    #expect(repl.exitStatus() == 0)
  }

  @Test("Ctrl-D with staged decisions asks before dropping them")
  func leavingWithStagedDecisions() throws {
    let workspace = try Workspace.demo()
    let store = try Store.open(path: workspace.database)
    let open = try #require(try store.cases(matching: CaseFilter(activeOnly: true)).first)
    let repl = try workspace.repl()
    repl.type("litige.case(\(open.id)):tag(\"checked\", \"seen\")\r")
    #expect(repl.waitFor("staged: case \(open.id)") != nil, "\(repl.screen)")
    repl.type("\u{04}")
    #expect(
      repl.waitFor("1 staged decision is not committed and will be dropped. Leave? [y/N]") != nil,
      "\(repl.screen)")
    repl.type("n\r")
    #expect(repl.waitFor("litige(dry)> ") != nil, "the session goes on: \(repl.screen)")
    repl.type("\u{04}")
    #expect(repl.waitFor("Leave? [y/N]") != nil)
    repl.type("oui\r")
    #expect(repl.exitStatus() == 0)
  }

  @Test("a refused decision shows the reason, not the console's own frames")
  func userFramesOnly() throws {
    let workspace = try Workspace.demo()
    let repl = try workspace.repl()
    repl.type("litige.case(1):prioritize(9, \"x\")\r")
    #expect(repl.waitFor("refused") != nil, "\(repl.screen)")
    #expect(repl.waitFor("litige(dry)> ") != nil)
    #expect(!repl.screen.contains("repl-helpers") && !repl.screen.contains("sandbox:"), "\(repl.screen)")
    repl.type("\u{04}")
    #expect(repl.exitStatus() == 0)
  }

  @Test(".try on a case that does not exist says so, rather than blaming a plugin")
  func tryOnAMissingCase() throws {
    let workspace = try Workspace.demo()
    let result = try workspace.piped(".try triage 99999\n.try escalat 1\n")
    #expect(result.error.contains("case 99999 does not exist"), "\(result.error)")
    #expect(!result.error.contains("failed on case"), "\(result.error)")
    #expect(result.error.contains("unknown hook 'escalat' (did you mean 'escalate'?)"))
    #expect(result.status == 1)
  }

  @Test("Tab completes the litige API, fields after a dot and methods after a colon")
  func completion() throws {
    let workspace = try Workspace.demo()
    let repl = try workspace.repl()
    repl.type("c = litige.ca\t")
    #expect(repl.waitFor("\n") != nil)  // two candidates, case and cases, are listed
    #expect(repl.waitFor("litige.case") != nil, "\(repl.screen)")
    repl.type("(4)\r")
    #expect(repl.waitFor("litige(dry)> ") != nil)
    repl.type("c.cus\t")
    #expect(repl.waitFor("c.customer") != nil, "field completion: \(repl.screen)")
    repl.type(".kind\r")
    #expect(repl.waitFor("\"company\"") != nil || repl.screen.contains("\"person\""), "\(repl.screen)")
    repl.type("c:esc\t")
    #expect(repl.waitFor("c:escalate") != nil, "method completion: \(repl.screen)")
    repl.type("\u{03}")  // Ctrl-C at the prompt drops the line
    #expect(repl.waitFor("^C") != nil)
    #expect(repl.waitFor("litige(dry)> ") != nil)
    repl.type(".pl\t")
    #expect(repl.waitFor(".plugins") != nil, "meta command completion: \(repl.screen)")
    repl.type("\r")
    #expect(repl.waitFor("triage@") != nil, "\(repl.screen)")
    #expect(repl.waitFor("litige(dry)> ") != nil)
    repl.type(".quit\r")
    #expect(repl.exitStatus() == 0)
  }

  @Test("Ctrl-C stops an endless loop and the session goes on with its state")
  func interrupt() throws {
    let workspace = try Workspace.demo()
    let repl = try workspace.repl()
    repl.type("kept = 'still here'\r")
    #expect(repl.waitFor("litige(dry)> ") != nil)
    repl.type("while true do end\r")
    // A person presses Ctrl-C once the statement hangs: the editor has handed the line over.
    #expect(repl.waitFor("while true do end\n") != nil)
    #expect(repl.waitUntilEditing(false))
    repl.type("\u{03}", atPrompt: false)
    let seen = repl.waitFor("interrupted")
    #expect(seen != nil, "\(repl.screen.debugDescription)")
    #expect(repl.waitFor("litige(dry)> ") != nil)
    repl.type("kept\r")
    #expect(repl.waitFor("\"still here\"") != nil, "\(repl.screen)")
    repl.type("error('boom')\r")
    #expect(repl.waitFor("boom") != nil)
    #expect(repl.waitFor("stack traceback") != nil)
    repl.type("kept\r")
    #expect(repl.waitFor("\"still here\"") != nil, "state survives an error: \(repl.screen)")
    #expect(repl.waitFor("litige(dry)> ") != nil)
    repl.type("\u{04}")
    #expect(repl.exitStatus() == 0)
  }

  @Test(".try shows what a hook would decide; decisions are staged, and .commit writes them after .dry off")
  func stagingAndCommit() throws {
    let workspace = try Workspace.demo()
    let store = try Store.open(path: workspace.database)
    let id = try #require(store.caseIds(matching: CaseFilter(activeOnly: true)).first)
    let repl = try workspace.repl()
    repl.type(".try escalate \(id)\r")
    #expect(repl.waitFor("(dry: nothing was staged or written)") != nil, "\(repl.screen)")
    repl.type("litige.case(\(id)):tag('pty_test', 'typed in the REPL')\r")
    #expect(repl.waitFor("staged: case \(id): tag pty_test") != nil, "\(repl.screen)")
    repl.type(".commit\r")
    #expect(repl.waitFor("nothing was") != nil, "dry by default: \(repl.screen)")
    #expect(try store.disputeCase(id: id)?.tags.contains("pty_test") == false)
    repl.type(".dry off\r")
    #expect(repl.waitFor("litige> ") != nil)
    repl.type(".commit\r")
    #expect(repl.waitFor("committed 1 decision on 1 case") != nil, "\(repl.screen)")
    #expect(try store.disputeCase(id: id)?.tags.contains("pty_test") == true)
    let events = try store.events(ofCase: id)
    #expect(events.last?.kind == "tag" && events.last?.provenance.source.hasPrefix("user:") == true)
    repl.type("litige.case(\(id)):tag('dropped')\r")
    #expect(repl.waitFor("staged: case \(id): tag dropped") != nil)
    repl.type(".rollback\r")
    #expect(repl.waitFor("dropped 1 staged decision") != nil)
    #expect(repl.waitFor("litige> ") != nil)
    repl.type("\u{04}")
    #expect(repl.exitStatus() == 0)
    #expect(try store.disputeCase(id: id)?.tags.contains("dropped") == false)
  }

  @Test(".reload picks up an edited plugin without leaving the session")
  func reload() throws {
    let workspace = try Workspace.demo()
    let folder = workspace.folder + "/plugins/acme"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    func writePlugin(version: String) throws {
      try """
      return { name = "acme", version = "\(version)", nightly = function(case, ctx) end }
      """.write(toFile: folder + "/init.lua", atomically: true, encoding: .utf8)
    }
    try writePlugin(version: "1.0.0")
    let toml = workspace.folder + "/litige.toml"
    var configuration = try String(contentsOfFile: toml, encoding: .utf8)
    configuration = configuration.replacingOccurrences(
      of: "plugin_paths = []", with: "plugin_paths = [\"plugins\"]")
    try (configuration + "\n[plugins.acme]\n").write(toFile: toml, atomically: true, encoding: .utf8)

    let repl = try workspace.repl()
    repl.type(".plugins\r")
    #expect(repl.waitFor("acme@1.0.0") != nil, "\(repl.screen)")
    #expect(repl.waitFor("litige(dry)> ") != nil)
    try writePlugin(version: "1.1.0")
    repl.type(".reload\r")
    #expect(repl.waitFor("reloaded 7 plugins") != nil, "\(repl.screen)")
    #expect(repl.waitFor("litige(dry)> ") != nil)
    repl.type(".plugins\r")
    #expect(repl.waitFor("acme@1.1.0") != nil, "\(repl.screen)")
    #expect(repl.waitFor("litige(dry)> ") != nil)
    repl.type("\u{04}")
    #expect(repl.exitStatus() == 0)
  }

  @Test("piped input runs without prompts; the status says whether a statement failed")
  func piped() throws {
    let workspace = try Workspace.demo()
    let ok = try workspace.piped("print(1)\nx = 20\nx + 1\n.5 * 2\n")
    #expect(ok.status == 0)
    #expect(ok.output == "1\n21\n1.0\n")
    let failing = try workspace.piped("print('a')\nerror('stop here')\nprint('b')\n")
    #expect(failing.status == 1)
    #expect(failing.output == "a\nb\n")
    #expect(failing.error.contains("repl:1: stop here"))
    #expect(!failing.error.contains("repl-helpers"), "the console's own frames are hidden: \(failing.error)")
    // A function raising in a returned call (a tail call in Lua) still names the input's line.
    let refused = try workspace.piped("c = litige.case(1)\nrawset(c, 'x', 1)\nrawset(c, 'y', 2), 3\n")
    #expect(refused.status == 1)
    #expect(
      refused.error.components(separatedBy: "repl:1: attempt to modify a read-only table (field 'x')").count
        == 2,
      "\(refused.error)")
    #expect(
      refused.error.contains("repl:1: attempt to modify a read-only table (field 'y')"), "\(refused.error)")
    // The traceback names the input's line too.
    let deep = try workspace.piped("setmetatable({}, {__index = function() error('deep') end}).x\n")
    #expect(deep.error.contains("repl:1: deep"), "\(deep.error)")
    #expect(deep.error.contains("repl:1: in main chunk") && !deep.error.contains("repl:2"), "\(deep.error)")
    let values = try workspace.piped(
      "1, 'deux', nil, 4\n(function() return 5, 6 end)()\nselect('#', nil, nil) -- deux\n")
    #expect(values.status == 0, "\(values.error)")
    #expect(values.output == "1\t\"deux\"\tnil\t4\n5\t6\n2\n", "\(values.output)")
    let unfinished = try workspace.piped("function f()\n")
    #expect(unfinished.status == 1)
    #expect(unfinished.error.contains("ended inside a statement"))
  }
}
