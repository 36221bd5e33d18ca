import Foundation
import GRDB
import LitigeCore

/// What a finance or customer-service manager decides from after a night (issue 13): tonight's money,
/// what needs a person, exposure by customer, days to resolve, promises, and the trend.
///
/// Amounts are minor units of the company's currency; counts are cases unless said otherwise.
public struct NightFigures: Codable, Sendable, Equatable {
  /// Tonight's money: what the policies proposed and what was granted or claimed during the run.
  public struct Money: Codable, Sendable, Equatable {
    /// Gestures proposed tonight: how many, and their total.
    public var gesturesProposed = 0, gesturesProposedMinor: Int64 = 0
    /// Gestures granted tonight (accepted and approved): how many, and their total.
    public var gesturesGranted = 0, gesturesGrantedMinor: Int64 = 0
    /// Of those, credit notes and discounts (what the invoices lose).
    public var creditNotesMinor: Int64 = 0
    /// Late penalties or interest, and recovery indemnities, claimed by tonight's letters.
    public var penaltiesClaimedMinor: Int64 = 0, indemnitiesClaimedMinor: Int64 = 0

    enum CodingKeys: String, CodingKey {
      case gesturesProposed = "gestures_proposed", gesturesProposedMinor = "gestures_proposed_minor",
        gesturesGranted = "gestures_granted", gesturesGrantedMinor = "gestures_granted_minor",
        creditNotesMinor = "credit_notes_minor", penaltiesClaimedMinor = "penalties_claimed_minor",
        indemnitiesClaimedMinor = "indemnities_claimed_minor"
    }
  }

  /// What waits for a person after the night (the work queues).
  public struct NeedsPerson: Codable, Sendable, Equatable {
    /// Gestures awaiting an approver.
    public var approvals = 0
    /// Formal notices and court steps the policies propose, to confirm.
    public var formalNoticesToConfirm = 0, courtStepsToConfirm = 0
    /// Stalled disputes a person must rule on.
    public var rulings = 0
    /// Open cases past their resolution deadline.
    public var deadlinesBreached = 0
    /// Payment promises judged broken tonight.
    public var promisesBrokenTonight = 0

    enum CodingKeys: String, CodingKey {
      case approvals, formalNoticesToConfirm = "formal_notices_to_confirm", courtStepsToConfirm =
        "court_steps_to_confirm", rulings, deadlinesBreached = "deadlines_breached", promisesBrokenTonight =
        "promises_broken_tonight"
    }
  }

  /// A customer's open disputes.
  public struct Exposure: Codable, Sendable, Equatable {
    /// The customer's id and name (personal data for a person; the page is for the company's staff).
    public var customerId: String, name: String
    /// Open cases and their disputed total.
    public var openCases: Int, disputedMinor: Int64

    enum CodingKeys: String, CodingKey {
      case customerId = "customer_id", name, openCases = "open_cases", disputedMinor = "disputed_minor"
    }
  }

  /// Days from opening to resolution of the cases resolved in the last 90 days.
  public struct DaysToResolve: Codable, Sendable, Equatable {
    /// How many cases, the median and the 90th percentile in days.
    public var cases = 0, median = 0, p90 = 0

    enum CodingKeys: String, CodingKey {
      case cases, median, p90
    }
  }

  /// One earlier night, for the trend.
  public struct Night: Codable, Sendable, Equatable {
    /// The day it decided as of (the company's time zone).
    public var day: String
    /// Open cases and disputed total after it; decisions it applied.
    public var openCases: Int, disputedMinor: Int64, decisions: Int

    enum CodingKeys: String, CodingKey {
      case day, openCases = "open_cases", disputedMinor = "disputed_minor", decisions
    }
  }

