import Foundation
import LitigeCore
import LitigeStore

/// What `litige import` reads: the five kinds of DESIGN.md's data files.
public enum ImportKind: String, Sendable, CaseIterable {
  case customers, invoices, cases, communications, payments

  /// The columns of the kind's files.
  public var columns: ColumnSet {
    switch self {
    case .customers:
      return ColumnSet(
        required: ["id", "name", "kind"],
        optional: ["segment", "email", "phone", "language", "vip", "since", "address"])
    case .invoices:
      return ColumnSet(
        required: ["number", "customer_id", "issued_on", "due_on", "total"], optional: ["currency", "paid"])
    case .cases:
      return ColumnSet(
        required: ["id", "customer_id", "opened_at", "reason"],
        optional: ["channel", "category", "invoices", "disputed", "status"])
    case .communications:
      return ColumnSet(
        required: ["case_id", "at", "direction", "channel"], optional: ["summary", "author"])
    case .payments:
      return ColumnSet(required: ["invoice", "paid_on", "amount", "reference"], optional: ["method"])
    }
  }

  /// Columns whose values are personal data: never shown in a problem.
  var personalColumns: Set<String> { ["name", "email", "phone", "summary", "author", "reason", "address"] }
}

/// Reads a table's records into the store's typed rows, collecting every problem with its place.
///
/// Values: amounts are decimals in major units (`1234.56`; a decimal comma and space-grouped thousands
/// in a `;`-separated file, `1 234,56`); never negative. Dates are `YYYY-MM-DD` or, as French Excel
/// writes them, `DD/MM/YYYY`. Times are ISO 8601 with an offset; without one (`2026-03-01 14:30`, or a
/// date alone) they are read in the company's time zone. Booleans: true/false, 1/0, yes/no, oui/non.
public struct ImportReader {
  /// The table read.
  public let table: DataTable
  /// The kind.
  public let kind: ImportKind
  /// The company's settings (currency, time zone).
  public let settings: CompanySettings
  private(set) var problems = ProblemList()

  /// Creates a reader of `table` as `kind`.
  public init(table: DataTable, kind: ImportKind, settings: CompanySettings) {
    self.table = table
    self.kind = kind
    self.settings = settings
    problems = table.problems
  }

  /// The rows, or throws `DataProblems` with every problem found (the first 100 and a count).
  public mutating func rows() throws -> ImportRows {
    let rows = readRows()
    try problems.check()
    return rows
  }

  /// The rows of the records that read well, and every problem of the others (`problems`).
  public mutating func readRows() -> ImportRows {
    var rows = ImportRows()
    for record in table.records {
      switch kind {
      case .customers: if let row = customer(record) { rows.customers.append(row) }
      case .invoices: if let row = invoice(record) { rows.invoices.append(row) }
      case .cases: if let row = disputeCase(record) { rows.cases.append(row) }
      case .communications: if let row = communication(record) { rows.communications.append(row) }
      case .payments: if let row = payment(record) { rows.payments.append(row) }
      }
    }
    return withoutDuplicates(rows)
  }

  /// Every problem found so far.
  public var found: ProblemList { problems }

  // MARK: Kinds

