import Foundation
import GRDB
import LitigeCore

/// A record read from a data file, with the line it starts on.
public struct Line<Value: Sendable>: Sendable {
  /// The 1-based line of the file.
  public var line: Int
  /// The record.
  public var value: Value

  /// Creates one.
  public init(line: Int, value: Value) {
    self.line = line
    self.value = value
  }
}

/// A case as a company's file gives it: its own identifier, its invoices by number.
public struct ImportedCase: Sendable, Equatable {
  /// The company's identifier (`L000123`), kept as the case's external reference.
  public var reference: String
  /// The customer's id.
  public var customerId: String
  /// When it was opened.
  public var openedAt: Date
  /// Where it came from.
  public var channel: Channel
  /// Its category, if the file says.
  public var category: DisputeCategory?
  /// What the customer says (personal data).
  public var reason: String
  /// The numbers of its invoices.
  public var invoices: [String]
  /// The amount disputed; nil for what the invoices still owe.
  public var disputed: Money?
  /// Its status.
  public var status: CaseStatus
  /// The part of each invoice disputed, when the file says (`F-1=300`); otherwise `disputed` is spread.
  public var portions: [String: Money]

  /// Creates one.
  public init(
    reference: String, customerId: String, openedAt: Date, channel: Channel, category: DisputeCategory?,
    reason: String, invoices: [String], disputed: Money?, status: CaseStatus, portions: [String: Money] = [:]
  ) {
    self.portions = portions
    self.reference = reference
    self.customerId = customerId
    self.openedAt = openedAt
    self.channel = channel
    self.category = category
    self.reason = reason
    self.invoices = invoices
    self.disputed = disputed
    self.status = status
  }
}

/// A communication as a file gives it: on a case named by the company's identifier.
public struct ImportedCommunication: Sendable, Equatable {
  /// The case, by its external reference (or Litige's id).
  public var caseReference: String
  /// When (UTC).
  public var at: Date
  /// Which way.
  public var direction: Direction
  /// How.
  public var channel: Channel
  /// Who wrote or took it (personal data).
  public var author: String
  /// What it said (personal data).
  public var summary: String

  /// Creates one.
  public init(
    caseReference: String, at: Date, direction: Direction, channel: Channel, author: String, summary: String
  ) {
    self.caseReference = caseReference
    self.at = at
    self.direction = direction
    self.channel = channel
    self.author = author
    self.summary = summary
  }
}

/// The typed records of one import file (one kind is filled).
public struct ImportRows: Sendable {
  /// Customers.
  public var customers: [Line<Customer>] = []
  /// Invoices; `paid` is the opening balance of a new invoice.
  public var invoices: [Line<Invoice>] = []
  /// Cases.
  public var cases: [Line<ImportedCase>] = []
  /// Communications.
  public var communications: [Line<ImportedCommunication>] = []
  /// Payments.
  public var payments: [Line<Payment>] = []

  /// None.
  public init() {}
}

/// A record the workspace refuses, where it is in the file.
public struct ImportIssue: Sendable, Equatable {
  /// The record's line.
  public var line: Int
  /// The column concerned.
  public var field: String?
  /// The value concerned, when it may be shown (never personal data).
  public var value: String?
  /// What is wrong.
  public var message: String
}

/// What the workspace refused of an import: nothing was written.
public struct ImportIssues: Error, Sendable {
  /// The issues, in file order.
  public var issues: [ImportIssue]
}

/// What an import did (or, in a dry run, would do).
public struct ImportSummary: Sendable, Codable, Equatable {
  /// Records new to the workspace.
  public var added = 0
  /// Records that existed and changed (each change journaled).
  public var updated = 0
  /// Records that existed unchanged.
  public var unchanged = 0
  /// Differences the import leaves as the workspace has them (a case's status, an invoice's paid
  /// amount after its payments): Litige keeps those from its own events.
  public var kept = 0
  /// Field changes journaled.
  public var changes = 0
  /// Records of customers forgotten on request, left out (RGPD article 17: an import does not bring
  /// them back).
  public var forgotten = 0
  /// The ids of the cases opened, in order (triage runs on them).
  public var openedCases: [Int64] = []

