import Foundation
import GRDB
import LitigeCore

/// The disputed receivables of a workspace at a date, for reports.
public struct Portfolio: Codable, Sendable, Equatable {
  /// Open (not resolved or closed) cases.
  public var openCases: Int
  /// Their disputed total, in minor units of the company's currency.
  public var disputedMinor: Int64
  /// Disputed minor units by age bucket (`0-30 days`, `31-60 days`, `61-90 days`, `over 90 days`).
  public var disputedByAge: [String: Int64]
  /// Disputed minor units by category (`uncategorized` when none).
  public var disputedByCategory: [String: Int64]
  /// Open cases whose resolution deadline has passed.
  public var deadlinesBreached: Int

  enum CodingKeys: String, CodingKey {
    case openCases = "open_cases", disputedMinor = "disputed_minor", disputedByAge = "disputed_by_age",
      disputedByCategory = "disputed_by_category", deadlinesBreached = "deadlines_breached"
  }
}

extension Store {
  /// Ages, amounts and breached deadlines of the open cases as of `asOf`.
  public func portfolio(asOf: Date) throws -> Portfolio {
    try database.read { db in
      var portfolio = Portfolio(
        openCases: 0, disputedMinor: 0, disputedByAge: [:], disputedByCategory: [:], deadlinesBreached: 0)
      // A case's age is whole days, (asOf - opened) / 86,400 truncated. `opened_at` is whole seconds in
      // the store's text form, so "at most N days" is "opened after asOf - (N + 1) days, rounded
      // down", compared as text. The cases are summed by category in the order of the index of open
      // cases by category (schema v14), which streams them, and by age within each category; an age
      // bucket is reported when it holds a case, as a category is. A case whose stored amount is beyond
      // what Litige stores (a hand edit) is left out, as the night leaves it out, naming it.
      func openedAfter(days: Double) -> String {
        Timestamp.utcText(asOf.addingTimeInterval(-(days + 1) * 86_400))
      }
      let buckets = ["0-30 days", "31-60 days", "61-90 days", "over 90 days"]
      let (thirty, sixty, ninety) = (openedAfter(days: 30), openedAfter(days: 60), openedAfter(days: 90))
      let byCategory = try Self.indexedBy("cases_open_category", db)
      let rows = try Row.fetchCursor(
        db,
        sql: """
          SELECT category, COUNT(*) AS cases, SUM(disputed_minor) AS disputed, SUM(deadline < ?4) AS breached,
            SUM(opened_at > ?1) AS cases0,
            SUM(CASE WHEN opened_at > ?1 THEN disputed_minor ELSE 0 END) AS disputed0,
            SUM(NOT opened_at > ?1 AND opened_at > ?2) AS cases1,
            SUM(CASE WHEN NOT opened_at > ?1 AND opened_at > ?2 THEN disputed_minor ELSE 0 END) AS disputed1,
            SUM(NOT opened_at > ?2 AND opened_at > ?3) AS cases2,
            SUM(CASE WHEN NOT opened_at > ?2 AND opened_at > ?3 THEN disputed_minor ELSE 0 END) AS disputed2
          FROM cases \(byCategory) WHERE status <> 'closed' AND status <> 'resolved'
            AND disputed_minor BETWEEN -\(Money.maxStoredMinorUnits) AND \(Money.maxStoredMinorUnits)
          GROUP BY category
          """,
        arguments: [thirty, sixty, ninety, Timestamp.utcText(asOf)])
      while let row = try rows.next() {
        let cases: Int = row["cases"]
        let amount: Int64 = row["disputed"]
        portfolio.openCases += cases
        portfolio.disputedMinor += amount
        portfolio.disputedByCategory[(row["category"] as String?) ?? "uncategorized", default: 0] += amount
        portfolio.deadlinesBreached += (row["breached"] as Int?) ?? 0
        var counted = (cases: 0, amount: Int64(0))
        for bucket in 0..<3 {
          let inBucket = (row["cases\(bucket)"] as Int?) ?? 0
          let disputed = (row["disputed\(bucket)"] as Int64?) ?? 0
          if inBucket > 0 { portfolio.disputedByAge[buckets[bucket], default: 0] += disputed }
          counted = (counted.cases + inBucket, counted.amount + disputed)
        }
        if cases > counted.cases {
          portfolio.disputedByAge[buckets[3], default: 0] += amount - counted.amount
        }
      }
      return portfolio
    }
  }
}
