import Foundation
import GRDB
import LitigeCore

/// Row <-> domain conversions and the SQL of `Store`, kept in one place.
enum Records {
  /// The customer of `row` (a `customers` row).
  ///
  /// Throws `StoreError` naming the customer and column when a value cannot be read; a `since` that
  /// is not a date reads as unknown.
  static func customer(_ row: Row) throws -> Customer {
    let stored = StoredRow(row, "customer")
    return Customer(
      id: try stored.value("id"), name: try stored.value("name"),
      kind: CustomerKind(rawValue: try stored.value("kind")) ?? .company,
      segment: try stored.value("segment"), email: try stored.optional("email"),
      phone: try stored.optional("phone"), language: try stored.value("language"),
      vip: try stored.value("vip"),
      since: (try stored.optional("since", as: String.self)).flatMap { try? LocalDate(parsing: $0) },
      address: row.hasColumn("address") ? try stored.optional("address") : nil)
  }

  /// The invoice of `row` (an `invoices` row, possibly joined); throws `StoreError` naming it and the
  /// column when a value cannot be read.
  static func invoice(_ row: Row) throws -> Invoice {
    let stored = StoredRow(row, "invoice", key: "number")
    let currency = try stored.parsed("currency") { try Currency(code: $0) }
    return Invoice(
      number: try stored.value("number"), customerId: try stored.value("customer_id"),
      issuedOn: try stored.parsed("issued_on") { try LocalDate(parsing: $0) },
      dueOn: try stored.parsed("due_on") { try LocalDate(parsing: $0) },
      total: Money(minorUnits: try stored.amount("total_minor"), currency: currency),
      paid: Money(minorUnits: try stored.amount("paid_minor"), currency: currency),
      collectionSuspended: try stored.value("collection_suspended"))
  }

  /// The communication of `row`; throws `StoreError` naming it and the column when a value cannot be
  /// read.
  static func communication(_ row: Row) throws -> Communication {
    let stored = StoredRow(row, "communication")
    return Communication(
      caseId: try stored.value("case_id"), at: try stored.parsed("at") { try Timestamp.parse($0) },
      direction: try stored.parsed("direction") { try Direction.parse($0) },
      channel: try stored.parsed("channel") { try Channel.parse($0) }, author: try stored.value("author"),
      summary: try stored.value("summary"))
  }

  /// The journal event of `row`; `currency` is its case's (for amounts written without one).
  ///
  /// Throws `StoreError` naming the event and case when its data cannot be read.
  static func event(_ row: Row, currency: Currency) throws -> JournalEvent {
    let stored = StoredRow(row, "journal event")
    let caseId: Int64 = try stored.value("case_id")
    let event: CaseEvent
    do {
      event = try CaseEvent(
        kind: try stored.value("kind"), payload: try stored.value("payload"), currency: currency)
    } catch let error as DomainError {
      let id: Int64 = try stored.value("id")
      throw StoreError("journal event \(id) of case \(caseId) cannot be read: \(error)")
    }
    return JournalEvent(
      caseId: caseId, at: try stored.parsed("at") { try Timestamp.parse($0) }, event: event,
      reason: try stored.value("reason"),
      provenance: Provenance(
        source: try stored.value("source"), hook: try stored.value("hook"), runId: try stored.value("run_id"))
    )
  }

  /// A gesture as `cases.gestures` holds it; `id`, `state` and `needs_approval` are absent in
  /// workspaces of 0.3 and earlier (their gestures were granted at once).
  private struct StoredGesture: Codable, Equatable {
    var id: Int?
    var kind: String
    var amountMinor: Int64
    var state: String?
    var approvedBy: String?
    var needsApproval: Bool?
    enum CodingKeys: String, CodingKey {
      case id, kind, state
      case amountMinor = "amount_minor"
      case approvedBy = "approved_by"
      case needsApproval = "needs_approval"
    }
  }

  /// A case's link to one invoice: the invoice and the portion of it the case disputes.
  struct InvoiceLink {
    var number: String
    var disputedMinor: Int64
  }