  /// Nothing yet.
  public init() {}

  enum CodingKeys: String, CodingKey {
    case added, updated, unchanged, kept, changes, forgotten
    case openedCases = "opened_cases"
  }
}

/// A change an import made to a record that existed, kept for ever (`changes` table).
public struct RecordChange: Sendable, Equatable {
  /// `customer`, `invoice`, `case` or `communication`.
  public var record: String
  /// Its key (id, number, reference).
  public var key: String
  /// The field.
  public var field: String
  /// The value before and after (personal data for names, e-mails, phones, texts).
  public var old: String?, new: String?

  /// Creates one.
  public init(record: String, key: String, field: String, old: String?, new: String?) {
    self.record = record
    self.key = key
    self.field = field
    self.old = old
    self.new = new
  }
}

extension Store {
  /// Writes `rows` in one transaction: all of them, or nothing when any is refused.
  ///
  /// Upserts by key: a customer by id, an invoice by number, a case by the company's reference, a
  /// communication by case, time, direction, channel and author, a payment by invoice and reference.
  /// A record that exists and is the same changes nothing; one that changed is updated and each field
  /// change is journaled (`changes`, with `importId` and `source`). What Litige keeps from its own events
  /// is not overwritten: a case's status, amount and invoices, an invoice's paid amount once it exists
  /// (payments come as payments), and an invoice's total, dates or customer once a case disputes it. A
  /// payment already recorded under its reference with the same amount is the same payment; with
  /// another amount it is refused. New cases are opened through the core (portions frozen, `opened`
  /// journaled); a company's reference that is a free positive number becomes the case's id.
  ///
  /// With `dryRun` everything is checked and counted, and nothing is written. Throws `ImportIssues`
  /// with every record refused, `StoreError` when the workspace refuses the write.
  public func importRows(
    _ rows: ImportRows, source: String, importId: String, at now: Date, dryRun: Bool
  ) throws -> ImportSummary {
    struct DryRun: Error { var summary: ImportSummary }
    do {
      return try database.write { db in
        var work = ImportWork(db: db, settings: settings, source: source, importId: importId, now: now)
        for line in rows.customers { try work.upsert(line) }
        for line in rows.invoices { try work.upsert(line) }
        for line in rows.cases { try work.upsert(line) }
        for line in rows.communications { try work.upsert(line) }
        for line in rows.payments { try work.upsert(line) }
        if !work.issues.isEmpty { throw ImportIssues(issues: work.issues) }
        if dryRun { throw DryRun(summary: work.summary) }
        try db.execute(
          sql: """
            INSERT INTO imports (id, at, source, added, updated, unchanged, kept) VALUES (?, ?, ?, ?, ?, ?, ?)
            """,
          arguments: [
            importId, Timestamp.utcText(now), source, work.summary.added, work.summary.updated,
            work.summary.unchanged, work.summary.kept,
          ])
        return work.summary
      }
    } catch let dry as DryRun {
      return dry.summary
    } catch let error as DatabaseError {
      throw StoreError("the workspace refused the import: \(error.message ?? "\(error.resultCode)")")
    }
  }

  /// The case whose external reference is `reference`, else whose id it is; nil when none.
  ///
  /// A company's own identifiers (`L000123`) are accepted wherever a command takes a case.
  public func caseId(forReference reference: String) throws -> Int64? {
    try database.read { db in try Self.caseId(forReference: reference, db) }
  }

  static func caseId(forReference reference: String, _ db: Database) throws -> Int64? {
    if let id = try Int64.fetchOne(
      db.cachedStatement(sql: "SELECT id FROM cases WHERE external_ref = ?"), arguments: [reference])
    {
      return id
    }
    guard let number = Int64(reference) else { return nil }
    return try Int64.fetchOne(
      db.cachedStatement(sql: "SELECT id FROM cases WHERE id = ?"), arguments: [number])
  }

