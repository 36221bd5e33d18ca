import ArgumentParser
import Foundation
import LitigeBatch
import LitigeCore
import LitigeExchange
import LitigeStore

extension ImportKind: ExpressibleByArgument {}
extension DataFormat: ExpressibleByArgument {}

/// `litige import KIND FILE`: a company's customers, invoices, cases, communications or payments.
struct ImportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "import",
    abstract: "Import customers, invoices, cases, communications or payments from a CSV or JSON file.",
    discussion: """
      Files as DESIGN.md describes them (a header row, or an array of objects): UTF-8 with or without \
      BOM, or Windows-1252; comma, semicolon or tab separated (from the header); RFC 4180 quoting. \
      Amounts in major units, with a decimal comma in ';' files (1 234,56); dates YYYY-MM-DD or \
      DD/MM/YYYY; times ISO 8601 (without an offset, in the company's time zone).

      All or nothing, in one transaction: every problem is reported (the first 100, then a count) as \
      file:line:column with the column's name and what was expected. Re-importing the same file \
      changes nothing; an updated export updates what changed, and each change is journaled. A payment \
      is recorded once per invoice and reference. Import customers, then invoices, cases, \
      communications and payments. New cases run the triage policies (--no-policies to skip).
      """)

  @Argument(help: "What the file holds: customers, invoices, cases, communications or payments.")
  var kind: ImportKind

  @Argument(help: "The file (.csv or .json).")
  var file: String

  @OptionGroup var workspace: WorkspaceOptions

  @Option(help: "csv or json (default: from the file's extension).")
  var format: DataFormat?

  @Option(help: "The CSV separator: ',', ';' or 'tab' (default: the header's).")
  var delimiter: String?

  @Option(help: "auto (UTF-8, else Windows-1252), utf-8 or windows-1252.")
  var encoding = "auto"

  @Flag(help: "Check everything and say what would change; write nothing.")
  var dryRun = false

  @Flag(help: "Do not run the triage policies on the cases opened.")
  var noPolicies = false

  @OptionGroup var author: AuthorOptions

  @Flag(help: "Print the summary as JSON.")
  var json = false

  func validate() throws {
    guard TextEncoding.parse(encoding) != nil else {
      throw ValidationError("--encoding: expected auto, utf-8 or windows-1252, got '\(encoding)'")
    }
    if let delimiter, !["", ",", ";", "tab", "\t", "|"].contains(delimiter) || delimiter.isEmpty {
      throw ValidationError("--delimiter: expected ',', ';', '|' or 'tab', got '\(delimiter)'")
    }
  }

  func run() throws {
    let store = try workspace.openStore()
    let now = try CommandClock.now()
    var options = Importer.Options()
    options.format = format
    options.delimiter = delimiter.map { $0 == "tab" ? "\t" : Character($0) }
    options.encoding = TextEncoding.parse(encoding) ?? .auto
    options.dryRun = dryRun
    options.source = "user:\(author.author)"
    options.now = now
    let outcome: Importer.Outcome
    do {
      outcome = try Importer.run(kind, path: file, file: file, into: store, options: options)
    } catch let problem as DataProblem {
      throw Failure(problem.description)
    } catch let problems as DataProblems {
      throw Failure(
        "\(file): nothing imported (\(problems.total) problem\(problems.total == 1 ? "" : "s")):\n\(problems)"
      )
    }
    let (table, summary) = (outcome.table, outcome.summary)
    var triaged = 0
    if !dryRun, !noPolicies, let first = summary.openedCases.min(), let last = summary.openedCases.max() {
      triaged = try triage(store: store, range: first...last, at: now)
    }
    if json {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
      let report = ImportReport(
        file: file, kind: kind.rawValue, records: table.records.count, encoding: table.encoding.rawValue,
        delimiter: table.delimiter.map(String.init), dryRun: dryRun, summary: summary, triaged: triaged)
      print(TerminalText.visibleJSON(String(decoding: try encoder.encode(report), as: UTF8.self)))
      return
    }
    let encodingName = table.encoding == .windows1252 ? "Windows-1252" : "UTF-8"
    let separator = table.delimiter.map { $0 == "\t" ? ", tab-separated" : ", '\($0)'-separated" } ?? ""
    print(
      "\(file) (\(encodingName)\(separator)): \(table.records.count) \(kind.rawValue): "
        + "\(summary.added) added, \(summary.updated) updated "
        + "(\(summary.changes) field change\(summary.changes == 1 ? "" : "s") journaled), \(summary.unchanged) unchanged"
        + (summary.kept > 0 ? ", \(summary.kept) left as Litige keeps them (status, amounts, payments)" : "")
        + (summary.forgotten > 0 ? ", \(summary.forgotten) of customers forgotten on request left out" : "")
        + (dryRun ? ". Dry run: nothing written." : "."))
    if triaged > 0 { print("Triage ran on the \(triaged) case\(triaged == 1 ? "" : "s") opened.") }
  }

  /// Runs the triage policies over the cases just opened, chunk by chunk as the nightly run does.
  private func triage(store: Store, range: ClosedRange<Int64>, at now: Date) throws -> Int {
    var options = BatchOptions()
    options.asOf = now
    options.hooks = ["triage"]
    options.caseRange = range
    options.runName = "import"
    options.jobs = 1
    let runner = BatchRunner(
      store: store, configuration: try BatchCommand.configuration(of: workspace), options: options)
    let report: BatchReport
    do {
      report = try runner.run()
    } catch {
      throw Failure("the records are imported, but the triage policies did not run: \(error)")
    }
    if report.failedCases > 0 {
      for failure in report.failures.prefix(20) {
        StandardStream.error.write(
          "litige: \(failure.plugin) \(failure.hook) failed on case \(failure.caseId): \(TerminalText.visible(failure.message))\n"
        )
      }
      throw Failure(
        "the records are imported, but triage failed on \(report.failedCases) case(s) (see above); "
          + "the nightly run will try again")
    }
    return report.cases
  }
}

/// `litige import --json`.
struct ImportReport: Encodable {
  var file: String
  var kind: String
  var records: Int
  var encoding: String
  var delimiter: String?
  var dryRun: Bool
  var summary: ImportSummary
  var triaged: Int

  enum CodingKeys: String, CodingKey {
    case file, kind, records, encoding, delimiter, summary, triaged
    case dryRun = "dry_run"
  }
}
