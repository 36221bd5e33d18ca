import Foundation
import GRDB
import LitigeCore

/// A credit or write-off as the store keeps it.
public struct RecordedAdjustment: Sendable, Equatable {
  /// The adjustment.
  public var adjustment: LedgerAdjustment
  /// The case it comes from (a granted gesture), if any.
  public var caseId: Int64?
  /// Its reference, unique per invoice (`gesture-12-1`, `WO-2026-004`).
  public var reference: String
  /// Why, in the words of whoever recorded it.
  public var reason: String
  /// Who recorded it.
  public var recordedBy: String
}

/// What the night's invoice pass lists (`Store.invoicePassList`).
public struct InvoicePassList: Sendable, Equatable {
  /// The invoices coming due that are still owed, by due date then number.
  public var owed: [InvoiceComingDue]
  /// The window's invoices that owe nothing (paid, credited or written off), by number, with their
  /// change counters when listed.
  public var owingNothing: [String: Int64]
}

/// An invoice coming due of a customer with a dispute history, and the customer's latest case.
public struct InvoiceComingDue: Sendable, Equatable, Codable {
  /// The invoice's number.
  public var invoice: String
  /// Its due date.
  public var dueOn: LocalDate
  /// The customer's most recent case opened by then: where a letter about the invoice is kept.
  public var caseId: Int64
  /// Why the invoice cannot be read (its stored due date is not a date), or nil: the night reports it
  /// as a failure on `caseId` and leaves the invoice due (`dueOn` is then the window's first day).
  public var unreadable: String?
  /// The invoice's change counter when it was listed (schema v16): the pass writes its next date only
  /// if it has not moved since.
  public var touched: Int64

  /// An invoice coming due.
  public init(
    invoice: String, dueOn: LocalDate, caseId: Int64, unreadable: String? = nil, touched: Int64 = 0
  ) {
    self.invoice = invoice
    self.dueOn = dueOn
    self.caseId = caseId
    self.unreadable = unreadable
    self.touched = touched
  }
}

extension Store {
  /// The invoices due from `first` through `last` that are still owed (after payments, credits and
  /// write-offs), are in no dispute, and belong to a customer who has had one (a case opened by
  /// `asOf`): the night's pass for preventive reminders (relances préventives, domain.md §5).
  ///
  /// Ordered by due date, then number.
  ///
  /// With `dueThrough` (a night's `YYYYMMDD`), only the invoices whose wake-up date has come. The
  /// letters already sent about them are read when they are called (`sentTemplates(ofInvoices:)`).
  public func invoicesComingDue(
    from first: LocalDate, through last: LocalDate, asOf: Date, dueThrough: Int? = nil
  )
    throws -> [InvoiceComingDue]
  {
    try invoicePassList(from: first, through: last, asOf: asOf, dueThrough: dueThrough).owed
  }

  /// `invoicesComingDue`, with the invoices of the window that owe nothing (which it leaves out), by
  /// number with their change counters: the night sets those aside (`setAside(invoicesOwingNothing:)`)
  /// rather than read them again every night.
  public func invoicePassList(
    from first: LocalDate, through last: LocalDate, asOf: Date, dueThrough: Int? = nil
  ) throws -> InvoicePassList {
    // The window is read in two halves on two connections at once: at 1M cases the dispute check of
    // each invoice is a random read, and the night waits for this list before its invoice pass. The
    // halves split the due dates as stored text, `[first, middle)` and `[middle, last]`, so that
    // together they hold exactly what one read of `[first, last]` holds, a malformed date included.
    let span = first.days(until: last)
    let window = (first.description, last.description)
    guard span >= 1 else {
      return try invoicesComingDueSerially(
        from: window.0, through: window.1, below: nil, asOf: asOf, dueThrough: dueThrough)
    }
    let middle = first.adding(days: span / 2 + 1).description
    let (early, late) = try bothAtOnce(
      {
        try invoicesComingDueSerially(
          from: window.0, through: window.1, below: middle, asOf: asOf, dueThrough: dueThrough)
      },
      {
        try invoicesComingDueSerially(
          from: middle, through: window.1, below: nil, asOf: asOf, dueThrough: dueThrough)
      })
    return InvoicePassList(
      owed: early.owed + late.owed, owingNothing: early.owingNothing.merging(late.owingNothing) { $1 })
  }