  private mutating func customer(_ record: SourceRecord) -> Line<Customer>? {
    // Every field is read, so that each problem of the record is reported.
    let id = reference(record, "id")
    let name = text(record, "name", maxBytes: 200)
    let kind = vocabulary(record, "kind", CustomerKind.self)
    let vip = flag(record, "vip")
    let since = optionalDate(record, "since")
    let segment = optionalText(record, "segment", maxBytes: 100) ?? ""
    let phone = optionalText(record, "phone", maxBytes: 40)
    let address = optionalText(record, "address", maxBytes: 400)
    // Upper-case ASCII letters are read as lower case (FR is fr); nothing else is folded (the Kelvin
    // sign is not a K).
    let language = String(
      decoding: trimmedSpaces(record["language"] ?? "fr").utf8.map {
        $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") ? $0 + 32 : $0
      }, as: UTF8.self)
    // ISO 639-1 or -2, optionally with a region (fr, en, fr-be).
    if !ImportChecks.isLanguageCode(language) {
      add(record, "language", "expected a language code such as fr or en")
    }
    let email = optionalText(record, "email", maxBytes: 254).map(trimmedSpaces)
    // One @, something before it, a domain with a dot after it, no space.
    if let address = email, !ImportChecks.isEmailAddress(address) {
      add(record, "email", "expected an e-mail address (name@domain.fr)")
      return nil
    }
    if let number = phone, number.contains(where: { !($0.isNumber || " +.-()/".contains($0)) }) {
      add(record, "phone", "expected a phone number: digits, spaces and + . - ( ) /")
      return nil
    }
    guard let id, let name, let kind else { return nil }
    return Line(
      line: record.line,
      value: Customer(
        id: id, name: name, kind: kind, segment: segment, email: email, phone: phone, language: language,
        vip: vip, since: since, address: address))
  }

  private mutating func invoice(_ record: SourceRecord) -> Line<Invoice>? {
    let currency = currencyValue(record)
    let number = reference(record, "number")
    let customer = reference(record, "customer_id")
    let issued = date(record, "issued_on")
    let due = date(record, "due_on")
    let total = amount(record, "total", currency: currency ?? settings.currency)
    let paid =
      record["paid"] == nil
      ? Money.zero(settings.currency) : amount(record, "paid", currency: currency ?? settings.currency)
    guard let number, let customer, let issued, let due, currency != nil, let total, let paid else {
      return nil
    }
    if due < issued { add(record, "due_on", "is before issued_on (\(issued))", show: due.description) }
    if paid > total {
      add(record, "paid", "is more than the total (\(total.decimalText))", show: paid.decimalText)
    }
    return Line(
      line: record.line,
      value: Invoice(
        number: number, customerId: customer, issuedOn: issued, dueOn: due, total: total, paid: paid))
  }

  private mutating func disputeCase(_ record: SourceRecord) -> Line<ImportedCase>? {
    let channel = record["channel"] == nil ? Channel.email : vocabulary(record, "channel", Channel.self)
    let category = record["category"] == nil ? nil : vocabulary(record, "category", DisputeCategory.self)
    let status = record["status"] == nil ? CaseStatus.open : vocabulary(record, "status", CaseStatus.self)
    let disputed = record["disputed"] == nil ? nil : amount(record, "disputed", currency: settings.currency)
    let caseReference = reference(record, "id")
    let customer = reference(record, "customer_id")
    let opened = instant(record, "opened_at")
    let reason = text(record, "reason", maxBytes: 4_000)
    guard let caseReference, let customer, let opened, let reason, let channel, let status else { return nil }
    if record["category"] != nil, category == nil { return nil }
    if record["disputed"] != nil, disputed == nil { return nil }
    // NUMBER, or NUMBER=AMOUNT for the part of it disputed (as `litige export cases` writes them).
    var invoices: [String] = []
    var portions: [String: Money] = [:]
    // With parts (NUMBER=AMOUNT) a comma may be a decimal one: only ';' and '|' separate them then.
    let field = record["invoices"] ?? ""
    let separators: Set<Character> =
      table.delimiter == "," || field.contains("=") ? [";", "|"] : [";", ",", "|"]
    for entry in field.split(whereSeparator: { separators.contains($0) }) {
      let parts = entry.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
      guard let number = parts.first, !number.isEmpty else { continue }
      invoices.append(number)
      if parts.count == 2 {
        guard let part = parseAmount(record, "invoices", parts[1], currency: settings.currency) else {
          return nil
        }
        if part.minorUnits > 0 { portions[number] = part }
      }
    }
    if Set(invoices).count != invoices.count {
      add(record, "invoices", "names an invoice twice")
      return nil
    }
    if invoices.isEmpty, disputed == nil {
      add(record, "disputed", "required when the case names no invoice")
      return nil
    }
    return Line(
      line: record.line,
      value: ImportedCase(
        reference: caseReference, customerId: customer, openedAt: opened, channel: channel,
        category: category,
        reason: reason, invoices: invoices, disputed: disputed, status: status, portions: portions))
  }

