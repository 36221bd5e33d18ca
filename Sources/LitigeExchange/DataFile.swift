import CSV
import Foundation

/// One problem in a data file, where it is: `file:line:column (field): message`.
///
/// `value` is shown only when it is not personal data (amounts, dates, codes, references); the
/// importer leaves it out for names, e-mails, phones and message texts.
public struct DataProblem: Error, Sendable, Equatable, CustomStringConvertible {
  /// The file, as the user named it.
  public var file: String
  /// The 1-based line where the record (or the bad byte) is; 0 for the whole file.
  public var line: Int
  /// The 1-based column: the field's position in the record (CSV), or a character (encoding).
  public var column: Int?
  /// The column's name.
  public var field: String?
  /// The value found, when it may be shown.
  public var value: String?
  /// What was expected.
  public var message: String

  /// Creates a problem.
  public init(
    file: String, line: Int, column: Int? = nil, field: String? = nil, value: String? = nil, message: String
  ) {
    self.file = file
    self.line = line
    self.column = column
    self.field = field
    self.value = value
    self.message = message
  }

  /// `file:line:column: field 'value': message`.
  public var description: String {
    var place = file
    if line > 0 { place += ":\(line)" }
    if line > 0, let column { place += ":\(column)" }
    var text = place + ": "
    // Control characters of the value are shown escaped: a value cannot forge a line of the report.
    let shown = value.map { value in
      String(value.prefix(60)).unicodeScalars.map { scalar -> String in
        scalar.properties.generalCategory == .control
          ? (scalar == "\n"
            ? "\\n"
            : scalar == "\r" ? "\\r" : scalar == "\t" ? "\\t" : "\\u{\(String(scalar.value, radix: 16))}")
          : String(scalar)
      }.joined()
    }
    if let field { text += field + (shown.map { " '\($0)'" } ?? "") + ": " }
    return text + message
  }
}

/// All the problems of one file: the first 100 and how many in all.
public struct DataProblems: Error, Sendable, CustomStringConvertible {
  /// At most `shown` problems, in file order.
  public var problems: [DataProblem]
  /// How many were found in all.
  public var total: Int
  /// How many are kept to show.
  public static let shown = 100

  /// Wraps problems already counted.
  public init(problems: [DataProblem], total: Int) {
    self.problems = problems
    self.total = total
  }

  /// The problems, one per line, then the count of those not shown.
  public var description: String {
    var lines = problems.map(\.description)
    if total > problems.count { lines.append("... and \(total - problems.count) more problems") }
    return lines.joined(separator: "\n")
  }
}

/// Collects problems, keeping the first 100 and counting the rest.
public struct ProblemList: Sendable {
  /// The problems kept.
  public private(set) var problems: [DataProblem] = []
  /// How many in all.
  public private(set) var total = 0

  /// An empty list.
  public init() {}

  /// Adds one.
  public mutating func add(_ problem: DataProblem) {
    total += 1
    if problems.count < DataProblems.shown { problems.append(problem) }
  }

  /// Throws them all when there is any.
  public func check() throws {
    if total > 0 { throw DataProblems(problems: problems, total: total) }
  }
}

/// A file's format.
public enum DataFormat: String, Sendable, CaseIterable {
  /// Comma- or semicolon-separated values with a header row (RFC 4180).
  case csv
  /// An array of objects with the same keys as the CSV's header.
  case json

  /// The format a file's extension says (`.csv`, `.txt`, `.json`), or nil.
  public static func guess(from path: String) -> DataFormat? {
    switch (path as NSString).pathExtension.lowercased() {
    case "csv", "txt", "tsv": return .csv
    case "json": return .json
    default: return nil
    }
  }
}

/// One record of a data file: its values by column name and where it starts.
public struct SourceRecord: Sendable {
  /// The line the record starts on (a quoted field may span several).
  public var line: Int
  /// The values by column; an empty CSV field and a JSON null are absent.
  public var values: [String: String]
  /// Each column's 1-based position (CSV) or nil (JSON).
  public var columns: [String: Int]

  /// The value of `name`, or nil when absent or empty.
  public subscript(name: String) -> String? { values[name] }
}

/// A data file read: its records and how it was read.
public struct DataTable: Sendable {
  /// The file, as the user named it.
  public var file: String
  /// The records, in order.
  public var records: [SourceRecord]
  /// The encoding it was read in.
  public var encoding: TextEncoding
  /// The separator (CSV), or nil (JSON).
  public var delimiter: Character?
  /// Whether amounts may use a decimal comma (a `;`- or tab-separated file, as French Excel writes).
  public var decimalComma: Bool
  /// Problems of the records' shape (a wrong number of fields): those records are left out, and the
  /// kind's reader reports these with its own.
  public var problems = ProblemList()
}