  /// Sets aside invoices that owe nothing (number -> the change counter they were listed with).
  ///
  /// Until they change: a payment refunded, a credit, a portion moved (schema v16's triggers) make them due
  /// again. One whose counter moved since is left due.
  public func setAside(invoicesOwingNothing: [String: Int64]) throws {
    guard !invoicesOwingNothing.isEmpty else { return }
    try database.write { db in
      // 99991231: only on a change, as `setAsideHeldInvoices` writes it.
      try Records.setInvoiceWakes(
        invoicesOwingNothing.mapValues { _ in 99_991_231 }, touched: invoicesOwingNothing, db)
    }
  }

  /// Sets aside the invoices the night's invoice pass would pass over; returns how many.
  ///
  /// These are the invoices of the pass's window (stored due date from `first` through `last`), still
  /// owed and due by the night of `dueThrough`, that an open case disputes or whose customer has no
  /// case. Their wake-up date becomes "only on a change" (99991231), and schema v15's triggers make
  /// them due again when that ends: the pass then reads only the invoices it may visit.
  public func setAsideHeldInvoices(from first: LocalDate, through last: LocalDate, dueThrough: Int) throws
    -> Int
  {
    try database.write { db in
      try db.execute(
        sql: """
          UPDATE invoices SET wake_on = 99991231
          WHERE due_on BETWEEN ? AND ? AND paid_minor < total_minor AND wake_on <= ?
            AND (EXISTS (
                SELECT 1 FROM case_invoices ci JOIN cases c ON c.id = ci.case_id
                WHERE ci.invoice_number = invoices.number AND ci.disputed_minor > 0 AND c.status <> 'closed')
              OR NOT EXISTS (SELECT 1 FROM cases c WHERE c.customer_id = invoices.customer_id))
          """, arguments: [first.description, last.description, dueThrough])
      return db.changesCount
    }
  }

  /// `invoicesComingDue` in one read, of the invoices whose stored due date is from `first` through
  /// `last`, and before `below` when given (compared as text, as stored).
  private func invoicesComingDueSerially(
    from first: String, through last: String, below: String?, asOf: Date, dueThrough: Int?
  ) throws -> InvoicePassList {
    try database.read { db in
      let rows = try Row.fetchAll(
        db.cachedStatement(
          sql: """
            SELECT i.number, i.due_on, i.touched,
              (SELECT MAX(c.id) FROM cases c WHERE c.customer_id = i.customer_id AND c.opened_at <= ?) AS case_id
            FROM invoices i
            WHERE i.due_on BETWEEN ? AND ? AND (? IS NULL OR i.due_on < ?)
              AND i.paid_minor < i.total_minor AND i.wake_on <= ?
              AND NOT EXISTS (
                SELECT 1 FROM case_invoices ci JOIN cases c ON c.id = ci.case_id
                WHERE ci.invoice_number = i.number AND ci.disputed_minor > 0 AND c.status <> 'closed')
            ORDER BY i.due_on, i.number
            """),
        arguments: [Timestamp.utcText(asOf), first, last, below, below, dueThrough ?? Int.max])
      var owed: [InvoiceComingDue] = []
      var owingNothing: [String: Int64] = [:]
      let candidates = try rows.compactMap { row -> InvoiceComingDue? in
        guard let caseId: Int64 = row["case_id"] else { return nil }
        let stored = StoredRow(row, "invoice", key: "number")
        let number: String = try stored.value("number")
        let touched: Int64 = try stored.value("touched")
        do {
          return InvoiceComingDue(
            invoice: number, dueOn: try stored.parsed("due_on") { try LocalDate(parsing: $0) },
            caseId: caseId,
            touched: touched)
        } catch let error as StoreError {
          // A due date that is no date (a hand edit) sorts inside the window as text: reported, not fatal.
          owed.append(
            InvoiceComingDue(
              invoice: number,
              dueOn: try LocalDate(parsing: first),  // the window's first day, as written by the caller
              caseId: caseId, unreadable: error.message, touched: touched))
          return nil
        }
      }
      for start in stride(from: 0, to: candidates.count, by: 500) {  // within SQLite's variable limit
        let batch = candidates[start..<min(start + 500, candidates.count)]
        let ledgers = try Records.ledgers(of: batch.map(\.invoice), db)
        for candidate in batch {
          guard let ledger = ledgers[candidate.invoice] else { continue }
          if try ledger.owed().minorUnits > 0 {
            owed.append(candidate)
          } else {
            owingNothing[candidate.invoice] = candidate.touched
          }
        }
      }
      return InvoicePassList(owed: owed, owingNothing: owingNothing)
    }
  }

