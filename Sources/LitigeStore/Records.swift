import Foundation
import GRDB
import LitigeCore

/// Row <-> domain conversions and the SQL of `Store`, kept in one place.
enum Records {
  static func customer(_ row: Row) -> Customer {
    Customer(
      id: row["id"], name: row["name"], kind: CustomerKind(rawValue: row["kind"]) ?? .company,
      segment: row["segment"],
      email: row["email"], phone: row["phone"], language: row["language"], vip: row["vip"],
      since: (row["since"] as String?).flatMap { try? LocalDate(parsing: $0) })
  }

  static func invoice(_ row: Row) throws -> Invoice {
    let currency = try Currency(code: row["currency"])
    return Invoice(
      number: row["number"], customerId: row["customer_id"],
      issuedOn: try LocalDate(parsing: row["issued_on"]), dueOn: try LocalDate(parsing: row["due_on"]),
      total: Money(minorUnits: row["total_minor"], currency: currency),
      paid: Money(minorUnits: row["paid_minor"], currency: currency),
      collectionSuspended: row["collection_suspended"])
  }

  static func communication(_ row: Row) throws -> Communication {
    Communication(
      caseId: row["case_id"], at: try Timestamp.parse(row["at"]),
      direction: try Direction.parse(row["direction"]),
      channel: try Channel.parse(row["channel"]), author: row["author"], summary: row["summary"])
  }

  static func event(_ row: Row) throws -> JournalEvent {
    JournalEvent(
      caseId: row["case_id"], at: try Timestamp.parse(row["at"]), kind: row["kind"], payload: row["payload"],
      reason: row["reason"],
      provenance: Provenance(source: row["source"], hook: row["hook"], runId: row["run_id"]))
  }

  private struct StoredGesture: Codable {
    var kind: String
    var amountMinor: Int64
    var approvedBy: String?
    enum CodingKeys: String, CodingKey {
      case kind
      case amountMinor = "amount_minor"
      case approvedBy = "approved_by"
    }
  }

  static func disputeCase(_ row: Row, invoices: [String]) throws -> DisputeCase {
    let currency = try Currency(code: row["currency"])
    var result = DisputeCase(
      id: row["id"], customerId: row["customer_id"], openedAt: try Timestamp.parse(row["opened_at"]),
      channel: try Channel.parse(row["channel"]),
      category: try (row["category"] as String?).map { try DisputeCategory.parse($0) },
      reason: row["reason"], disputed: Money(minorUnits: row["disputed_minor"], currency: currency),
      invoiceNumbers: invoices, status: try CaseStatus.parse(row["status"]))
    result.priority = row["priority"]
    result.owner = try (row["owner"] as String?).map { try Department.parse($0) }
    result.escalation = try EscalationLevel.parse(row["escalation"])
    result.deadline = try (row["deadline"] as String?).map { try Timestamp.parse($0) }
    let tags: String = row["tags"]
    result.tags = tags == "[]" ? [] : try JSONDecoder().decode([String].self, from: Data(tags.utf8))
    let gestures: String = row["gestures"]
    let stored =
      gestures == "[]" ? [] : try JSONDecoder().decode([StoredGesture].self, from: Data(gestures.utf8))
    result.gestures = try stored.map {
      Gesture(
        kind: try GestureKind.parse($0.kind), amount: Money(minorUnits: $0.amountMinor, currency: currency),
        approvedBy: $0.approvedBy)
    }
    result.outcome = try (row["outcome"] as String?).map { try ResolutionOutcome.parse($0) }
    return result
  }