  private mutating func communication(_ record: SourceRecord) -> Line<ImportedCommunication>? {
    let caseReference = reference(record, "case_id")
    let at = instant(record, "at")
    let direction = vocabulary(record, "direction", Direction.self)
    let channel = vocabulary(record, "channel", Channel.self)
    // A message whose text was erased on request (customer forget) exports with an empty summary.
    let summary = optionalText(record, "summary", maxBytes: 20_000) ?? ""
    guard let caseReference, let at, let direction, let channel else { return nil }
    return Line(
      line: record.line,
      value: ImportedCommunication(
        caseReference: caseReference, at: at, direction: direction, channel: channel,
        author: optionalText(record, "author", maxBytes: 200) ?? "client", summary: summary))
  }

  private mutating func payment(_ record: SourceRecord) -> Line<Payment>? {
    let invoice = reference(record, "invoice")
    let paidOn = date(record, "paid_on")
    let amount = amount(record, "amount", currency: settings.currency)
    let paymentReference = reference(record, "reference")
    let method = optionalText(record, "method", maxBytes: 40) ?? "transfer"
    guard let invoice, let paidOn, let amount, let paymentReference else { return nil }
    if amount.minorUnits == 0 { add(record, "amount", "a payment is a positive amount", show: "0") }
    return Line(
      line: record.line,
      value: Payment(
        invoiceNumber: invoice, paidOn: paidOn, amount: amount, reference: paymentReference,
        method: method))
  }

  /// The rows without the second and later records of a key.
  ///
  /// The same key twice in one file is a mistake in the export: each later record is a problem at its
  /// line, and the workspace never sees it (one report does not tell the same mistake twice).
  private mutating func withoutDuplicates(_ rows: ImportRows) -> ImportRows {
    var problems = self.problems
    let file = table.file
    let positions = table.records.first?.columns ?? [:]
    func unique<Row>(_ lines: [Line<Row>], column: String, key: (Row) -> String) -> [Line<Row>] {
      var seen: [String: Int] = [:]
      return lines.filter { line in
        let value = key(line.value)
        if let first = seen[value] {
          problems.add(
            DataProblem(
              file: file, line: line.line, column: positions[column], field: column, value: value,
              message: "already on line \(first): each record once"))
          return false
        }
        seen[value] = line.line
        return true
      }
    }
    var kept = rows
    kept.customers = unique(rows.customers, column: "id") { $0.id }
    kept.invoices = unique(rows.invoices, column: "number") { $0.number }
    kept.cases = unique(rows.cases, column: "id") { $0.reference }
    kept.payments = unique(rows.payments, column: "reference") { "\($0.invoiceNumber) \($0.reference)" }
    self.problems = problems
    return kept
  }

  // MARK: Values

  private mutating func add(
    _ record: SourceRecord, _ column: String, _ message: String, show value: String? = nil
  ) {
    let shown = kind.personalColumns.contains(column) ? nil : (value ?? record[column])
    problems.add(
      DataProblem(
        file: table.file, line: record.line, column: record.columns[column], field: column, value: shown,
        message: message))
  }

  private mutating func required(_ record: SourceRecord, _ column: String) -> String? {
    guard let value = record[column] else {
      add(record, column, "required: the field is empty")
      return nil
    }
    return value
  }

  /// An identifier: at most 64 bytes, no control character, trimmed.
  private mutating func reference(_ record: SourceRecord, _ column: String) -> String? {
    guard let raw = required(record, column) else { return nil }
    let value = trimmedSpaces(raw)
    // Control characters: C0 and DEL as bytes, C1 as U+0080-U+009F (0xC2 0x80-0x9F in UTF-8).
    var previous: UInt8 = 0
    let control = value.utf8.contains { byte in
      defer { previous = byte }
      return byte < 0x20 || byte == 0x7F || (previous == 0xC2 && byte >= 0x80 && byte <= 0x9F)
    }
    guard !value.isEmpty, value.utf8.count <= 64, !control else {
      add(record, column, "expected an identifier of 1 to 64 characters without control characters")
      return nil
    }
    return value
  }

