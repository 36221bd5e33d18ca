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

  /// Each case's change counter when the snapshot was taken (`cases.touched`): the night's new
  /// wake-up date is written only if it has not moved since.
  public var touched: [Int64: Int64] = [:]

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
  ///
  /// With `dueThrough` (`NightIndex.caseKey` of the night's instant), only the cases whose key is on or before
  /// it are loaded: the rest of the range is not read at all.
  public func nightSnapshot(of range: ClosedRange<Int64>, dueThrough: Int? = nil) throws -> NightSnapshot {
    try database.read { db in
      try Records.nightSnapshot(.range(range, dueThrough: dueThrough), timeZone: settings.timeZone, db)
    }
  }

  /// Loads cases `ids` (closed ones too; unknown ids are left out) with everything hooks read about
  /// them, as `nightSnapshot(of:)` does for a range: the night's invoice pass reads its cases so.
  public func nightSnapshot(ofCases ids: Set<Int64>) throws -> NightSnapshot {
    try database.read { db in
      try Records.nightSnapshot(.cases(ids.sorted()), timeZone: settings.timeZone, db)
    }
  }

  /// The ids of the cases that are not closed and are due by `key` (their stored wake-up key is not
  /// after it: `NightIndex.caseKey` of the night's instant), ascending; with `full`, every case that
  /// is not closed.
  public func dueCaseIds(through key: Int, full: Bool) throws -> [Int64] {
    try database.read { db in
      try Int64.fetchAll(
        db,
        sql: full
          ? "SELECT id FROM cases WHERE status <> 'closed' ORDER BY id"
          : "SELECT id FROM cases WHERE status <> 'closed' AND wake_on <= ? ORDER BY id",
        arguments: full ? [] : [key])
    }
  }

  /// The instant from which the wake-up index says case `caseId` is due, as the batch runner stores
  /// it (`NightIndex.caseKey`: the UTC minute `YYYYMMDDhhmm`): 0 for the next night, 999912312359
  /// only when it changes; nil for no such case.
  public func wakeOn(caseId: Int64) throws -> Int? {
    try database.read { db in
      try Int.fetchOne(db, sql: "SELECT wake_on FROM cases WHERE id = ?", arguments: [caseId])
    }
  }

  /// The first night (`YYYYMMDD`) the invoice pass is due to visit invoice `number` on: 0 for the
  /// next night, 99991231 only when it changes; nil for no such invoice.
  public func wakeOn(invoice number: String) throws -> Int? {
    try database.read { db in
      try Int.fetchOne(db, sql: "SELECT wake_on FROM invoices WHERE number = ?", arguments: [number])
    }
  }

  /// How many cases are not closed.
  public func openCaseCount() throws -> Int {
    try database.read { db in
      try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM cases WHERE status <> 'closed'") ?? 0
    }
  }

  /// The fingerprint of the plugins and configuration that computed the stored wake-up dates, and the
  /// last night (`YYYYMMDD`) they served; nils when no night recorded them.
  public func nightIndexState() throws -> (fingerprint: String?, lastNight: Int?) {
    try database.read { db in
      let row = try Row.fetchOne(db, sql: "SELECT fingerprint, last_night FROM night_index WHERE id = 1")
      return (row?["fingerprint"], row?["last_night"])
    }
  }

  /// Records that the stored wake-up dates were computed by `fingerprint` (after a full night).
  public func setNightIndexFingerprint(_ fingerprint: String) throws {
    try database.write { db in
      try db.execute(
        sql: """
          INSERT INTO night_index (id, fingerprint) VALUES (1, ?)
          ON CONFLICT(id) DO UPDATE SET fingerprint = excluded.fingerprint
          """, arguments: [fingerprint])
    }
  }

  /// How a night run visits its cases: what a resumed run checks its chunks done before against.
  public struct NightVisits: Codable, Equatable, Sendable {
    /// The run (`RunRecord.id`).
    public var runId: String
    /// The fingerprint of the plugins and configuration its chunks ran under (`NightIndex.fingerprint`).
    public var fingerprint: String
    /// Whether it visits every open case (a full night), not only the due ones.
    public var full: Bool

    /// What a run records before its first chunk.
    public init(runId: String, fingerprint: String, full: Bool) {
      (self.runId, self.fingerprint, self.full) = (runId, fingerprint, full)
    }
  }

  /// The `settings` row holding the last run's `NightVisits` (JSON).
  static let nightVisitsKey = "night_run_visits"

  /// How the last night run that recorded it visits its cases; nil when none did (workspaces of
  /// earlier releases) or the row is not what `setNightVisits` writes.
  public func nightVisits() throws -> NightVisits? {
    try database.read { db in
      guard let text = try Self.setting(Self.nightVisitsKey, db) else { return nil }
      return try? JSONDecoder().decode(NightVisits.self, from: Data(text.utf8))
    }
  }

  /// Records how the run starting (or starting again) now visits its cases, before its first chunk.
  public func setNightVisits(_ visits: NightVisits) throws {
    let text = String(decoding: try JSONEncoder().encode(visits), as: UTF8.self)
    try database.write { db in try Self.writeSetting(Self.nightVisitsKey, text, db) }
  }

  /// Records the night of `key` (`YYYYMMDD`) as the latest the stored dates may be relative to: the
  /// later of it and the last one, or exactly it (`exact`, after a full night recomputed every date).
  public func setNightIndexLastNight(_ key: Int, exact: Bool) throws {
    try database.write { db in
      try db.execute(
        sql: """
          INSERT INTO night_index (id, fingerprint, last_night) VALUES (1, '', ?)
          ON CONFLICT(id) DO UPDATE SET last_night = CASE WHEN ? THEN excluded.last_night
            ELSE MAX(COALESCE(last_night, 0), excluded.last_night) END
          """, arguments: [key, exact])
    }
  }

  /// Writes a chunk of a night in one transaction: its settled calls and the chunk's checkpoint.
  ///
  /// A case whose journal has not moved since the snapshot (`lastEventIds`) gets `finalCases`' state and
  /// the calls' events as computed. A case someone changed meanwhile is judged again call by call on its
  /// stored state; a call the core now refuses is skipped and returned as a conflict. Either the whole
  /// chunk is written with its checkpoint or nothing is, so a chunk is never applied twice.
  ///
  /// `wakes` are the visited cases' next wake-up keys (`NightIndex.caseKey`, 0 = the next night); each is
  /// written only for a case whose change counter is still the snapshot's (`touched`): a case someone
  /// changed meanwhile stays due. A case decided on tonight is due the next night unless its date is
  /// later (the runner asked its policies again on the decided state). `lastCaseId` is the chunk's last case id, recorded
  /// with its checkpoint (the chunk is named by its first). With `chunk` nil no checkpoint is
  /// recorded (the invoice pass, which a resumed night runs again). `invoiceWakes` are the invoice
  /// pass's next dates for the invoices it visited (`YYYYMMDD`, 0 = the next night), each written only
  /// if the invoice's change counter is still the one in `invoicesTouched` (when given). `storedCases` are
  /// the cases as the snapshot read them: a case unchanged since is written column by column, only
  /// what its calls changed.
  public func writeNight(
    _ calls: [SettledCall], finalCases: [Int64: DisputeCase], storedCases: [Int64: DisputeCase] = [:],
    lastEventIds: [Int64: Int64], at now: Date,
    runId: String, chunk: Int?, cases: Int, failures: Int, wakes: [Int64: Int] = [:],
    touched: [Int64: Int64] = [:], lastCaseId: Int64? = nil, invoiceWakes: [String: Int] = [:],
    invoicesTouched: [String: Int64] = [:], decisionsByOwner: [String: Int] = [:]
  ) throws -> [NightConflict] {
    try database.write { db in
      var conflicts: [NightConflict] = []
      var callsByCase: [Int64: [SettledCall]] = [:]
      for call in calls where !call.events.isEmpty { callsByCase[call.caseId, default: []].append(call) }
      // Which cases changed since the snapshot, in one query for the chunk: a case's change counter
      // moves with every change made outside the night (schema v10).
      // Only the chunk's own cases: a chunk of due cases may span many ids it did not visit.
      var counters: [Int64: Int64] = [:]
      if !touched.isEmpty {
        let ids = Records.jsonList(Array(touched.keys))
        let rows = try Row.fetchCursor(
          db.cachedStatement(
            sql: "SELECT id, touched FROM cases WHERE id IN (SELECT value FROM json_each(?))"),
          arguments: [ids])
        while let row = try rows.next() { counters[row[0]] = row[1] }
      }
      var journal = PendingJournal()
      for caseId in callsByCase.keys.sorted() {
        guard let caseCalls = callsByCase[caseId] else { continue }
        let unchanged: Bool
        if let counter = touched[caseId] {
          unchanged = counters[caseId] == counter
        } else {
          unchanged =
            try Int64.fetchOne(
              db.cachedStatement(sql: "SELECT MAX(id) FROM events WHERE case_id = ?"), arguments: [caseId])
            == lastEventIds[caseId]
        }
        if unchanged, let final = finalCases[caseId] {
          let events = caseCalls.flatMap(\.events)
          // Only a granted gesture's ledger effects read the facts (CaseRules.effects): derived then.
          let granting = events.contains { if case .gestureGranted = $0.event { true } else { false } }
          let facts =
            granting
            ? try Records.facts(for: final, timeZone: settings.timeZone, db)
            : CaseFacts.derive(
              journal: [], communications: [], customerKind: .company, ledgers: [], promise: nil,
              currency: final.disputed.currency, timeZone: settings.timeZone)
          // Decided tonight: due the next night (the night's own events do not fire the trigger)...
          try Records.update(final, stored: storedCases[caseId], dueNextNight: true, db)
          try Records.executeEffects(of: events, on: final, facts: facts, timeZone: settings.timeZone, db)
          try journal.add(events, db)
          // ...unless the night asked its policies again on the decided state and they declared a later
          // date (BatchRunner's probe). Written last: the case's own triggers have set 0 by now.
          if let day = wakes[caseId], day != 0 {
            try db.executeCached(
              sql: "UPDATE cases SET wake_on = ? WHERE id = ? AND status <> 'closed'",
              arguments: [day, caseId])
          }
          continue
        }
        try journal.flush(db)
        try db.executeCached(sql: "UPDATE cases SET wake_on = 0 WHERE id = ?", arguments: [caseId])
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
      try journal.flush(db)
      for (caseId, day) in wakes where callsByCase[caseId] == nil {
        guard let counter = touched[caseId] else { continue }
        try db.executeCached(
          sql: "UPDATE cases SET wake_on = ? WHERE id = ? AND touched = ? AND status <> 'closed'",
          arguments: [day, caseId, counter])
      }
      try Records.setInvoiceWakes(invoiceWakes, touched: invoicesTouched, db)
      if let chunk {
        // The chunk's decisions by owner as the night counts them, less the calls not written.
        var byOwner = decisionsByOwner
        for conflict in conflicts {
          let owner = storedCases[conflict.caseId]?.owner?.rawValue ?? "unassigned"
          byOwner[owner, default: 0] -= conflict.droppedEvents.count
        }
        try Records.completeChunk(
          runId: runId, chunk: chunk, cases: cases, failures: failures, lastCaseId: lastCaseId,
          decisionsByOwner: byOwner, db)
      }
      return conflicts
    }
  }
}

