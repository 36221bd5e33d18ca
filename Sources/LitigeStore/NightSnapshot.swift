import Foundation
import GRDB
import LitigeCore

/// Everything nightly hooks read about a range of cases, loaded in a few queries from one snapshot.
///
/// The batch runner loads one per chunk instead of querying case by case: nine range queries in one read
/// transaction replace a dozen point queries per case. Closed cases are left out (the night skips them).
/// Events are decoded once here, not at every `case.history` read, and each case's facts are derived
/// by the core (`CaseFacts.derive`) as for a single case.
public struct NightSnapshot: Sendable {
  /// The cases that are not closed, by id.
  public var cases: [Int64: DisputeCase] = [:]
  /// What the core knows about each case beyond its fields.
  public var facts: [Int64: CaseFacts] = [:]
  /// The id of each case's newest journal event when the snapshot was taken (absent: no event).
  ///
  /// `Store.writeNight` compares it with the stored one to learn whether someone changed the case since.
  public var lastEventIds: [Int64: Int64] = [:]
  /// The customers of those cases, by id.
  public var customers: [String: Customer] = [:]
  /// Each case's invoices, by number.
  public var invoices: [Int64: [Invoice]] = [:]
  /// Each case's communications, oldest first.
  public var communications: [Int64: [Communication]] = [:]
  /// Each case's journal, in the order events were applied, typed.
  public var events: [Int64: [JournalEvent]] = [:]

  /// Cases left out because their records cannot be read, with why (the night reports them failed).
  public var unreadable: [Int64: String] = [:]

  /// The case ids, ascending.
  public var caseIds: [Int64] { cases.keys.sorted() }

  /// An empty snapshot.
  public init() {}
}

/// One successful hook call of a night on one case: what it decided and the events the core derived.
public struct SettledCall: Sendable {
  /// The case.
  public var caseId: Int64
  /// Who decided (`plugin@version`, hook, run).
  public var provenance: Provenance
  /// The decisions, in the order they were made.
  public var decisions: [ProposedDecision]
  /// The events they produce on the snapshot's state.
  public var events: [JournalEvent]

  /// Creates a settled call.
  public init(caseId: Int64, provenance: Provenance, decisions: [ProposedDecision], events: [JournalEvent]) {
    self.caseId = caseId
    self.provenance = provenance
    self.decisions = decisions
    self.events = events
  }
}

/// A settled call that could not be written because the case changed since the snapshot and the core
/// now refuses it.
public struct NightConflict: Sendable, Equatable {
  /// The case.
  public var caseId: Int64
  /// `plugin@version`.
  public var source: String
  /// The hook.
  public var hook: String
  /// The refusal.
  public var message: String
  /// The events the call had produced on the snapshot, none of which was written.
  public var droppedEvents: [JournalEvent]
}

extension Store {
  /// Loads the cases with ids in `range` that are not closed, with everything hooks read about them.
  public func nightSnapshot(of range: ClosedRange<Int64>) throws -> NightSnapshot {
    try database.read { db in try Records.nightSnapshot(of: range, timeZone: settings.timeZone, db) }
  }

  /// Writes a chunk of a night in one transaction: its settled calls and the chunk's checkpoint.
  ///
  /// A case whose journal has not moved since the snapshot (`lastEventIds`) gets `finalCases`' state and
  /// the calls' events as computed. A case someone changed meanwhile is judged again call by call on its
  /// stored state; a call the core now refuses is skipped and returned as a conflict. Either the whole
  /// chunk is written with its checkpoint or nothing is, so a chunk is never applied twice.
  public func writeNight(
    _ calls: [SettledCall], finalCases: [Int64: DisputeCase], lastEventIds: [Int64: Int64], at now: Date,
    runId: String, chunk: Int, cases: Int, failures: Int
  ) throws -> [NightConflict] {
    try database.write { db in
      var conflicts: [NightConflict] = []
      var callsByCase: [Int64: [SettledCall]] = [:]
      for call in calls where !call.events.isEmpty { callsByCase[call.caseId, default: []].append(call) }
      for caseId in callsByCase.keys.sorted() {
        guard let caseCalls = callsByCase[caseId] else { continue }
        let stored = try Int64.fetchOne(
          db.cachedStatement(sql: "SELECT MAX(id) FROM events WHERE case_id = ?"), arguments: [caseId])
        if stored == lastEventIds[caseId], let final = finalCases[caseId] {
          let facts = try Records.facts(for: final, timeZone: settings.timeZone, db)
          try Records.update(final, db)
          for event in caseCalls.flatMap(\.events) {
            try Records.record(event, of: final, facts: facts, timeZone: settings.timeZone, db)
          }
          continue
        }
        for call in caseCalls {
          guard let current = try Records.fetchCase(db, id: caseId) else { break }
          do {
            try Records.apply(
              call.decisions, to: current, settings: settings, provenance: call.provenance, at: now, db)
          } catch let error as DomainError {
            conflicts.append(
              NightConflict(
                caseId: caseId, source: call.provenance.source, hook: call.provenance.hook,
                message: "the case changed during the night and the decision no longer holds: \(error)",
                droppedEvents: call.events))
          }
        }
      }
      try Records.completeChunk(runId: runId, chunk: chunk, cases: cases, failures: failures, db)
      return conflicts
    }
  }
}