  /// The templates of the letters already sent about each of invoices `numbers`, on any case of the
  /// invoice's customer (a letter about an invoice is sent once, whichever case kept it); by number.
  public func sentTemplates(ofInvoices numbers: [String]) throws -> [String: Set<String>] {
    try database.read { db in
      var sent: [String: Set<String>] = [:]
      for number in numbers {
        // The index events_sent_invoice (schema v12) finds the letters about the invoice.
        sent[number] = Set(
          try String.fetchAll(
            db.cachedStatement(
              sql: """
                SELECT DISTINCT json_extract(e.payload, '$.template') FROM events e
                JOIN cases c ON c.id = e.case_id JOIN invoices i ON i.customer_id = c.customer_id
                WHERE i.number = ? AND e.kind = 'send' AND json_extract(e.payload, '$.invoice') = ?
                """), arguments: [number, number]))
      }
      return sent
    }
  }

  /// The ledgers of invoices `numbers` (unknown ones left out), read together: by number.
  public func ledgers(ofInvoices numbers: [String]) throws -> [String: InvoiceLedger] {
    try database.read { db in
      var ledgers: [String: InvoiceLedger] = [:]
      for start in stride(from: 0, to: numbers.count, by: 500) {  // within SQLite's variable limit
        ledgers.merge(
          try Records.ledgers(of: Array(numbers[start..<min(start + 500, numbers.count)]), db)
        ) { first, _ in first }
      }
      return ledgers
    }
  }

  /// The ledger of invoice `number`: its payments, credits, write-offs and every case's portion of it.
  public func ledger(ofInvoice number: String) throws -> InvoiceLedger? {
    try database.read { db in try Records.ledgers(of: [number], db)[number] }
  }

  /// The credits and write-offs of invoice `number`, in the order recorded.
  public func adjustments(ofInvoice number: String) throws -> [RecordedAdjustment] {
    try database.read { db in
      try Row.fetchAll(
        db.cachedStatement(sql: "SELECT * FROM adjustments WHERE invoice_number = ? ORDER BY id"),
        arguments: [number]
      ).map(Records.adjustment)
    }
  }

  /// Writes off `amount` of invoice `number`: the company gives up collecting it (domain.md §4).
  ///
  /// Refused (`DomainError`) when the amount is not positive, not in the invoice's currency, more than
  /// what is owed, or the reference was used before on the invoice; `StoreError` for an unknown invoice.
  public func writeOff(
    invoice number: String, amount: Money, on day: LocalDate, reference: String, reason: String,
    by author: String,
    at now: Date
  ) throws {
    try database.write { db in
      guard let ledger = try Records.ledgers(of: [number], db)[number] else {
        throw StoreError("no invoice \(number)")
      }
      guard day <= LocalDate(now, in: settings.timeZone) else {
        throw DomainError.refused("a write-off cannot be dated after today (\(day))")
      }
      let adjustment = LedgerAdjustment(kind: .writeOff, invoiceNumber: number, on: day, amount: amount)
      try ledger.checkNewAdjustment(adjustment)
      guard try !Records.adjustmentExists(invoice: number, reference: reference, db) else {
        throw DomainError.refused(
          "a credit or write-off \(reference) is already recorded on invoice \(number)")
      }
      try Records.insert(
        adjustment, caseId: nil, reference: reference, reason: reason, by: author, at: now, db)
      // The cases that dispute the invoice tell it in their story (and the ledger feed names the event).
      for caseId in try Records.casesDisputing(invoice: number, db) {
        try Records.append(
          JournalEvent(
            caseId: caseId, at: now,
            event: .writtenOff(invoice: number, amount: amount, reference: reference),
            reason: reason,
            provenance: Provenance(
              source: "user:\(author)", hook: "invoice write-off", runId: "write-off-\(reference)")),
          db)
      }
    }
  }
}

