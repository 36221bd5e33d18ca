import Foundation
import GRDB

/// The indexes the night's figures and people's case lists read, set aside while a night writes most
/// open cases.
///
/// Issue 14, from the profile of a first night: `cases_open`, `cases_open_category` and `cases_status`
/// hold a case's status, category, deadline, escalation and queues, which the night changes on most
/// cases it decides on. Keeping them up to date case by case was a fifth of a first night's CPU (100k
/// cases: 36-40 s without them against 45-50 s with them), and building them again over the whole
/// table takes 0.4 s. So a night that visits most open cases drops them before its chunks and builds
/// them again after (`BatchRunner`). Their SQL waits in `settings` meanwhile, so that a night killed
/// in between leaves them to the next night to build (`restoreFiguresIndexes`), and a reader finds
/// them missing, never half built: queries work without them, only slower (`indexedBy`).
extension Store {
  /// The indexes set aside, all in the `cases` table.
  static let figuresIndexes = ["cases_open", "cases_open_category", "cases_status"]
  /// The `settings` row holding the SQL of the indexes set aside (a JSON list), while they are.
  static let figuresIndexesKey = "figures_indexes_set_aside"

  /// Drops the figures' indexes that exist, keeping their SQL to build them again.
  ///
  /// Idempotent: a resumed night finds them set aside already. One transaction.
  public func setAsideFiguresIndexes() throws {
    try database.write { db in
      var statements = try Self.setAsideStatements(db)
      let names = Self.figuresIndexes.map { "'\($0)'" }.joined(separator: ", ")
      let existing = try Row.fetchAll(
        db,
        sql: "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name IN (\(names)) ORDER BY name")
      for row in existing {
        let name: String = row["name"]
        statements.append(row["sql"])
        try db.execute(sql: "DROP INDEX \(name)")
      }
      try db.execute(
        sql: "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)",
        arguments: [Self.figuresIndexesKey, Self.jsonText(statements)])
    }
  }

  /// Builds again the indexes `setAsideFiguresIndexes` dropped, in one transaction.
  ///
  /// Does nothing when none is set aside. Returns how many it built; throws `StoreError` when the
  /// settings row holding them is not what a night wrote.
  @discardableResult
  public func restoreFiguresIndexes() throws -> Int {
    try database.write { db in
      let statements = try Self.setAsideStatements(db)
      var built = 0
      for sql in statements {
        // Built by anyone since (a newer schema's migration): kept as it is.
        guard let name = Self.indexName(in: sql), try !Self.indexExists(name, db) else { continue }
        try db.execute(sql: sql)
        built += 1
      }
      try db.execute(sql: "DELETE FROM settings WHERE key = ?", arguments: [Self.figuresIndexesKey])
      return built
    }
  }

  /// Whether the figures' indexes are set aside now (a night is writing, or one was killed before it
  /// built them again).
  public func figuresIndexesSetAside() throws -> Bool {
    try database.read { db in try !Self.setAsideStatements(db).isEmpty }
  }

  /// `INDEXED BY name` when index `name` exists, else nothing: a night's figures name their index,
  /// and a dry run beside a night that set it aside reads the table instead.
  static func indexedBy(_ name: String, _ db: Database) throws -> String {
    try indexExists(name, db) ? "INDEXED BY \(name)" : ""
  }

  private static func indexExists(_ name: String, _ db: Database) throws -> Bool {
    try Bool.fetchOne(
      db, sql: "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?)",
      arguments: [name]) ?? false
  }

  private static func setAsideStatements(_ db: Database) throws -> [String] {
    guard
      let text = try String.fetchOne(
        db, sql: "SELECT value FROM settings WHERE key = ?", arguments: [figuresIndexesKey])
    else { return [] }
    guard let statements = try? JSONDecoder().decode([String].self, from: Data(text.utf8)) else {
      throw StoreError(
        "settings.\(figuresIndexesKey): expected the JSON list of the SQL of the indexes a night set aside")
    }
    return statements
  }

  private static func jsonText(_ statements: [String]) throws -> String {
    String(decoding: try JSONEncoder().encode(statements), as: UTF8.self)
  }

  /// The index an SQL `CREATE INDEX` statement makes, one of `figuresIndexes`; nil for any other
  /// statement (a hand-edited settings row is not run).
  private static func indexName(in sql: String) -> String? {
    guard !sql.contains(";") else { return nil }
    return figuresIndexes.first { name in
      sql.hasPrefix("CREATE INDEX \(name) ON cases(") || sql.hasPrefix("CREATE INDEX \(name) ON cases (")
    }
  }
}