  private mutating func text(_ record: SourceRecord, _ column: String, maxBytes: Int) -> String? {
    guard let value = required(record, column) else { return nil }
    return checkedText(record, column, value, maxBytes: maxBytes)
  }

  private mutating func optionalText(_ record: SourceRecord, _ column: String, maxBytes: Int) -> String? {
    guard let value = record[column] else { return nil }
    return checkedText(record, column, value, maxBytes: maxBytes)
  }

  private mutating func checkedText(_ record: SourceRecord, _ column: String, _ value: String, maxBytes: Int)
    -> String?
  {
    guard value.utf8.count <= maxBytes else {
      add(record, column, "is \(value.utf8.count) bytes long; at most \(maxBytes) are allowed", show: "")
      return nil
    }
    // Texts that span lines may hold newlines and tabs; no other control character (an escape
    // sequence would repaint the terminal of whoever reads it).
    let multiline: Set<String> = ["summary", "reason", "address"]
    if value.unicodeScalars.contains(where: {
      $0.properties.generalCategory == .control
        && !(multiline.contains(column) && ($0 == "\n" || $0 == "\r" || $0 == "\t"))
    }) {
      add(record, column, "holds a control character", show: "")
      return nil
    }
    return value
  }

  private mutating func vocabulary<Value: Vocabulary>(
    _ record: SourceRecord, _ column: String, _ type: Value.Type
  )
    -> Value?
  {
    guard let raw = required(record, column) else { return nil }
    let value = trimmedSpaces(raw).lowercased()
    if let parsed = Value(rawValue: value) { return parsed }
    add(record, column, "expected one of: \(Value.allCases.map(\.rawValue).joined(separator: ", "))")
    return nil
  }

  private mutating func flag(_ record: SourceRecord, _ column: String) -> Bool {
    guard let raw = record[column] else { return false }
    switch trimmedSpaces(raw).lowercased() {
    case "true", "1", "yes", "oui", "vrai", "y", "o": return true
    case "false", "0", "no", "non", "faux", "n": return false
    default:
      add(record, column, "expected true or false (also 1/0, yes/no, oui/non)")
      return false
    }
  }

  private mutating func date(_ record: SourceRecord, _ column: String) -> LocalDate? {
    guard let raw = required(record, column) else { return nil }
    return parseDate(record, column, raw)
  }

  private mutating func optionalDate(_ record: SourceRecord, _ column: String) -> LocalDate? {
    guard let raw = record[column] else { return nil }
    return parseDate(record, column, raw)
  }

  private mutating func parseDate(_ record: SourceRecord, _ column: String, _ raw: String) -> LocalDate? {
    let text = trimmedSpaces(raw)
    // The two usual shapes, read digit by digit (a million rows go through here).
    if let day = quickDate(text), (try? Plausible.check(day, field: column)) != nil { return day }
    var candidate = text
    // French Excel writes 31/03/2026.
    let slashed = text.split(separator: "/", omittingEmptySubsequences: false)
    if slashed.count == 3, slashed[2].count == 4 {
      candidate =
        "\(slashed[2])-\(slashed[1].count == 1 ? "0" : "")\(slashed[1])-\(slashed[0].count == 1 ? "0" : "")\(slashed[0])"
    }
    do {
      let day = try LocalDate(parsing: candidate, field: column)
      try Plausible.check(day, field: column)
      return day
    } catch {
      add(record, column, "expected a date as YYYY-MM-DD (or DD/MM/YYYY) between 1970 and 2199")
      return nil
    }
  }

