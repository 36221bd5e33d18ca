import ArgumentParser
import Foundation
import LitigeCore
import LitigePolicies
import LitigeStore
import LuaHost

/// The `litige` command: parses arguments and delegates to the modules.
///
/// Exit codes: 0 success, 1 a policy or data error was reported, 2 usage error.
public struct LitigeCommand: ParsableCommand {
  /// The command's name, summary and subcommands.
  public static let configuration = CommandConfiguration(
    commandName: "litige",
    abstract: "Customer-dispute engine: cases, invoices, communications and company policies in Lua.",
    discussion: """
      Environment:
      LITIGE_DB: the workspace when --db is not given (./litige.sqlite).
      LITIGE_PLUGINS: the standard plugins' folder (share/litige/plugins).
      LITIGE_USER: who acts, for the journal, without --by (the login).
      LITIGE_NOW: the instant a person's commands act at (simulations).
      LITIGE_HISTORY: the REPL's history file (~/.litige_history).

      Exit status: 0 success, 1 a policy or data error, 2 a usage error.
      """,
    version: LitigeCommand.version,
    subcommands: [
      InitCommand.self, CaseCommand.self, RunCommand.self, PluginsCommand.self, TestCommand.self,
      BatchCommand.self, GenerateCommand.self, ReplCommand.self, PaymentCommand.self, GestureCommand.self,
      InvoiceCommand.self, ImportCommand.self, ExportCommand.self, OutboxCommand.self, CustomerCommand.self,
    ])

  /// The product's version and the Lua release it runs, as `litige --version` prints them.
  public static let version = "litige 0.4.0 (\(LuaState.release))"

  /// Creates the command (argument parsing fills it).
  public init() {}

  /// Runs the command line and exits with 0, 1 (reported error) or 2 (usage error).
  public static func runMain(_ arguments: [String]? = nil) -> Never {
    var parsed: ParsableCommand?
    do {
      var command = try parseAsRoot(arguments)
      parsed = command
      try command.run()
      Foundation.exit(0)
    } catch let error as ValidationError where parsed != nil {
      // A value checked while running: the usage of the subcommand that was typed, not the root's.
      let usage = parsed.map { usageString(for: type(of: $0)) } ?? ""
      StandardStream.error.write("Error: \(TerminalText.visibleLines(error.message))\nUsage: \(usage)\n")
      Foundation.exit(2)
    } catch let failure as Failure {
      // A script's or a file's text may be in the message: its control characters are shown, not run.
      StandardStream.error.write("litige: " + TerminalText.visibleLines(failure.message) + "\n")
      Foundation.exit(1)
    } catch {
      let code = exitCode(for: error)
      if code == .success {
        print(fullMessage(for: error))
        Foundation.exit(0)
      }
      // The argument parser quotes what was typed ("The value 'X' is invalid"): a pasted escape
      // sequence is shown, not run.
      StandardStream.error.write(TerminalText.visibleLines(fullMessage(for: error)) + "\n")
      Foundation.exit(code == .validationFailure ? 2 : code.rawValue == 1 ? 1 : 2)
    }
  }
}

/// An error reported to the user with exit status 1: bad data, a failing script, a refused decision.
struct Failure: Error {
  var message: String
  init(_ message: String) { self.message = message }
}

/// Where the workspace database is: `--db`, else `LITIGE_DB`, else `./litige.sqlite`.
struct WorkspaceOptions: ParsableArguments {
  @Option(name: .long, help: "The workspace database (default: $LITIGE_DB, else ./litige.sqlite).")
  var db: String?

  /// Refuses an empty workspace path (an empty `--db` or `LITIGE_DB`) before any command runs.
  func validate() throws {
    guard !path.isEmpty else {
      throw ValidationError("the workspace path is empty (--db or LITIGE_DB): give a database file")
    }
  }

  var path: String { db ?? ProcessInfo.processInfo.environment["LITIGE_DB"] ?? "litige.sqlite" }

  /// The folder of the workspace, where its litige.toml lives.
  var folder: URL { URL(fileURLWithPath: path).deletingLastPathComponent() }

  /// Opens an existing workspace with the company settings of its litige.toml; a missing workspace is
  /// an error that says how to create it, and a bad litige.toml one that names its line.
  func openStore() throws -> Store {
    guard FileManager.default.fileExists(atPath: path) else {
      throw Failure("no workspace at \(path): create one with 'litige init' (or 'litige init --demo')")
    }
    let configuration: WorkspaceConfiguration
    do {
      configuration = try WorkspaceConfiguration.load(folder: folder, bundled: nil)
    } catch let error as ConfigError {
      throw Failure(error.message)
    }
    do {
      let store = try Store.open(
        path: path, settings: configuration.definesCompany ? configuration.company : nil)
      Story.displayZone = store.settings.timeZone
      return store
    } catch {
      throw Failure("\(error)")
    }
  }
}

