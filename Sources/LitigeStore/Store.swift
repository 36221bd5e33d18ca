import Foundation
import GRDB
import LitigeCore

/// Which cases to list; nil fields match everything.
public struct CaseFilter: Sendable, Equatable {
  /// Only cases with this status.
  public var status: CaseStatus?
  /// Only cases of this category.
  public var category: DisputeCategory?
  /// Only cases of this customer.
  public var customerId: String?
  /// Only cases still being worked (not resolved or closed).
  public var activeOnly: Bool

  /// A filter; the default matches every case.
  public init(
    status: CaseStatus? = nil, category: DisputeCategory? = nil, customerId: String? = nil,
    activeOnly: Bool = false
  ) {
    self.status = status
    self.category = category
    self.customerId = customerId
    self.activeOnly = activeOnly
  }
}

/// A workspace's data: customers, invoices, cases, communications and the decision journal.
///
/// Backed by SQLite through GRDB (WAL for a file, a private database in memory for tests). Reads are
/// snapshots; every write is one transaction, so a failure leaves nothing half-written. Thread-safe.
public final class Store: Sendable {
  let database: any DatabaseWriter
  /// The company's settings, read when the store was opened.
  public let settings: CompanySettings

  /// Opens (creating if needed) the workspace database at `path` and migrates it.
  ///
  /// `settings` are the company's (litige.toml's `[company]`); without them the workspace's stored
  /// currency and time zone over the defaults. Throws `StoreError` naming the file when it cannot be
  /// opened or is not a Litige workspace.
  public static func open(path: String, settings: CompanySettings? = nil) throws -> Store {
    // SQLite keeps a write-ahead log per name: opened under a second hard link, a workspace in use
    // under the first is read without the other's log and written into its own, which corrupts it
    // (https://www.sqlite.org/howtocorrupt.html, 2.5). A symbolic link resolves to one name.
    var status = stat()
    let exists = stat(path, &status) == 0
    // A folder, a FIFO or a device is no workspace: SQLite would say "disk I/O error" (or write its
    // journal beside /dev/null).
    if exists, status.st_mode & S_IFMT != S_IFREG {
      let kind =
        switch status.st_mode & S_IFMT {
        case S_IFDIR: "a folder"
        case S_IFIFO: "a FIFO"
        case S_IFCHR, S_IFBLK: "a device"
        case S_IFSOCK: "a socket"
        default: "neither a file nor a folder"
        }
      throw StoreError(
        "cannot open the workspace \(path): it is \(kind), not a workspace database"
          + (kind == "a folder" ? " (give the path of its file, e.g. \(path)/litige.sqlite)" : ""))
    }
    if exists, status.st_nlink > 1 {
      throw StoreError(
        "cannot open the workspace \(path): its file has \(status.st_nlink) hard links, and SQLite would "
          + "corrupt it through them: open it under one name (copy it, or use a symbolic link)")
    }
    do {
      var configuration = Configuration()
      configuration.foreignKeysEnabled = true
      configuration.busyMode = .timeout(5)
      let pool = try DatabasePool(path: path, configuration: configuration)
      return try Store(database: pool, settings: settings)
    } catch let error as DatabaseError {
      throw StoreError("cannot open the workspace \(path): \(error.message ?? "\(error.resultCode)")")
    } catch let error as StoreError {
      throw StoreError("cannot open the workspace \(path): \(error.message)")
    }
  }

  /// A fresh workspace in memory, for tests and dry runs, with `settings` (the defaults if nil).
  public static func inMemory(settings: CompanySettings? = nil) throws -> Store {
    var configuration = Configuration()
    configuration.foreignKeysEnabled = true
    return try Store(database: DatabaseQueue(configuration: configuration), settings: settings)
  }