  private mutating func instant(_ record: SourceRecord, _ column: String) -> Date? {
    guard let raw = required(record, column) else { return nil }
    let text = trimmedSpaces(raw)
    var instant: Date?
    if let parsed = try? Timestamp.parse(text, field: column) {
      instant = parsed
    } else {
      // Without an offset: a local time (or a day, at midnight) in the company's time zone.
      let parts = text.split(whereSeparator: { $0 == " " || $0 == "T" })
      if let first = parts.first, let day = parseQuietly(String(first)), parts.count <= 2 {
        var hour = 0, minute = 0, second = 0
        var valid = true
        if parts.count == 2 {
          let clock = parts[1].split(separator: ":").map { Int($0) }
          valid = (2...3).contains(clock.count) && !clock.contains(nil)
          if valid {
            hour = clock[0] ?? 0
            minute = clock[1] ?? 0
            second = clock.count == 3 ? clock[2] ?? 0 : 0
            valid = (0..<24).contains(hour) && (0..<60).contains(minute) && (0..<60).contains(second)
          }
        }
        if valid {
          var calendar = Calendar(identifier: .gregorian)
          calendar.timeZone = settings.timeZone
          instant = calendar.date(
            from: DateComponents(
              year: day.year, month: day.month, day: day.day, hour: hour, minute: minute, second: second))
        }
      }
    }
    guard let instant, (try? Plausible.check(instant, field: column)) != nil else {
      add(record, column, "expected a time as ISO 8601 (2026-03-01T14:30:00+01:00) between 1970 and 2199")
      return nil
    }
    return instant
  }

  private func parseQuietly(_ text: String) -> LocalDate? {
    var candidate = text
    let slashed = text.split(separator: "/", omittingEmptySubsequences: false)
    if slashed.count == 3, slashed[2].count == 4, slashed[0].count <= 2, slashed[1].count <= 2 {
      candidate =
        "\(slashed[2])-\(String(repeating: "0", count: 2 - slashed[1].count))\(slashed[1])-"
        + "\(String(repeating: "0", count: 2 - slashed[0].count))\(slashed[0])"
    }
    return try? LocalDate(parsing: candidate)
  }

  private mutating func currencyValue(_ record: SourceRecord) -> Currency? {
    guard let code = record["currency"] else { return settings.currency }
    guard let currency = try? Currency(code: trimmedSpaces(code)) else {
      add(record, "currency", "expected an ISO 4217 currency code such as EUR")
      return nil
    }
    guard currency == settings.currency else {
      add(record, "currency", "the workspace keeps its books in \(settings.currency.code)")
      return nil
    }
    return currency
  }

  /// An amount: `1234.56`; with a decimal comma and grouped thousands in `;`-separated files.
  private mutating func amount(_ record: SourceRecord, _ column: String, currency: Currency) -> Money? {
    guard let raw = required(record, column) else { return nil }
    return parseAmount(record, column, raw, currency: currency)
  }

  private mutating func parseAmount(
    _ record: SourceRecord, _ column: String, _ raw: String, currency: Currency
  )
    -> Money?
  {
    var text = trimmedSpaces(raw)
    for symbol in ["€", "EUR"] where text.hasSuffix(symbol) {
      text = trimmedSpaces(String(text.dropLast(symbol.count)))
    }
    if table.decimalComma || table.delimiter == nil {
      // "1 234,56": spaces, no-break spaces or narrow no-break spaces between thousands, a decimal
      // comma; rewritten byte by byte (a million rows go through here).
      var bytes: [UInt8] = []
      bytes.reserveCapacity(text.utf8.count)
      var commas = 0, dots = 0
      var utf8 = Array(text.utf8)[...]
      while let byte = utf8.popFirst() {
        if byte == 0x20 { continue }
        if byte == 0xC2, utf8.first == 0xA0 {
          utf8.removeFirst()
          continue
        }
        if byte == 0xE2, utf8.starts(with: [0x80, 0xAF]) {
          utf8.removeFirst(2)
          continue
        }
        if byte == UInt8(ascii: ","), table.decimalComma {
          commas += 1
          bytes.append(UInt8(ascii: "."))
          continue
        }
        if byte == UInt8(ascii: ".") { dots += 1 }
        bytes.append(byte)
      }
      if commas > 0, dots > 0 {
        add(record, column, "expected one decimal separator (1234,56 or 1234.56)")
        return nil
      }
      text = String(decoding: bytes, as: UTF8.self)
    }
    let money: Money
    do {
      money = try Money(parsing: text, currency: currency, field: column)
    } catch DomainError.invalid(_, let message) {
      add(record, column, message)
      return nil
    } catch {
      add(record, column, "\(error)")
      return nil
    }
    guard money.minorUnits >= 0 else {
      add(record, column, "an amount in a data file is never negative (a credit is recorded apart)")
      return nil
    }
    return money
  }
}

