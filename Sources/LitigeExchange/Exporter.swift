import CSV
import Foundation
import LitigeCore
import LitigeStore

/// What `litige export` writes.
public enum ExportKind: String, Sendable, CaseIterable {
  /// The five kinds `litige import` reads, in the same columns: a round trip reproduces them.
  case customers, invoices, cases, communications, payments
  /// Every event of the journal, with its data as JSON.
  case journal
  /// The decisions (policies' and people's), without the recorded facts (messages, payments, status).
  case decisions
  /// The accounting entries the decisions imply: credit notes, refunds, write-offs, penalties claimed.
  case ledger
}

/// A table to write: its columns and rows (nil is an empty field, or JSON null).
public struct ExportTable: Sendable {
  /// The column names, as the import reads them.
  public var columns: [String]
  /// The rows, each with one value per column.
  public var rows: [[String?]]
}

/// Builds and writes the exports.
///
/// The same columns as the imports for the five data kinds, so that an export imported into a fresh
/// workspace reproduces the data; the journal, the decisions and the accounting feed for the finance
/// system. Amounts are decimal strings in major units, dates
/// `YYYY-MM-DD`, times ISO 8601 in UTC.
public enum Exporter {
  /// The kinds of journal events that record facts rather than decisions.
  static let facts: Set<String> = [
    "opened", "communication", "payment", "status", "dispatched", "dispatch_failed",
  ]

  /// The table of `kind` in `store`, since `since` (nil for everything): what `since` compares is said
  /// in `litige export --help` (the issue day of invoices, the opening of cases, the recording of
  /// payments and ledger entries, the time of messages and journal events).
  public static func table(_ kind: ExportKind, store: Store, since: Date? = nil, afterEvent: Int64 = 0) throws
    -> ExportTable
  {
    let zone = store.settings.timeZone
    switch kind {
    case .customers:
      return ExportTable(
        columns: ["id", "name", "kind", "segment", "email", "phone", "language", "vip", "since", "address"],
        rows: try store.exportCustomers().map {
          [
            $0.id, $0.name, $0.kind.rawValue, $0.segment, $0.email, $0.phone, $0.language, String($0.vip),
            $0.since?.description, $0.address,
          ]
        })
    case .invoices:
      return ExportTable(
        columns: ["number", "customer_id", "issued_on", "due_on", "currency", "total", "paid"],
        rows: try store.exportInvoices(issuedSince: since.map { LocalDate($0, in: zone) }).map {
          let invoice = $0.invoice
          return [
            invoice.number, invoice.customerId, invoice.issuedOn.description, invoice.dueOn.description,
            invoice.total.currency.code, invoice.total.decimalText, invoice.paid.decimalText,
          ]
        })
    case .cases:
      return ExportTable(
        columns: [
          "id", "customer_id", "opened_at", "channel", "category", "reason", "invoices", "disputed", "status",
        ],
        rows: try store.exportCases(openedSince: since).map { item in
          // Each invoice with its disputed part (NUMBER=AMOUNT), so that the portions come back.
          let invoices = item.invoiceNumbers.map { number in
            item.portions[number].map { "\(number)=\($0.decimalText)" } ?? "\(number)=0.00"
          }.joined(separator: ";")
          return [
            item.reference ?? String(item.id), item.customerId, Timestamp.utcText(item.openedAt),
            item.channel.rawValue,
            item.category?.rawValue, item.reason, invoices, item.disputed.decimalText, item.status.rawValue,
          ]
        })
    case .communications:
      return ExportTable(
        columns: ["case_id", "at", "direction", "channel", "author", "summary"],
        rows: try store.exportCommunications(since: since).map { message, reference in
          [
            reference, Timestamp.utcText(message.at), message.direction.rawValue, message.channel.rawValue,
            message.author, message.summary,
          ]
        })
    case .payments:
      return ExportTable(
        columns: ["invoice", "paid_on", "amount", "reference", "method"],
        rows: try store.exportPayments(recordedSince: since).map {
          [
            $0.payment.invoiceNumber, $0.payment.paidOn.description, $0.payment.amount.decimalText,
            $0.payment.reference, $0.payment.method,
          ]
        })
    case .journal, .decisions:
      let (events, _) = try store.exportJournal(since: since, afterEvent: afterEvent)
      let kept = kind == .journal ? events : events.filter { !facts.contains($0.event.kind) }
      return ExportTable(
        columns: [
          "event_id", "case_id", "case_reference", "at", "kind", "data", "reason", "decided_by", "hook",
          "run_id",
        ],
        rows: kept.map {
          [
            String($0.id), String($0.caseId), $0.caseReference, Timestamp.utcText($0.event.at), $0.event.kind,
            $0.event.payload, $0.event.reason, $0.event.provenance.source, $0.event.provenance.hook,
            $0.event.provenance.runId,
          ]
        })
    case .ledger:
      return ExportTable(
        columns: [
          "entry", "kind", "invoice", "customer_id", "amount", "currency", "on", "case_id", "event_id",
          "recorded_at",
        ],
        rows: try store.ledgerEntries(since: since).map {
          [
            $0.reference, $0.kind, $0.invoice, $0.customerId, $0.amount.decimalText, $0.amount.currency.code,
            $0.on.description, $0.caseId.map(String.init), $0.eventId.map(String.init),
            Timestamp.utcText($0.recordedAt),
          ]
        })
    }
  }

