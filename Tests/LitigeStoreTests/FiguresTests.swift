import Foundation
import GRDB
import LitigeCore
import PropertyBased
import Testing

@testable import LitigeStore

private let reference = Date(timeIntervalSince1970: 1_790_000_000)
private let provenance = Provenance(source: "test@1", hook: "nightly", runId: "t1")

private func demoStore() throws -> Store {
  let store = try Store.inMemory()
  try store.load(DemoData.generate(seed: 5, reference: reference), provenance: provenance)
  return store
}

/// The portfolio as it was computed before schema v12: every open case's row read and aged in Swift.
private func portfolioCaseByCase(_ store: Store, asOf: Date) throws -> Portfolio {
  var portfolio = Portfolio(
    openCases: 0, disputedMinor: 0, disputedByAge: [:], disputedByCategory: [:], deadlinesBreached: 0)
  for item in try store.cases(matching: CaseFilter()) where item.status != .resolved && item.status != .closed
  {
    let amount = item.disputed.minorUnits
    let days = Int(asOf.timeIntervalSince(item.openedAt) / 86_400)
    let bucket =
      days <= 30 ? "0-30 days" : days <= 60 ? "31-60 days" : days <= 90 ? "61-90 days" : "over 90 days"
    portfolio.openCases += 1
    portfolio.disputedMinor += amount
    portfolio.disputedByAge[bucket, default: 0] += amount
    portfolio.disputedByCategory[item.category?.rawValue ?? "uncategorized", default: 0] += amount
    if let deadline = item.deadline, Timestamp.utcText(deadline) < Timestamp.utcText(asOf) {
      portfolio.deadlinesBreached += 1
    }
  }
  return portfolio
}

/// The queues as `litige case list --queue` tests each case (LitigeCLI's `WorkQueue`).
private func queuesCaseByCase(_ store: Store, asOf: Date) throws -> [Int] {
  let cases = try store.cases(matching: CaseFilter()).filter { $0.status != .closed }
  return [
    cases.count {
      $0.gestures.contains(where: \.awaitsApproval)
        || ($0.status.isActive && $0.tags.contains("gesture_needs_approval"))
    },
    cases.count { $0.tags.contains("formal_notice_proposed") && $0.escalation < .formalNotice },
    cases.count { $0.tags.contains("court_proposed") && $0.escalation < .court },
    cases.count { $0.tags.contains("ruling_proposed") && $0.status.isActive },
    cases.count { $0.status.isActive && ($0.deadline.map { $0 < asOf } ?? false) },
  ]
}

private func queues(of figures: NightFigures) -> [Int] {
  let needs = figures.needsPerson
  return [
    needs.approvals, needs.formalNoticesToConfirm, needs.courtStepsToConfirm, needs.rulings,
    needs.deadlinesBreached,
  ]
}

@Suite("Night figures and portfolio from the open cases' index")
struct FiguresTests {
  @Test("the portfolio ages each case as reading it case by case does, at any instant, on day boundaries too")
  func portfolioMatchesCaseByCase() async throws {
    let store = try demoStore()
    let opened = try store.cases(matching: CaseFilter()).map(\.openedAt)
    // Instants exactly N days after a case's opening (the bucket edges), a second either side, a
    // fraction of a second after, and arbitrary ones.
    let edges = opened.prefix(40).flatMap { at in
      [30.0, 31, 60, 61, 90, 91].flatMap { days in
        [-1.0, 0, 0.25, 1].map { at.addingTimeInterval(days * 86_400 + $0) }
      }
    }
    for asOf in edges {
      let fast = try store.portfolio(asOf: asOf)
      let slow = try portfolioCaseByCase(store, asOf: asOf)
      #expect(fast.openCases == slow.openCases)
      #expect(fast.disputedMinor == slow.disputedMinor)
      #expect(fast.disputedByAge == slow.disputedByAge, "as of \(asOf.timeIntervalSince1970)")
      #expect(fast.disputedByCategory == slow.disputedByCategory)
      #expect(fast.deadlinesBreached == slow.deadlinesBreached)
    }
    await propertyCheck(count: 60, input: Gen.int(in: -400 * 86_400...400 * 86_400)) { offset in
      let asOf = reference.addingTimeInterval(Double(offset) + 0.5)
      let fast = try store.portfolio(asOf: asOf)
      let slow = try portfolioCaseByCase(store, asOf: asOf)
      #expect(fast.disputedByAge == slow.disputedByAge && fast.deadlinesBreached == slow.deadlinesBreached)
    }
  }