extension Records {
  static func completeChunk(runId: String, chunk: Int, cases: Int, failures: Int, _ db: Database) throws {
    try db.executeCached(
      sql: "INSERT OR REPLACE INTO run_chunks (run_id, chunk, cases, failures) VALUES (?, ?, ?, ?)",
      arguments: [runId, chunk, cases, failures])
  }

  static func nightSnapshot(of range: ClosedRange<Int64>, timeZone: TimeZone, _ db: Database) throws
    -> NightSnapshot
  {
    var snapshot = NightSnapshot()
    let bounds: StatementArguments = [range.lowerBound, range.upperBound]
    let links = try invoiceLinks(db, caseIds: [range.lowerBound, range.upperBound])
    let caseRows = try Row.fetchCursor(
      db.cachedStatement(sql: "SELECT * FROM cases WHERE id BETWEEN ? AND ? AND status <> 'closed'"),
      arguments: bounds)
    while let row = try caseRows.next() {
      let disputeCase = try disputeCase(row, invoices: links[row["id"], default: []])
      snapshot.cases[disputeCase.id] = disputeCase
    }
    guard !snapshot.cases.isEmpty else { return snapshot }

    let customerRows = try Row.fetchCursor(
      db.cachedStatement(
        sql: """
          SELECT * FROM customers WHERE id IN
          (SELECT DISTINCT customer_id FROM cases WHERE id BETWEEN ? AND ? AND status <> 'closed')
          """), arguments: bounds)
    while let row = try customerRows.next() {
      let customer = customer(row)
      snapshot.customers[customer.id] = customer
    }
    let invoiceRows = try Row.fetchCursor(
      db.cachedStatement(
        sql: """
          SELECT case_id, invoices.* FROM invoices JOIN case_invoices ON invoice_number = number
          WHERE case_id BETWEEN ? AND ? ORDER BY case_id, number
          """), arguments: bounds)
    while let row = try invoiceRows.next() {
      let caseId: Int64 = row["case_id"]
      guard snapshot.cases[caseId] != nil else { continue }
      snapshot.invoices[caseId, default: []].append(try invoice(row))
    }
    let communicationRows = try Row.fetchCursor(
      db.cachedStatement(
        sql: "SELECT * FROM communications WHERE case_id BETWEEN ? AND ? ORDER BY case_id, at, id"),
      arguments: bounds)
    while let row = try communicationRows.next() {
      let message = try communication(row)
      guard snapshot.cases[message.caseId] != nil else { continue }
      snapshot.communications[message.caseId, default: []].append(message)
    }
    let eventRows = try Row.fetchCursor(
      db.cachedStatement(sql: "SELECT * FROM events WHERE case_id BETWEEN ? AND ? ORDER BY case_id, id"),
      arguments: bounds)
    while let row = try eventRows.next() {
      let caseId: Int64 = row["case_id"]
      guard let owner = snapshot.cases[caseId] else { continue }
      do {
        let journalEvent = try event(row, currency: owner.disputed.currency)
        snapshot.events[caseId, default: []].append(journalEvent)
        snapshot.lastEventIds[caseId] = row["id"]
      } catch let error as StoreError {
        // One case whose journal cannot be read is left out of the night, not the whole chunk.
        snapshot.cases[caseId] = nil
        snapshot.events[caseId] = nil
        snapshot.unreadable[caseId] = error.message
      }
    }
    // The ledgers of the chunk's invoices, with every case's portions of them.
    var ledgers: [String: InvoiceLedger] = [:]
    for invoice in snapshot.invoices.values.joined() {
      ledgers[invoice.number] = InvoiceLedger(invoice: invoice)
    }
    try fillLedgers(
      &ledgers,
      where: "invoice_number IN (SELECT invoice_number FROM case_invoices WHERE case_id BETWEEN ? AND ?)",
      arguments: bounds, db)
    var promises: [Int64: Row] = [:]
    let promiseRows = try Row.fetchCursor(
      db.cachedStatement(sql: "SELECT * FROM promises WHERE case_id BETWEEN ? AND ? ORDER BY case_id, id"),
      arguments: bounds)
    while let row = try promiseRows.next() { promises[row["case_id"]] = row.copy() }

    for (caseId, disputeCase) in snapshot.cases {
      let invoices = snapshot.invoices[caseId] ?? []
      let paid = invoices.reduce(Int64(0)) { $0 + $1.paid.minorUnits }
      var promise: PaymentPromise?
      if let row = promises[caseId] {
        let promiseCurrency = try Currency(code: row["currency"])
        let paidAtPromise: Int64 = row["paid_at_promise_minor"]
        promise = PaymentPromise(
          amount: Money(minorUnits: row["amount_minor"], currency: promiseCurrency),
          dueOn: try LocalDate(parsing: row["due_on"]),
          paidSince: Money(minorUnits: max(0, paid - paidAtPromise), currency: promiseCurrency),
          status: PaymentPromise.Status(rawValue: row["status"]) ?? .pending)
      }
      snapshot.facts[caseId] = CaseFacts.derive(
        journal: snapshot.events[caseId] ?? [], communications: snapshot.communications[caseId] ?? [],
        customerKind: snapshot.customers[disputeCase.customerId]?.kind ?? .company,
        ledgers: invoices.compactMap { ledgers[$0.number] }, promise: promise,
        currency: disputeCase.disputed.currency, timeZone: timeZone)
    }
    return snapshot
  }
}
