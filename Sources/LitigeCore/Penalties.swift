import Foundation

/// What is owed for paying late on one invoice, as the law computes it (domain.md §4).
public struct PenaltyClaim: Hashable, Sendable {
  /// Which rule gives it.
  public enum Basis: String, Sendable, Codable {
    /// Late-payment penalties between businesses (Code de commerce L441-10), with the 40 EUR
    /// recovery indemnity (D441-5).
    case latePenalties = "late_penalties"
    /// Legal-rate interest owed by a consumer from the formal notice (Code civil 1231-6, 1344).
    case legalInterest = "legal_interest"
  }

  /// The rule.
  public var basis: Basis
  /// The interest or penalties, rounded to the cent once, at the end.
  public var interest: Money
  /// The fixed recovery indemnity: 40 EUR per invoice paid late between businesses, none otherwise.
  public var indemnity: Money
  /// The first and last days counted, if any day was.
  public var firstDay: LocalDate?, lastDay: LocalDate?
  /// How many days were counted.
  public var days: Int

  /// Interest plus indemnity.
  public var total: Money { interest + indemnity }
}

/// Late penalties and legal interest, day by day (domain.md §4).
///
/// The rules, each day at the rate of its half-year:
/// - between businesses (Code de commerce L441-10): the contract's rate, else the ECB rate of the
///   half-year + 10 points, never below three times the legal rate (`PenaltyRates.penaltyRate`), from
///   the day after the due date to the payment day; plus 40 EUR per invoice paid late (D441-5), whole
///   even after a partial payment;
/// - against a consumer: no L441-10 penalties and no indemnity (D441-5 binds professionals; recovery
///   costs stay with the creditor, CPCE L111-8); legal-rate interest from the day after the formal
///   notice (Code civil 1231-6), at the rate "for all other cases" since the creditor is a business.
///
/// Day count and rounding: simple interest, amount still due x annual rate x days / 365 (365 in leap
/// years too); the amount due on a day is the total less what was paid, credited or written off before
/// that day (a partial payment lowers the base from the next day, the payment day itself still counts
/// at the old base); the exact sum in hundredths of basis points of cents is rounded half away from
/// zero to the cent once, at the end.
public enum LatePenalties {
  /// The 40 EUR recovery indemnity of Code de commerce D441-5.
  public static let recoveryIndemnityEUR = Money(minorUnits: 4_000, currency: .euro)

  /// The claim on `ledger`'s invoice through `day` (today, or the day it was paid in full).
  ///
  /// `startingAfter` replaces the due date as the last day without penalties. `waived` takes a disputed
  /// part out of the base through a day (the new due date a resolution set, or today while the dispute
  /// is open) when penalties on disputed invoices are waived: the rest of the invoice, never disputed,
  /// bears penalties from its own due date (domain.md §4: only the disputed part is frozen). Against a
  /// consumer the claim runs only from `formalNoticeOn`. Throws `DomainError.invalid` naming the
  /// half-year whose rate is missing from the tables.
  public static func claim(
    on ledger: InvoiceLedger, debtor: CustomerKind, rates: PenaltyRates, through day: LocalDate,
    startingAfter: LocalDate? = nil, formalNoticeOn: LocalDate? = nil,
    waived: [(amount: Money, through: LocalDate)] = []
  ) throws -> PenaltyClaim {
    let currency = ledger.invoice.total.currency
    let basis: PenaltyClaim.Basis = debtor == .company ? .latePenalties : .legalInterest
    let zero = Money.zero(currency)
    var result = PenaltyClaim(
      basis: basis, interest: zero, indemnity: zero, firstDay: nil, lastDay: nil, days: 0)
    let runsAfter: LocalDate
    switch debtor {
    case .company: runsAfter = max(startingAfter ?? ledger.invoice.dueOn, ledger.invoice.dueOn)
    case .person:
      guard let notice = formalNoticeOn else { return result }
      runsAfter = max(notice, startingAfter ?? notice)
    }
    guard day > runsAfter else { return result }

    // What lowers (or, for money paid back, raises) the amount due, by the day it happened.
    var changes: [(on: LocalDate, minor: Int64)] = ledger.payments.map { ($0.paidOn, -$0.amount.minorUnits) }
    for adjustment in ledger.adjustments {
      let sign: Int64 = adjustment.kind == .refund ? 1 : -1
      changes.append((adjustment.on, sign * adjustment.amount.minorUnits))
    }
    changes.sort { $0.on < $1.on }
    var base = ledger.invoice.total.minorUnits
    var next = 0
    // Everything that happened up to the last day without penalties is already in the base.
    while next < changes.count, changes[next].on <= runsAfter {
      base += changes[next].minor
      next += 1
    }
    var numerator: Int128 = 0  // cents x basis points x days
    var current = runsAfter.adding(days: 1)
    while current <= day {
      guard base > 0 else { break }
      let period = HalfYear(containing: current)
      let rate: BasisPoints
      if debtor == .company {
        rate = try rates.penaltyRate(for: period)
      } else {
        guard let legal = rates.legalRates[period] else {
          throw DomainError.invalid(
            field: "company.legal_rates",
            "no legal interest rate for \(period): add \"\(period)\" = RATE to [company.legal_rates]")
        }
        rate = legal
      }
      // The waived disputed part is out of the base through its day.
      let out = waived.reduce(Int64(0)) { $0 + (current <= $1.through ? $1.amount.minorUnits : 0) }
      let counted = max(0, base - out)
      guard counted > 0 else {
        while next < changes.count, changes[next].on <= current {
          base += changes[next].minor
          next += 1
        }
        current = current.adding(days: 1)
        continue
      }
      numerator += Int128(counted) * Int128(rate)
      result.days += 1
      if result.firstDay == nil { result.firstDay = current }
      result.lastDay = current
      // A payment on this day lowers the base from the next day.
      while next < changes.count, changes[next].on <= current {
        base += changes[next].minor
        next += 1
      }
      current = current.adding(days: 1)
    }
    // Round half away from zero, once: numerator / (365 x 10,000).
    let denominator: Int128 = 365 * 10_000
    let rounded = (numerator * 2 + denominator) / (denominator * 2)
    result.interest = Money(minorUnits: Int64(rounded), currency: currency)
    if debtor == .company, result.days > 0, currency == .euro {
      result.indemnity = recoveryIndemnityEUR
    }
    return result
  }
}