struct InitCommand: ParsableCommand {
  /// The litige.toml written beside a new workspace: the standard policies, with their defaults.
  static let defaultConfiguration = """
    # Litige workspace configuration: which policy plugins run, and their settings.
    # `litige plugins list` shows every setting; `litige plugins check` validates this file.

    [workspace]
    plugin_paths = []   # folders of the company's own plugins, searched before the bundled ones

    # The company: its identity (on letters and formal notices), its money and time, its rules.
    [company]
    name = "Exemple SAS"              # replace with the company's name
    legal_form = "SAS"
    siren = "123456782"               # nine digits, checked (Luhn)
    address = "1 rue de l'Exemple, 75002 Paris"
    currency = "EUR"
    time_zone = "Europe/Paris"
    language = "fr"
    holidays = "fr"                   # fr, fr-alsace-moselle or none; closed_days = ["2026-12-24"]
    penalties_on_disputed = "waive"   # or "accrue": claimed only if the dispute is lost
    # penalty_rate = 12.0             # the contract's rate, % a year; without it: ECB rate + 10 points
    follow_up_days = 30               # a resolved case closes after this many days
    require_amicable_attempt = true   # court only after a proposal, a mediation or a conciliation

    # The ECB rate of each half-year (on 1 January and 1 July) beyond the published table, % a year.
    # [company.ecb_rates]
    # "2026-H2" = 2.15

    # Who may approve gestures beyond their caps, by login name (--by, $LITIGE_USER): up to this amount.
    [approvers]
    claire = 5000
    marc = 20000

    # The largest gesture of each kind granted without an approval, in [company] currency.
    [gestures.caps]
    discount = 500
    credit_note = 2000
    refund = 1000
    replacement = 1500
    voucher = 150

    [plugins.triage]
    large_amount = 5000     # in [company] currency; above it a case is priority 2 at least
    resolution_days = 30

    [plugins.acknowledgement]
    answer_within_days = 5
    keep_informed_days = 7

    [plugins.compensation]
    approval_threshold = 1000   # in [company] currency; larger gestures are tagged for a person to approve
    goodwill_percent = 10

    [plugins.receivables]
    late_penalties = "waive"    # or "accrue": claimed only if the customer's claim is rejected
    # the rate is [company] penalty_rate, else the ECB rate + 10 points of each half-year

    [plugins.follow_up]
    satisfaction_after_days = 7
    loyalty_voucher = 20        # in [company] currency; 0 for none

    [plugins.escalation]
    mediation_after_days = 30
    formal_notice_after_days = 21
    court_after_days = 30

    """

  static let configuration = CommandConfiguration(
    commandName: "init",
    abstract: "Create a workspace database (SQLite, WAL), optionally filled with demo data.")

  @OptionGroup var workspace: WorkspaceOptions

  @Flag(help: "Fill the workspace with a realistic demo data set (40 customers, 300 invoices, 120 cases).")
  var demo = false

  @Option(help: "Seed of the demo data: the same seed on the same day gives the same data.")
  var seed: UInt64 = 2026

  @Flag(help: "Replace an existing workspace at that path.")
  var force = false

  /// Creates (or with `force`, replaces) the workspace database at `path` and a default litige.toml.
  ///
  /// Throws `Failure` when the file exists and `force` is false, when `path` is a folder (never
  /// removed, even with `force`), when a night or a generation is running on it, or when the file
  /// cannot be created; nothing is removed then. The new workspace's `NightLock` is held until the
  /// process ends, so that nothing replaces it or runs a night on it while it is being filled.
  static func createWorkspace(at path: String, force: Bool) throws -> Store {
    let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
    var isFolder: ObjCBool = false
    guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder) else {
      throw Failure("cannot create the workspace \(path): the folder \(folder.path) does not exist")
    }
    guard isFolder.boolValue else {
      throw Failure("cannot create the workspace \(path): \(folder.path) is a file, not a folder")
    }
    guard FileManager.default.isWritableFile(atPath: folder.path) else {
      throw Failure("cannot create the workspace \(path): the folder \(folder.path) is not writable")
    }
    // Two commands creating a workspace in the folder at once take turns (a lock on the folder,
    // released when this returns): the second then finds the first's workspace locked (NightLock),
    // not a file it may delete while the first fills it.
    let folderDescriptor = open(folder.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    if folderDescriptor >= 0 { flock(folderDescriptor, LOCK_EX) }
    defer { if folderDescriptor >= 0 { close(folderDescriptor) } }
    if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) {
      guard !isFolder.boolValue else {
        throw Failure(
          "\(path) is a folder: give the path of the workspace's database file (e.g. \(path)/litige.sqlite)")
      }
      guard force else { throw Failure("\(path) already exists; use --force to replace it") }
      // Not from under a night or a generation still running on it (their data would go to a
      // deleted file while they report success).
      try NightLock.checkFree(path: path)
      for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }
    let configuration = folder.appendingPathComponent("litige.toml")
    if !FileManager.default.fileExists(atPath: configuration.path) {
      do {
        try Self.defaultConfiguration.write(to: configuration, atomically: true, encoding: .utf8)
      } catch {
        throw Failure("cannot write \(configuration.path): \(error.localizedDescription)")
      }
    }
    let workspace: WorkspaceConfiguration
    do {
      workspace = try WorkspaceConfiguration.load(folder: folder, bundled: nil)
    } catch let error as ConfigError {
      throw Failure(error.message)
    }
    let store: Store
    do {
      store = try Store.open(path: path, settings: workspace.definesCompany ? workspace.company : nil)
    } catch {
      throw Failure("\(error)")
    }
    // Held until this process ends: a night, or another `init --force` or `generate --force`, waits
    // for the workspace to be made (NightLock).
    try NightLock.take(path: path)
    return store
  }

  func run() throws {
    let path = workspace.path
    // Read before anything is created or replaced: a wrong LITIGE_NOW changes nothing.
    let reference = try CommandClock.now()
    let store = try Self.createWorkspace(at: path, force: force)
    guard demo else {
      print("Created an empty workspace at \(path).")
      return
    }
    let data = DemoData.generate(seed: seed, reference: reference, currency: store.settings.currency)
    try store.load(data, provenance: Provenance(source: "user:demo", hook: "import", runId: "demo-\(seed)"))
    let counts = try store.counts()
    print(
      "Created a demo workspace at \(path): \(counts["customers", default: 0]) customers, "
        + "\(counts["invoices", default: 0]) invoices, \(counts["cases", default: 0]) cases, "
        + "\(counts["communications", default: 0]) communications (seed \(seed)).")
  }
}
