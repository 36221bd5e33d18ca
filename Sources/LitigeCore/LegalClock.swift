import Foundation

/// French limitation periods (prescription) for a company's claim.
///
/// - Between businesses, and against non-professional legal persons: 5 years (Code de commerce
///   L110-4, Code civil 2224).
/// - A business's claim against a consumer: 2 years (Code de la consommation L218-2).
/// - The clock starts at the due date (Code civil 2233). A formal notice does not stop it.
/// - The debtor's acknowledgement of the debt (a payment promise, a partial payment) restarts a full
///   period (Code civil 2240, 2231).
/// - An agreed mediation or conciliation, or the small-claims procedure once the debtor agrees,
///   suspends it; once it ends, at least 6 months remain (Code civil 2238).
///
/// Day count (Code civil 2228, 2229): the period runs by days from the day after the one that starts
/// it (the due date, an acknowledgement, the end of a suspension: that day itself is not counted), in
/// calendar years and months (2 years after 2024-02-29 end on 2026-02-28), and is acquired once its
/// last day has fully run: the claim may still be brought on the anniversary and is time-barred from
/// the day after, which is the date `expiry` returns.
public enum Limitation {
  /// A period of suspension (mediation, conciliation), both days included.
  public struct Suspension: Hashable, Sendable {
    /// The first and last day of the suspension.
    public var from: LocalDate, through: LocalDate
    /// A suspension from `from` through `through`.
    public init(from: LocalDate, through: LocalDate) {
      self.from = from
      self.through = through
    }
  }

  /// The period in years for a claim against `debtor` (domain.md §4).
  public static func years(against debtor: CustomerKind) -> Int {
    debtor == .person ? 2 : 5  // Code de la consommation L218-2; Code de commerce L110-4
  }

  /// The first day the claim is time-barred (the day after the last day of the term).
  ///
  /// `dueOn` starts the clock (Code civil 2233); each day in `acknowledgements` (a promise, a partial
  /// payment) restarts a full period from that day (Code civil 2240, 2231); each suspension stops the
  /// clock while it lasts, and leaves at least six months once it ends (Code civil 2238).
  public static func expiry(
    dueOn: LocalDate, debtor: CustomerKind, acknowledgements: [LocalDate] = [], suspensions: [Suspension] = []
  ) -> LocalDate {
    let years = Self.years(against: debtor)
    var start = dueOn
    for day in acknowledgements.sorted() where day > start { start = day }
    // The last day of the term is the anniversary; the claim is barred from the day after (2229).
    var expiry = start.adding(months: 12 * years).adding(days: 1)
    for suspension in suspensions.sorted(by: { $0.from < $1.from }) {
      guard suspension.through >= start, suspension.from < expiry else { continue }
      // The days of the suspension that fall after the clock's start do not count.
      let counted = max(suspension.from, start)
      expiry = expiry.adding(days: counted.days(until: suspension.through) + 1)
      // Code civil 2238: the period runs again for at least six months after the suspension ends.
      let floor = suspension.through.adding(months: 6).adding(days: 1)
      if expiry < floor { expiry = floor }
    }
    return expiry
  }
}

/// Which court hears a company's claim and how it is brought (domain.md §3.8 and §4).
public struct CourtRoute: Hashable, Sendable {
  /// The court.
  public enum Court: String, Sendable, Codable {
    /// Disputes between merchants (Code de commerce L721-3).
    case tribunalDeCommerce = "tribunal_de_commerce"
    /// Everything else: a consumer, a société civile, a liberal profession.
    case tribunalJudiciaire = "tribunal_judiciaire"
  }

  /// How the claim is brought.
  public enum Procedure: String, Sendable, Codable {
    /// A request (requête), possible up to 5,000 EUR (CPC 750, 818).
    case request
    /// A summons (assignation), above 5,000 EUR.
    case summons
    /// An order for payment (injonction de payer, CPC 1405 and after): ex parte, no lawyer needed for
    /// the request at any amount, and so no prior amicable attempt.
    case orderForPayment = "order_for_payment"
  }

  /// The court.
  public var court: Court
  /// The procedure.
  public var procedure: Procedure
  /// Whether a lawyer is mandatory (above 10,000 EUR, CPC 761 and 853; never for the order for
  /// payment's request).
  public var lawyerRequired: Bool
  /// The amount claimed the route was chosen on.
  public var claimed: Money

  /// Up to this amount a claim may be brought by request, and before the tribunal judiciaire it needs a
  /// prior conciliation, mediation or participative procedure (CPC 750, 750-1).
  public static let requestLimitMajor: Int64 = 5_000
  /// Above this amount a lawyer is mandatory (CPC 761, 853).
  public static let lawyerThresholdMajor: Int64 = 10_000

  /// The route for `claimed` (what is owed on the disputed invoices, plus penalties when claimed),
  /// against a debtor of kind `debtor` (a company is taken as a merchant).
  ///
  /// Throws `DomainError.refused` when nothing is owed, and, for an ordinary procedure before the
  /// tribunal judiciaire up to 5,000 EUR, when no real amicable attempt is recorded (CPC 750-1:
  /// a conciliation, a mediation or a participative procedure; a proposal made to the customer also
  /// counts as the companies' own rule; an automatic acknowledgement does not).
  public static func route(
    claimed: Money, debtor: CustomerKind, procedure requested: Procedure? = nil, amicableAttempt: Bool
  ) throws -> CourtRoute {
    guard claimed.minorUnits > 0 else {
      throw DomainError.refused("nothing is owed: there is no claim to bring to court")
    }
    let per = claimed.currency.minorPerMajor
    let court: Court = debtor == .company ? .tribunalDeCommerce : .tribunalJudiciaire
    let small = claimed.minorUnits <= requestLimitMajor * per
    let procedure = requested ?? (small ? .request : .summons)
    if procedure == .request, !small {
      throw DomainError.refused(
        "a request (requête) is possible up to 5,000 EUR only (CPC 750); \(claimed) needs a summons")
    }
    if procedure != .orderForPayment, court == .tribunalJudiciaire, small, !amicableAttempt {
      throw DomainError.refused(
        "before the tribunal judiciaire a claim of \(claimed) needs a prior conciliation, mediation or "
          + "participative procedure (CPC 750-1); an order for payment needs none")
    }
    let lawyer = procedure != .orderForPayment && claimed.minorUnits > lawyerThresholdMajor * per
    return CourtRoute(court: court, procedure: procedure, lawyerRequired: lawyer, claimed: claimed)
  }
}

extension LocalDate {
  /// The date `months` calendar months later, the day clamped to the month's end (2024-02-29 plus 12
  /// months is 2025-02-28).
  public func adding(months: Int) -> LocalDate {
    let total = year * 12 + (month - 1) + months
    let newYear = total / 12
    let newMonth = total % 12 + 1
    let day = min(self.day, LocalDate.days(inMonth: newMonth, of: newYear))
    return (try? LocalDate(year: newYear, month: newMonth, day: day)) ?? self
  }
}