  /// The case of `row` (a `cases` row) with its invoice links.
  ///
  /// Throws `StoreError` naming the case and the column when a value cannot be read (a hand-edited
  /// workspace), without printing the row.
  static func disputeCase(_ row: Row, invoices links: [InvoiceLink]) throws -> DisputeCase {
    let stored = StoredRow(row, "case")
    let invoices = links.map(\.number)
    let currency = try stored.parsed("currency") { try Currency(code: $0) }
    var result = DisputeCase(
      id: try stored.value("id"), customerId: try stored.value("customer_id"),
      openedAt: try stored.parsed("opened_at") { try Timestamp.parse($0) },
      channel: try stored.parsed("channel") { try Channel.parse($0) },
      category: try stored.parsedIfPresent("category") { try DisputeCategory.parse($0) },
      reason: try stored.value("reason"),
      disputed: Money(minorUnits: try stored.amount("disputed_minor"), currency: currency),
      invoiceNumbers: invoices, status: try stored.parsed("status") { try CaseStatus.parse($0) })
    result.priority = try stored.value("priority")
    result.owner = try stored.parsedIfPresent("owner") { try Department.parse($0) }
    result.escalation = try stored.parsed("escalation") { try EscalationLevel.parse($0) }
    result.deadline = try stored.parsedIfPresent("deadline") { try Timestamp.parse($0) }
    result.tags = try stored.parsed("tags") { tags in
      guard tags != "[]" else { return [] }
      guard let list = try? JSONDecoder().decode([String].self, from: Data(tags.utf8)) else {
        throw DomainError.invalid(field: "tags", "expected a JSON list of tags such as [\"vip\"]")
      }
      return list
    }
    result.gestures = try stored.parsed("gestures") { gestures in
      guard gestures != "[]" else { return [] }
      guard let list = try? JSONDecoder().decode([StoredGesture].self, from: Data(gestures.utf8)) else {
        throw DomainError.invalid(
          field: "gestures", "expected a JSON list of gestures with kind and amount_minor")
      }
      return try list.enumerated().map { offset, gesture in
        guard gesture.amountMinor.magnitude <= Money.maxStoredMinorUnits.magnitude else {
          throw DomainError.invalid(
            field: "gestures", "gesture \(offset + 1): its amount is beyond the largest Litige stores")
        }
        return Gesture(
          id: gesture.id ?? offset + 1, kind: try GestureKind.parse(gesture.kind),
          amount: Money(minorUnits: gesture.amountMinor, currency: currency),
          state: try gesture.state.map { try GestureState.parse($0) } ?? .granted,
          approvedBy: gesture.approvedBy,
          needsApproval: gesture.needsApproval ?? false)
      }
    }
    result.outcome = try stored.parsedIfPresent("outcome") { try ResolutionOutcome.parse($0) }
    result.resolvedAt = try stored.parsedIfPresent("resolved_at") { try Timestamp.parse($0) }
    result.reference = row.hasColumn("external_ref") ? try stored.optional("external_ref") : nil
    for link in links where link.disputedMinor > 0 {
      result.portions[link.number] = Money(minorUnits: link.disputedMinor, currency: currency)
    }
    return result
  }

  static func fetchCase(_ db: Database, id: Int64) throws -> DisputeCase? {
    guard
      let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM cases WHERE id = ?"), arguments: [id])
    else {
      return nil
    }
    let links = try Row.fetchAll(
      db.cachedStatement(
        sql:
          "SELECT case_id, invoice_number, disputed_minor FROM case_invoices WHERE case_id = ? ORDER BY invoice_number"
      ),
      arguments: [id]
    ).map { try InvoiceLink($0) }
    return try disputeCase(row, invoices: links)
  }

  static func caseQuery(_ filter: CaseFilter, limit: Int, columns: String = "*") -> (
    String, StatementArguments
  ) {
    var clauses: [String] = []
    var arguments: StatementArguments = []
    if let status = filter.status {
      clauses.append("status = ?")
      arguments += [status.rawValue]
    }
    if let category = filter.category {
      clauses.append("category = ?")
      arguments += [category.rawValue]
    }
    if let customer = filter.customerId {
      clauses.append("customer_id = ?")
      arguments += [customer]
    }
    if filter.activeOnly { clauses.append("status NOT IN ('resolved', 'closed')") }
    let whereClause = clauses.isEmpty ? "" : " WHERE " + clauses.joined(separator: " AND ")
    let limitClause = limit == .max ? "" : " LIMIT \(limit)"
    return ("SELECT \(columns) FROM cases\(whereClause) ORDER BY id\(limitClause)", arguments)
  }

