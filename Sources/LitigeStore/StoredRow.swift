import GRDB
import LitigeCore

/// One stored row read as a record of the domain, whose errors name the record and the column.
///
/// A workspace edited by hand or by another program can hold what Litige never writes: text in an
/// integer column, a time without its offset, an unknown status. GRDB's subscripts stop the process on
/// a value they cannot convert, and print the whole row with it, personal data included. These reads
/// throw a `StoreError` instead, naming the record (`case 12`) and the column and saying what was
/// expected; the row's other columns are never printed, and a text value is quoted only when short.
struct StoredRow {
  /// The row, as fetched (a cursor's row is valid until the cursor moves).
  let row: Row
  /// What the row is, as messages name it: `case`, `invoice`, `journal event`.
  let record: String
  /// The column that identifies it in messages (`id`, `number`).
  let key: String
  /// The table its columns are named in, when the record is not that table's (`case_invoices` for a
  /// case's link to an invoice).
  let table: String?

  /// Reads `row` as a `record` identified by column `key`, its columns named as `table`'s if given.
  init(_ row: Row, _ record: String, key: String = "id", table: String? = nil) {
    self.row = row
    self.record = record
    self.key = key
    self.table = table
  }

  /// `case 12`, `invoice F-2026-001`: the record, named by its key as stored.
  var name: String {
    // GRDB's subscript stops the process on a column the query did not select: asked first.
    guard row.hasColumn(key) else { return record }
    switch (row[key] as DatabaseValue).storage {
    case .int64(let number): return "\(record) \(number)"
    case .string(let text): return "\(record) \(text.prefix(60))"
    default: return record
    }
  }

  /// The error for `column`: `case 12: opened_at: <message>`.
  func error(_ column: String, _ message: String) -> StoreError {
    StoreError("\(name): \(table.map { "\($0)." } ?? "")\(column): \(message)")
  }

  /// Column `column` converted to `Value`; throws naming the record and column when it holds
  /// something else (NULL in a required column, text in a number's).
  ///
  /// Strict where GRDB's fast path is not: SQLite keeps `'abc'` stored in an INTEGER column as text,
  /// which `sqlite3_column_int64` would read as 0.
  func value<Value: DatabaseValueConvertible>(_ column: String, as type: Value.Type = Value.self) throws
    -> Value
  {
    let stored = try storedValue(column)
    guard let value = Value.fromDatabaseValue(stored), !Self.truncates(stored, to: Value.self) else {
      throw mismatch(column, expected: Value.self, found: stored)
    }
    return value
  }

  /// Column `column` as an amount in minor units; throws naming the record and column when it is no
  /// integer or lies beyond `Money.maxStoredMinorUnits` either way (a hand edit: no writer of Litige
  /// stores one, and summing it would overflow).
  func amount(_ column: String) throws -> Int64 {
    let minor: Int64 = try value(column)
    guard minor.magnitude <= Money.maxStoredMinorUnits.magnitude else {
      throw error(
        column,
        "\(minor) minor units is beyond the largest amount Litige stores (±\(Money.maxStoredMinorUnits))")
    }
    return minor
  }

  /// Whether reading `stored` as `type` would drop a fraction: GRDB reads 12.5 in an INTEGER column
  /// as 12 (an amount in minor units, a priority), which no writer of Litige stores.
  private static func truncates<Value>(_ stored: DatabaseValue, to type: Value.Type) -> Bool {
    guard case .double(let number) = stored.storage, Value.self is any BinaryInteger.Type else {
      return false
    }
    return number.rounded(.towardZero) != number
  }

  /// Column `column` as text (any text is valid: what it must say is checked by `parsed`).
  func value(_ column: String, as type: String.Type = String.self) throws -> String {
    guard let text = row[column] as String? else {
      throw mismatch(column, expected: String.self, found: try storedValue(column))
    }
    return text
  }

  /// Column `column` converted to `Value`, nil when it is NULL (see `value(_:as:)`).
  func optional<Value: DatabaseValueConvertible>(_ column: String, as type: Value.Type = Value.self) throws
    -> Value?
  {
    let stored = try storedValue(column)
    if stored.isNull { return nil }
    guard let value = Value.fromDatabaseValue(stored), !Self.truncates(stored, to: Value.self) else {
      throw mismatch(column, expected: Value.self, found: stored)
    }
    return value
  }

  /// Column `column`'s text read by `parse` (a time, a date, a word of the domain's vocabulary); a
  /// `DomainError` it throws is reported for this record and column.
  func parsed<Value>(_ column: String, _ parse: (String) throws -> Value) throws -> Value {
    let text: String = try value(column)
    return try reporting(column) { try parse(text) }
  }

  /// `parsed(_:_:)` for a column that may be NULL (nil then).
  func parsedIfPresent<Value>(_ column: String, _ parse: (String) throws -> Value) throws -> Value? {
    guard let text: String = try optional(column) else { return nil }
    return try reporting(column) { try parse(text) }
  }

  /// Runs `body`, reporting a `DomainError` it throws as this record's column `column`.
  func reporting<Value>(_ column: String, _ body: () throws -> Value) throws -> Value {
    do {
      return try body()
    } catch let error as DomainError {
      switch error {
      case .invalid(_, let message): throw self.error(column, message)
      default: throw self.error(column, error.description)
      }
    }
  }

  /// Column `column` as stored; throws when the row has no such column.
  private func storedValue(_ column: String) throws -> DatabaseValue {
    if let stored = row[column] as DatabaseValue? { return stored }
    guard row.hasColumn(column) else { throw error(column, "no such column (an older or foreign schema?)") }
    return .null
  }

  private func mismatch<Value>(_ column: String, expected: Value.Type, found stored: DatabaseValue)
    -> StoreError
  {
    let expectation =
      switch Value.self {
      case is Bool.Type: "a boolean (0 or 1)"
      case is Int64.Type, is Int.Type, is Int32.Type: "an integer"
      case is Double.Type: "a number"
      case is String.Type: "text"
      default: "a \(Value.self)"
      }
    let found: String
    switch stored.storage {
    case .null: found = "nothing (NULL)"
    case .int64(let number): found = "the integer \(number)"
    case .double(let number): found = "the number \(number)"
    case .string(let text):
      found = text.count <= 40 ? "the text '\(text)'" : "a text of \(text.count) characters"
    case .blob(let bytes): found = "binary data of \(bytes.count) bytes"
    }
    return error(column, "expected \(expectation), found \(found)")
  }
}