  init(database: any DatabaseWriter, settings given: CompanySettings? = nil) throws {
    self.database = database
    // Everything is checked before the schema is migrated, so that a refused open writes nothing.
    let (superseded, stored, currencies, unfinished) = try database.read { db in
      (
        try Schema.migrator.hasBeenSuperseded(db),
        try db.tableExists("settings") ? Self.storedSettings(db) : CompanySettings(),
        try db.tableExists("invoices") ? Self.invoiceCurrencies(db) : [],
        try db.tableExists("settings") ? Self.setting(Self.unfinishedLoadKey, db) : nil
      )
    }
    // A bulk load (`litige generate`) that did not finish left some of its rows and none of the
    // night's indexes (`bulkLoad`).
    if unfinished != nil {
      throw StoreError(
        "the workspace is being generated, or its generation did not finish (it was interrupted or "
          + "failed) and it lacks data and indexes: wait for the generation to end, or generate it again "
          + "with --force")
    }
    // GRDB would open it and leave the newer schema's changes unknown to this version's writes.
    guard !superseded else {
      throw StoreError(
        "this workspace was made by a newer version of Litige (its schema has changes this version "
          + "does not know): open it with that version or a later one")
    }
    let settings = given ?? stored
    // The workspace's amounts are in one currency: settings naming another would mix them.
    if let other = currencies.first(where: { $0 != settings.currency.code }) {
      throw StoreError(
        given != nil
          ? "litige.toml says the company's currency is \(settings.currency.code), but the workspace's invoices are in \(other)"
          : "the workspace's invoices are in \(other), but its currency is \(settings.currency.code): "
            + "set it in litige.toml ([company] currency = \"\(other)\")")
    }
    self.settings = settings
    try Schema.migrator.migrate(database)
  }

  /// The currencies of the workspace's first and last invoice (by rowid), or none.
  ///
  /// Every writer keeps the workspace's one currency (the importer refuses another, the others write
  /// the settings'), so these two tell it, and a currency changed in litige.toml since shows in both.
  /// A DISTINCT over every invoice was a full scan at every start (2.03 s cold with 2.5M invoices).
  private static func invoiceCurrencies(_ db: Database) throws -> [String] {
    try String.fetchAll(
      db,
      sql: """
        SELECT currency FROM invoices
        WHERE rowid IN ((SELECT MIN(rowid) FROM invoices), (SELECT MAX(rowid) FROM invoices))
        """)
  }

  /// The settings stored in the workspace (`settings` table) over the defaults.
  private static func storedSettings(_ db: Database) throws -> CompanySettings {
    var settings = CompanySettings()
    for row in try Row.fetchAll(db, sql: "SELECT key, value FROM settings") {
      let key = settingText(row["key"])
      let value = settingText(row["value"])
      switch key {
      case "currency":
        settings = CompanySettings(currency: try Currency(code: value), timeZone: settings.timeZone)
      case "time_zone": settings.timeZone = TimeZone(identifier: value) ?? settings.timeZone
      default: continue
      }
    }
    return settings
  }

  // MARK: Reading

  /// The customer with `id`, or nil.
  public func customer(id: String) throws -> Customer? {
    try database.read { db in
      try Row.fetchOne(db, sql: "SELECT * FROM customers WHERE id = ?", arguments: [id])
    }
    .map { try Records.customer($0) }
  }

  /// The invoice numbered `number`, or nil.
  public func invoice(number: String) throws -> Invoice? {
    try database.read { db in
      try Row.fetchOne(db, sql: "SELECT * FROM invoices WHERE number = ?", arguments: [number])
    }.map(Records.invoice)
  }

  /// The case `id`, or nil.
  public func disputeCase(id: Int64) throws -> DisputeCase? {
    try database.read { db in try Records.fetchCase(db, id: id) }
  }

  /// The cases matching `filter`, by id, at most `limit`.
  public func cases(matching filter: CaseFilter, limit: Int = .max) throws -> [DisputeCase] {
    try database.read { db in
      let (sql, arguments) = Records.caseQuery(filter, limit: limit)
      let rows = try Row.fetchAll(db, sql: sql, arguments: arguments)
      let links = try Records.invoiceLinks(db, caseIds: rows.map { $0["id"] })
      return try rows.map { try Records.disputeCase($0, invoices: links[$0["id"], default: []]) }
    }
  }

  /// The ids of the cases matching `filter`, in order.
  public func caseIds(matching filter: CaseFilter) throws -> [Int64] {
    try database.read { db in
      let (sql, arguments) = Records.caseQuery(filter, limit: .max, columns: "id")
      return try Int64.fetchAll(db, sql: sql, arguments: arguments)
    }
  }

  /// The invoices linked to case `caseId`.
  public func invoices(ofCase caseId: Int64) throws -> [Invoice] {
    try database.read { db in
      try Row.fetchAll(
        db,
        sql: """
          SELECT invoices.* FROM invoices JOIN case_invoices ON invoice_number = number
          WHERE case_id = ? ORDER BY number
          """, arguments: [caseId]
      ).map(Records.invoice)
    }
  }