extension Records {
  static func adjustment(_ row: Row) throws -> RecordedAdjustment {
    let stored = StoredRow(row, "ledger adjustment")
    let currency = try stored.parsed("currency") { try Currency(code: $0) }
    let caseId: Int64? = try stored.optional("case_id")
    return RecordedAdjustment(
      adjustment: LedgerAdjustment(
        kind: try stored.parsed("kind") {
          try LedgerAdjustmentKind(rawValue: $0).orThrow("adjustments.kind")
        },
        invoiceNumber: try stored.value("invoice_number"),
        on: try stored.parsed("on_date") { try LocalDate(parsing: $0) },
        amount: Money(minorUnits: try stored.amount("amount_minor"), currency: currency), caseId: caseId),
      caseId: caseId, reference: try stored.value("reference"), reason: try stored.value("reason"),
      recordedBy: try stored.value("recorded_by"))
  }

  static func adjustmentExists(invoice: String, reference: String, _ db: Database) throws -> Bool {
    try Bool.fetchOne(
      db.cachedStatement(
        sql: "SELECT EXISTS (SELECT 1 FROM adjustments WHERE invoice_number = ? AND reference = ?)"),
      arguments: [invoice, reference]) ?? false
  }

  static func insert(
    _ adjustment: LedgerAdjustment, caseId: Int64?, reference: String, reason: String, by author: String,
    at now: Date, _ db: Database
  ) throws {
    try db.executeCached(
      sql: """
        INSERT INTO adjustments (invoice_number, kind, on_date, currency, amount_minor, case_id, reference, reason,
          recorded_at, recorded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
      arguments: [
        adjustment.invoiceNumber, adjustment.kind.rawValue, adjustment.on.description,
        adjustment.amount.currency.code, adjustment.amount.minorUnits, caseId, reference, reason,
        Timestamp.utcText(now), author,
      ])
  }

  /// Records the invoice pass's next wake-up dates (`YYYYMMDD`, 0 = the next night), by invoice, in
  /// `db`'s transaction.
  ///
  /// An invoice with a counter in `touched` gets its date only if its change counter still has that
  /// value: changed during the night, it stays due.
  static func setInvoiceWakes(_ wakes: [String: Int], touched: [String: Int64] = [:], _ db: Database) throws {
    for (number, day) in wakes.sorted(by: { $0.key < $1.key }) {
      if let counter = touched[number] {
        try db.executeCached(
          sql: "UPDATE invoices SET wake_on = ? WHERE number = ? AND touched = ?",
          arguments: [day, number, counter])
      } else {
        try db.executeCached(
          sql: "UPDATE invoices SET wake_on = ? WHERE number = ?", arguments: [day, number])
      }
    }
  }

  /// The ledgers of invoices `numbers`, by number: payments, credits, write-offs and every case's portion.
  static func ledgers(of numbers: [String], _ db: Database) throws -> [String: InvoiceLedger] {
    guard !numbers.isEmpty else { return [:] }
    let marks = Array(repeating: "?", count: numbers.count).joined(separator: ", ")
    let arguments = StatementArguments(numbers)
    var ledgers: [String: InvoiceLedger] = [:]
    for row in try Row.fetchAll(
      db.cachedStatement(sql: "SELECT * FROM invoices WHERE number IN (\(marks))"), arguments: arguments)
    {
      let invoice = try invoice(row)
      ledgers[invoice.number] = InvoiceLedger(invoice: invoice)
    }
    try fillLedgers(&ledgers, where: "invoice_number IN (\(marks))", arguments: arguments, db)
    return ledgers
  }

  /// Adds payments, adjustments and portions to `ledgers` from the rows matching `condition` (on
  /// `invoice_number`).
  ///
  /// A row that cannot be read throws, or, with `unreadable`, is reported to it with its invoice and
  /// left out (the night then leaves that invoice's cases alone, not the whole chunk).
  static func fillLedgers(
    _ ledgers: inout [String: InvoiceLedger], where condition: String, arguments: StatementArguments,
    unreadable: ((String, StoreError) -> Void)? = nil, _ db: Database
  ) throws {
    /// Runs `read` on `row`, reporting its error with the row's invoice to `unreadable` when given.
    func reading(_ row: Row, _ read: () throws -> Void) throws {
      do {
        try read()
      } catch let error as StoreError {
        guard let unreadable else { throw error }
        unreadable(row["invoice_number"] as String? ?? "", error)
      }
    }
    let payments = try Row.fetchCursor(
      db.cachedStatement(sql: "SELECT * FROM payments WHERE \(condition) ORDER BY id"), arguments: arguments)
    while let row = try payments.next() {
      try reading(row) {
        let stored = StoredRow(row, "payment")
        let number: String = try stored.value("invoice_number")
        guard ledgers[number] != nil else { return }
        let currency = try stored.parsed("currency") { try Currency(code: $0) }
        ledgers[number]?.payments.append(
          Payment(
            invoiceNumber: number, paidOn: try stored.parsed("paid_on") { try LocalDate(parsing: $0) },
            amount: Money(minorUnits: try stored.amount("amount_minor"), currency: currency),
            reference: try stored.value("reference"), method: try stored.value("method")))
      }
    }
    let adjustments = try Row.fetchCursor(
      db.cachedStatement(sql: "SELECT * FROM adjustments WHERE \(condition) ORDER BY id"),
      arguments: arguments)
    while let row = try adjustments.next() {
      try reading(row) {
        let number: String = try StoredRow(row, "ledger adjustment").value("invoice_number")
        guard ledgers[number] != nil else { return }
        ledgers[number]?.adjustments.append(try adjustment(row).adjustment)
      }
    }
    let portions = try Row.fetchCursor(
      db.cachedStatement(
        sql: """
          SELECT case_invoices.*, cases.currency FROM case_invoices JOIN cases ON cases.id = case_id
          WHERE \(condition) ORDER BY case_id
          """), arguments: arguments)
    while let row = try portions.next() {
      try reading(row) {
        let stored = StoredRow(row, "case", key: "case_id", table: "case_invoices")
        let number: String = try stored.value("invoice_number")
        guard ledgers[number] != nil else { return }
        let currency = try stored.parsed("currency") { try Currency(code: $0) }
        ledgers[number]?.disputes.append(
          DisputedPortion(
            caseId: try stored.value("case_id"), invoiceNumber: number,
            amount: Money(minorUnits: try stored.amount("disputed_minor"), currency: currency),
            open: try stored.value("open"),
            newDueOn: try stored.parsedIfPresent("new_due_on") { try LocalDate(parsing: $0) }))
      }
    }
  }

  /// Opens `disputeCase` and returns it as opened, with its `opened` event.
  ///
  /// The core checks and computes its portions, the store links and freezes them, and journals the
  /// event.
  ///
  /// `ledgers`, when given, must hold the current ledgers of the case's invoices (a bulk load reads
  /// them once for many cases); otherwise they are read. With `journaling` false the event is not
  /// appended: the caller appends it before anything else is (a bulk load appends many at once).
  @discardableResult
  static func open(
    _ disputeCase: DisputeCase, provenance: Provenance, ledgers known: [String: InvoiceLedger]? = nil,
    journaling: Bool = true, _ db: Database
  ) throws -> (DisputeCase, JournalEvent) {
    let ledgers = try known ?? self.ledgers(of: disputeCase.invoiceNumbers, db)
    for number in disputeCase.invoiceNumbers where ledgers[number] == nil {
      throw StoreError("case \(disputeCase.id): no invoice \(number)")
    }
    let (opened, event) = try CaseRules.open(
      disputeCase, ledgers: disputeCase.invoiceNumbers.compactMap { ledgers[$0] })
    try insert(opened, db)
    for number in opened.invoiceNumbers {
      try db.executeCached(
        sql: "INSERT INTO case_invoices (case_id, invoice_number, disputed_minor, open) VALUES (?, ?, ?, ?)",
        arguments: [
          opened.id, number, opened.portions[number]?.minorUnits ?? 0, opened.status.isActive,
        ])
    }
    try refreshCollection(of: opened.invoiceNumbers, db)
    let journalEvent = JournalEvent(
      caseId: opened.id, at: opened.openedAt, event: event, reason: "case opened", provenance: provenance)
    if journaling { try append(journalEvent, db) }
    return (opened, journalEvent)
  }

  /// Judges `decisions` on `current` with the core and writes the outcome.
  ///
  /// The case's new state, its events and their ledger effects; returns the events (none when nothing
  /// changed).
  @discardableResult
  static func apply(
    _ decisions: [ProposedDecision], to current: DisputeCase, settings: CompanySettings,
    provenance: Provenance,
    at now: Date, _ db: Database
  ) throws -> [JournalEvent] {
    let facts = try self.facts(for: current, timeZone: settings.timeZone, db)
    let (updated, events) = try CaseRules.apply(
      decisions, to: current, facts: facts, settings: settings, provenance: provenance, at: now)
    guard !events.isEmpty else { return [] }
    try update(updated, db)
    try record(events, of: updated, facts: facts, timeZone: settings.timeZone, db)
    return events
  }

  /// Appends `event` to the journal and executes the ledger effects the core derives from it.
  ///
  /// `timeZone` is the company's: a credit is dated the day of the event there.
  static func record(
    _ event: JournalEvent, of disputeCase: DisputeCase, facts: CaseFacts, timeZone: TimeZone, _ db: Database
  ) throws {
    try record(CollectionOfOne(event), of: disputeCase, facts: facts, timeZone: timeZone, db)
  }

  /// Appends `events` (in their order, several rows per statement), then executes the ledger effects
  /// the core derives from each, in the same order: an effect reads no event id and appends none, and
  /// `facts` are the case's before the events, as for `record` one by one.
  static func record(
    _ events: some Collection<JournalEvent>, of disputeCase: DisputeCase, facts: CaseFacts,
    timeZone: TimeZone, _ db: Database
  ) throws {
    try append(events, db)
    try executeEffects(of: events, on: disputeCase, facts: facts, timeZone: timeZone, db)
  }

  /// Executes the ledger effects the core derives from `events` (already in the journal), in order.
  static func executeEffects(
    of events: some Collection<JournalEvent>, on disputeCase: DisputeCase, facts: CaseFacts,
    timeZone: TimeZone, _ db: Database
  ) throws {
    for event in events {
      for effect in CaseRules.effects(of: event.event, on: disputeCase, facts: facts) {
        try execute(effect, of: disputeCase, event: event, timeZone: timeZone, db)
      }
    }
  }

  private static func execute(
    _ effect: LedgerEffect, of disputeCase: DisputeCase, event: JournalEvent, timeZone: TimeZone,
    _ db: Database
  ) throws {
    let caseId = disputeCase.id
    switch effect {
    case .freeze(let portions):
      for (number, amount) in portions {
        try db.executeCached(
          sql:
            "UPDATE case_invoices SET disputed_minor = ?, open = 1 WHERE case_id = ? AND invoice_number = ?",
          arguments: [amount.minorUnits, caseId, number])
      }
    case .release(let newDueOn):
      try db.executeCached(
        sql: "UPDATE case_invoices SET open = 0, new_due_on = ? WHERE case_id = ? AND disputed_minor > 0",
        arguments: [newDueOn?.description, caseId])
    case .refreeze:
      try db.executeCached(
        sql: "UPDATE case_invoices SET open = 1, new_due_on = NULL WHERE case_id = ?", arguments: [caseId])
    case .adjust(let kind, let allocation, let reference):
      let day = LocalDate(event.at, in: timeZone)
      for (number, amount) in allocation.sorted(by: { $0.key < $1.key }) {
        guard try !adjustmentExists(invoice: number, reference: reference, db) else { continue }
        try insert(
          LedgerAdjustment(kind: kind, invoiceNumber: number, on: day, amount: amount, caseId: caseId),
          caseId: caseId, reference: reference, reason: "gesture granted on case \(caseId)",
          by: event.provenance.source,
          at: event.at, db)
      }
    case .recordPromise(let amount, let dueOn):
      try insertPromise(
        caseId: caseId, customerId: disputeCase.customerId, amount: amount, dueOn: dueOn,
        paidAtPromise: try paidOnInvoices(of: caseId, db), db)
    case .judgePromise(let status):
      try db.executeCached(
        sql: """
          UPDATE promises SET status = ? WHERE id = (SELECT MAX(id) FROM promises WHERE case_id = ?)
          AND status = 'pending'
          """, arguments: [status.rawValue, caseId])
    }
    try refreshCollection(of: disputeCase.invoiceNumbers, db)
  }

  /// Sets `collection_suspended` on `numbers`: suspended while an open case disputes a part of it.
  static func refreshCollection(of numbers: [String], _ db: Database) throws {
    for number in numbers {
      try db.executeCached(
        sql: """
          UPDATE invoices SET collection_suspended = EXISTS (SELECT 1 FROM case_invoices
            WHERE invoice_number = ? AND open = 1 AND disputed_minor > 0) WHERE number = ?
          """, arguments: [number, number])
    }
  }

  /// Schema v5 on a workspace of 0.3 or earlier: each case's disputed amount becomes portions of its
  /// invoices (in number order, each up to what it owed, never beyond its total), resolved cases'
  /// portions are released, and gestures granted before gestures had states become credits.
  static func migratePortionsAndGestures(_ db: Database) throws {
    let rows = try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM cases ORDER BY id"))
    for row in rows {
      let caseId: Int64 = row["id"]
      let numbers = try String.fetchAll(
        db.cachedStatement(
          sql: "SELECT invoice_number FROM case_invoices WHERE case_id = ? ORDER BY invoice_number"),
        arguments: [caseId])
      var disputeCase = try disputeCase(
        row, invoices: numbers.map { InvoiceLink(number: $0, disputedMinor: 0) })
      let ledgers = try self.ledgers(of: numbers, db)
      let ordered = numbers.compactMap { ledgers[$0] }
      var portions = CaseRules.allocate(
        disputeCase.disputed, over: numbers, ledgers: ordered, owedFirst: true)
      for ledger in ordered {
        if let portion = portions[ledger.invoice.number], portion > ledger.invoice.total {
          portions[ledger.invoice.number] = ledger.invoice.total
        }
      }
      for (number, amount) in portions {
        try db.execute(
          sql: """
            UPDATE case_invoices SET disputed_minor = ?, open = ?,
              new_due_on = CASE WHEN ? THEN NULL ELSE (SELECT due_on FROM invoices WHERE number = ?) END
            WHERE case_id = ? AND invoice_number = ?
            """,
          arguments: [
            amount.minorUnits, disputeCase.status.isActive, disputeCase.status.isActive, number, caseId,
            number,
          ])
      }
      // Gestures of 0.3 were granted the moment a script proposed them: they are granted, and credit
      // notes, discounts and refunds lower what the invoices owe.
      disputeCase.portions = portions
      var withPortions = ordered
      for index in withPortions.indices {
        if let amount = portions[withPortions[index].invoice.number] {
          withPortions[index].disputes.append(
            DisputedPortion(
              caseId: caseId, invoiceNumber: withPortions[index].invoice.number, amount: amount,
              open: disputeCase.status.isActive))
        }
      }
      let facts = CaseFacts(ledgers: withPortions, outstanding: .zero(disputeCase.disputed.currency))
      var working = facts
      for gesture in disputeCase.gestures where gesture.state == .granted {
        let effects = CaseRules.grantEffects(
          id: gesture.id, kind: gesture.kind, amount: gesture.amount, on: disputeCase,
          ledgers: working.ledgers)
        for effect in effects {
          guard case .adjust(let kind, let allocation, let reference) = effect else { continue }
          for (number, amount) in allocation.sorted(by: { $0.key < $1.key }) {
            try insert(
              LedgerAdjustment(
                kind: kind, invoiceNumber: number, on: LocalDate(disputeCase.openedAt, in: .gmt),
                amount: amount,
                caseId: caseId),
              caseId: caseId, reference: reference, reason: "gesture granted before 0.4 (migration)",
              by: "migration", at: Date(), db)
          }
        }
        working.apply(effects, caseId: caseId, on: LocalDate(disputeCase.openedAt, in: .gmt))
      }
      try update(disputeCase, db)
      try refreshCollection(of: numbers, db)
    }
  }
}

extension Optional {
  /// The value, or a `StoreError` naming `field` when it is nil.
  func orThrow(_ field: String) throws -> Wrapped {
    guard let value = self else { throw StoreError("\(field): unreadable value") }
    return value
  }
}