  /// The bytes of `table` as CSV (yaslab/CSV.swift's writer, RFC 4180 quoting, a header row) or JSON
  /// (an array of objects, keys in column order, nulls for empty values).
  ///
  /// In CSV a text a spreadsheet would run as a formula (`=`, `+`, `-`, `@` first) gets an apostrophe
  /// before it (OWASP's CSV injection advice), which `litige import` removes. With `;` (French Excel)
  /// the file starts with a UTF-8 byte-order mark and amounts are written with a decimal comma.
  public static func encode(_ table: ExportTable, format: DataFormat, delimiter: Character = ",") throws
    -> Data
  {
    switch format {
    case .csv:
      let stream = OutputStream.toMemory()
      let writer = try CSVWriter(stream: stream, delimiter: String(delimiter), newline: .crlf)
      try writer.write(row: table.columns)
      let french = delimiter == ";"
      let amounts = Set(table.columns.indices.filter { Self.amountColumns.contains(table.columns[$0]) })
      for row in table.rows {
        try writer.write(
          row: row.enumerated().map { index, value in
            guard let value else { return "" }
            if french, amounts.contains(index) { return value.replacingOccurrences(of: ".", with: ",") }
            return guarded(value)
          })
      }
      stream.close()
      var data = french ? Data([0xEF, 0xBB, 0xBF]) : Data()
      data.append((stream.property(forKey: .dataWrittenToMemoryStreamKey) as? Data) ?? Data())
      data.append(contentsOf: Array("\r\n".utf8))
      return data
    case .json:
      var text = "[\n"
      // Journal, decisions and ledger rows name Litige's own numbers (event and case); the data kinds'
      // case_id is a company's reference and stays a string.
      let numbered = table.columns.contains("event_id")
      for (index, row) in table.rows.enumerated() {
        let fields = zip(table.columns, row).map { column, value in
          "\(jsonString(column)): \(value.map { jsonValue($0, column: column, numbered: numbered) } ?? "null")"
        }
        text += "  {" + fields.joined(separator: ", ") + "}" + (index + 1 < table.rows.count ? ",\n" : "\n")
      }
      // The same JSON with C1 controls and bidi marks as escapes, as every `--json` output.
      return Data(TerminalText.visibleJSON(text + "]\n").utf8)
    }
  }

  /// Columns that hold numbers and true/false in JSON; amounts stay decimal strings (exact, the
  /// convention of every `--json`), identifiers stay strings (a company's are not numbers).
  static let integerColumns: Set<String> = ["event_id", "case_id"]
  static let flagColumns: Set<String> = ["vip"]

  /// `value` of `column` as a JSON value: a number, true/false, or a string.
  static func jsonValue(_ value: String, column: String, numbered: Bool) -> String {
    if numbered, integerColumns.contains(column), let number = Int64(value) { return String(number) }
    if flagColumns.contains(column), value == "true" || value == "false" { return value }
    return jsonString(value)
  }

  /// The columns that hold amounts.
  static let amountColumns: Set<String> = ["total", "paid", "amount", "disputed"]

  /// `value` with an apostrophe before it when a spreadsheet would take it for a formula.
  static func guarded(_ value: String) -> String {
    guard let first = value.utf8.first else { return value }
    let formula: Set<UInt8> = [
      UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), 0x09, 0x0D,
    ]
    if formula.contains(first) { return "'" + value }
    // A text that already starts with an apostrophe and a formula character keeps both.
    if first == UInt8(ascii: "'"), let second = value.utf8.dropFirst().first, formula.contains(second) {
      return "'" + value
    }
    return value
  }

  /// `text` as a JSON string literal (the journal's escaping).
  static func jsonString(_ text: String) -> String { CaseRules.jsonQuoted(text) }

  /// Writes `data` to `path` whole or not at all, or to standard output for `-`.
  ///
  /// A temporary file beside it is renamed over it. Throws `DataProblem` naming the file when it cannot be written.
  public static func write(_ data: Data, to path: String) throws {
    if path == "-" {
      // Into a pipe or a file the data goes byte for byte; on a terminal, the control characters and
      // bidi marks of what files and plugins wrote are shown as escapes, not run.
      var bytes = Array(data)
      if isatty(STDOUT_FILENO) == 1 {
        bytes = Array(
          TerminalText.visible(String(decoding: bytes, as: UTF8.self), keeping: ["\n", "\r", "\t"]).utf8)
      }
      // A full disk or a closed pipe: the export failed (`> /dev/full` said nothing and exited 0).
      guard StandardStream.output.write(bytes) else {
        throw DataProblem(
          file: "standard output", line: 0, message: "cannot be written: \(String(cString: strerror(errno)))")
      }
      return
    }
    let url = URL(fileURLWithPath: path)
    let temporary = url.deletingLastPathComponent().appendingPathComponent(
      ".\(url.lastPathComponent).\(UUID().uuidString).tmp")
    do {
      try data.write(to: temporary)
      // rename(2) replaces the old file in one step: a reader sees the old file or the new one.
      guard rename(temporary.path, url.path) == 0 else {
        let reason = String(cString: strerror(errno))
        throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: reason])
      }
    } catch {
      try? FileManager.default.removeItem(at: temporary)
      throw DataProblem(
        file: path, line: 0, message: "cannot be written: \((error as NSError).localizedDescription)")
    }
  }
}
