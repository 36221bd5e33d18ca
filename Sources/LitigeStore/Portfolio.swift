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
      let rows = try Row.fetchCursor(
        db,
        sql: """
          SELECT opened_at, category, disputed_minor, deadline FROM cases
          WHERE status NOT IN ('resolved', 'closed')
          """)
      let asOfText = Timestamp.utcText(asOf)
      while let row = try rows.next() {
        let amount: Int64 = row["disputed_minor"]
        let opened = try Timestamp.parse(row["opened_at"])
        let days = Int(asOf.timeIntervalSince(opened) / 86_400)
        let bucket =
          days <= 30 ? "0-30 days" : days <= 60 ? "31-60 days" : days <= 90 ? "61-90 days" : "over 90 days"
        portfolio.openCases += 1
        portfolio.disputedMinor += amount
        portfolio.disputedByAge[bucket, default: 0] += amount
        portfolio.disputedByCategory[(row["category"] as String?) ?? "uncategorized", default: 0] += amount
        if let deadline = row["deadline"] as String?, deadline < asOfText { portfolio.deadlinesBreached += 1 }
      }
      return portfolio
    }
  }
}
