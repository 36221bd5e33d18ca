import Foundation
import GRDB
import LitigeCore
import Testing

@testable import LitigeStore

private let reference = Date(timeIntervalSince1970: 1_790_000_000)
private let provenance = Provenance(source: "night@1", hook: "nightly", runId: "n1")

private func demoStore() throws -> Store {
  let store = try Store.inMemory()
  let data = DemoData.generate(seed: 11, reference: reference)
  try store.load(data, provenance: provenance)
  return store
}

@Suite("Night snapshots")
struct NightSnapshotTests {
  @Test("a chunk's snapshot holds exactly what the case-by-case reads return")
  func snapshotMatchesPointReads() throws {
    let store = try demoStore()
    let snapshot = try store.nightSnapshot(of: 1...200)
    let open = try store.caseIds(matching: CaseFilter()).filter {
      try store.disputeCase(id: $0)?.status != .closed
    }
    #expect(snapshot.caseIds == open)
    for id in open {
      let stored = try #require(try store.disputeCase(id: id))
      #expect(snapshot.cases[id] == stored)
      #expect(snapshot.facts[id] == (try store.facts(for: stored)), "facts of case \(id)")
      #expect(snapshot.invoices[id] ?? [] == (try store.invoices(ofCase: id)))
      #expect(snapshot.communications[id] ?? [] == (try store.communications(ofCase: id)))
      #expect(snapshot.events[id] ?? [] == (try store.events(ofCase: id)))
      #expect(snapshot.customers[stored.customerId] == (try store.customer(id: stored.customerId)))
    }
  }

  @Test("a snapshot of named cases holds closed ones too, as the point reads return them")
  func snapshotOfNamedCases() throws {
    let store = try demoStore()
    let all = try store.caseIds(matching: CaseFilter())
    let closed = try all.filter { try store.disputeCase(id: $0)?.status == .closed }
    let chosen = Set(Array(closed.prefix(3)) + Array(all.suffix(5)) + [999_999])
    #expect(!closed.isEmpty, "the demo has closed cases")
    let snapshot = try store.nightSnapshot(ofCases: chosen)
    #expect(snapshot.caseIds == chosen.filter { $0 != 999_999 }.sorted())
    for id in snapshot.caseIds {
      let stored = try #require(try store.disputeCase(id: id))
      #expect(snapshot.cases[id] == stored)
      #expect(snapshot.facts[id] == (try store.facts(for: stored)), "facts of case \(id)")
      #expect(snapshot.events[id] ?? [] == (try store.events(ofCase: id)))
      #expect(snapshot.communications[id] ?? [] == (try store.communications(ofCase: id)))
    }
    #expect(try store.nightSnapshot(ofCases: []).cases.isEmpty)
  }

  @Test("a due chunk's snapshot holds its due open cases only, each as a whole-range snapshot has it")
  func dueSnapshotMatchesTheRange() throws {
    let store = try demoStore()
    let whole = try store.nightSnapshot(of: 1...200)
    // Every other open case wakes on 2026-01-01, the rest at the end of 2099.
    let open = whole.caseIds
    try store.database.write { db in
      for (index, id) in open.enumerated() {
        try db.execute(
          sql: "UPDATE cases SET wake_on = ? WHERE id = ?",
          arguments: [index % 2 == 0 ? 20_260_101 : 20_991_231, id])
      }
    }
    let due = try store.nightSnapshot(of: 1...200, dueThrough: 20_300_101)
    #expect(due.caseIds == open.enumerated().filter { $0.offset % 2 == 0 }.map(\.element))
    for id in due.caseIds {
      #expect(due.cases[id] == whole.cases[id])
      #expect(due.facts[id] == whole.facts[id], "facts of case \(id)")
      #expect(due.events[id] ?? [] == whole.events[id] ?? [])
    }
    #expect(try store.nightSnapshot(of: 1...200, dueThrough: 20_251_231).cases.isEmpty)
  }