/// The columns a kind of record has: those it needs and those it may have.
public struct ColumnSet: Sendable {
  /// Columns every record must have.
  public var required: [String]
  /// Columns a record may have.
  public var optional: [String]

  /// Creates a set.
  public init(required: [String], optional: [String]) {
    self.required = required
    self.optional = optional
  }

  /// Every column, required first.
  public var all: [String] { required + optional }
}

/// Reads CSV and JSON data files (DESIGN.md, Data files) as a company's exports really are.
///
/// CSV: UTF-8 with or without BOM, or Windows-1252 (`TextEncoding`); comma, semicolon or tab
/// separated (from the header line unless given); RFC 4180 quoting, newlines inside quoted fields
/// included. Parsing is yaslab/CSV.swift's (measured at 1M invoice rows in 3.9 s); this type adds
/// what a user needs from an import: the encoding, the separator, the line of every record, the
/// header checked against the kind's columns, and a clear problem for a record with a wrong number of
/// fields (or an unclosed quote). JSON: an array of objects whose values are strings, numbers,
/// booleans or null.
public enum DataFileReader {
  /// The largest file read: 2 GiB.
  public static let maxBytes = 2 << 30

  /// Reads `path` (shown as `file`) for a kind with `columns`.
  ///
  /// Throws `DataProblems` listing every problem of the header and of each record's shape (values
  /// are checked by the kind's reader), or `DataProblem` when the file cannot be read at all.
  public static func read(
    path: String, file: String, columns: ColumnSet, format: DataFormat? = nil, delimiter: Character? = nil,
    encoding: TextEncoding = .auto
  ) throws -> DataTable {
    guard let format = format ?? DataFormat.guess(from: path) else {
      throw DataProblem(
        file: file, line: 0,
        message: "cannot tell the format from the extension: use .csv or .json, or --format")
    }
    guard let handle = FileHandle(forReadingAtPath: path) else {
      throw DataProblem(file: file, line: 0, message: "cannot be read (no such file, or no permission)")
    }
    defer { try? handle.close() }
    let data = try handle.readToEnd() ?? Data()
    guard data.count <= maxBytes else {
      throw DataProblem(file: file, line: 0, message: "is \(data.count) bytes; at most \(maxBytes) are read")
    }
    let bytes = [UInt8](data)
    // A JSON array may be one long line; a CSV record never is.
    if format == .csv { try checkRecordLengths(bytes, file: file) }
    let (text, used) = try TextDecoding.decode(bytes, as: encoding, file: file)
    if text.unicodeScalars.allSatisfy({ $0.properties.isWhitespace }) {
      throw DataProblem(
        file: file, line: 0,
        message: "is empty: expected a header row (\(columns.all.joined(separator: ", "))) and records")
    }
    switch format {
    case .csv: return try readCSV(text, file: file, columns: columns, delimiter: delimiter, encoding: used)
    case .json: return try readJSON(text, file: file, columns: columns, encoding: used)
    }
  }

  /// The longest record a CSV file may have: 1 MiB (the longest field, a message, is 20 kB).
  public static let maxLineBytes = 1 << 20

  /// Refuses a CSV file with a record longer than `maxLineBytes` before reading it as text: a corrupt
  /// export, a binary file, or a quote left open that would swallow the rest of the file, told by the
  /// line where the record starts rather than by the memory it would take.
  static func checkRecordLengths(_ bytes: [UInt8], file: String) throws {
    var failure: DataProblem?
    bytes.withUnsafeBytes { buffer in
      guard let base = buffer.baseAddress else { return }
      let count = buffer.count
      // memchr: the scan costs the same in a debug build as in a release one.
      func next(_ byte: Int32, from index: Int, to end: Int) -> Int? {
        guard index < end, let found = memchr(base + index, byte, end - index) else { return nil }
        return base.distance(to: UnsafeRawPointer(found))
      }
      func lines(from index: Int, to end: Int) -> Int {
        var total = 0
        var cursor = index
        while let found = next(0x0A, from: cursor, to: end) {
          total += 1
          cursor = found + 1
        }
        return total
      }
      var line = 1
      var recordStart = 0
      var recordLine = 1
      var index = 0
      while index < count {
        let newline = next(0x0A, from: index, to: count)
        let quote = next(0x22, from: index, to: min(newline ?? count, count))
        // A quote opens a quoted field only at the start of a field (a quote inside a field, as in
        // `12" pipe`, is a character, as the reader takes it).
        if let quote, quote > recordStart, ![0x2C, 0x3B, 0x09, 0x0A].contains(buffer[quote - 1]) {
          index = quote + 1
          continue
        }
        if let quote {
          // A quoted field: to its closing quote ("" inside it closes and reopens at once).
          guard let closing = next(0x22, from: quote + 1, to: count) else {
            failure = DataProblem(
              file: file, line: recordLine, message: "a quoted field opened on this line is never closed")
            return
          }
          if closing - recordStart > maxLineBytes {
            failure = DataProblem(
              file: file, line: recordLine,
              message: "the record is longer than \(maxLineBytes) bytes (1 MiB): is a closing quote missing?")
            return
          }
          line += lines(from: quote + 1, to: closing)
          index = closing + 1
          continue
        }
        let end = newline ?? count
        if end - recordStart > maxLineBytes {
          failure = DataProblem(
            file: file, line: recordLine,
            message:
              "the line is \(end - recordStart) bytes long; at most \(maxLineBytes) (1 MiB) are read: is this the right file?"
          )
          return
        }
        guard let newline else { return }
        line += 1
        index = newline + 1
        recordStart = index
        recordLine = line
      }
    }
    if let failure { throw failure }
  }