  /// Tonight's money.
  public var money = Money()
  /// The work queues.
  public var needsPerson = NeedsPerson()
  /// The ten customers with the largest disputed total.
  public var topCustomers: [Exposure] = []
  /// Resolution times.
  public var daysToResolve = DaysToResolve()
  /// Payment promises by status: kept, partly_kept, broken, pending.
  public var promises: [String: Int] = [:]
  /// The previous nights (at most 13, oldest first); tonight is the report's own figures.
  public var previousNights: [Night] = []

  /// No figures.
  public init() {}

  enum CodingKeys: String, CodingKey {
    case money, needsPerson = "needs_person", topCustomers = "top_customers", daysToResolve =
      "days_to_resolve", promises, previousNights = "previous_nights"
  }
}

extension Store {
  /// The open cases' portfolio as of `asOf` and the figures of run `runId`, for its report.
  ///
  /// Both scan the open cases: they are read side by side on two connections (a second of a steady
  /// 1M-case night when read one after the other).
  public func portfolioAndFigures(runId: String, asOf: Date) throws -> (Portfolio, NightFigures) {
    try bothAtOnce({ try portfolio(asOf: asOf) }, { try nightFigures(runId: runId, asOf: asOf) })
  }

  /// The figures of run `runId`, decided as of `asOf`.
  public func nightFigures(runId: String, asOf: Date) throws -> NightFigures {
    try database.read { db in
      var figures = NightFigures()
      let asOfText = Timestamp.utcText(asOf)
      // Tonight's events, by kind, with their amounts.
      let events = try Row.fetchCursor(
        db,
        sql: """
          SELECT kind, json_extract(payload, '$.amount') AS amount, json_extract(payload, '$.kind') AS gesture,
            json_extract(payload, '$.status') AS status, json_extract(payload, '$.claimed') AS claimed,
            json_extract(payload, '$.currency') AS currency
          FROM events WHERE run_id = ? AND kind IN ('propose_gesture', 'grant_gesture', 'judge_promise', 'send')
          """, arguments: [runId])
      let currency = settings.currency
      func minor(_ text: String?) -> Int64 {
        text.flatMap { try? LitigeCore.Money(parsing: $0, currency: currency).minorUnits } ?? 0
      }
      while let row = try events.next() {
        switch row["kind"] as String {
        case "propose_gesture":
          figures.money.gesturesProposed += 1
          figures.money.gesturesProposedMinor += minor(row["amount"])
        case "grant_gesture":
          figures.money.gesturesGranted += 1
          figures.money.gesturesGrantedMinor += minor(row["amount"])
          if ["credit_note", "discount"].contains(row["gesture"] as String? ?? "") {
            figures.money.creditNotesMinor += minor(row["amount"])
          }
        case "judge_promise":
          if (row["status"] as String?) == "broken" { figures.needsPerson.promisesBrokenTonight += 1 }
        default:
          guard let claimed = row["claimed"] as String?,
            let records = try? PenaltyClaimRecord.parse(claimed, currency: currency)
          else { continue }
          for record in records {
            figures.money.penaltiesClaimedMinor += record.interest.minorUnits
            figures.money.indemnitiesClaimedMinor += record.indemnity.minorUnits
          }
        }
      }
      // The queues, as `litige case list --queue` counts them, in one pass over the open cases: their
      // tags and gestures are read as the flags `cases.queues` keeps (schema v12), from the narrow
      // index `cases_open` rather than the cases' rows.
      let active = "status <> 'resolved'"
      let openIndex = try Self.indexedBy("cases_open", db)
      func flag(_ bit: Schema.QueueFlag) -> String { "(queues & \(bit.rawValue)) <> 0" }
      let queues = try Row.fetchOne(
        db,
        sql: """
          SELECT
            SUM(\(flag(.gestureAwaitingApproval)) OR (\(active) AND \(flag(.gestureNeedsApprovalTag)))),
            SUM(escalation IN ('amicable', 'mediation') AND \(flag(.formalNoticeProposed))),
            SUM(escalation <> 'court' AND \(flag(.courtProposed))),
            SUM(\(active) AND \(flag(.rulingProposed))),
            SUM(\(active) AND deadline < ?)
          FROM cases \(openIndex) WHERE status <> 'closed'
          """, arguments: [asOfText])
      figures.needsPerson.approvals = queues?[0] ?? 0
      figures.needsPerson.formalNoticesToConfirm = queues?[1] ?? 0
      figures.needsPerson.courtStepsToConfirm = queues?[2] ?? 0
      figures.needsPerson.rulings = queues?[3] ?? 0
      figures.needsPerson.deadlinesBreached = queues?[4] ?? 0
      // Exposure: the open disputes of each customer, summed in the customers' order of `cases_open`;
      // only the ten largest are named.
      figures.topCustomers = try Row.fetchAll(
        db,
        sql: """
          SELECT t.customer_id, cu.name, t.open_cases, t.disputed FROM (
            SELECT customer_id, COUNT(*) AS open_cases, SUM(disputed_minor) AS disputed
            FROM cases \(openIndex) WHERE status <> 'closed' AND \(active)
              AND disputed_minor BETWEEN -\(Money.maxStoredMinorUnits) AND \(Money.maxStoredMinorUnits)
            GROUP BY customer_id ORDER BY disputed DESC, customer_id LIMIT 10) t
          JOIN customers cu ON cu.id = t.customer_id ORDER BY t.disputed DESC, t.customer_id
          """
      ).map {
        NightFigures.Exposure(
          customerId: $0["customer_id"], name: $0["name"], openCases: $0["open_cases"],
          disputedMinor: $0["disputed"])
      }
      // Days to resolve, over the last 90 days.
      let since = Timestamp.utcText(asOf.addingTimeInterval(-90 * 86_400))
      let days = try Double.fetchAll(
        db,
        sql: """
          SELECT julianday(resolved_at) - julianday(opened_at) FROM cases
          WHERE resolved_at IS NOT NULL AND resolved_at >= ? AND resolved_at <= ? ORDER BY 1
          """, arguments: [since, asOfText]
      ).map { max(0, Int($0.rounded(.down))) }
      if !days.isEmpty {
        figures.daysToResolve = NightFigures.DaysToResolve(
          cases: days.count, median: days[(days.count - 1) / 2],
          p90: days[min(days.count - 1, Int((Double(days.count) * 0.9).rounded(.up)) - 1)])
      }
      for row in try Row.fetchAll(db, sql: "SELECT status, COUNT(*) AS n FROM promises GROUP BY status") {
        figures.promises[row["status"]] = row["n"]
      }
      // The trend: the nights before this one, from their own reports.
      let nights = try Row.fetchAll(
        db,
        sql: """
          SELECT as_of,
            COALESCE(json_extract(report, '$.portfolio.open_cases'), json_extract(report, '$.portfolio.openCases'))
              AS open_cases,
            COALESCE(json_extract(report, '$.portfolio.disputed_minor'),
              json_extract(report, '$.portfolio.disputedMinor')) AS disputed,
            (SELECT COALESCE(SUM(value), 0) FROM json_each(
              COALESCE(json_extract(report, '$.decisions_by_kind'), json_extract(report, '$.decisionsByKind'))))
              AS decisions
          FROM runs WHERE id <> ? AND dry_run = 0 AND report IS NOT NULL AND as_of < ? AND id LIKE 'night-%'
          ORDER BY as_of DESC LIMIT 13
          """, arguments: [runId, asOfText])
      figures.previousNights = try nights.reversed().map {
        NightFigures.Night(
          day: LocalDate(try Timestamp.parse($0["as_of"]), in: settings.timeZone).description,
          openCases: $0["open_cases"] ?? 0, disputedMinor: $0["disputed"] ?? 0,
          decisions: $0["decisions"] ?? 0)
      }
      return figures
    }
  }
}