  @Test("a steady night's queries use schema v12's to v14's indexes, not a scan or a sort of the cases")
  func steadyNightQueriesUseTheirIndexes() throws {
    let store = try demoStore()
    func plan(_ sql: String) throws -> String {
      try store.database.read { db in
        try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql).map { $0["detail"] as String }
          .joined(separator: "\n")
      }
    }
    let due = try plan(
      "SELECT id FROM cases WHERE id BETWEEN 1 AND 9 AND status <> 'closed' AND wake_on <= 20260101")
    #expect(due.contains("INDEX cases_due"), "\(due)")
    let sent = try plan(
      """
      SELECT DISTINCT json_extract(e.payload, '$.template') FROM events e
      JOIN cases c ON c.id = e.case_id JOIN invoices i ON i.customer_id = c.customer_id
      WHERE i.number = 'F1' AND e.kind = 'send' AND json_extract(e.payload, '$.invoice') = 'F1'
      """)
    #expect(sent.contains("events_sent_invoice"), "\(sent)")
    // The night's days to resolve (NightFigures) read the cases resolved lately from v13's index.
    let resolved = try plan(
      """
      SELECT julianday(resolved_at) - julianday(opened_at) FROM cases
      WHERE resolved_at IS NOT NULL AND resolved_at >= '2026-01-01' AND resolved_at <= '2026-04-01' ORDER BY 1
      """)
    #expect(resolved.contains("COVERING INDEX cases_resolved"), "\(resolved)")
    // The portfolio streams the open cases in category order from v14's index: no sort of them.
    let portfolio = try plan(
      """
      SELECT category, COUNT(*), SUM(disputed_minor), SUM(deadline < '2026-01-01'), SUM(opened_at > '2025-12-01')
      FROM cases INDEXED BY cases_open_category WHERE status <> 'closed' AND status <> 'resolved'
      GROUP BY category
      """)
    #expect(portfolio.contains("COVERING INDEX cases_open_category"), "\(portfolio)")
    #expect(!portfolio.contains("TEMP B-TREE"), "\(portfolio)")
  }

  @Test("schema v15: a set-aside invoice is due again when what held it ends; its own date wakes no case")
  func heldInvoicesWakeWhenTheHoldEnds() throws {
    let store = try demoStore()
    try store.database.write { db in
      let link = try #require(
        try Row.fetchOne(
          db,
          sql: """
            SELECT ci.case_id, ci.invoice_number, c.customer_id, c.status FROM case_invoices ci
            JOIN cases c ON c.id = ci.case_id WHERE c.status <> 'closed' ORDER BY ci.case_id LIMIT 1
            """))
      let (caseId, number, customer, status): (Int64, String, String, String) = (
        link[0], link[1], link[2], link[3]
      )
      func invoiceWake() throws -> Int? {
        try Int.fetchOne(db, sql: "SELECT wake_on FROM invoices WHERE number = ?", arguments: [number])
      }
      func caseWake() throws -> Int? {
        try Int.fetchOne(db, sql: "SELECT wake_on FROM cases WHERE id = ?", arguments: [caseId])
      }
      func setAside() throws {
        try db.execute(sql: "UPDATE invoices SET wake_on = 99991231 WHERE number = ?", arguments: [number])
        try db.execute(sql: "UPDATE cases SET wake_on = 20991231 WHERE id = ?", arguments: [caseId])
      }
      // The invoice's own date is not the case's data: writing it wakes no case; its amounts do.
      try setAside()
      #expect(try invoiceWake() == 99_991_231 && caseWake() == 20_991_231)
      try db.execute(sql: "UPDATE invoices SET paid_minor = paid_minor WHERE number = ?", arguments: [number])
      #expect(try caseWake() == 0)
      // The case disputing it closes (a night's lifecycle writes only the status).
      try setAside()
      try db.execute(sql: "UPDATE cases SET status = 'closed' WHERE id = ?", arguments: [caseId])
      #expect(try invoiceWake() == 0)
      try db.execute(sql: "UPDATE cases SET status = ? WHERE id = ?", arguments: [status, caseId])
      // Its portion changes, or goes.
      try setAside()
      try db.execute(
        sql: "UPDATE case_invoices SET disputed_minor = 0 WHERE case_id = ? AND invoice_number = ?",
        arguments: [caseId, number])
      #expect(try invoiceWake() == 0)
      try setAside()
      try db.execute(
        sql: "DELETE FROM case_invoices WHERE case_id = ? AND invoice_number = ?",
        arguments: [caseId, number])
      #expect(try invoiceWake() == 0)
      // A case is opened for its customer, or moved to it.
      try setAside()
      try db.execute(
        sql: """
          INSERT INTO cases (id, customer_id, opened_at, channel, reason, status, priority, escalation, currency,
            disputed_minor)
          SELECT 999999, customer_id, opened_at, channel, reason, status, priority, escalation, currency, 0
          FROM cases WHERE id = ?
          """, arguments: [caseId])
      #expect(try invoiceWake() == 0)
      try setAside()
      try db.execute(sql: "UPDATE cases SET customer_id = ? WHERE id = 999999", arguments: [customer])
      #expect(try invoiceWake() == 0)
    }
  }

  @Test("schema v16: the pass's date for an invoice changed during the night is not written")
  func anInvoiceChangedDuringTheNightStaysDue() throws {
    let store = try demoStore()
    let number = try #require(
      try store.database.read { db in
        try String.fetchOne(db, sql: "SELECT number FROM invoices WHERE paid_minor < total_minor LIMIT 1")
      })
    func state() throws -> (wake: Int, touched: Int64) {
      try store.database.read { db in
        let row = try #require(
          try Row.fetchOne(
            db, sql: "SELECT wake_on, touched FROM invoices WHERE number = ?", arguments: [number]))
        return (row[0], row[1])
      }
    }
    let listed = try state().touched
    // Someone gives it a new due date while the night runs: it is due again, and its counter moves.
    try store.database.write { db in
      try db.execute(sql: "UPDATE invoices SET due_on = '2026-12-24' WHERE number = ?", arguments: [number])
    }
    let changed = try state()
    #expect(changed.wake == 0 && changed.touched == listed + 1)
    func writeDate(counter: Int64) throws {
      _ = try store.writeNight(
        [], finalCases: [:], lastEventIds: [:], at: reference, runId: "night", chunk: nil, cases: 0,
        failures: 0, invoiceWakes: [number: 20_261_217], invoicesTouched: [number: counter])
    }
    // The date the pass worked out from the listed invoice is not written; one from its state now is.
    try writeDate(counter: listed)
    #expect(try state().wake == 0)
    try writeDate(counter: changed.touched)
    #expect(try state().wake == 20_261_217)
    // A credit note changes what is owed: due again too.
    let caseId = try #require(
      try store.database.read { db in
        try Int64.fetchOne(db, sql: "SELECT MIN(id) FROM cases")
      })
    try store.database.write { db in
      try db.execute(
        sql: """
          INSERT INTO adjustments (invoice_number, kind, on_date, currency, amount_minor, case_id, reference,
            reason, recorded_at, recorded_by)
          VALUES (?, 'credit', '2026-12-01', 'EUR', 100, ?, 'AV-1', 'avoir', '2026-12-01T00:00:00Z', 'test')
          """, arguments: [number, caseId])
    }
    #expect(try state().wake == 0)
  }

  /// Schema v17: a message corrected or removed (an import), a credit on one of its invoices, a portion
  /// changed or removed each make the case due the next night, as a new message does.
  @Test("schema v17: a message changed or removed, a credit, a portion changed wake the case")
  func changesOutsideTheJournalWakeTheCase() throws {
    let store = try demoStore()
    let (caseId, number) = try #require(
      try store.database.read { db in
        try Row.fetchOne(
          db,
          sql: """
            SELECT c.id, ci.invoice_number FROM cases c JOIN case_invoices ci ON ci.case_id = c.id
            WHERE c.status <> 'closed' AND EXISTS (SELECT 1 FROM communications m WHERE m.case_id = c.id)
            ORDER BY c.id LIMIT 1
            """
        ).map { (row: Row) -> (Int64, String) in (row[0], row[1]) }
      })
    func state() throws -> (wake: Int, touched: Int64) {
      try store.database.read { db in
        let row = try #require(
          try Row.fetchOne(db, sql: "SELECT wake_on, touched FROM cases WHERE id = ?", arguments: [caseId]))
        return (row[0], row[1])
      }
    }
    let changes = [
      "UPDATE communications SET summary = summary || ' (corrigé)' WHERE id = (SELECT MIN(id) FROM communications WHERE case_id = \(caseId))",
      """
      INSERT INTO adjustments (invoice_number, kind, on_date, currency, amount_minor, case_id, reference,
        reason, recorded_at, recorded_by)
      VALUES ('\(number)', 'credit', '2026-12-01', 'EUR', 100, NULL, 'AV-9', 'avoir', '2026-12-01T00:00:00Z', 'test')
      """,
      "UPDATE case_invoices SET new_due_on = '2027-01-15' WHERE case_id = \(caseId) AND invoice_number = '\(number)'",
      "DELETE FROM communications WHERE id = (SELECT MIN(id) FROM communications WHERE case_id = \(caseId))",
      "DELETE FROM case_invoices WHERE case_id = \(caseId) AND invoice_number = '\(number)'",
    ]
    for change in changes {
      try store.database.write { db in
        try db.execute(sql: "UPDATE cases SET wake_on = 20270101 WHERE id = ?", arguments: [caseId])
      }
      let asleep = try state()
      #expect(asleep.wake == 20_270_101)
      try store.database.write { db in try db.execute(sql: change) }
      let after = try state()
      #expect(after.wake == 0, "\(change)")
      #expect(after.touched > asleep.touched, "\(change)")
    }
  }

  /// Schema v18: `customer.broken_promises` counts the customer's promises on all their cases, so a
  /// promise judged on one case (by a night, which wakes nothing) makes the customer's other open cases
  /// due; its own case is written by whoever judged it.
  @Test("schema v18: a promise judged on one case wakes the customer's other open cases")
  func aPromiseJudgedWakesTheCustomersOtherCases() throws {
    let store = try demoStore()
    let (customer, promised, other) = try #require(
      try store.database.read { db in
        try Row.fetchOne(
          db,
          sql: """
            SELECT a.customer_id, a.id, b.id FROM cases a JOIN cases b ON b.customer_id = a.customer_id
            WHERE a.id < b.id AND a.status <> 'closed' AND b.status <> 'closed' ORDER BY a.id LIMIT 1
            """
        ).map { (row: Row) -> (String, Int64, Int64) in (row[0], row[1], row[2]) }
      })
    func wakes() throws -> [Int64: Int] {
      try store.database.read { db in
        try Dictionary(
          uniqueKeysWithValues: Row.fetchAll(
            db, sql: "SELECT id, wake_on FROM cases WHERE customer_id = ?", arguments: [customer]
          ).map { (row: Row) -> (Int64, Int) in (row[0], row[1]) })
      }
    }
    try store.database.write { db in
      try Records.insertPromise(
        caseId: promised, customerId: customer, amount: Money(minorUnits: 50_000, currency: .euro),
        dueOn: try LocalDate(parsing: "2026-12-10"), paidAtPromise: 0, db)
      try db.execute(sql: "UPDATE cases SET wake_on = 20270101 WHERE customer_id = ?", arguments: [customer])
    }
    #expect(try wakes().values.allSatisfy { $0 == 20_270_101 })
    try store.database.write { db in
      try db.execute(sql: "UPDATE promises SET status = 'broken' WHERE case_id = ?", arguments: [promised])
    }
    let after = try wakes()
    #expect(after[other] == 0, "the customer's other case is due")
    #expect(after[promised] == 20_270_101, "the promise's own case is left to whoever judged it")
    // Judged again to the same status: nothing changes for the customer.
    try store.database.write { db in
      try db.execute(sql: "UPDATE cases SET wake_on = 20270101 WHERE id = ?", arguments: [other])
      try db.execute(sql: "UPDATE promises SET status = 'broken' WHERE case_id = ?", arguments: [promised])
    }
    #expect(try wakes()[other] == 20_270_101)
  }

  @Test("a case changed after the snapshot is judged again; a decision that no longer holds is a conflict")
  func concurrentChangeIsJudgedAgain() throws {
    let store = try demoStore()
    let open = try #require(
      try store.cases(matching: CaseFilter(activeOnly: true)).first { $0.escalation == .amicable })
    let snapshot = try store.nightSnapshot(of: open.id...open.id)
    let current = try #require(snapshot.cases[open.id])
    var facts = try #require(snapshot.facts[open.id])
    let decisions = [
      ProposedDecision(caseId: open.id, decision: .tag("night"), reason: "seen at night"),
      ProposedDecision(caseId: open.id, decision: .escalate(.mediation), reason: "idle"),
    ]
    let (final, events) = try CaseRules.apply(
      decisions, to: current, facts: &facts, settings: store.settings, provenance: provenance, at: reference)
    let run = try store.startRun(id: "n1", asOf: reference, dryRun: false, chunkSize: 500)

    // Meanwhile someone resolves the case: escalating it is no longer allowed, tagging still is.
    let due = LocalDate(reference, in: store.settings.timeZone).adding(days: 30)
    try store.apply(
      [
        ProposedDecision(
          caseId: open.id, decision: .resolve(outcome: .accepted, newDueDate: due, promise: nil), reason: "")
      ],
      caseId: open.id, provenance: Provenance(source: "agent", hook: "cli", runId: "x"), at: reference)
    let tagOnly = [
      SettledCall(caseId: open.id, provenance: provenance, decisions: [decisions[0]], events: [events[0]])
    ]
    let both = [SettledCall(caseId: open.id, provenance: provenance, decisions: decisions, events: events)]
    #expect(
      try store.writeNight(
        tagOnly, finalCases: [open.id: final], lastEventIds: snapshot.lastEventIds, at: reference,
        runId: run.id, chunk: 0, cases: 1, failures: 0
      ).isEmpty)
    let after = try #require(try store.disputeCase(id: open.id))
    #expect(after.status == .resolved && after.tags.contains("night") && after.escalation == .amicable)

    let conflicts = try store.writeNight(
      both, finalCases: [open.id: final], lastEventIds: snapshot.lastEventIds, at: reference, runId: run.id,
      chunk: 1, cases: 1, failures: 0)
    #expect(conflicts.count == 1)
    #expect(conflicts.first?.message.contains("changed during the night") == true)
    #expect(try store.disputeCase(id: open.id)?.escalation == .amicable)
    #expect(try store.completedChunks(runId: run.id) == [0, 1])
  }

  @Test(
    "a chunk's events go in several rows per INSERT and keep their order, each letter's outbox row on its event"
  )
  func batchedJournalKeepsOrderAndLetters() throws {
    let store = try demoStore()
    let chosen = Array(try store.nightSnapshot(of: 1...200).caseIds.prefix(40))
    #expect(chosen.count == 40, "the demo has 40 open cases in its first 200")
    let snapshot = try store.nightSnapshot(of: chosen[0]...chosen[chosen.count - 1])
    let run = try store.startRun(id: "n3", asOf: reference, dryRun: false, chunkSize: 500)
    var calls: [SettledCall] = []
    var finals: [Int64: DisputeCase] = [:]
    var expected: [(caseId: Int64, kind: String, reason: String)] = []
    // Two letters and a tag a case (and what the core adds): over 120 events, more than one INSERT holds.
    for (index, caseId) in chosen.enumerated() {
      var facts = try #require(snapshot.facts[caseId])
      let decisions = [
        ProposedDecision(caseId: caseId, decision: .tag("batch-\(index)"), reason: "tag \(index)"),
        ProposedDecision(
          caseId: caseId, decision: .send(template: "letter_a\(index)", channel: .email, body: "a"),
          reason: "first letter \(index)"),
        ProposedDecision(
          caseId: caseId, decision: .send(template: "letter_b\(index)", channel: .letter, body: "b"),
          reason: "second letter \(index)"),
      ]
      let (final, events) = try CaseRules.apply(
        decisions, to: try #require(snapshot.cases[caseId]), facts: &facts, settings: store.settings,
        provenance: provenance, at: reference)
      finals[caseId] = final
      calls.append(SettledCall(caseId: caseId, provenance: provenance, decisions: decisions, events: events))
      expected += events.map { (caseId, $0.kind, $0.reason) }
    }
    // A case someone changed meanwhile is judged again in the middle of the chunk: its events are
    // appended on their own, after the cases before it and before the cases after it.
    let middle = chosen[20]
    try store.apply(
      [ProposedDecision(caseId: middle, decision: .tag("by-hand"), reason: "")], caseId: middle,
      provenance: Provenance(source: "agent", hook: "cli", runId: "x"), at: reference)
    let firstNew = try #require(
      try store.database.read { try Int64.fetchOne($0, sql: "SELECT MAX(id) FROM events") })
    let conflicts = try store.writeNight(
      calls, finalCases: finals, lastEventIds: snapshot.lastEventIds, at: reference, runId: run.id, chunk: 0,
      cases: chosen.count, failures: 0, touched: snapshot.touched)
    #expect(conflicts.isEmpty)
    let written = try store.database.read { db in
      try Row.fetchAll(
        db, sql: "SELECT case_id, kind, reason FROM events WHERE id > ? ORDER BY id", arguments: [firstNew])
    }
    #expect(
      written.map { "\($0["case_id"] as Int64) \($0["kind"] as String) \($0["reason"] as String)" }
        == expected.map { "\($0.caseId) \($0.kind) \($0.reason)" })
    // Every letter is in the outbox once, on its own event: same case, same template.
    let letters = try store.database.read { db in
      try Row.fetchAll(
        db,
        sql: """
          SELECT o.case_id AS outbox_case, o.template, e.case_id AS event_case, e.kind, e.payload
          FROM outbox o JOIN events e ON e.id = o.event_id WHERE o.event_id > ? ORDER BY o.id
          """, arguments: [firstNew])
    }
    #expect(expected.count > Records.eventsPerStatement)
    #expect(letters.count == expected.filter { $0.kind == "send" }.count && letters.count == 80)
    for letter in letters {
      let template: String = letter["template"]
      #expect(letter["outbox_case"] as Int64 == letter["event_case"] as Int64, "\(template)")
      #expect(letter["kind"] as String == "send")
      #expect((letter["payload"] as String).contains("\"\(template)\""), "\(template)")
    }
  }

  @Test("a journal whose ids ran out (a hand-edited largest id) still links each letter to its own event")
  func exhaustedEventIdsStillLinkLetters() throws {
    let store = try demoStore()
    let caseId = try #require(try store.nightSnapshot(of: 1...200).caseIds.first)
    let snapshot = try store.nightSnapshot(of: caseId...caseId)
    try store.database.write { db in
      try db.execute(
        sql: """
          INSERT INTO events (id, case_id, at, kind, payload, reason, source, hook, run_id)
          VALUES (?, ?, '2026-01-01T00:00:00Z', 'tag', '{"tag":"x"}', '', 'hand', 'hand', 'hand')
          """, arguments: [Int64.max, caseId])
    }
    var facts = try #require(snapshot.facts[caseId])
    let templates = (1...5).map { "letter\($0)" }
    let decisions = templates.map {
      ProposedDecision(caseId: caseId, decision: .send(template: $0, channel: .email, body: $0), reason: $0)
    }
    let (final, events) = try CaseRules.apply(
      decisions, to: try #require(snapshot.cases[caseId]), facts: &facts, settings: store.settings,
      provenance: provenance, at: reference)
    let run = try store.startRun(id: "n4", asOf: reference, dryRun: false, chunkSize: 500)
    let conflicts = try store.writeNight(
      [SettledCall(caseId: caseId, provenance: provenance, decisions: decisions, events: events)],
      finalCases: [caseId: final], lastEventIds: [caseId: Int64.max], at: reference, runId: run.id,
      chunk: 0, cases: 1, failures: 0)
    #expect(conflicts.isEmpty)
    let letters = try store.database.read { db in
      try Row.fetchAll(
        db,
        sql: """
          SELECT o.template, e.case_id, e.kind, e.reason FROM outbox o JOIN events e ON e.id = o.event_id
          WHERE e.run_id = ? ORDER BY o.id
          """, arguments: [provenance.runId])
    }
    #expect(letters.map { $0["template"] as String } == templates)
    for letter in letters {
      #expect(letter["case_id"] as Int64 == caseId && letter["kind"] as String == "send")
      #expect(letter["reason"] as String == letter["template"] as String)
    }
    #expect(try store.completedChunks(runId: run.id) == [0])
  }

  @Test("an untouched case gets the night's state and events in one transaction with the checkpoint")
  func untouchedCaseIsWrittenAsComputed() throws {
    let store = try demoStore()
    let open = try #require(try store.cases(matching: CaseFilter(activeOnly: true)).first)
    let snapshot = try store.nightSnapshot(of: open.id...open.id)
    var facts = try #require(snapshot.facts[open.id])
    let decision = ProposedDecision(caseId: open.id, decision: .prioritize(1), reason: "urgent")
    let current = try #require(snapshot.cases[open.id])
    let (final, events) = try CaseRules.apply(
      [decision], to: current, facts: &facts, settings: store.settings, provenance: provenance, at: reference)
    let run = try store.startRun(id: "n2", asOf: reference, dryRun: false, chunkSize: 500)
    let before = try store.events(ofCase: open.id).count
    _ = try store.writeNight(
      [SettledCall(caseId: open.id, provenance: provenance, decisions: [decision], events: events)],
      finalCases: [open.id: final], lastEventIds: snapshot.lastEventIds, at: reference, runId: run.id,
      chunk: 0, cases: 1, failures: 0)
    #expect(try store.disputeCase(id: open.id) == final)
    #expect(try store.events(ofCase: open.id).count == before + 1)
    #expect(try store.events(ofCase: open.id).last?.provenance == provenance)
  }

  @Test("a night writes only the columns a case's decisions changed, with its wake-up date, in one statement")
  func writesOnlyChangedColumns() throws {
    let store = try demoStore()
    let id = try #require(try store.nightSnapshot(of: 1...200).caseIds.first)
    let stored = try #require(try store.disputeCase(id: id))
    // A marker in two columns the decisions leave alone: a write of the whole row would erase it.
    try store.database.write { db in
      try db.execute(
        sql: "UPDATE cases SET reason = 'marker', channel = 'marker', wake_on = 20991231 WHERE id = ?",
        arguments: [id])
    }
    func row() throws -> Row {
      try #require(
        try store.database.read { db in
          try Row.fetchOne(
            db,
            sql: "SELECT reason, channel, priority, tags, wake_on, queues, touched FROM cases WHERE id = ?",
            arguments: [id])
        })
    }
    // Nothing changed and no wake-up date to set: nothing is written.
    let untouched = try row()
    try store.database.write { db in try Records.update(stored, stored: stored, db) }
    #expect(try row() == untouched)
    // Nothing changed, due the next night: only the date.
    try store.database.write { db in try Records.update(stored, stored: stored, dueNextNight: true, db) }
    #expect(try row()["wake_on"] as Int == 0)
    #expect(try row()["reason"] as String == "marker")
    // Priority and tags changed: those two are written, the marker stays, the queue flags follow the tag.
    var final = stored
    final.priority = stored.priority == 1 ? 2 : 1
    final.tags = stored.tags + ["court_proposed"]
    try store.database.write { db in
      try db.execute(sql: "UPDATE cases SET wake_on = 20991231 WHERE id = ?", arguments: [id])
      try Records.update(final, stored: stored, dueNextNight: true, db)
    }
    let written = try row()
    #expect(written["priority"] as Int == final.priority)
    #expect(
      written["tags"] as String == (String(data: try JSONEncoder().encode(final.tags), encoding: .utf8)))
    #expect(written["reason"] as String == "marker")
    #expect(written["channel"] as String == "marker")
    #expect(written["wake_on"] as Int == 0)
    #expect((written["queues"] as Int) & Int(Schema.QueueFlag.courtProposed.rawValue) != 0)
    // Without a stored state every column is written.
    try store.database.write { db in try Records.update(final, db) }
    #expect(try store.disputeCase(id: id) == final)
  }

  @Test("the invoices coming due are read in two halves that hold exactly the window, in order")
  func invoicesComingDueAcrossTheHalves() throws {
    let store = try Store.inMemory()
    let euros = { (major: Double) in try Money(major: major, currency: .euro, field: "test") }
    let first = try LocalDate(parsing: "2026-03-10")
    // Due on the window's first day, either side of its middle, its last day, and the day after.
    let offsets = [0, 15, 16, 30, 31, 7]
    try store.insert(
      customers: [Customer(id: "C1", name: "Client", kind: .company)],
      invoices: try offsets.enumerated().map { index, offset in
        Invoice(
          number: "F-\(index)", customerId: "C1", issuedOn: try LocalDate(parsing: "2026-02-01"),
          dueOn: first.adding(days: offset), total: try euros(100), paid: try euros(0))
      },
      cases: [
        DisputeCase(
          id: 1, customerId: "C1", openedAt: reference.addingTimeInterval(-400 * 86_400), channel: .email,
          reason: "prix", disputed: try euros(10), invoiceNumbers: [], status: .open)
      ], provenance: provenance)
    let asOf = try LocalDate(parsing: "2026-03-10").start(in: store.settings.timeZone)
    func listed(_ last: LocalDate) throws -> [String] {
      try store.invoicesComingDue(from: first, through: last, asOf: asOf).map(\.invoice)
    }
    #expect(try listed(first.adding(days: 30)) == ["F-0", "F-5", "F-1", "F-2", "F-3"])
    #expect(try listed(first) == ["F-0"])
    #expect(try listed(first.adding(days: 1)) == ["F-0"])
    // A due date stored malformed between the halves is read once, as one read would, and handed
    // over as unreadable (the night reports it on the customer's case and goes on).
    try store.database.write { db in
      try db.execute(sql: "UPDATE invoices SET due_on = '2026-03-25 ' WHERE number = 'F-1'")
    }
    let coming = try store.invoicesComingDue(from: first, through: first.adding(days: 30), asOf: asOf)
    #expect(coming.map(\.invoice).sorted() == ["F-0", "F-1", "F-2", "F-3", "F-5"])
    #expect(coming.filter { $0.unreadable != nil }.map(\.invoice) == ["F-1"])
    #expect(coming.first { $0.invoice == "F-1" }?.unreadable?.hasPrefix("invoice F-1: due_on: ") == true)
  }

}