  static func fetchCase(_ db: Database, id: Int64) throws -> DisputeCase? {
    guard let row = try Row.fetchOne(db, sql: "SELECT * FROM cases WHERE id = ?", arguments: [id]) else {
      return nil
    }
    let invoices = try String.fetchAll(
      db, sql: "SELECT invoice_number FROM case_invoices WHERE case_id = ? ORDER BY invoice_number",
      arguments: [id])
    return try disputeCase(row, invoices: invoices)
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

  static func invoiceLinks(_ db: Database, caseIds: [Int64]) throws -> [Int64: [String]] {
    guard !caseIds.isEmpty, let low = caseIds.min(), let high = caseIds.max() else { return [:] }
    var links: [Int64: [String]] = [:]
    let rows = try Row.fetchAll(
      db,
      sql:
        "SELECT case_id, invoice_number FROM case_invoices WHERE case_id BETWEEN ? AND ? ORDER BY invoice_number",
      arguments: [low, high])
    for row in rows { links[row["case_id"], default: []].append(row["invoice_number"]) }
    return links
  }

  static func facts(for disputeCase: DisputeCase, _ db: Database) throws -> CaseFacts {
    let outgoing =
      try Int.fetchOne(
        db, sql: "SELECT COUNT(*) FROM communications WHERE case_id = ? AND direction = 'out'",
        arguments: [disputeCase.id])
      ?? 0
    let sent = try String.fetchAll(
      db, sql: "SELECT payload FROM events WHERE case_id = ? AND kind = 'send'", arguments: [disputeCase.id])
    let followUps = try String.fetchAll(
      db, sql: "SELECT payload FROM events WHERE case_id = ? AND kind = 'follow_up'",
      arguments: [disputeCase.id])
    let decode = { (payload: String, key: String) -> String? in
      (try? JSONSerialization.jsonObject(with: Data(payload.utf8)) as? [String: String])?[key]
    }
    let mediated =
      try Int.fetchOne(
        db, sql: "SELECT COUNT(*) FROM events WHERE case_id = ? AND kind = 'escalate' AND payload LIKE ?",
        arguments: [disputeCase.id, #"%"level":"mediation"%"#]) ?? 0
    let kind = try String.fetchOne(
      db, sql: "SELECT kind FROM customers WHERE id = ?", arguments: [disputeCase.customerId])
    let outstanding =
      try Int64.fetchOne(
        db,
        sql: """
          SELECT COALESCE(SUM(total_minor - paid_minor), 0) FROM invoices
          JOIN case_invoices ON invoice_number = number WHERE case_id = ?
          """, arguments: [disputeCase.id]) ?? 0
    return CaseFacts(
      amicableAttemptRecorded: outgoing > 0 || !sent.isEmpty || mediated > 0,
      sentTemplates: Set(sent.compactMap { decode($0, "template") }),
      scheduledFollowUps: Set(
        followUps.compactMap { decode($0, "due_on").flatMap { try? LocalDate(parsing: $0) } }),
      customerKind: kind.flatMap(CustomerKind.init(rawValue:)) ?? .company,
      outstanding: Money(minorUnits: outstanding, currency: disputeCase.disputed.currency),
      promise: try promise(of: disputeCase, db))
  }

  static func insert(_ customer: Customer, _ db: Database) throws {
    try db.executeCached(
      sql: """
        INSERT INTO customers (id, name, kind, segment, email, phone, language, vip, since)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
      arguments: [
        customer.id, customer.name, customer.kind.rawValue, customer.segment, customer.email, customer.phone,
        customer.language, customer.vip, customer.since?.description,
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
    // the sum of the payments (schema v4).
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

  private static func caseColumns(_ disputeCase: DisputeCase) throws -> StatementArguments {
    let gestures = disputeCase.gestures.map {
      StoredGesture(kind: $0.kind.rawValue, amountMinor: $0.amount.minorUnits, approvedBy: $0.approvedBy)
    }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return [
      disputeCase.customerId, Timestamp.utcText(disputeCase.openedAt), disputeCase.channel.rawValue,
      disputeCase.category?.rawValue, disputeCase.reason, disputeCase.status.rawValue, disputeCase.priority,
      disputeCase.owner?.rawValue, disputeCase.escalation.rawValue, disputeCase.disputed.currency.code,
      disputeCase.disputed.minorUnits, disputeCase.deadline.map(Timestamp.utcText),
      String(decoding: try encoder.encode(disputeCase.tags), as: UTF8.self),
      String(decoding: try encoder.encode(gestures), as: UTF8.self), disputeCase.outcome?.rawValue,
      disputeCase.id,
    ]
  }

  static func insert(_ disputeCase: DisputeCase, _ db: Database) throws {
    try db.executeCached(
      sql: """
        INSERT INTO cases (customer_id, opened_at, channel, category, reason, status, priority, owner, escalation,
          currency, disputed_minor, deadline, tags, gestures, outcome, id)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """, arguments: try caseColumns(disputeCase))
  }

  static func update(_ disputeCase: DisputeCase, _ db: Database) throws {
    try db.executeCached(
      sql: """
        UPDATE cases SET customer_id = ?, opened_at = ?, channel = ?, category = ?, reason = ?, status = ?,
          priority = ?, owner = ?, escalation = ?, currency = ?, disputed_minor = ?, deadline = ?, tags = ?,
          gestures = ?, outcome = ? WHERE id = ?
        """, arguments: try caseColumns(disputeCase))
  }

  /// Links the case's invoices and suspends their collection while the case is active.
  static func link(_ disputeCase: DisputeCase, _ db: Database) throws {
    for number in disputeCase.invoiceNumbers {
      try db.executeCached(
        sql: "INSERT INTO case_invoices (case_id, invoice_number) VALUES (?, ?)",
        arguments: [disputeCase.id, number])
      if disputeCase.status.isActive {
        try db.executeCached(
          sql: "UPDATE invoices SET collection_suspended = 1 WHERE number = ?", arguments: [number])
      }
    }
  }

  /// On resolution: collection resumes with the new due date; the payment promise is recorded.
  static func resumeCollection(after event: JournalEvent, case disputeCase: DisputeCase, _ db: Database)
    throws
  {
    let payload =
      (try? JSONSerialization.jsonObject(with: Data(event.payload.utf8)) as? [String: String]) ?? [:]
    for number in disputeCase.invoiceNumbers {
      let stillDisputed =
        try Int.fetchOne(
          db,
          sql: """
            SELECT COUNT(*) FROM case_invoices JOIN cases ON cases.id = case_id
            WHERE invoice_number = ? AND cases.id <> ? AND cases.status NOT IN ('resolved', 'closed')
            """, arguments: [number, disputeCase.id]) ?? 0
      guard stillDisputed == 0 else { continue }
      try db.executeCached(
        sql: "UPDATE invoices SET collection_suspended = 0, due_on = COALESCE(?, due_on) WHERE number = ?",
        arguments: [payload["new_due_date"], number])
    }
    if let promise = payload["promise"], let due = payload["new_due_date"] {
      let amount = try Money(parsing: promise, currency: disputeCase.disputed.currency)
      try insertPromise(
        caseId: disputeCase.id, customerId: disputeCase.customerId, amount: amount,
        dueOn: try LocalDate(parsing: due),
        paidAtPromise: try paidOnInvoices(of: disputeCase.id, db), db)
    }
  }

  static func paidOnInvoices(of caseId: Int64, _ db: Database) throws -> Int64 {
    try Int64.fetchOne(
      db,
      sql: """
        SELECT COALESCE(SUM(paid_minor), 0) FROM invoices JOIN case_invoices ON invoice_number = number
        WHERE case_id = ?
        """, arguments: [caseId]) ?? 0
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
        db, sql: "SELECT * FROM promises WHERE case_id = ? ORDER BY id DESC LIMIT 1",
        arguments: [disputeCase.id])
    else { return nil }
    let currency = try Currency(code: row["currency"])
    let paidNow = try paidOnInvoices(of: disputeCase.id, db)
    let paidAtPromise: Int64 = row["paid_at_promise_minor"]
    return PaymentPromise(
      amount: Money(minorUnits: row["amount_minor"], currency: currency),
      dueOn: try LocalDate(parsing: row["due_on"]),
      paidSince: Money(minorUnits: max(0, paidNow - paidAtPromise), currency: currency),
      status: PaymentPromise.Status(rawValue: row["status"]) ?? .pending)
  }

  static func recordJudgment(_ event: JournalEvent, _ db: Database) throws {
    let payload =
      (try? JSONSerialization.jsonObject(with: Data(event.payload.utf8)) as? [String: String]) ?? [:]
    try db.executeCached(
      sql: """
        UPDATE promises SET status = ? WHERE id = (SELECT MAX(id) FROM promises WHERE case_id = ?)
        AND status = 'pending'
        """, arguments: [payload["status"], event.caseId])
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
    try db.executeCached(
      sql: """
        INSERT INTO events (case_id, at, kind, payload, reason, source, hook, run_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        """,
      arguments: [
        event.caseId, Timestamp.utcText(event.at), event.kind, event.payload, event.reason,
        event.provenance.source,
        event.provenance.hook, event.provenance.runId,
      ])
  }
}

extension Database {
  /// Runs a statement prepared once per connection and reused (GRDB's statement cache).
  func executeCached(sql: String, arguments: StatementArguments = []) throws {
    try cachedStatement(sql: sql).execute(arguments: arguments)
  }
}