  /// The external reference of case `id`, if it came from a company's file.
  public func externalReference(ofCase id: Int64) throws -> String? {
    try database.read { db in
      try String.fetchOne(db, sql: "SELECT external_ref FROM cases WHERE id = ?", arguments: [id])
    }
  }

  /// The changes imports made to records, oldest first, for `key` or all.
  public func recordChanges(key: String? = nil) throws -> [RecordChange] {
    try database.read { db in
      try Row.fetchAll(
        db,
        sql: "SELECT * FROM changes" + (key == nil ? "" : " WHERE record_key = ?") + " ORDER BY id",
        arguments: key.map { [$0] } ?? []
      ).map {
        RecordChange(
          record: $0["record"], key: $0["record_key"], field: $0["field"], old: $0["old_value"],
          new: $0["new_value"])
      }
    }
  }
}

/// One import's work inside its transaction.
private struct ImportWork {
  let db: Database
  let settings: CompanySettings
  let source: String
  let importId: String
  let now: Date
  var summary = ImportSummary()
  var issues: [ImportIssue] = []
  var customers: Set<String>?
  var forgottenCustomers: Set<String>?
  var forgottenCases: Set<Int64>?

  init(db: Database, settings: CompanySettings, source: String, importId: String, now: Date) {
    self.db = db
    self.settings = settings
    self.source = source
    self.importId = importId
    self.now = now
  }

  var provenance: Provenance { Provenance(source: source, hook: "import", runId: importId) }

  mutating func issue(_ line: Int, _ field: String?, _ value: String?, _ message: String) {
    issues.append(ImportIssue(line: line, field: field, value: value, message: message))
  }

  /// Journals the changed fields of record `key`; returns whether any changed.
  mutating func journal(_ record: String, _ key: String, _ fields: [(String, String?, String?)]) throws
    -> Bool
  {
    var changed = false
    for (field, old, new) in fields where old != new {
      changed = true
      summary.changes += 1
      try db.execute(
        sql: """
          INSERT INTO changes (at, record, record_key, field, old_value, new_value, source, import_id)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?)
          """,
        arguments: [Timestamp.utcText(now), record, key, field, old, new, source, importId])
    }
    return changed
  }

  /// Whether customer `id` was forgotten on request.
  mutating func isForgotten(customer id: String) throws -> Bool {
    if forgottenCustomers == nil {
      forgottenCustomers = Set(
        try String.fetchAll(db, sql: "SELECT id FROM customers WHERE forgotten_at IS NOT NULL"))
    }
    return forgottenCustomers?.contains(id) ?? false
  }

  /// Whether case `id` belongs to a customer forgotten on request.
  mutating func isForgotten(case id: Int64) throws -> Bool {
    if forgottenCases == nil {
      forgottenCases = Set(
        try Int64.fetchAll(
          db,
          sql:
            "SELECT c.id FROM cases c JOIN customers cu ON cu.id = c.customer_id WHERE cu.forgotten_at IS NOT NULL"
        ))
    }
    return forgottenCases?.contains(id) ?? false
  }

  mutating func customerExists(_ id: String) throws -> Bool {
    if customers == nil { customers = Set(try String.fetchAll(db, sql: "SELECT id FROM customers")) }
    return customers?.contains(id) ?? false
  }

  // MARK: Customers