  static func invoiceLinks(_ db: Database, caseIds: [Int64]) throws -> [Int64: [InvoiceLink]] {
    guard !caseIds.isEmpty, let low = caseIds.min(), let high = caseIds.max() else { return [:] }
    return try invoiceLinks(db, where: "case_id BETWEEN ? AND ?", arguments: [low, high])
  }

  /// The invoice links of the cases `condition` selects (on `case_invoices`), by case.
  ///
  /// A link that cannot be read throws, or, with `unreadable`, is left out and reported to it with
  /// its case (the night leaves that case alone rather than the whole chunk).
  static func invoiceLinks(
    _ db: Database, where condition: String, arguments: StatementArguments,
    unreadable: ((Int64, StoreError) -> Void)? = nil
  ) throws -> [Int64: [InvoiceLink]] {
    var links: [Int64: [InvoiceLink]] = [:]
    let rows = try Row.fetchAll(
      db.cachedStatement(
        sql: """
          SELECT case_id, invoice_number, disputed_minor FROM case_invoices WHERE \(condition)
          ORDER BY invoice_number
          """),
      arguments: arguments)
    for row in rows {
      let caseId: Int64 = try StoredRow(row, "case", key: "case_id").value("case_id")
      do {
        links[caseId, default: []].append(try InvoiceLink(row))
      } catch let error as StoreError {
        guard let unreadable else { throw error }
        unreadable(caseId, error)
      }
    }
    return links
  }

  /// The facts of `disputeCase`, derived by the core from its journal, communications and ledgers.
  static func facts(for disputeCase: DisputeCase, timeZone: TimeZone, _ db: Database) throws -> CaseFacts {
    let currency = disputeCase.disputed.currency
    let events = try Row.fetchAll(
      db.cachedStatement(sql: "SELECT * FROM events WHERE case_id = ? ORDER BY id"),
      arguments: [disputeCase.id]
    ).map { try event($0, currency: currency) }
    let communications = try Row.fetchAll(
      db.cachedStatement(sql: "SELECT * FROM communications WHERE case_id = ? ORDER BY at, id"),
      arguments: [disputeCase.id]
    ).map(communication)
    let kind = try String.fetchOne(
      db.cachedStatement(sql: "SELECT kind FROM customers WHERE id = ?"), arguments: [disputeCase.customerId])
    let ledgers = try self.ledgers(of: disputeCase.invoiceNumbers, db)
    return CaseFacts.derive(
      journal: events, communications: communications,
      customerKind: kind.flatMap(CustomerKind.init(rawValue:)) ?? .company,
      ledgers: disputeCase.invoiceNumbers.compactMap { ledgers[$0] },
      promise: try promise(of: disputeCase, db),
      currency: currency, timeZone: timeZone)
  }

