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
/// them again after (`BatchRunner`). A `settings` row says so meanwhile, so that a night killed in
/// between leaves them to the next night to build (`restoreFiguresIndexes`), and a reader finds them
/// missing, never half built: queries work without them, only slower (`indexedBy`).
extension Store {
  /// The indexes set aside, all on the `cases` table, with the SQL that builds them: the text of
  /// their migrations (v1, v12, v14) as `sqlite_master` keeps it, byte for byte (a test holds it to a
  /// freshly migrated workspace's).
  static let figuresIndexes: KeyValuePairs<String, String> = [
    "cases_open": """
    CREATE INDEX cases_open ON cases(
      customer_id, disputed_minor, status, category, opened_at, deadline, escalation, queues)
      WHERE status <> 'closed'
    """,
    "cases_open_category": """
    CREATE INDEX cases_open_category ON cases(category, opened_at, disputed_minor, deadline, status)
      WHERE status <> 'closed' AND status <> 'resolved'
    """,
    "cases_status": "CREATE INDEX cases_status ON cases(status, category)",
  ]
  /// The `settings` row that says the figures' indexes are set aside (its value names them, a JSON list).
  static let figuresIndexesKey = "figures_indexes_set_aside"

  /// Drops the figures' indexes, keeping a row that says so, in one transaction.
  ///
  /// Only an index as the schema made it is dropped (one a person made under the same name is left as
  /// it is: the night keeps it up to date). Idempotent: a resumed night finds them set aside already.
  public func setAsideFiguresIndexes() throws {
    try database.write { db in
      var dropped: [String] = []
      for (name, sql) in Self.figuresIndexes {
        guard try Self.storedSQL(ofIndex: name, db) == sql else { continue }
        try db.execute(sql: "DROP INDEX \(name)")
        dropped.append(name)
      }
      guard !dropped.isEmpty else { return }
      // A row left by a killed night keeps the indexes it set aside, still to build, and gains those
      // dropped now: restoring builds the names the row holds, so every dropped one must be in it. A
      // row that is not a list already means "every missing one".
      var names = dropped
      if let earlier = try Self.setting(Self.figuresIndexesKey, db) {
        guard let listed = try? JSONDecoder().decode([String].self, from: Data(earlier.utf8)) else { return }
        names = Self.figuresIndexes.map(\.key).filter { listed.contains($0) || dropped.contains($0) }
      }
      try Self.writeSetting(
        Self.figuresIndexesKey, String(decoding: try JSONEncoder().encode(names), as: UTF8.self), db)
    }
  }

  /// Builds again the figures' indexes a night set aside, from the schema's SQL; returns how many.
  ///
  /// Only while the row that says they are set aside is there, and only those it names that are
  /// missing (one a person had dropped before the night stays dropped); a row that is not a JSON
  /// list of names (a hand edit) brings back every missing one. The row is removed in the same
  /// transaction. Whatever a hand edit put in it, only these three statements can run.
  @discardableResult
  public func restoreFiguresIndexes() throws -> Int {
    try database.write { db in
      guard let value = try Self.setting(Self.figuresIndexesKey, db) else { return 0 }
      let named = (try? JSONDecoder().decode([String].self, from: Data(value.utf8))).map(Set.init)
      var built = 0
      for (name, sql) in Self.figuresIndexes where named?.contains(name) ?? true {
        guard try Self.storedSQL(ofIndex: name, db) == nil else { continue }
        try db.execute(sql: sql)
        built += 1
      }
      try Self.removeSetting(Self.figuresIndexesKey, db)
      return built
    }
  }

  /// Whether the figures' indexes are set aside now (a night is writing, or one was killed before it
  /// built them again).
  public func figuresIndexesSetAside() throws -> Bool {
    try database.read { db in try Self.setAside(db) }
  }

  /// `INDEXED BY name` when index `name` exists as the schema made it, else nothing: a night's figures
  /// name their index, and a dry run beside a night that set it aside (or a workspace whose index a
  /// person made otherwise) reads without it.
  static func indexedBy(_ name: String, _ db: Database) throws -> String {
    let stored = try storedSQL(ofIndex: name, db)
    return stored != nil && stored == figuresIndexes.first { $0.key == name }?.value
      ? "INDEXED BY \(name)" : ""
  }

  private static func setAside(_ db: Database) throws -> Bool {
    try setting(figuresIndexesKey, db) != nil
  }

  /// The SQL of index `name` as `sqlite_master` keeps it, or nil when there is no such index.
  private static func storedSQL(ofIndex name: String, _ db: Database) throws -> String? {
    try String.fetchOne(
      db, sql: "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?", arguments: [name])
  }
}
