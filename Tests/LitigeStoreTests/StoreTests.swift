import Foundation
import LitigeCore
import Testing

@testable import LitigeStore

private let reference = Date(timeIntervalSince1970: 1_790_000_000)
private let provenance = Provenance(source: "test@1", hook: "triage", runId: "r")

private func demoStore() throws -> (Store, DemoData) {
  let store = try Store.inMemory()
  let data = DemoData.generate(seed: 11, reference: reference)
  try store.load(data, provenance: provenance)
  return (store, data)
}

@Suite("Store")
struct StoreTests {
  @Test func demoDataIsDeterministicAndCoversTheDomain() throws {
    let first = DemoData.generate(seed: 5, reference: reference)
    let second = DemoData.generate(seed: 5, reference: reference)
    #expect(first.cases == second.cases)
    #expect(first.communications == second.communications)
    #expect(first.customers.count == 40 && first.invoices.count == 300 && first.cases.count == 120)
    #expect(Set(first.cases.compactMap(\.category)) == Set(DisputeCategory.allCases))
    #expect(
      Set(first.communications.map(\.channel)).isSuperset(of: [.email, .phone, .registeredLetter, .social]))
    #expect(first.customers.contains { $0.vip } && first.customers.contains { $0.kind == .person })
    #expect(DemoData.generate(seed: 6, reference: reference).cases != first.cases)
  }

  @Test("the demo's histories, replayed through the core, reach every status and every gesture state")
  func demoReachesTheLifecycle() throws {
    let store = try Store.inMemory(
      settings: CompanySettings(approvers: ["claire": Money(minorUnits: 500_000, currency: .euro)]))
    try store.load(DemoData.generate(seed: 11, reference: reference), provenance: provenance)
    let cases = try store.cases(matching: CaseFilter())
    #expect(Set(cases.map(\.status)) == Set(CaseStatus.allCases))
    #expect(Set(cases.flatMap(\.gestures).map(\.state)) == Set(GestureState.allCases))
    // Every status is the journal's: the last status change of each case says where it stands.
    for item in cases {
      let changes = try store.events(ofCase: item.id).compactMap { entry -> CaseStatus? in
        switch entry.event {
        case .statusChanged(_, let to): return to
        case .resolved: return .resolved
        case .closed: return .closed
        case .reopened: return .investigating
        default: return nil
        }
      }
      #expect((changes.last ?? .open) == item.status, "case \(item.id)")
    }
  }

  @Test("a fresh workspace's bulk load gives the same data, and its triggers and indexes are back after it")
  func freshWorkspaceLoad() throws {
    let data = DemoData.generate(seed: 11, reference: reference)
    let plain = try Store.inMemory()
    try plain.load(data, provenance: provenance)
    let bulk = try Store.inMemory()
    let triggers = "SELECT name || ':' || sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name"
    let before = try bulk.database.read { db in try String.fetchAll(db, sql: triggers) }
    try bulk.load(data, provenance: provenance, freshWorkspace: true)
    #expect(try bulk.database.read { db in try String.fetchAll(db, sql: triggers) } == before)
    #expect(before.contains { $0.hasPrefix("wake_on_communication:") })
    #expect(
      before.contains { $0.hasPrefix("cases_open:") }
        && before.contains { $0.hasPrefix("queues_of_new_case:") })
    #expect(try bulk.cases(matching: CaseFilter()) == plain.cases(matching: CaseFilter()))
    // The queues (schema v12) are computed after a bulk load as the triggers compute them case by case.
    let queues = "SELECT id || ':' || queues FROM cases ORDER BY id"
    let bulkQueues = try bulk.database.read { db in try String.fetchAll(db, sql: queues) }
    #expect(bulkQueues == (try plain.database.read { db in try String.fetchAll(db, sql: queues) }))
    #expect(bulkQueues.contains { !$0.hasSuffix(":0") }, "the demo has cases in a queue")
    for id in try plain.caseIds(matching: CaseFilter()) {
      #expect(try bulk.events(ofCase: id).map(\.event) == plain.events(ofCase: id).map(\.event))
    }
    // A message after the load wakes its case again.
    let touched = "SELECT touched FROM cases WHERE id = 1"
    let was = try bulk.database.read { db in try Int.fetchOne(db, sql: touched) }
    try bulk.database.write { db in
      try db.execute(
        sql: """
          INSERT INTO communications (case_id, at, direction, channel, author, summary)
          VALUES (1, '2026-11-29T10:00:00Z', 'incoming', 'email', 'client', 'relance')
          """)
    }
    #expect(try bulk.database.read { db in try Int.fetchOne(db, sql: touched) } == (was ?? 0) + 1)
  }

  @Test func openingACaseSuspendsCollectionOfItsInvoices() throws {
    let (store, _) = try demoStore()
    let active = try #require(try store.cases(matching: CaseFilter(activeOnly: true), limit: 1).first)
    let invoices = try store.invoices(ofCase: active.id)
    #expect(!invoices.isEmpty && invoices.allSatisfy(\.collectionSuspended))
    #expect(try store.events(ofCase: active.id).first?.kind == "opened")
  }

  @Test func resolvingResumesCollectionWithTheNewDueDate() throws {
    let (store, _) = try demoStore()
    let active = try #require(
      try store.cases(matching: CaseFilter(activeOnly: true)).first { $0.invoiceNumbers.count == 1 })
    let due = LocalDate(reference, in: store.settings.timeZone).adding(days: 30)
    let promise = try #require(try store.invoices(ofCase: active.id).first?.outstanding)
    try store.apply(
      [
        ProposedDecision(
          caseId: active.id, decision: .resolve(outcome: .accepted, newDueDate: due, promise: promise),
          reason: "agreed")
      ],
      caseId: active.id, provenance: provenance, at: reference)
    let invoice = try #require(try store.invoices(ofCase: active.id).first)
    let original = try #require(try store.invoice(number: invoice.number)?.dueOn)
    #expect(!invoice.collectionSuspended)
    // The invoice keeps its original due date; the disputed part falls due on the new one.
    #expect(invoice.dueOn == original)
    let ledger = try #require(try store.ledger(ofInvoice: invoice.number))
    #expect(ledger.disputes.first { $0.caseId == active.id }?.newDueOn == due)
    #expect(ledger.disputes.first { $0.caseId == active.id }?.open == false)
    #expect(try store.disputeCase(id: active.id)?.status == .resolved)
  }

  @Test func collectionStaysSuspendedWhileAnotherCaseDisputesTheInvoice() throws {
    let store = try Store.inMemory()
    let euros = { (amount: Int64) in Money(minorUnits: amount * 100, currency: .euro) }
    let issued = try LocalDate(parsing: "2026-09-01")
    let invoice = Invoice(
      number: "F-1", customerId: "C1", issuedOn: issued, dueOn: issued.adding(days: 30), total: euros(900),
      paid: euros(0))
    let cases = [1, 2].map {
      DisputeCase(
        id: $0, customerId: "C1", openedAt: reference, channel: .email, category: .price, reason: "prix",
        disputed: euros(300), invoiceNumbers: ["F-1"])
    }
    try store.insert(
      customers: [Customer(id: "C1", name: "Garage Dupuis", kind: .company)], invoices: [invoice],
      cases: cases,
      provenance: provenance)
    let due = LocalDate(reference, in: store.settings.timeZone).adding(days: 15)
    let resolve = { (id: Int64) in
      try store.apply(
        [
          ProposedDecision(
            caseId: id, decision: .resolve(outcome: .accepted, newDueDate: due, promise: nil), reason: "")
        ],
        caseId: id, provenance: provenance, at: reference)
    }
    try resolve(1)
    #expect(try store.invoice(number: "F-1")?.collectionSuspended == true)
    try resolve(2)
    #expect(try store.invoice(number: "F-1")?.collectionSuspended == false)
    #expect(try store.invoice(number: "F-1")?.dueOn == issued.adding(days: 30))
  }

  @Test func aRefusedDecisionWritesNothing() throws {
    let (store, _) = try demoStore()
    let ids = try store.caseIds(matching: CaseFilter(activeOnly: true))
    let first = try #require(ids.first)
    let second = try #require(ids.dropFirst().first)
    let before = try store.counts()
    #expect(throws: DomainError.self) {
      try store.applyAll(
        [
          first: [ProposedDecision(caseId: first, decision: .tag("ok"), reason: "")],
          second: [ProposedDecision(caseId: second, decision: .prioritize(0), reason: "")],
        ], provenance: provenance, at: reference)
    }
    #expect(try store.counts() == before)
    #expect(try store.disputeCase(id: first)?.tags.isEmpty == true)
  }

  @Test func theJournalIsAppendOnly() throws {
    let (store, _) = try demoStore()
    #expect(throws: (any Error).self) {
      try store.database.write { db in try db.execute(sql: "UPDATE events SET reason = 'edited'") }
    }
    #expect(throws: (any Error).self) {
      try store.database.write { db in try db.execute(sql: "DELETE FROM events") }
    }
  }

  @Test func aFileWorkspaceUsesWriteAheadLogging() throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("litige-\(UUID()).sqlite").path
    defer {
      for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }
    let store = try Store.open(path: path)
    let mode = try store.database.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
    #expect(mode == "wal")
  }

  /// A `settings` row a hand edit filled with bytes that are not UTF-8 (GRDB's `String` decoding stops
  /// the process on them) is read as text with replacement characters: the workspace still opens.
  @Test func aSettingsRowThatIsNotTextStillOpens() throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("litige-\(UUID()).sqlite").path
    defer {
      for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }
    let store = try Store.open(path: path)
    try store.database.write { db in
      try db.execute(sql: "INSERT INTO settings (key, value) VALUES ('figures_indexes_set_aside', x'ff00fe')")
      try db.execute(sql: "INSERT INTO settings (key, value) VALUES ('time_zone', x'ff')")
    }
    let reopened = try Store.open(path: path)
    #expect(reopened.settings.timeZone == CompanySettings().timeZone)
    #expect(try reopened.figuresIndexesSetAside())
    #expect(try reopened.restoreFiguresIndexes() == 0)  // not a list: every missing one, and none is
    #expect(try !reopened.figuresIndexesSetAside())
  }
}