  static func insert(_ customer: Customer, _ db: Database) throws {
    try db.executeCached(
      sql: """
        INSERT INTO customers (id, name, kind, segment, email, phone, language, vip, since, address)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
      arguments: [
        customer.id, customer.name, customer.kind.rawValue, customer.segment, customer.email, customer.phone,
        customer.language, customer.vip, customer.since?.description, customer.address,
      ])
  }

  static func insert(_ invoice: Invoice, _ db: Database) throws {
    try db.executeCached(
      sql: """
        INSERT INTO invoices (number, customer_id, issued_on, due_on, currency, total_minor, paid_minor,
          collection_suspended) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        """,
      arguments: [
        invoice.number, invoice.customerId, invoice.issuedOn.description, invoice.dueOn.description,
        invoice.total.currency.code, invoice.total.minorUnits, invoice.paid.minorUnits,
        invoice.collectionSuspended,
      ])
    // What an invoice arrives with as paid is its opening balance: one payment, so that `paid` stays
    // the sum of the payments (schema v4). `DemoLoader.keptLedgers` builds the same ledger in memory.
    if invoice.paid.minorUnits > 0 {
      try db.executeCached(
        sql: """
          INSERT INTO payments (invoice_number, paid_on, currency, amount_minor, reference, method, recorded_at,
            recorded_by) VALUES (?, ?, ?, ?, 'opening-balance', 'opening balance', ?, 'import')
          """,
        arguments: [
          invoice.number, invoice.issuedOn.description, invoice.paid.currency.code, invoice.paid.minorUnits,
          Timestamp.utcText(Date()),
        ])
    }
  }

  /// One column of a case's row: how a case is stored in it, and, for the columns whose value is
  /// costly to encode, whether two cases store the same in it without encoding either.
  private struct CaseColumn: Sendable {
    let name: String
    let value: @Sendable (DisputeCase) throws -> DatabaseValue
    var same: (@Sendable (DisputeCase, DisputeCase) -> Bool)?
  }

  /// The columns of a case's row but its id, in the order of `caseColumnNames`.
  private static let caseColumnList: [CaseColumn] = [
    CaseColumn(name: "customer_id") { $0.customerId.databaseValue },
    CaseColumn(name: "opened_at", value: { Timestamp.utcText($0.openedAt).databaseValue }) {
      sameInstant($0.openedAt, $1.openedAt)
    },
    CaseColumn(name: "channel") { $0.channel.rawValue.databaseValue },
    CaseColumn(name: "category") { $0.category?.rawValue.databaseValue ?? .null },
    CaseColumn(name: "reason") { $0.reason.databaseValue },
    CaseColumn(name: "status") { $0.status.rawValue.databaseValue },
    CaseColumn(name: "priority") { $0.priority.databaseValue },
    CaseColumn(name: "owner") { $0.owner?.rawValue.databaseValue ?? .null },
    CaseColumn(name: "escalation") { $0.escalation.rawValue.databaseValue },
    CaseColumn(name: "currency") { $0.disputed.currency.code.databaseValue },
    CaseColumn(name: "disputed_minor") { $0.disputed.minorUnits.databaseValue },
    CaseColumn(name: "deadline", value: { $0.deadline.map(Timestamp.utcText)?.databaseValue ?? .null }) {
      sameInstant($0.deadline, $1.deadline)
    },
    // Equal lists give equal JSON, unequal ones unequal JSON.
    CaseColumn(name: "tags", value: { try tagsText($0.tags).databaseValue }) { $0.tags == $1.tags },
    CaseColumn(name: "gestures", value: { try gesturesText($0.gestures).databaseValue }) {
      storedGestures($0.gestures) == storedGestures($1.gestures)
    },
    CaseColumn(name: "outcome") { $0.outcome?.rawValue.databaseValue ?? .null },
    CaseColumn(
      name: "resolved_at", value: { $0.resolvedAt.map(Timestamp.utcText)?.databaseValue ?? .null }
    ) { sameInstant($0.resolvedAt, $1.resolvedAt) },
  ]

  /// The stored columns of a case, in the order `caseColumns` gives their values (its id last).
  static let caseColumnNames = caseColumnList.map(\.name) + ["id"]

  /// The values of a case's row, in the order of `caseColumnNames`.
  static func caseColumns(_ disputeCase: DisputeCase) throws -> [DatabaseValue] {
    try caseColumnList.map { try $0.value(disputeCase) } + [disputeCase.id.databaseValue]
  }

  /// Whether two instants are stored alike: `cases` keeps them to the second, as text.
  private static func sameInstant(_ first: Date?, _ second: Date?) -> Bool {
    if first == second { return true }
    guard let first, let second else { return false }
    return Timestamp.utcText(first) == Timestamp.utcText(second)
  }

  /// `cases.tags`: a JSON list of strings, `[]` when empty.
  private static func tagsText(_ tags: [String]) throws -> String {
    tags.isEmpty ? "[]" : String(decoding: try sortedKeysEncoder().encode(tags), as: UTF8.self)
  }

  /// A case's gestures as `cases.gestures` holds them (see `StoredGesture`).
  private static func storedGestures(_ gestures: [Gesture]) -> [StoredGesture] {
    gestures.map {
      StoredGesture(
        id: $0.id, kind: $0.kind.rawValue, amountMinor: $0.amount.minorUnits, state: $0.state.rawValue,
        approvedBy: $0.approvedBy, needsApproval: $0.needsApproval)
    }
  }

  /// `cases.gestures`: a JSON list of objects with sorted keys, `[]` when empty.
  private static func gesturesText(_ gestures: [Gesture]) throws -> String {
    gestures.isEmpty
      ? "[]" : String(decoding: try sortedKeysEncoder().encode(storedGestures(gestures)), as: UTF8.self)
  }

  private static func sortedKeysEncoder() -> JSONEncoder {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return encoder
  }

  /// The columns of `disputeCase`'s row that differ from `stored`'s, with their new values.
  ///
  /// In the order of `caseColumnNames`, what `caseColumns` gives for each where the two differ. The
  /// instants and the JSON lists are compared on the domain values, so that only those that changed
  /// are encoded.
  static func changedColumns(of disputeCase: DisputeCase, from stored: DisputeCase) throws -> (
    names: [String], values: [DatabaseValue]
  ) {
    var names: [String] = []
    var values: [DatabaseValue] = []
    for column in caseColumnList {
      if let same = column.same {
        guard !same(disputeCase, stored) else { continue }
        names.append(column.name)
        values.append(try column.value(disputeCase))
      } else {
        let value = try column.value(disputeCase)
        guard try value != column.value(stored) else { continue }
        names.append(column.name)
        values.append(value)
      }
    }
    return (names, values)
  }

  static func insert(_ disputeCase: DisputeCase, _ db: Database) throws {
    try db.executeCached(
      sql: """
        INSERT INTO cases (customer_id, opened_at, channel, category, reason, status, priority, owner, escalation,
          currency, disputed_minor, deadline, tags, gestures, outcome, resolved_at, id)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """, arguments: StatementArguments(try caseColumns(disputeCase)))
  }

  /// Writes `disputeCase` over its stored row.
  ///
  /// With `stored`, the case as it is stored now, only the columns that differ are written: SQLite then
  /// maintains only the indexes on them, and the queue trigger runs only when tags or gestures changed.
  /// `dueNextNight` also sets its wake-up date to the next night (`wake_on = 0`) in the same statement.
  static func update(
    _ disputeCase: DisputeCase, stored: DisputeCase? = nil, dueNextNight: Bool = false, _ db: Database
  ) throws {
    var assignments: [String] = []
    var arguments: [DatabaseValue] = []
    if let stored {
      let changed = try changedColumns(of: disputeCase, from: stored)
      assignments = changed.names.map { "\($0) = ?" }
      arguments = changed.values
    } else {
      let values = try caseColumns(disputeCase)
      for position in 0..<(values.count - 1) {
        assignments.append("\(caseColumnNames[position]) = ?")
        arguments.append(values[position])
      }
    }
    if dueNextNight { assignments.append("wake_on = 0") }
    guard !assignments.isEmpty else { return }
    arguments.append(disputeCase.id.databaseValue)
    try db.executeCached(
      sql: "UPDATE cases SET \(assignments.joined(separator: ", ")) WHERE id = ?",
      arguments: StatementArguments(arguments))
  }

  static func paidOnInvoices(of caseId: Int64, _ db: Database) throws -> Int64 {
    try Int64.fetchOne(
      db.cachedStatement(
        sql: """
          SELECT COALESCE(SUM(paid_minor), 0) FROM invoices JOIN case_invoices ON invoice_number = number
          WHERE case_id = ?
          """), arguments: [caseId]) ?? 0
  }

  static func insertPromise(
    caseId: Int64, customerId: String, amount: Money, dueOn: LocalDate, paidAtPromise: Int64, _ db: Database
  ) throws {
    try db.executeCached(
      sql: """
        INSERT INTO promises (case_id, customer_id, currency, amount_minor, due_on, paid_at_promise_minor)
        VALUES (?, ?, ?, ?, ?, ?)
        """,
      arguments: [
        caseId, customerId, amount.currency.code, amount.minorUnits, dueOn.description, paidAtPromise,
      ])
  }

  /// The case's latest payment promise, with what was paid on its invoices since.
  static func promise(of disputeCase: DisputeCase, _ db: Database) throws -> PaymentPromise? {
    guard
      let row = try Row.fetchOne(
        db.cachedStatement(sql: "SELECT * FROM promises WHERE case_id = ? ORDER BY id DESC LIMIT 1"),
        arguments: [disputeCase.id])
    else { return nil }
    return try promise(row, paidNow: try paidOnInvoices(of: disputeCase.id, db))
  }

  /// The promise of a `promises` row, `paidNow` being what its case's invoices have been paid in all.
  ///
  /// Throws `StoreError` naming the promise and the column when a value cannot be read.
  static func promise(_ row: Row, paidNow: Int64) throws -> PaymentPromise {
    let stored = StoredRow(row, "promise")
    let currency = try stored.parsed("currency") { try Currency(code: $0) }
    let paidAtPromise = try stored.amount("paid_at_promise_minor")
    return PaymentPromise(
      amount: Money(minorUnits: try stored.amount("amount_minor"), currency: currency),
      dueOn: try stored.parsed("due_on") { try LocalDate(parsing: $0) },
      paidSince: Money(minorUnits: max(0, paidNow - paidAtPromise), currency: currency),
      status: PaymentPromise.Status(rawValue: try stored.value("status")) ?? .pending)
  }

  static func insert(_ communication: Communication, _ db: Database) throws {
    try db.executeCached(
      sql:
        "INSERT INTO communications (case_id, at, direction, channel, author, summary) VALUES (?, ?, ?, ?, ?, ?)",
      arguments: [
        communication.caseId, Timestamp.utcText(communication.at), communication.direction.rawValue,
        communication.channel.rawValue, communication.author, communication.summary,
      ])
  }

  static func append(_ event: JournalEvent, _ db: Database) throws {
    try append(CollectionOfOne(event), db)
  }

  /// The most events one INSERT writes (`append`): 8 arguments each, far below SQLite's limit.
  static let eventsPerStatement = 64

  /// Appends `events` to the journal in their order, up to `eventsPerStatement` rows per INSERT, and
  /// puts each letter or message decided in the outbox.
  ///
  /// A night writes about four events a case: with one statement each, the INSERTs were 13 % of a
  /// first night's profile, each paying SQLite's per-statement work (its statement journal, the
  /// triggers' and foreign key's checks); batched, the night's writing thread spends about a tenth
  /// less (BENCHMARKS.md, seventh session). The rows of one
  /// INSERT take consecutive ids in their order (`events.id` is a rowid without AUTOINCREMENT: each new
  /// row gets the largest id plus one), which is how a letter's outbox row finds its event; a journal
  /// whose largest id leaves no room for them (a hand edit) gets one row per INSERT.
  static func append(_ events: some Collection<JournalEvent>, _ db: Database) throws {
    var pending = events[...]
    // SQLite gives random ids once a row holds the largest id there is (only a hand edit of the
    // journal can bring it near): without room for the rows, one per INSERT, each letter linked by its
    // own row's id.
    let largestId =
      pending.count > 1 ? try Int64.fetchOne(db.cachedStatement(sql: "SELECT MAX(id) FROM events")) ?? 0 : 0
    let rowsPerStatement = largestId > Int64.max - Int64(pending.count) ? 1 : eventsPerStatement
    while !pending.isEmpty {
      let part = pending.prefix(rowsPerStatement)
      pending = pending.dropFirst(part.count)
      var values: [(any DatabaseValueConvertible)?] = []
      values.reserveCapacity(part.count * 8)
      for event in part {
        values += [
          event.caseId, Timestamp.utcText(event.at), event.kind, event.payload, event.reason,
          event.provenance.source, event.provenance.hook, event.provenance.runId,
        ]
      }
      let rows = repeatElement("(?, ?, ?, ?, ?, ?, ?, ?)", count: part.count).joined(separator: ", ")
      try db.executeCached(
        sql: "INSERT INTO events (case_id, at, kind, payload, reason, source, hook, run_id) VALUES \(rows)",
        arguments: StatementArguments(values))
      let firstId = db.lastInsertedRowID - Int64(part.count) + 1
      // Every letter or message decided waits in the outbox until someone sends it (issue 12).
      for (offset, event) in part.enumerated() {
        guard case .sent(let template, let channel, _, _, _) = event.event else { continue }
        try db.executeCached(
          sql: """
            INSERT INTO outbox (event_id, case_id, template, channel, recipient, status, created_at)
            VALUES (?, ?, ?, ?, (SELECT cu.email FROM cases c JOIN customers cu ON cu.id = c.customer_id WHERE c.id = ?),
              'pending', ?)
            """,
          arguments: [
            firstId + Int64(offset), event.caseId, template, channel.rawValue, event.caseId,
            Timestamp.utcText(event.at),
          ])
      }
    }
  }
}

extension Database {
  /// Runs a statement prepared once per connection and reused (GRDB's statement cache).
  func executeCached(sql: String, arguments: StatementArguments = []) throws {
    try cachedStatement(sql: sql).execute(arguments: arguments)
  }
}

extension Records.InvoiceLink {
  /// The link of a `case_invoices` row; throws `StoreError` naming its case and column.
  init(_ row: Row) throws {
    let stored = StoredRow(row, "case", key: "case_id", table: "case_invoices")
    number = try stored.value("invoice_number")
    disputedMinor = try stored.amount("disputed_minor")
  }
}
