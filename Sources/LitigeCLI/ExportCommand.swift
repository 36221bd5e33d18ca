import ArgumentParser
import Foundation
import LitigeCore
import LitigeExchange
import LitigeStore

extension ExportKind: ExpressibleByArgument {}

/// `litige export KIND FILE`: the workspace's data for another system or another workspace.
struct ExportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "export",
    abstract:
      "Export customers, invoices, cases, communications, payments, the journal, decisions or the ledger.",
    discussion: """
      The five data kinds come out in the columns 'litige import' reads: an export imported into a fresh \
      workspace reproduces them (cases with their company references and disputed parts, invoices with \
      their opening balance and payments apart). 'journal' lists every event with its data as JSON; \
      'decisions' the policies' and people's decisions only; 'ledger' the accounting entries the \
      decisions imply (credit notes, refunds, write-offs, late penalties, recovery indemnities and \
      interest claimed), one per line with the invoice, customer, amount, date and the decision's event.

      --since keeps what came after an instant or a day (in the company's time zone): invoices issued, \
      cases opened, messages, payments recorded, journal events, ledger entries recorded. A nightly \
      feed passes the time of its previous export. The file is written whole or not at all; '-' \
      writes to standard output.
      """)

  @Argument(help: "customers, invoices, cases, communications, payments, journal, decisions or ledger.")
  var kind: ExportKind

  @Argument(help: "The file to write (.csv or .json), or - for standard output.")
  var file: String

  @OptionGroup var workspace: WorkspaceOptions

  @Option(help: "csv or json (default: from the file's extension; csv for -).")
  var format: DataFormat?

  @Option(help: "The CSV separator: ',' or ';' (French Excel: decimal commas and a BOM).")
  var delimiter = ","

  @Option(help: "Only what came after this instant (ISO 8601) or day (YYYY-MM-DD).")
  var since: String?

  @Option(
    help: ArgumentHelp(
      "journal, decisions: only the events recorded after this one (the last event id of the previous feed).",
      valueName: "event-id"))
  var afterEvent: Int64?

  func validate() throws {
    guard [",", ";", "tab"].contains(delimiter) else {
      throw ValidationError("--delimiter: expected ',', ';' or 'tab', got '\(delimiter)'")
    }
    if let afterEvent, afterEvent < 0 {
      throw ValidationError("--after-event: an event id is positive, got \(afterEvent)")
    }
    if afterEvent != nil, kind != .journal, kind != .decisions {
      throw ValidationError("--after-event applies to journal and decisions (the other kinds take --since)")
    }
    if file != "-", format == nil, DataFormat.guess(from: file) == nil {
      throw ValidationError("cannot tell the format from '\(file)': use .csv or .json, or --format")
    }
  }

  func run() throws {
    let store = try workspace.openStore()
    var instant: Date?
    if let since {
      do {
        if since.count == 10 {
          let day = try LocalDate(parsing: since, field: "--since")
          try Plausible.check(day, field: "--since")
          instant = day.start(in: store.settings.timeZone)
        } else {
          instant = try Timestamp.parse(since, field: "--since")
          try Plausible.check(instant ?? Date(), field: "--since")
        }
      } catch let error as DomainError {
        throw ValidationError("\(error)")
      }
    }
    let table = try Exporter.table(kind, store: store, since: instant, afterEvent: afterEvent ?? 0)
    let data = try Exporter.encode(
      table, format: format ?? DataFormat.guess(from: file) ?? .csv,
      delimiter: delimiter == "tab" ? "\t" : Character(delimiter))
    do {
      try Exporter.write(data, to: file)
    } catch let problem as DataProblem {
      throw Failure(problem.description)
    }
    if file != "-" {
      // No personal data here: counts and the file only.
      var line = "\(file): \(table.rows.count) \(kind.rawValue) written."
      // The next feed starts after the last event exported.
      if kind == .journal || kind == .decisions, let last = table.rows.last?.first ?? nil {
        line += " Last event: \(last) (next feed: --after-event \(last))."
      }
      print(line)
    }
  }
}
