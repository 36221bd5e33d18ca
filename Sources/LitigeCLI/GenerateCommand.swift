import ArgumentParser
import Foundation
import LitigeCore
import LitigeStore

struct GenerateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "generate",
    abstract: "Create a realistic workspace of any size, for benchmarks and tests.",
    discussion: """
      Cases come with customers (one for three cases), invoices (two and a half per case) and \
      communications, generated and written slice by slice so that memory stays flat. The same seed \
      and day give the same data. An interrupted generation leaves a workspace that Litige refuses to \
      open: generate it again with --force.
      """)

  @OptionGroup var workspace: WorkspaceOptions

  @Option(help: "How many cases.")
  var cases: Int

  @Option(help: "Seed of the generator.")
  var seed: UInt64 = 1

  @Flag(help: "Replace an existing workspace at that path.")
  var force = false

  func validate() throws {
    guard cases >= 1, cases <= 50_000_000 else {
      throw ValidationError("--cases must be between 1 and 50,000,000")
    }
  }

  func run() throws {
    // LITIGE_NOW pins it (make bench: reproducible workspaces); read before anything is replaced.
    let reference = try CommandClock.now()
    let store = try InitCommand.createWorkspace(at: workspace.path, force: force)
    let slice = 3_000  // a multiple of 3, so that customer ids stay distinct across slices
    var generated = 0
    var written = 0  // the cases of the slices committed
    do {
      try store.bulkLoad(
        provenance: Provenance(source: "user:generate", hook: "import", runId: "generate-\(seed)")
      ) {
        written = generated
        if written > 0, isatty(STDERR_FILENO) == 1 { note("\r\(written)/\(cases) cases", terminator: "") }
        guard generated < cases else { return nil }
        let count = min(slice, cases - generated)
        let data = DemoData.generate(
          seed: seed &+ UInt64(generated), reference: reference, customerCount: max(1, count / 3),
          invoiceCount: max(1, count * 5 / 2), caseCount: count, offset: generated,
          currency: store.settings.currency)
        generated += count
        return data
      }
    } catch {
      if isatty(STDERR_FILENO) == 1 { note("") }
      throw Failure(
        "generating \(workspace.path) failed after \(written) cases: \(error). The workspace is unfinished "
          + "and Litige will not open it: generate it again with --force")
    }
    if isatty(STDERR_FILENO) == 1 { note("") }
    let counts = try store.counts()
    print(
      "Generated \(workspace.path): \(counts["cases", default: 0]) cases, \(counts["customers", default: 0]) customers, "
        + "\(counts["invoices", default: 0]) invoices, \(counts["communications", default: 0]) communications (seed \(seed))."
    )
  }
}