  /// The invoices of customer `customerId`, by number.
  public func invoices(ofCustomer customerId: String) throws -> [Invoice] {
    try database.read { db in
      try Row.fetchAll(
        db, sql: "SELECT * FROM invoices WHERE customer_id = ? ORDER BY number", arguments: [customerId]
      )
      .map(Records.invoice)
    }
  }

  /// The communications of case `caseId`, oldest first.
  public func communications(ofCase caseId: Int64) throws -> [Communication] {
    try database.read { db in
      try Row.fetchAll(
        db, sql: "SELECT * FROM communications WHERE case_id = ? ORDER BY at, id", arguments: [caseId]
      )
      .map(Records.communication)
    }
  }

  /// The journal of case `caseId`, in the order events were applied.
  ///
  /// Throws `StoreError` naming the event when one cannot be read.
  public func events(ofCase caseId: Int64) throws -> [JournalEvent] {
    try database.read { db in
      guard
        let currency = try String.fetchOne(
          db, sql: "SELECT currency FROM cases WHERE id = ?", arguments: [caseId])
      else { return [] }
      let caseCurrency = try Currency(code: currency)
      return try Row.fetchAll(
        db, sql: "SELECT * FROM events WHERE case_id = ? ORDER BY id", arguments: [caseId]
      )
      .map { try Records.event($0, currency: caseCurrency) }
    }
  }

  /// How many cases, invoices, customers and events the workspace holds.
  public func counts() throws -> [String: Int] {
    try database.read { db in
      var counts: [String: Int] = [:]
      for table in ["customers", "invoices", "cases", "communications", "events"] {
        counts[table] = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") ?? 0
      }
      return counts
    }
  }

  // MARK: Writing

  /// Adds records in one transaction: all of them or, on any error, none.
  ///
  /// Opening a case journals an `opened` event and freezes its portions of its invoices (the core
  /// computes them: `CaseRules.open`); a case that disputes more than an invoice holds is refused.
  public func insert(
    customers: [Customer] = [], invoices: [Invoice] = [], cases: [DisputeCase] = [],
    communications: [Communication] = [], events: [JournalEvent] = [], provenance: Provenance
  ) throws {
    try write { db in
      for customer in customers { try Records.insert(customer, db) }
      for invoice in invoices { try Records.insert(invoice, db) }
      for disputeCase in cases { try Records.open(disputeCase, provenance: provenance, db) }
      for communication in communications { try Records.insert(communication, db) }
      // Events of an earlier history (imports, policy tests) take their ledger effects too: a
      // resolution sets the new due date of the disputed remainder, a granted gesture credits.
      for event in events {
        guard let owner = try Records.fetchCase(db, id: event.caseId) else {
          throw StoreError("case \(event.caseId) does not exist")
        }
        let facts = try Records.facts(for: owner, timeZone: settings.timeZone, db)
        try Records.record(event, of: owner, facts: facts, timeZone: settings.timeZone, db)
      }
    }
  }

  /// Records a communication on its case with a `communication` journal event, in one transaction.
  ///
  /// The event holds the direction and channel only; the summary (personal data) stays in the
  /// communications table. The lifecycle may move the case (a first answer acknowledges it, a
  /// customer's answer resumes the investigation). Throws `StoreError` when the case does not exist.
  @discardableResult
  public func record(_ communication: Communication, provenance: Provenance) throws -> [JournalEvent] {
    try write { db in
      guard let current = try Records.fetchCase(db, id: communication.caseId) else {
        throw StoreError("case \(communication.caseId) does not exist")
      }
      try Records.insert(communication, db)
      let decision = ProposedDecision(
        caseId: current.id,
        decision: .recordMessage(direction: communication.direction, channel: communication.channel),
        reason: "message recorded")
      return try Records.apply(
        [decision], to: current, settings: settings, provenance: provenance, at: communication.at, db)
    }
  }