@Suite("Payments")
struct PaymentStoreTests {
  @Test("each payment is kept, paid is their sum, a reference is recorded once, disputing cases hear of it")
  func paymentsAreKeptAndSummed() throws {
    let (store, data) = try demoStore()
    let disputed = try #require(
      try store.cases(matching: CaseFilter(activeOnly: true)).first { !$0.invoiceNumbers.isEmpty })
    let number = disputed.invoiceNumbers[0]
    let before = try #require(try store.invoice(number: number))
    let opening = try store.payments(ofInvoice: number)
    #expect(opening.map(\.payment.amount.minorUnits).reduce(0, +) == before.paid.minorUnits)
    let day = try LocalDate(parsing: "2026-11-20")
    for (reference, cents) in [("VIR-1", Int64(1_000)), ("VIR-2", Int64(2_345))] {
      try store.record(
        Payment(
          invoiceNumber: number, paidOn: day, amount: Money(minorUnits: cents, currency: .euro),
          reference: reference, method: "transfer"), by: "marie", at: Date())
    }
    let after = try #require(try store.invoice(number: number))
    #expect(after.paid.minorUnits == before.paid.minorUnits + 3_345)
    #expect(try store.payments(ofInvoice: number).count == opening.count + 2)
    #expect(throws: DomainError.self) {
      try store.record(
        Payment(
          invoiceNumber: number, paidOn: day, amount: Money(minorUnits: 5, currency: .euro),
          reference: "VIR-2",
          method: "transfer"), by: "marie", at: Date())
    }
    #expect(try store.invoice(number: number)?.paid == after.paid, "a refused payment wrote something")
    let journal = try store.events(ofCase: disputed.id).filter { $0.kind == "payment" }
    #expect(journal.count == 2)
    #expect(journal.first?.provenance.source == "user:marie")
    _ = data
  }
}