@Suite("Opening a workspace")
final class OpeningTests {
  /// The workspace files the test made, removed when it ends.
  private var made: [String] = []

  deinit {
    for path in made {
      for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }
  }

  /// A new workspace file's path in the temporary folder, removed when the test ends.
  func temporaryWorkspacePath() -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("litige-open-\(UUID()).sqlite")
      .path
    made.append(path)
    return path
  }

  func workspace(currency: String) throws -> String {
    let path = temporaryWorkspacePath()
    let settings = CompanySettings(currency: try Currency(code: currency))
    let store = try Store.open(path: path, settings: settings)
    try store.insert(
      customers: [Customer(id: "C1", name: "Client", kind: .company)],
      invoices: try (1...3).map { index in
        Invoice(
          number: "F-\(index)", customerId: "C1", issuedOn: try LocalDate(parsing: "2026-02-01"),
          dueOn: try LocalDate(parsing: "2026-03-01"),
          total: try Money(major: 100, currency: settings.currency, field: "test"),
          paid: Money.zero(settings.currency))
      }, provenance: provenance)
    return path
  }

  /// The migrations applied to the workspace at `path` and its schema, read without migrating it.
  func schema(_ path: String) throws -> [String] {
    try DatabaseQueue(path: path).read { db in
      try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY identifier")
        + String.fetchAll(db, sql: "SELECT name FROM sqlite_master ORDER BY name")
    }
  }

  @Test("a workspace migrated by a newer Litige is refused, its schema left as it is")
  func newerSchemaIsRefused() throws {
    let path = try workspace(currency: "EUR")
    try DatabaseQueue(path: path).write { db in
      try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99: from the future')")
    }
    let before = try schema(path)
    #expect {
      _ = try Store.open(path: path)
    } throws: { "\($0)".contains("made by a newer version of Litige") }
    #expect(try schema(path) == before)
  }

  @Test("a currency refused at opening is refused before the schema is migrated")
  func refusedBeforeMigrating() throws {
    let path = try workspace(currency: "EUR")
    // As an older version left it: without v13.
    try DatabaseQueue(path: path).write { db in
      try db.execute(
        sql: """
          DELETE FROM grdb_migrations WHERE identifier LIKE 'v13:%';
          DROP INDEX cases_resolved;
          """)
    }
    let before = try schema(path)
    #expect(!before.contains("cases_resolved"))
    #expect {
      _ = try Store.open(path: path, settings: CompanySettings(currency: try Currency(code: "USD")))
    } throws: { "\($0)".contains("currency is USD, but the workspace's invoices are in EUR") }
    #expect(try schema(path) == before)
    _ = try Store.open(path: path)
    #expect(try schema(path).contains("cases_resolved"))
  }

  @Test("invoices in another currency than the stored settings' are refused without a litige.toml")
  func currencyWithoutSettings() throws {
    let path = try workspace(currency: "USD")
    #expect {
      _ = try Store.open(path: path)
    } throws: { "\($0)".contains("invoices are in USD, but its currency is EUR") }
    #expect(try Store.open(path: path, settings: CompanySettings(currency: try Currency(code: "USD"))) != nil)
    // A workspace without invoices opens under any currency.
    let empty = temporaryWorkspacePath()
    _ = try Store.open(path: empty, settings: CompanySettings(currency: try Currency(code: "JPY")))
    _ = try Store.open(path: empty)
  }
}