  /// Records a payment promise on a case directly (imports, tests); `paidAtPromise` is what its invoices
  /// had received when it was made, so that later payments count toward it.
  public func insertPromise(caseId: Int64, amount: Money, dueOn: LocalDate, paidAtPromise: Money) throws {
    try write { db in
      guard let disputeCase = try Records.fetchCase(db, id: caseId) else {
        throw StoreError("case \(caseId) does not exist")
      }
      try Records.insertPromise(
        caseId: caseId, customerId: disputeCase.customerId, amount: amount, dueOn: dueOn,
        paidAtPromise: paidAtPromise.minorUnits, db)
    }
  }

  /// How many payment promises of customer `customerId` were judged broken.
  public func brokenPromises(customerId: String) throws -> Int {
    try database.read { db in
      try Int.fetchOne(
        db, sql: "SELECT COUNT(*) FROM promises WHERE customer_id = ? AND status = 'broken'",
        arguments: [customerId]) ?? 0
    }
  }

  /// The next free case number.
  public func nextCaseId() throws -> Int64 {
    try database.read { db in (try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM cases") ?? 0) + 1 }
  }

  /// What the core must know about case `disputeCase` to judge decisions on it.
  public func facts(for disputeCase: DisputeCase) throws -> CaseFacts {
    try database.read { db in try Records.facts(for: disputeCase, timeZone: settings.timeZone, db) }
  }

  /// The cases among `ids` with a commitment due by `today` that no letter or message has met since
  /// (`CaseFacts.missedCommitments`, the `answers` work queue), read in one pass.
  ///
  /// The same as asking `facts(for:)` of each case, which reads its whole journal, ledgers and
  /// messages: here only the events commitments and news come from are read, for all the cases at
  /// once (a count over 20,000 cases after a night took seconds case by case). Throws `StoreError`
  /// naming an event that cannot be read.
  public func casesWithMissedCommitments(among ids: [Int64], on today: LocalDate) throws -> Set<Int64> {
    guard !ids.isEmpty else { return [] }
    // CaseFacts.derive reads commitments from follow_up events, and news from send and communication
    // events; the rest of the journal changes neither.
    let timeZone = settings.timeZone
    let currency = settings.currency
    return try database.read { db in
      var found: Set<Int64> = []
      var journal: [JournalEvent] = []
      var current: Int64?
      func conclude() {
        guard let current, !journal.isEmpty else { return }
        let facts = CaseFacts.derive(
          journal: journal, customerKind: .company, ledgers: [], promise: nil, currency: currency,
          timeZone: timeZone)
        if !facts.missedCommitments(on: today).isEmpty { found.insert(current) }
      }
      let rows = try Row.fetchCursor(
        db.cachedStatement(
          sql: """
            SELECT * FROM events WHERE case_id IN (SELECT value FROM json_each(?))
            AND kind IN ('follow_up', 'send', 'communication') ORDER BY case_id, id
            """),
        arguments: [Records.jsonList(ids)])
      while let row = try rows.next() {
        let event = try Records.event(row, currency: currency)
        if event.caseId != current {
          conclude()
          current = event.caseId
          journal = []
        }
        journal.append(event)
      }
      conclude()
      return found
    }
  }

  /// Validates and applies one hook call's decisions on one case, atomically.
  ///
  /// The case is re-read inside the write transaction, so decisions are judged on the current state.
  /// Returns the events written (none when nothing changed). Throws `DomainError` when the core refuses a
  /// decision, and `StoreError` when the case does not exist; nothing is written then.
  @discardableResult
  public func apply(
    _ decisions: [ProposedDecision], caseId: Int64, provenance: Provenance, at now: Date
  ) throws -> [JournalEvent] {
    try applyAll([caseId: decisions], provenance: provenance, at: now)
  }

  /// Applies staged decisions on several cases in one transaction: all cases or none.
  ///
  /// Each case's decisions are judged on its current state, in case-id order. Throws the first
  /// refusal; nothing is written then.
  @discardableResult
  public func applyAll(
    _ decisionsByCase: [Int64: [ProposedDecision]], provenance: Provenance, at now: Date
  ) throws -> [JournalEvent] {
    // Nothing to write opens no transaction: most hook calls of a night decide nothing.
    guard decisionsByCase.values.contains(where: { !$0.isEmpty }) else { return [] }
    return try write { db in
      var written: [JournalEvent] = []
      for caseId in decisionsByCase.keys.sorted() {
        guard let decisions = decisionsByCase[caseId], !decisions.isEmpty else { continue }
        guard let current = try Records.fetchCase(db, id: caseId) else {
          throw StoreError("case \(caseId) does not exist")
        }
        written += try Records.apply(
          decisions, to: current, settings: settings, provenance: provenance, at: now, db)
      }
      return written
    }
  }

  /// Simulates `apply` without writing: the events it would record.
  public func preview(
    _ decisions: [ProposedDecision], caseId: Int64, provenance: Provenance, at now: Date
  ) throws -> [JournalEvent] {
    try database.read { db in
      guard let current = try Records.fetchCase(db, id: caseId) else {
        throw StoreError("case \(caseId) does not exist")
      }
      return try CaseRules.apply(
        decisions, to: current, facts: try Records.facts(for: current, timeZone: settings.timeZone, db),
        settings: settings,
        provenance: provenance, at: now
      ).1
    }
  }

  /// Stores a company setting (`currency`, `time_zone`); applies on next open.
  public func setSetting(_ key: String, _ value: String) throws {
    try write { db in try Self.writeSetting(key, value, db) }
  }

  /// The value of `settings` row `key`, or nil when there is none.
  ///
  /// The table also keeps the store's own markers (a bulk load under way, the figures' indexes set
  /// aside, how a night visits).
  static func setting(_ key: String, _ db: Database) throws -> String? {
    try DatabaseValue.fetchOne(
      db.cachedStatement(sql: "SELECT value FROM settings WHERE key = ?"), arguments: [key]
    )
    .map(settingText)
  }

  /// A `settings` value as text, whatever a hand edit stored: bytes that are not UTF-8 (which GRDB's
  /// `String` decoding stops the process on) with replacement characters, numbers as written.
  private static func settingText(_ value: DatabaseValue) -> String {
    switch value.storage {
    case .string(let text): text
    case .blob(let data): String(decoding: data, as: UTF8.self)
    case .int64(let number): String(number)
    case .double(let number): String(number)
    case .null: ""
    }
  }

  /// Writes `settings` row `key`, replacing its value.
  static func writeSetting(_ key: String, _ value: String, _ db: Database) throws {
    try db.executeCached(
      sql:
        "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      arguments: [key, value])
  }

  /// Removes `settings` row `key`, if there is one.
  static func removeSetting(_ key: String, _ db: Database) throws {
    try db.executeCached(sql: "DELETE FROM settings WHERE key = ?", arguments: [key])
  }

  private func write<T>(_ body: (Database) throws -> T) throws -> T {
    do {
      return try database.write(body)
    } catch let error as DatabaseError {
      throw StoreError("the workspace refused the change: \(error.message ?? "\(error.resultCode)")")
    }
  }
}

/// A storage problem: the file, a missing record, a constraint.
///
/// The message names the record.
public struct StoreError: Error, Sendable, CustomStringConvertible, Equatable {
  /// What went wrong.
  public var message: String
  /// Creates an error with its message.
  public init(_ message: String) { self.message = message }
  /// The message.
  public var description: String { message }
}

extension Store {
  /// Runs `first` and `second` at once on two threads and returns both results.
  ///
  /// Throws the first one's error, then the second's. For two reads of a file workspace: each takes
  /// its own reader connection of the pool; in memory they take turns.
  func bothAtOnce<First, Second>(
    _ first: @Sendable () throws -> First, _ second: @Sendable () throws -> Second
  ) throws -> (First, Second) {
    let results = PairOfResults<First, Second>()
    DispatchQueue.concurrentPerform(iterations: 2) { part in
      if part == 0 {
        results.set(first: Result { try first() })
      } else {
        results.set(second: Result { try second() })
      }
    }
    return try results.values()
  }
}

/// The results of `Store.bothAtOnce`'s two threads, each set once.
private final class PairOfResults<First, Second>: @unchecked Sendable {
  private let lock = NSLock()
  private var first: Result<First, any Error>?
  private var second: Result<Second, any Error>?

  func set(first result: Result<First, any Error>) { lock.withLock { first = result } }
  func set(second result: Result<Second, any Error>) { lock.withLock { second = result } }

  /// Both values; throws the first's error, then the second's.
  func values() throws -> (First, Second) {
    let (first, second) = lock.withLock { (self.first, self.second) }
    guard let first, let second else { preconditionFailure("a thread of bothAtOnce did not finish") }
    return (try first.get(), try second.get())
  }
}