extension Records {
  static func completeChunk(
    runId: String, chunk: Int, cases: Int, failures: Int, lastCaseId: Int64? = nil,
    decisionsByOwner: [String: Int] = [:], _ db: Database
  ) throws {
    let byOwner = String(
      decoding: try JSONEncoder().encode(decisionsByOwner.filter { $0.value != 0 }), as: UTF8.self)
    try db.executeCached(
      sql: """
        INSERT OR REPLACE INTO run_chunks (run_id, chunk, cases, failures, last_case_id, by_owner)
        VALUES (?, ?, ?, ?, ?, ?)
        """,
      arguments: [runId, chunk, cases, failures, lastCaseId, byOwner])
  }

  /// Which cases a night snapshot reads.
  enum SnapshotSelection {
    /// The cases of `range` that are not closed; with `dueThrough`, only those due by that night.
    case range(ClosedRange<Int64>, dueThrough: Int?)
    /// These cases, whatever their status.
    case cases([Int64])
  }

  /// `ids` as a JSON list, for `IN (SELECT value FROM json_each(?))`: one argument, whatever their number.
  static func jsonList(_ ids: [Int64]) -> String {
    "[" + ids.map(String.init).joined(separator: ",") + "]"
  }

  static func nightSnapshot(_ selection: SnapshotSelection, timeZone: TimeZone, _ db: Database) throws
    -> NightSnapshot
  {
    var snapshot = NightSnapshot()
    // The cases read (`selected`), and the same as a condition on `case_id` (`inRange`).
    var selected = "SELECT value FROM json_each(?)"
    var inRange = "case_id IN (\(selected))"
    let bounds: StatementArguments
    switch selection {
    case .cases(let ids):
      guard !ids.isEmpty else { return snapshot }
      bounds = [jsonList(ids)]
    case .range(let range, let dueThrough?):
      // Selected once, from the narrow index of open cases (schema v12), then named by id: a chunk of
      // due cases spans many cases asleep tonight, whose wide rows each query would read again.
      let ids = try Int64.fetchAll(
        db.cachedStatement(
          sql: "SELECT id FROM cases WHERE id BETWEEN ? AND ? AND status <> 'closed' AND wake_on <= ?"),
        arguments: [range.lowerBound, range.upperBound, dueThrough])
      guard !ids.isEmpty else { return snapshot }
      bounds = [jsonList(ids)]
    case .range(let range, nil):
      selected = "SELECT id FROM cases WHERE id BETWEEN ? AND ? AND status <> 'closed'"
      inRange = "case_id BETWEEN ? AND ?"
      bounds = [range.lowerBound, range.upperBound]
    }
    // A case whose stored data cannot be read (a workspace edited by hand) is left out of the night
    // with the reason, not the whole chunk: `unreadable` names it, and the rest of the chunk goes on.
    var unreadable: [Int64: String] = [:]
    func leaveOut(_ caseId: Int64, _ error: StoreError) {
      if unreadable[caseId] == nil { unreadable[caseId] = error.message }
    }
    let links = try invoiceLinks(db, where: inRange, arguments: bounds, unreadable: leaveOut)
    let caseRows = try Row.fetchCursor(
      db.cachedStatement(sql: "SELECT * FROM cases WHERE id IN (\(selected))"), arguments: bounds)
    while let row = try caseRows.next() {
      let id: Int64 = row["id"]  // the rowid: always an integer
      do {
        let disputeCase = try disputeCase(row, invoices: links[id, default: []])
        snapshot.cases[id] = disputeCase
        snapshot.touched[id] = try StoredRow(row, "case").value("touched")
      } catch let error as StoreError {
        leaveOut(id, error)
      }
    }
    guard !snapshot.cases.isEmpty else { return snapshot.leavingOut(unreadable) }

    let customerRows = try Row.fetchCursor(
      db.cachedStatement(
        sql:
          "SELECT * FROM customers WHERE id IN (SELECT DISTINCT customer_id FROM cases WHERE id IN (\(selected)))"
      ), arguments: bounds)
    var unreadableCustomers: [String: StoreError] = [:]
    while let row = try customerRows.next() {
      do {
        let customer = try customer(row)
        snapshot.customers[customer.id] = customer
      } catch let error as StoreError {
        unreadableCustomers[(try? StoredRow(row, "customer").value("id", as: String.self)) ?? ""] = error
      }
    }
    for (caseId, disputeCase) in snapshot.cases {
      if let error = unreadableCustomers[disputeCase.customerId] { leaveOut(caseId, error) }
    }
    let invoiceRows = try Row.fetchCursor(
      db.cachedStatement(
        sql: """
          SELECT case_id, invoices.* FROM invoices JOIN case_invoices ON invoice_number = number
          WHERE \(inRange) ORDER BY case_id, number
          """), arguments: bounds)
    while let row = try invoiceRows.next() {
      let caseId: Int64 = try StoredRow(row, "case", key: "case_id").value("case_id")
      guard snapshot.cases[caseId] != nil else { continue }
      do {
        snapshot.invoices[caseId, default: []].append(try invoice(row))
      } catch let error as StoreError {
        leaveOut(caseId, error)
      }
    }
    let communicationRows = try Row.fetchCursor(
      db.cachedStatement(
        sql: "SELECT * FROM communications WHERE \(inRange) ORDER BY case_id, at, id"),
      arguments: bounds)
    while let row = try communicationRows.next() {
      let caseId: Int64 = try StoredRow(row, "communication").value("case_id")
      guard snapshot.cases[caseId] != nil else { continue }
      do {
        snapshot.communications[caseId, default: []].append(try communication(row))
      } catch let error as StoreError {
        leaveOut(caseId, error)
      }
    }
    let eventRows = try Row.fetchCursor(
      db.cachedStatement(sql: "SELECT * FROM events WHERE \(inRange) ORDER BY case_id, id"),
      arguments: bounds)
    while let row = try eventRows.next() {
      let caseId: Int64 = try StoredRow(row, "journal event").value("case_id")
      guard let owner = snapshot.cases[caseId] else { continue }
      do {
        let journalEvent = try event(row, currency: owner.disputed.currency)
        snapshot.events[caseId, default: []].append(journalEvent)
        snapshot.lastEventIds[caseId] = row["id"]  // the rowid: always an integer
      } catch let error as StoreError {
        leaveOut(caseId, error)
      }
    }
    // The ledgers of the chunk's invoices, with every case's portions of them.
    var ledgers: [String: InvoiceLedger] = [:]
    for invoice in snapshot.invoices.values.joined() {
      ledgers[invoice.number] = InvoiceLedger(invoice: invoice)
    }
    // A payment, adjustment or portion that cannot be read leaves out the cases of its invoice.
    var unreadableInvoices: [String: StoreError] = [:]
    try fillLedgers(
      &ledgers,
      where: "invoice_number IN (SELECT invoice_number FROM case_invoices WHERE \(inRange))",
      arguments: bounds,
      unreadable: { number, error in unreadableInvoices[number] = unreadableInvoices[number] ?? error },
      db)
    if !unreadableInvoices.isEmpty {
      for (caseId, invoices) in snapshot.invoices {
        if let error = invoices.lazy.compactMap({ unreadableInvoices[$0.number] }).first {
          leaveOut(caseId, error)
        }
      }
    }
    var promises: [Int64: Row] = [:]
    let promiseRows = try Row.fetchCursor(
      db.cachedStatement(sql: "SELECT * FROM promises WHERE \(inRange) ORDER BY case_id, id"),
      arguments: bounds)
    while let row = try promiseRows.next() {
      promises[try StoredRow(row, "promise").value("case_id")] = row.copy()
    }

    for (caseId, disputeCase) in snapshot.cases where unreadable[caseId] == nil {
      let invoices = snapshot.invoices[caseId] ?? []
      let paid = invoices.reduce(Int64(0)) { $0 + $1.paid.minorUnits }
      var promise: PaymentPromise?
      if let row = promises[caseId] {
        do {
          promise = try Records.promise(row, paidNow: paid)
        } catch let error as StoreError {
          leaveOut(caseId, error)
          continue
        }
      }
      snapshot.facts[caseId] = CaseFacts.derive(
        journal: snapshot.events[caseId] ?? [], communications: snapshot.communications[caseId] ?? [],
        customerKind: snapshot.customers[disputeCase.customerId]?.kind ?? .company,
        ledgers: invoices.compactMap { ledgers[$0.number] }, promise: promise,
        currency: disputeCase.disputed.currency, timeZone: timeZone)
    }
    return snapshot.leavingOut(unreadable)
  }
}

