import Foundation
import GRDB
import LitigeCore

/// The disputed receivables of a workspace at a date, for reports.
public struct Portfolio: Codable, Sendable {
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
      // down", compared as text; the cases are summed by category and age in SQL, from the narrow
      // index of open cases (schema v12).
      func openedAfter(days: Double) -> String {
        Timestamp.utcText(asOf.addingTimeInterval(-(days + 1) * 86_400))
      }
      let buckets = ["0-30 days", "31-60 days", "61-90 days", "over 90 days"]
      let rows = try Row.fetchCursor(
        db,
        sql: """
          SELECT category,
            CASE WHEN opened_at > ? THEN 0 WHEN opened_at > ? THEN 1 WHEN opened_at > ? THEN 2 ELSE 3 END
              AS bucket,
            COUNT(*) AS cases, SUM(disputed_minor) AS disputed, SUM(deadline < ?) AS breached
          FROM cases INDEXED BY cases_open WHERE status <> 'closed' AND status <> 'resolved'
          GROUP BY category, bucket
          """,
        arguments: [
          openedAfter(days: 30), openedAfter(days: 60), openedAfter(days: 90), Timestamp.utcText(asOf),
        ])
      while let row = try rows.next() {
        let amount: Int64 = row["disputed"]
        portfolio.openCases += row["cases"] as Int
        portfolio.disputedMinor += amount
        portfolio.disputedByAge[buckets[row["bucket"] as Int], default: 0] += amount
        portfolio.disputedByCategory[(row["category"] as String?) ?? "uncategorized", default: 0] += amount
        portfolio.deadlinesBreached += (row["breached"] as Int?) ?? 0
      }
      return portfolio
    }
  }
}