  mutating func upsert(_ line: Line<Customer>) throws {
    let customer = line.value
    if try isForgotten(customer: customer.id) {
      summary.forgotten += 1
      return
    }
    guard
      let row = try Row.fetchOne(
        db.cachedStatement(sql: "SELECT * FROM customers WHERE id = ?"), arguments: [customer.id])
    else {
      try Records.insert(customer, db)
      customers?.insert(customer.id)
      summary.added += 1
      return
    }
    let old = try Records.customer(row)
    let changed = try journal(
      "customer", customer.id,
      [
        ("name", old.name, customer.name), ("kind", old.kind.rawValue, customer.kind.rawValue),
        ("segment", old.segment, customer.segment), ("email", old.email, customer.email),
        ("phone", old.phone, customer.phone), ("language", old.language, customer.language),
        ("vip", String(old.vip), String(customer.vip)),
        ("since", old.since?.description, customer.since?.description),
        ("address", old.address, customer.address),
      ])
    guard changed else {
      summary.unchanged += 1
      return
    }
    try db.execute(
      sql: """
        UPDATE customers SET name = ?, kind = ?, segment = ?, email = ?, phone = ?, language = ?, vip = ?,
          since = ?, address = ? WHERE id = ?
        """,
      arguments: [
        customer.name, customer.kind.rawValue, customer.segment, customer.email, customer.phone,
        customer.language, customer.vip, customer.since?.description, customer.address, customer.id,
      ])
    summary.updated += 1
  }

  // MARK: Invoices

  mutating func upsert(_ line: Line<Invoice>) throws {
    let invoice = line.value
    guard try customerExists(invoice.customerId) else {
      issue(
        line.line, "customer_id", invoice.customerId,
        "no such customer in the workspace (import the customers first)")
      return
    }
    guard
      let row = try Row.fetchOne(
        db.cachedStatement(sql: "SELECT * FROM invoices WHERE number = ?"), arguments: [invoice.number])
    else {
      try Records.insert(invoice, db)
      summary.added += 1
      return
    }
    let old = try Records.invoice(row)
    let fields: [(String, String?, String?)] = [
      ("customer_id", old.customerId, invoice.customerId),
      ("issued_on", old.issuedOn.description, invoice.issuedOn.description),
      ("due_on", old.dueOn.description, invoice.dueOn.description),
      ("total", old.total.decimalText, invoice.total.decimalText),
    ]
    if old.paid != invoice.paid { summary.kept += 1 }  // payments come as payments once it exists
    guard fields.contains(where: { $0.1 != $0.2 }) else {
      summary.unchanged += 1
      return
    }
    let disputedBy = try Int64.fetchOne(
      db.cachedStatement(sql: "SELECT MIN(case_id) FROM case_invoices WHERE invoice_number = ?"),
      arguments: [invoice.number])
    if let caseId = disputedBy {
      let names = fields.filter { $0.1 != $0.2 }.map(\.0).joined(separator: ", ")
      issue(
        line.line, fields.first { $0.1 != $0.2 }?.0, nil,
        "invoice \(invoice.number) is in case \(caseId): its \(names) cannot change by import "
          + "(a credit note, a write-off or the case's resolution changes what is owed)")
      return
    }
    if invoice.total < old.paid {
      issue(
        line.line, "total", invoice.total.decimalText,
        "is less than what invoice \(invoice.number) has been paid (\(old.paid.decimalText))")
      return
    }
    _ = try journal("invoice", invoice.number, fields)
    try db.execute(
      sql: "UPDATE invoices SET customer_id = ?, issued_on = ?, due_on = ?, total_minor = ? WHERE number = ?",
      arguments: [
        invoice.customerId, invoice.issuedOn.description, invoice.dueOn.description, invoice.total.minorUnits,
        invoice.number,
      ])
    summary.updated += 1
  }

  // MARK: Cases