/// What a letter claimed for paying late on one invoice, as its `sent` event keeps it (the accounting
/// feed posts these).
public struct PenaltyClaimRecord: Hashable, Sendable {
  /// The invoice.
  public var invoice: String
  /// `late_penalties` (Code de commerce L441-10) or `legal_interest` (Code civil 1231-6).
  public var basis: String
  /// The penalties or interest claimed.
  public var interest: Money
  /// The recovery indemnity claimed (D441-5), or zero.
  public var indemnity: Money
  /// The days counted.
  public var days: Int

  /// Creates one.
  public init(invoice: String, basis: String, interest: Money, indemnity: Money, days: Int) {
    self.invoice = invoice
    self.basis = basis
    self.interest = interest
    self.indemnity = indemnity
    self.days = days
  }

  /// The records as one journal field: a JSON array of objects of strings.
  public static func encode(_ records: [PenaltyClaimRecord]) -> String {
    let objects = records.map {
      [
        "invoice": $0.invoice, "basis": $0.basis, "interest": $0.interest.decimalText,
        "indemnity": $0.indemnity.decimalText, "days": String($0.days),
      ]
    }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return (try? encoder.encode(objects)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
  }

  /// Reads `encode`'s text; throws `DomainError.invalid` on anything else.
  public static func parse(_ text: String, currency: Currency) throws -> [PenaltyClaimRecord] {
    guard let objects = try? JSONDecoder().decode([[String: String]].self, from: Data(text.utf8)) else {
      throw DomainError.invalid(
        field: "claimed", "expected the penalties a letter claimed, as written by Litige")
    }
    return try objects.map { object in
      guard let invoice = object["invoice"], let basis = object["basis"], let interest = object["interest"],
        let indemnity = object["indemnity"], let days = object["days"].flatMap({ Int($0) })
      else {
        throw DomainError.invalid(field: "claimed", "a claim lacks its invoice, basis, amounts or days")
      }
      return PenaltyClaimRecord(
        invoice: invoice, basis: basis,
        interest: try Money(parsing: interest, currency: currency, field: "claimed"),
        indemnity: try Money(parsing: indemnity, currency: currency, field: "claimed"), days: days)
    }
  }
}

/// The late penalties of a case's invoices on a day, as the law and the company's setting say
/// (domain.md §4): the one computation behind `case.penalties`, `case:late_penalties(mode)` and what a
/// letter records as claimed.
public enum CasePenalties {
  /// Each invoice of `disputeCase` in the company's currency with its claim through `today`.
  ///
  /// With `.waive`, the part of an invoice the case disputes bears nothing while in dispute and until
  /// the new due date a resolution set; the rest of the invoice runs from its own due date. With
  /// `.accrue`, the whole invoice runs from its due date. Throws `DomainError.invalid` naming the
  /// half-year whose rate is missing.
  public static func claims(
    for disputeCase: DisputeCase, facts: CaseFacts, settings: CompanySettings, today: LocalDate,
    mode: DisputedPenalties
  ) throws -> [(ledger: InvoiceLedger, claim: PenaltyClaim)] {
    try facts.ledgers.filter { $0.invoice.total.currency == settings.currency }.map { stored in
      var ledger = stored
      // The case's own portions are open while the case is (its status may have moved in this call).
      for index in ledger.disputes.indices where ledger.disputes[index].caseId == disputeCase.id {
        ledger.disputes[index].open = disputeCase.status.isActive
      }
      var waived: [(amount: Money, through: LocalDate)] = []
      if mode == .waive,
        let portion = ledger.disputes.first(where: { $0.caseId == disputeCase.id }),
        portion.amount.minorUnits > 0
      {
        let conceded = ledger.adjustments.filter { $0.caseId == disputeCase.id && $0.kind == .credit }
          .reduce(Int64(0)) { $0 + $1.amount.minorUnits }
        let amount = Money(
          minorUnits: max(0, portion.amount.minorUnits - conceded), currency: portion.amount.currency)
        let resolvedOn = disputeCase.resolvedAt.map { LocalDate($0, in: settings.timeZone) } ?? today
        waived.append((amount, portion.open ? today : portion.newDueOn ?? resolvedOn))
      }
      // What other cases still dispute is frozen: no claim runs on it while they are open (domain.md §4),
      // whatever this case's mode.
      for other in ledger.disputes where other.caseId != disputeCase.id && other.open {
        if let still = try? ledger.stillDisputed(other), still.minorUnits > 0 {
          waived.append((still, today))
        }
      }
      let claim = try LatePenalties.claim(
        on: ledger, debtor: facts.customerKind, rates: settings.penaltyRates, through: today,
        formalNoticeOn: facts.formalNoticeOn, waived: waived)
      return (ledger, claim)
    }
  }
}