  /// Reads CSV `text`.
  public static func readCSV(
    _ text: String, file: String, columns: ColumnSet, delimiter given: Character? = nil,
    encoding: TextEncoding = .utf8
  ) throws -> DataTable {
    let delimiter = given ?? guessDelimiter(text)
    guard let scalar = delimiter.unicodeScalars.first, delimiter.unicodeScalars.count == 1,
      scalar != "\"", scalar != "\n", scalar != "\r"
    else {
      throw DataProblem(
        file: file, line: 0, message: "the separator must be one character other than a quote")
    }
    let reader = try CSVReader(string: text, hasHeaderRow: false, trimFields: false, delimiter: scalar)
    var problems = ProblemList()
    guard let rawHeader = reader.next() else {
      throw DataProblem(file: file, line: 1, message: "expected a header row")
    }
    let header = rawHeader.map { $0.trimmingCharacters(in: .whitespaces) }
    // The first record starts on the line after the header (which quotes may spread over several).
    var line = 2 + lineBreaks(in: rawHeader)
    checkHeader(header, file: file, columns: columns, problems: &problems)
    // A header that is not the kind's makes every record meaningless: stop there.
    try problems.check()
    var positions: [String: Int] = [:]
    for (index, name) in header.enumerated() where positions[name] == nil { positions[name] = index + 1 }
    var records: [SourceRecord] = []
    while let row = reader.next() {
      let start = line
      line += 1 + lineBreaks(in: row)
      if row.count == 1, row[0].isEmpty { continue }  // a blank line
      guard row.count == header.count else {
        let unclosed = row.contains { $0.contains("\n") || $0.contains("\r") } && row.count < header.count
        problems.add(
          DataProblem(
            file: file, line: start,
            message:
              "\(row.count) field\(row.count == 1 ? "" : "s"), expected \(header.count) (\(header.joined(separator: String(delimiter))))"
              + (unclosed ? "; a quoted field may not be closed" : "")
              + (row.count > header.count && delimiter == ";" ? "; a value with a ';' must be quoted" : "")))
        continue
      }
      var values: [String: String] = [:]
      for (index, value) in row.enumerated() where !value.isEmpty {
        values[header[index]] = Self.unguarded(value)
      }
      records.append(SourceRecord(line: start, values: values, columns: positions))
    }
    if let error = reader.error {
      problems.add(DataProblem(file: file, line: line, message: "cannot be read: \(error)"))
    }
    return DataTable(
      file: file, records: records, encoding: encoding, delimiter: delimiter,
      decimalComma: delimiter != ",", problems: problems)
  }