  mutating func upsert(_ line: Line<ImportedCase>) throws {
    let imported = line.value
    if try isForgotten(customer: imported.customerId) {
      summary.forgotten += 1
      return
    }
    if let id = try Int64.fetchOne(
      db.cachedStatement(sql: "SELECT id FROM cases WHERE external_ref = ?"), arguments: [imported.reference])
    {
      try update(id, with: imported, line: line.line)
      return
    }
    guard try customerExists(imported.customerId) else {
      issue(line.line, "customer_id", imported.customerId, "no such customer in the workspace")
      return
    }
    if imported.openedAt > now {
      issue(
        line.line, "opened_at", Timestamp.utcText(imported.openedAt),
        "is after now: a case cannot be opened in the future")
      return
    }
    if let number = Int64(imported.reference),
      try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM cases WHERE id = ?"), arguments: [number])
        != nil
    {
      // `case show 1` would mean two cases: refused rather than guessed.
      issue(
        line.line, "id", imported.reference,
        "is the number of another case of the workspace (case \(number)); a company reference that is a number "
          + "must not be one of Litige's case numbers")
      return
    }
    var owed = Money.zero(settings.currency)
    let ledgers = try Records.ledgers(of: imported.invoices, db)
    for number in imported.invoices {
      guard let ledger = ledgers[number] else {
        issue(line.line, "invoices", number, "no such invoice in the workspace (import the invoices first)")
        return
      }
      guard ledger.invoice.customerId == imported.customerId else {
        issue(
          line.line, "invoices", number,
          "belongs to customer \(ledger.invoice.customerId), not \(imported.customerId)")
        return
      }
      owed = owed + max(.zero(settings.currency), (try? ledger.owed()) ?? .zero(settings.currency))
    }
    let disputed = imported.disputed ?? owed
    let next = (try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(id), 0) + 1 FROM cases")) ?? 1
    var id = next
    if let number = Int64(imported.reference), number > 0, number < Int64(1) << 53 { id = number }
    var disputeCase = DisputeCase(
      id: id, customerId: imported.customerId, openedAt: imported.openedAt, channel: imported.channel,
      category: imported.category, reason: imported.reason, disputed: disputed,
      invoiceNumbers: imported.invoices, status: imported.status)
    // The triage policies route it (one routing table, from the configuration).
    disputeCase.owner = nil
    disputeCase.portions = imported.portions
    if !imported.status.isActive { disputeCase.resolvedAt = imported.openedAt }
    do {
      try Records.open(disputeCase, provenance: provenance, db)
    } catch let error as DomainError {
      issue(line.line, "disputed", disputed.decimalText, "\(error)")
      return
    } catch let error as StoreError {
      issue(line.line, nil, nil, "\(error)")
      return
    }
    try db.execute(
      sql: "UPDATE cases SET external_ref = ? WHERE id = ?", arguments: [imported.reference, id])
    summary.added += 1
    summary.openedCases.append(id)
  }

  private mutating func update(_ id: Int64, with imported: ImportedCase, line: Int) throws {
    guard let current = try Records.fetchCase(db, id: id) else { return }
    // What the file says must still make sense, even where Litige keeps its own values.
    guard try customerExists(imported.customerId) else {
      issue(line, "customer_id", imported.customerId, "no such customer in the workspace")
      return
    }
    let known = try Records.ledgers(of: imported.invoices, db)
    if let unknown = imported.invoices.first(where: { known[$0] == nil }) {
      issue(line, "invoices", unknown, "no such invoice in the workspace")
      return
    }
    if current.customerId != imported.customerId {
      issue(
        line, "customer_id", imported.customerId,
        "case \(imported.reference) belongs to customer \(current.customerId): a case does not change customer"
      )
      return
    }
    let fields: [(String, String?, String?)] = [
      ("reason", current.reason, imported.reason),
      ("channel", current.channel.rawValue, imported.channel.rawValue),
    ]
    // The status, amount, invoices and category are Litige's from then on (its events move them).
    if current.status != imported.status || current.invoiceNumbers.sorted() != imported.invoices.sorted()
      || (imported.disputed.map { $0 != current.disputed } ?? false)
      || (!imported.portions.isEmpty && imported.portions != current.portions)
      || (imported.category.map { $0 != current.category } ?? false)
    {
      summary.kept += 1
    }
    guard try journal("case", imported.reference, fields) else {
      summary.unchanged += 1
      return
    }
    try db.execute(
      sql: "UPDATE cases SET reason = ?, channel = ? WHERE id = ?",
      arguments: [imported.reason, imported.channel.rawValue, id])
    summary.updated += 1
  }

  // MARK: Communications