/// `text` without the spaces and tabs around it; the same string when there are none (the usual case,
/// without Foundation's bridging).
func trimmedSpaces(_ text: String) -> String {
  let utf8 = text.utf8
  guard let first = utf8.first, let last = utf8.last else { return text }
  let space: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 }
  guard space(first) || space(last) || first >= 0x80 || last >= 0x80 else { return text }
  return text.trimmingCharacters(in: .whitespaces)
}

/// `YYYY-MM-DD` or `DD/MM/YYYY` read digit by digit, or nil for anything else.
func quickDate(_ text: String) -> LocalDate? {
  let bytes = Array(text.utf8)
  guard bytes.count == 10 else { return nil }
  func number(_ range: Range<Int>) -> Int? {
    var value = 0
    for index in range {
      let byte = bytes[index]
      guard byte >= 0x30, byte <= 0x39 else { return nil }
      value = value * 10 + Int(byte - 0x30)
    }
    return value
  }
  if bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"), let year = number(0..<4),
    let month = number(5..<7),
    let day = number(8..<10)
  {
    return try? LocalDate(year: year, month: month, day: day)
  }
  if bytes[2] == UInt8(ascii: "/"), bytes[5] == UInt8(ascii: "/"), let day = number(0..<2),
    let month = number(3..<5),
    let year = number(6..<10)
  {
    return try? LocalDate(year: year, month: month, day: day)
  }
  return nil
}

/// Checks of imported fields, written by hand: a Swift regex literal in the row loop was built again
/// for every row (three quarters of importing 333,333 customers).
enum ImportChecks {
  /// `[a-z]{2,3}(-[a-z]{2})?`: an ISO 639-1 or -2 code, optionally with a region (fr, en, fr-be).
  static func isLanguageCode(_ text: String) -> Bool {
    let parts = Array(text.utf8).split(separator: UInt8(ascii: "-"), omittingEmptySubsequences: false)
    func lowercaseLetters(_ part: ArraySlice<UInt8>) -> Bool {
      part.allSatisfy { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") }
    }
    guard (1...2).contains(parts.count), (2...3).contains(parts[0].count), lowercaseLetters(parts[0]) else {
      return false
    }
    return parts.count == 1 || (parts[1].count == 2 && lowercaseLetters(parts[1]))
  }

  /// Whether `text` is an e-mail address as imports accept it (`[^@\s]+@[^@\s]+\.[^@\s]+`).
  ///
  /// One @ with something before it, a domain with a dot that has something on each side, no white
  /// space. Invisible characters (a zero-width space, a control character) are refused too: pasted from a
  /// web page, they make an address no mail server delivers to.
  static func isEmailAddress(_ text: String) -> Bool {
    guard
      !text.contains(where: \.isWhitespace),
      !text.unicodeScalars.contains(where: {
        [.format, .control].contains($0.properties.generalCategory)
      })
    else { return false }
    let parts = text.split(separator: "@", omittingEmptySubsequences: false)
    guard parts.count == 2, !parts[0].isEmpty else { return false }
    return parts[1].dropFirst().dropLast().contains(".")
  }
}
