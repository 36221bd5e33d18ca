import Foundation
import GRDB
import LitigeCore
import PropertyBased
import Testing

@testable import LitigeStore

/// How a case's row is written: `Records.update` with the stored case writes only the columns that
/// changed, found on the domain values (`changedColumns`); they must be the columns whose stored
/// form (`caseColumns`) changed, with the same values.
@Suite("Writing a case's row")
struct RecordsTests {
  private static let opened = Date(timeIntervalSince1970: 1_790_000_000)

  /// One value of each field, chosen by `pick` among a few that differ in every way a column can:
  /// equal, absent, another value, an instant a fraction of a second away (the same text), text
  /// needing escapes in JSON.
  private static func disputeCase(_ pick: (Int) -> Int) throws -> DisputeCase {
    let instants: [Date?] = [
      nil, opened, opened.addingTimeInterval(0.4), opened.addingTimeInterval(1),
      opened.addingTimeInterval(86_400),
    ]
    let currencies: [Currency] = [.euro, try Currency(code: "USD")]
    let currency = currencies[pick(2)]
    var result = DisputeCase(
      id: 7, customerId: ["C0001", "C0002"][pick(2)], openedAt: instants[1 + pick(3)] ?? opened,
      channel: Channel.allCases[pick(Channel.allCases.count)],
      category: [nil, .price, .delivery][pick(3)], reason: ["Prix faux", "Colis \"abîmé\" / 2"][pick(2)],
      disputed: Money(minorUnits: [0, 1_250, -5][pick(3)], currency: currency),
      status: CaseStatus.allCases[pick(CaseStatus.allCases.count)])
    result.priority = 1 + pick(5)
    result.owner = [nil, .accounting, .logistics][pick(3)]
    result.escalation = EscalationLevel.allCases[pick(EscalationLevel.allCases.count)]
    result.deadline = instants[pick(instants.count)]
    result.resolvedAt = instants[pick(instants.count)]
    result.outcome = [nil, .accepted, .rejected][pick(3)]
    let tags = ["vip", "a/b", "é\"\\", "\u{1}", "gesture_needs_approval"]
    result.tags = (0..<pick(4)).map { _ in tags[pick(tags.count)] }
    result.gestures = (0..<pick(3)).map { position in
      Gesture(
        id: position + 1 + pick(2), kind: GestureKind.allCases[pick(GestureKind.allCases.count)],
        amount: Money(minorUnits: [500, 2_000][pick(2)], currency: currency),
        state: GestureState.allCases[pick(GestureState.allCases.count)],
        approvedBy: [nil, "claire", "Zoë \"Z\""][pick(3)], needsApproval: pick(2) == 1)
    }
    return result
  }

  @Test("the columns found changed on the domain values are those whose stored form changed")
  func changedColumnsAreTheStoredColumnsThatDiffer() async throws {
    // Each choice is equal between the two cases half the time, so that a few columns differ at once.
    let choices = Gen.int(in: 0...1_000).array(of: 64...64)
    await propertyCheck(count: 400, input: choices, choices, Gen.int(in: 0...3)) { first, second, sharing in
      var (cursorA, cursorB) = (0, 0)
      let stored = try Self.disputeCase { count in
        defer { cursorA += 1 }
        return first[cursorA % first.count] % count
      }
      let current = try Self.disputeCase { count in
        defer { cursorB += 1 }
        let own = second[cursorB % second.count]
        return (own % 4 < sharing ? first[cursorB % first.count] : own) % count
      }
      let before = try Records.caseColumns(stored)
      let after = try Records.caseColumns(current)
      var expected: [(String, DatabaseValue)] = []
      for position in 0..<(after.count - 1) where before[position] != after[position] {
        expected.append((Records.caseColumnNames[position], after[position]))
      }
      let changed = try Records.changedColumns(of: current, from: stored)
      #expect(changed.names == expected.map(\.0))
      #expect(changed.values == expected.map(\.1))
      #expect(try Records.changedColumns(of: current, from: current).names.isEmpty)
    }
  }

  @Test("a case written over its stored row reads back as written, the other columns untouched")
  func updateWritesTheChangedColumns() throws {
    let store = try Store.inMemory()
    try store.database.write { db in
      try db.execute(
        sql:
          "INSERT INTO customers (id, name, kind, segment, language, vip) VALUES ('C0001', 'A', 'company', 'sme', 'fr', 0)"
      )
      try db.execute(
        sql:
          "INSERT INTO customers (id, name, kind, segment, language, vip) VALUES ('C0002', 'B', 'company', 'sme', 'fr', 0)"
      )
    }
    for seed in 0..<40 {
      var generator = seed
      let pick = { (count: Int) -> Int in
        generator = (generator &* 1_103_515_245 &+ 12_345) & 0x7fff_ffff
        return (generator >> 8) % count
      }
      let stored = try Self.disputeCase(pick)
      let current = try Self.disputeCase(pick)
      try store.database.write { db in
        try db.execute(sql: "DELETE FROM cases")
        try Records.insert(stored, db)
        try Records.update(current, stored: stored, db)
        let row = try #require(try Row.fetchOne(db, sql: "SELECT * FROM cases WHERE id = 7"))
        let written = try Records.caseColumns(current)
        for (position, name) in Records.caseColumnNames.enumerated() {
          #expect(row[name] as DatabaseValue == written[position], "seed \(seed): \(name)")
        }
      }
    }
  }
}