extension NightSnapshot {
  /// This snapshot without the cases of `unreadable`, which it records with their reasons.
  func leavingOut(_ unreadable: [Int64: String]) -> NightSnapshot {
    guard !unreadable.isEmpty else { return self }
    var result = self
    for (caseId, message) in unreadable {
      result.unreadable[caseId] = message
      result.cases[caseId] = nil
      result.facts[caseId] = nil
      result.lastEventIds[caseId] = nil
      result.invoices[caseId] = nil
      result.communications[caseId] = nil
      result.events[caseId] = nil
      result.touched[caseId] = nil
    }
    return result
  }
}

/// The events of a night's chunk waiting to be appended: the events of several cases go in one INSERT
/// (`Records.append`).
///
/// Only the rows wait: a case's ledger effects are executed when the case is written, as before (they
/// read no event and no event's id, and the night's events fire no trigger), so every table but the
/// journal changes in the same order, and the journal's rows keep theirs. A caller flushes before
/// anything that appends events otherwise (a case judged again) and before the chunk ends.
struct PendingJournal {
  private var events: [JournalEvent] = []

  /// Adds `events`; appends what waits once it fills an INSERT.
  mutating func add(_ events: [JournalEvent], _ db: Database) throws {
    self.events += events
    if self.events.count >= Records.eventsPerStatement { try flush(db) }
  }

  /// Appends every event waiting.
  mutating func flush(_ db: Database) throws {
    guard !events.isEmpty else { return }
    try Records.append(events, db)
    events.removeAll(keepingCapacity: true)
  }
}