  @Test("the queues count what case list --queue tests, and follow tags and gestures as they change")
  func queuesFollowTagsAndGestures() throws {
    let store = try demoStore()
    let asOf = reference.addingTimeInterval(86_400)
    #expect(
      queues(of: try store.nightFigures(runId: "none", asOf: asOf))
        == (try queuesCaseByCase(store, asOf: asOf)))
    let active = try store.cases(matching: CaseFilter(activeOnly: true)).filter { $0.escalation == .amicable }
    try #require(active.count >= 8)
    let tags = ["gesture_needs_approval", "formal_notice_proposed", "court_proposed", "ruling_proposed"]
    // Tags that look like a queue's to a LIKE pattern (`_` matches any character) put no case in it.
    for (item, tag) in zip(
      active.dropFirst(5), ["court-proposed", "ruling:proposed", "gesture-needs-approval"])
    {
      _ = try store.apply(
        [ProposedDecision(caseId: item.id, decision: .tag(tag), reason: "test")], caseId: item.id,
        provenance: provenance, at: reference)
    }
    #expect(
      queues(of: try store.nightFigures(runId: "none", asOf: asOf))
        == (try queuesCaseByCase(store, asOf: asOf)))
    for (item, tag) in zip(active, tags) {
      _ = try store.apply(
        [ProposedDecision(caseId: item.id, decision: .tag(tag), reason: "test")], caseId: item.id,
        provenance: provenance, at: reference)
    }
    // A gesture that needs approval, then withdrawn: in the approval queue, then out of it.
    let target = active[4 % active.count]
    let before = queues(of: try store.nightFigures(runId: "none", asOf: asOf))
    _ = try store.apply(
      [
        ProposedDecision(
          caseId: target.id,
          decision: .proposeGesture(
            kind: .voucher, amount: Money(minorUnits: 9_000_000, currency: target.disputed.currency),
            approvedBy: nil), reason: "test")
      ], caseId: target.id, provenance: provenance, at: reference)
    let proposed = queues(of: try store.nightFigures(runId: "none", asOf: asOf))
    #expect(proposed == (try queuesCaseByCase(store, asOf: asOf)))
    let gesture = try #require(try store.disputeCase(id: target.id)?.gestures.last)
    #expect(gesture.awaitsApproval, "a voucher of 90,000 needs an approver")
    if gesture.awaitsApproval {
      _ = try store.apply(
        [ProposedDecision(caseId: target.id, decision: .withdrawGesture(id: gesture.id), reason: "ok")],
        caseId: target.id, provenance: Provenance(source: "user:claire", hook: "cli", runId: "t2"),
        at: reference)
    }
    let after = queues(of: try store.nightFigures(runId: "none", asOf: asOf))
    #expect(after == (try queuesCaseByCase(store, asOf: asOf)))
    #expect(proposed[0] == after[0] + 1, "withdrawing took the case out of the approval queue")
    #expect(before[1...3] != (try queuesCaseByCase(try demoStore(), asOf: asOf))[1...3], "the tags counted")
  }

  /// The workspace's schema: every index and trigger with its SQL.
  private static func schema(_ store: Store) throws -> [String] {
    try store.database.read { db in
      try String.fetchAll(
        db,
        sql: "SELECT type || ' ' || name || ' ' || COALESCE(sql, '') FROM sqlite_master ORDER BY type, name")
    }
  }

  @Test("the figures' indexes set aside give the same figures, and come back as they were")
  func figuresIndexesSetAsideAndRestored() throws {
    let store = try demoStore()
    let asOf = reference.addingTimeInterval(86_400)
    let schema = try Self.schema(store)
    // The SQL a night builds them from is the migrations' own.
    for (name, sql) in Store.figuresIndexes {
      #expect(schema.contains("index \(name) \(sql)"), "\(name)")
    }
    let (portfolio, figures) = try store.portfolioAndFigures(runId: "t1", asOf: asOf)
    try store.setAsideFiguresIndexes()
    try store.setAsideFiguresIndexes()  // a resumed night sets them aside again: nothing is lost
    #expect(try store.figuresIndexesSetAside())
    let names = try store.database.read { db in
      try String.fetchAll(
        db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'cases'")
    }
    #expect(Set(names).isDisjoint(with: Store.figuresIndexes.map(\.key)), "\(names)")
    // Without their indexes the figures read the table: the same figures.
    let (without, withoutFigures) = try store.portfolioAndFigures(runId: "t1", asOf: asOf)
    #expect(without == portfolio && withoutFigures == figures)
    #expect(try store.restoreFiguresIndexes() == Store.figuresIndexes.count)
    #expect(try Self.schema(store) == schema)
    #expect(try !store.figuresIndexesSetAside())
    #expect(try store.restoreFiguresIndexes() == 0)
    #expect(try Self.schema(store) == schema)
    // A settings row edited by hand runs nothing of its own: only the schema's SQL of a missing index.
    for value in [#"["CREATE INDEX cases_open ON cases(id) WHERE 1","DROP TABLE events"]"#, "{"] {
      try store.database.write { db in
        try db.execute(
          sql: "INSERT INTO settings (key, value) VALUES (?, ?)", arguments: [Store.figuresIndexesKey, value])
      }
      #expect(try store.restoreFiguresIndexes() == 0)
      #expect(try Self.schema(store) == schema)
    }
    // A row left before (a killed night's, or edited) naming fewer indexes: those dropped now are added
    // to it, so that restoring brings every one back.
    for value in ["[]", #"["cases_status"]"#] {
      try store.database.write { db in
        try db.execute(
          sql: "INSERT INTO settings (key, value) VALUES (?, ?)", arguments: [Store.figuresIndexesKey, value])
      }
      try store.setAsideFiguresIndexes()
      #expect(try store.restoreFiguresIndexes() == Store.figuresIndexes.count, "\(value)")
      #expect(try Self.schema(store) == schema, "\(value)")
    }
    // An index a person made under one of the names is neither dropped nor replaced, and the figures
    // do not force it on the query.
    try store.database.write { db in
      try db.execute(sql: "DROP INDEX cases_status; create index cases_status on cases(status, category)")
    }
    let edited = try Self.schema(store)
    try store.setAsideFiguresIndexes()
    #expect(
      try Self.schema(store).contains(
        "index cases_status CREATE INDEX cases_status on cases(status, category)"))
    #expect(try store.portfolioAndFigures(runId: "t1", asOf: asOf).0 == portfolio)
    try store.restoreFiguresIndexes()
    #expect(try Self.schema(store) == edited)
    // One a person dropped before the night stays dropped.
    try store.database.write { db in try db.execute(sql: "DROP INDEX cases_open_category") }
    let dropped = try Self.schema(store)
    try store.setAsideFiguresIndexes()
    #expect(try store.restoreFiguresIndexes() == 1)
    #expect(try Self.schema(store) == dropped)
    try store.database.write { db in
      try db.execute(sql: "DROP INDEX cases_open; CREATE INDEX cases_open ON cases(id) WHERE 1")
    }
    #expect(try store.portfolioAndFigures(runId: "t1", asOf: asOf).1 == figures)
  }
}