  mutating func upsert(_ line: Line<ImportedCommunication>) throws {
    let imported = line.value
    guard let caseId = try Store.caseId(forReference: imported.caseReference, db),
      let current = try Records.fetchCase(db, id: caseId)
    else {
      issue(
        line.line, "case_id", imported.caseReference, "no such case in the workspace (import the cases first)"
      )
      return
    }
    if try isForgotten(case: caseId) {
      summary.forgotten += 1
      return
    }
    let at = Timestamp.utcText(imported.at)
    if let row = try Row.fetchOne(
      db.cachedStatement(
        sql: """
          SELECT id, summary FROM communications WHERE case_id = ? AND at = ? AND direction = ? AND channel = ?
            AND author = ?
          """),
      arguments: [caseId, at, imported.direction.rawValue, imported.channel.rawValue, imported.author])
    {
      let old: String = row["summary"]
      let id: Int64 = row["id"]
      guard try journal("communication", String(id), [("summary", old, imported.summary)]) else {
        summary.unchanged += 1
        return
      }
      try db.execute(
        sql: "UPDATE communications SET summary = ? WHERE id = ?", arguments: [imported.summary, id])
      summary.updated += 1
      return
    }
    let communication = Communication(
      caseId: caseId, at: imported.at, direction: imported.direction, channel: imported.channel,
      author: imported.author, summary: imported.summary)
    try Records.insert(communication, db)
    // A message of the past is a fact of the case's history: journaled, without moving the status the
    // cases' file gave (an export imported again keeps its statuses).
    try Records.append(
      JournalEvent(
        caseId: caseId, at: imported.at,
        event: .communication(direction: imported.direction, channel: imported.channel),
        reason: "message imported",
        provenance: provenance), db)
    _ = current
    summary.added += 1
  }

  // MARK: Payments

  mutating func upsert(_ line: Line<Payment>) throws {
    let payment = line.value
    if let row = try Row.fetchOne(
      db.cachedStatement(
        sql: "SELECT amount_minor, paid_on FROM payments WHERE invoice_number = ? AND reference = ?"),
      arguments: [payment.invoiceNumber, payment.reference])
    {
      let amount: Int64 = row["amount_minor"]
      let paidOn: String = row["paid_on"]
      guard amount == payment.amount.minorUnits, paidOn == payment.paidOn.description else {
        issue(
          line.line, "reference", payment.reference,
          "payment \(payment.reference) on \(payment.invoiceNumber) was recorded as "
            + "\(Money(minorUnits: amount, currency: payment.amount.currency).decimalText) on \(paidOn); "
            + "payments are kept as recorded (record a correction under another reference)")
        return
      }
      summary.unchanged += 1
      return
    }
    let today = LocalDate(now, in: settings.timeZone)
    guard payment.paidOn <= today else {
      issue(line.line, "paid_on", payment.paidOn.description, "is after today (\(today))")
      return
    }
    if let invoice = try Row.fetchOne(
      db.cachedStatement(sql: "SELECT issued_on, total_minor FROM invoices WHERE number = ?"),
      arguments: [payment.invoiceNumber])
    {
      let issued: String = invoice["issued_on"]
      let total: Int64 = invoice["total_minor"]
      if payment.paidOn.description < issued {
        issue(
          line.line, "paid_on", payment.paidOn.description, "is before the invoice was issued (\(issued))")
        return
      }
      if payment.amount.minorUnits > total {
        issue(
          line.line, "amount", payment.amount.decimalText,
          "is more than the invoice's total (\(Money(minorUnits: total, currency: payment.amount.currency).decimalText)): "
            + "a payment of another invoice, or a typing error?")
        return
      }
    }
    do {
      try Records.recordPayment(
        payment, by: String(source.drop { $0 != ":" }.dropFirst()), at: now, hook: "import", db)
    } catch let error as DomainError {
      issue(line.line, "amount", payment.amount.decimalText, "\(error)")
      return
    } catch let error as StoreError {
      issue(line.line, "invoice", payment.invoiceNumber, "\(error)")
      return
    }
    summary.added += 1
  }
}