  /// `value` without the apostrophe `litige export` puts before a text that a spreadsheet would take
  /// for a formula (`'=HYPERLINK(...)`): the round trip gives the text back.
  static func unguarded(_ value: String) -> String {
    let utf8 = value.utf8
    guard utf8.count >= 2, utf8.first == UInt8(ascii: "'"),
      let second = utf8.dropFirst().first,
      [UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), 0x09, 0x0D].contains(
        second)
    else { return value }
    return String(value.dropFirst())
  }

  /// The separator the header line uses: the most frequent of `,`, `;` and tab outside quotes.
  static func guessDelimiter(_ text: String) -> Character {
    var counts: [Character: Int] = [",": 0, ";": 0, "\t": 0]
    var quoted = false
    for character in text {
      if character == "\"" { quoted.toggle() }
      if !quoted, character == "\n" || character == "\r\n" || character == "\r" { break }
      if !quoted, counts[character] != nil { counts[character, default: 0] += 1 }
    }
    let best = counts.max { $0.value < $1.value || ($0.value == $1.value && $0.key == ",") }
    return (best?.value ?? 0) > 0 ? best?.key ?? "," : ","
  }

  /// How many line breaks the fields of a record hold (CRLF is one).
  static func lineBreaks(in row: [String]) -> Int {
    // By bytes: LF, and CR not followed by LF (a CRLF is one break).
    var count = 0
    for field in row {
      var previousCR = false
      for byte in field.utf8 {
        if byte == 0x0A {
          if !previousCR { count += 1 }
          previousCR = false
        } else if byte == 0x0D {
          count += 1
          previousCR = true
        } else {
          previousCR = false
        }
      }
    }
    return count
  }

  static func checkHeader(_ header: [String], file: String, columns: ColumnSet, problems: inout ProblemList) {
    var seen: Set<String> = []
    for (index, name) in header.enumerated() {
      if !seen.insert(name).inserted {
        problems.add(
          DataProblem(file: file, line: 1, column: index + 1, field: name, message: "column named twice"))
      } else if !columns.all.contains(name) {
        problems.add(
          DataProblem(
            file: file, line: 1, column: index + 1, field: name,
            message: "unknown column (expected: \(columns.all.joined(separator: ", ")))"))
      }
    }
    for name in columns.required where !seen.contains(name) {
      problems.add(DataProblem(file: file, line: 1, field: name, message: "required column missing"))
    }
  }

  /// Reads JSON `text`: an array of objects.
  public static func readJSON(
    _ text: String, file: String, columns: ColumnSet, encoding: TextEncoding = .utf8
  )
    throws -> DataTable
  {
    let object: Any
    do {
      object = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
    } catch {
      let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
      throw DataProblem(file: file, line: 0, message: "is not valid JSON: \(detail)")
    }
    guard let array = object as? [Any] else {
      throw DataProblem(file: file, line: 1, message: "expected an array of objects, one per record")
    }
    let lines = objectLines(text)
    var problems = ProblemList()
    var records: [SourceRecord] = []
    for (index, element) in array.enumerated() {
      let line = index < lines.count ? lines[index] : 0
      guard let fields = element as? [String: Any] else {
        problems.add(DataProblem(file: file, line: line, message: "record \(index + 1) is not an object"))
        continue
      }
      var values: [String: String] = [:]
      for (key, value) in fields.sorted(by: { $0.key < $1.key }) {
        guard columns.all.contains(key) else {
          problems.add(
            DataProblem(
              file: file, line: line, field: key,
              message: "unknown key (expected: \(columns.all.joined(separator: ", ")))"))
          continue
        }
        switch value {
        case is NSNull: continue
        case let text as String: if !text.isEmpty { values[key] = text }
        case let number as NSNumber:
          // JSON's true and false arrive as the boolean NSNumber subclass (on Linux and Darwin alike).
          if String(describing: type(of: number)) == "__NSCFBoolean" {
            values[key] = number.boolValue ? "true" : "false"
          } else {
            // An identifier written as a number (1.5e3, 42.0) is its integer; an amount keeps its decimals.
            let double = number.doubleValue
            if double == double.rounded(), abs(double) < 9.0e15 {
              values[key] = String(Int64(double))
            } else {
              values[key] = number.stringValue
            }
          }
        default:
          problems.add(
            DataProblem(
              file: file, line: line, field: key, message: "expected a string, a number, true/false or null"))
        }
      }
      records.append(SourceRecord(line: line, values: values, columns: [:]))
    }
    return DataTable(
      file: file, records: records, encoding: encoding, delimiter: nil, decimalComma: false,
      problems: problems)
  }

  /// The line each top-level object of a JSON array starts on.
  static func objectLines(_ text: String) -> [Int] {
    var lines: [Int] = []
    var line = 1
    var depth = 0
    var inString = false
    var escaped = false
    for byte in text.utf8 {
      if byte == 0x0A { line += 1 }
      if inString {
        if escaped {
          escaped = false
        } else if byte == 0x5C {
          escaped = true
        } else if byte == 0x22 {
          inString = false
        }
        continue
      }
      switch byte {
      case 0x22: inString = true
      case 0x5B, 0x7B:
        if depth == 1 { lines.append(line) }
        depth += 1
      case 0x5D, 0x7D: depth -= 1
      default: break
      }
    }
    return lines
  }
}
