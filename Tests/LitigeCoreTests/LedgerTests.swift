import Foundation
import PropertyBased
import Testing

@testable import LitigeCore

private func eur(_ text: String) -> Money {
  (try? Money(parsing: text, currency: .euro)) ?? .zero(.euro)
}

private func day(_ text: String) -> LocalDate {
  (try? LocalDate(parsing: text)) ?? LocalDate.unchecked(year: 1970, month: 1, day: 1)
}

private func invoice(_ total: String, due: String = "2026-06-30") -> Invoice {
  Invoice(
    number: "F-1", customerId: "C1", issuedOn: day("2026-05-31"), dueOn: day(due), total: eur(total),
    paid: .zero(.euro))
}

@Suite("The amount ledger")
struct LedgerTests {
  @Test("what is collectable stays as it is until the day collectableChanges names, and always with none")
  func collectableChangesOnlyOnTheDayNamed() async {
    // An invoice with open and resolved disputes (some with new due dates), payments, and a day to
    // look from, anywhere from two months before its due date to two months after the new ones.
    let offsets = Gen.int(in: -60...60)
    await propertyCheck(
      count: 300, input: offsets, offsets.array(of: 0...3), Gen.int(in: 0...3), Gen.int(in: -70...130)
    ) { dueOffset, newDueOffsets, openCount, lookOffset in
      let base = day("2026-06-30")
      var ledger = InvoiceLedger(invoice: invoice("1000.00", due: base.adding(days: dueOffset).description))
      for (index, offset) in newDueOffsets.enumerated() {
        ledger.disputes.append(
          DisputedPortion(
            caseId: Int64(index + 1), invoiceNumber: "F-1", amount: eur("100.00"), open: false,
            newDueOn: index % 2 == 0 ? base.adding(days: offset) : nil))
      }
      for index in 0..<openCount {
        ledger.disputes.append(
          DisputedPortion(caseId: Int64(10 + index), invoiceNumber: "F-1", amount: eur("50.00")))
      }
      let today = base.adding(days: lookOffset)
      let next = ledger.collectableChanges(after: today)
      let now = try? ledger.collectable(on: today)
      var later = today.adding(days: 1)
      let horizon = today.adding(days: 200)
      while later < (next ?? horizon) {
        let then = try? ledger.collectable(on: later)
        #expect(then == now, "\(later) before \(String(describing: next))")
        later = later.adding(days: 1)
      }
      if let next { #expect(next > today) }
    }
  }

  @Test("an invoice falls due the day after its due date; a resolved remainder the day after its new one")
  func collectableChangesOnDueDates() throws {
    var ledger = InvoiceLedger(invoice: invoice("1000.00", due: "2026-06-30"))
    #expect(ledger.collectableChanges(after: day("2026-06-01")) == day("2026-07-01"))
    #expect(ledger.collectableChanges(after: day("2026-07-01")) == nil)
    ledger.disputes.append(
      DisputedPortion(
        caseId: 1, invoiceNumber: "F-1", amount: eur("300.00"), open: false, newDueOn: day("2026-08-15")))
    #expect(ledger.collectableChanges(after: day("2026-07-01")) == day("2026-08-16"))
    #expect(try ledger.collectable(on: day("2026-08-15")) == eur("700.00"))
    #expect(try ledger.collectable(on: day("2026-08-16")) == eur("1000.00"))
  }

  @Test("payments in several parts are each kept; paid is their sum")
  func paymentsInSeveralParts() throws {
    var ledger = InvoiceLedger(invoice: invoice("4162.44"))
    for (reference, amount) in [("VIR-1", "1000.00"), ("VIR-2", "2000.44"), ("CHQ-7", "162.00")] {
      let payment = Payment(
        invoiceNumber: "F-1", paidOn: day("2026-07-10"), amount: eur(amount), reference: reference,
        method: "transfer")
      try ledger.checkNewPayment(payment)
      ledger.payments.append(payment)
    }
    #expect(try ledger.paid() == eur("3162.44"))
    #expect(try ledger.owed() == eur("1000.00"))
    #expect(ledger.payments.count == 3)
    let again = Payment(
      invoiceNumber: "F-1", paidOn: day("2026-07-11"), amount: eur("5.00"), reference: "VIR-2",
      method: "transfer")
    #expect(throws: DomainError.self) { try ledger.checkNewPayment(again) }
  }

  @Test("only the disputed portion is frozen; the rest stays due on the original date")
  func partialDisputeFreezesOnlyItsPortion() throws {
    var ledger = InvoiceLedger(invoice: invoice("5854.07"))
    let portion = DisputedPortion(caseId: 1, invoiceNumber: "F-1", amount: eur("1200.00"))
    try ledger.checkNewDispute(portion)
    ledger.disputes.append(portion)
    #expect(try ledger.frozen() == eur("1200.00"))
    #expect(try ledger.collectable(on: day("2026-06-30")) == .zero(.euro))  // not yet due
    #expect(try ledger.collectable(on: day("2026-07-01")) == eur("4654.07"))
  }

  @Test("a case may not dispute more than the invoice, nor may open cases together")
  func disputesAreBoundedByTheTotal() throws {
    var ledger = InvoiceLedger(invoice: invoice("4162.44"))
    #expect(throws: DomainError.self) {
      try ledger.checkNewDispute(DisputedPortion(caseId: 1, invoiceNumber: "F-1", amount: eur("99999.00")))
    }
    ledger.disputes.append(DisputedPortion(caseId: 1, invoiceNumber: "F-1", amount: eur("4000.00")))
    #expect(throws: DomainError.self) {
      try ledger.checkNewDispute(DisputedPortion(caseId: 2, invoiceNumber: "F-1", amount: eur("200.00")))
    }
    try ledger.checkNewDispute(DisputedPortion(caseId: 2, invoiceNumber: "F-1", amount: eur("162.44")))
    // A resolved case no longer counts.
    ledger.disputes[0].open = false
    try ledger.checkNewDispute(DisputedPortion(caseId: 2, invoiceNumber: "F-1", amount: eur("4162.44")))
  }

  @Test("a full credit note leaves nothing owed, nothing frozen and nothing to collect")
  func creditNoteThenCollection() throws {
    var ledger = InvoiceLedger(invoice: invoice("1717.61"))
    ledger.disputes.append(DisputedPortion(caseId: 1, invoiceNumber: "F-1", amount: eur("1717.61")))
    ledger.adjustments.append(
      LedgerAdjustment(kind: .credit, invoiceNumber: "F-1", on: day("2026-07-02"), amount: eur("1717.61")))
    ledger.disputes[0].open = false
    #expect(try ledger.owed() == .zero(.euro))
    #expect(try ledger.frozen() == .zero(.euro))
    #expect(try ledger.collectable(on: day("2027-01-01")) == .zero(.euro))
  }

  @Test func writeOffLowersWhatIsOwed() throws {
    var ledger = InvoiceLedger(invoice: invoice("300.00"))
    ledger.adjustments.append(
      LedgerAdjustment(kind: .writeOff, invoiceNumber: "F-1", on: day("2026-08-01"), amount: eur("45.50")))
    #expect(try ledger.writtenOff() == eur("45.50"))
    #expect(try ledger.owed() == eur("254.50"))
  }

  @Test("a dispute on a paid invoice freezes nothing: it is a claim for a refund")
  func disputeOnAPaidInvoiceIsARefundClaim() throws {
    var ledger = InvoiceLedger(invoice: invoice("500.00"))
    ledger.payments = [
      Payment(
        invoiceNumber: "F-1", paidOn: day("2026-06-01"), amount: eur("500.00"), reference: "A", method: "card"
      ),
      Payment(
        invoiceNumber: "F-1", paidOn: day("2026-06-02"), amount: eur("500.00"), reference: "B", method: "card"
      ),
    ]
    ledger.disputes.append(DisputedPortion(caseId: 1, invoiceNumber: "F-1", amount: eur("500.00")))
    #expect(try ledger.frozen() == .zero(.euro))
    #expect(try ledger.refundDue() == eur("500.00"))
    #expect(try ledger.collectable(on: day("2027-01-01")) == .zero(.euro))
  }

  @Test("resolution sets a new due date for the disputed remainder and keeps the original")
  func resolutionKeepsTheOriginalDueDate() throws {
    var ledger = InvoiceLedger(invoice: invoice("1000.00", due: "2026-06-30"))
    ledger.disputes.append(
      DisputedPortion(
        caseId: 1, invoiceNumber: "F-1", amount: eur("400.00"), open: false, newDueOn: day("2026-09-15")))
    #expect(ledger.invoice.dueOn == day("2026-06-30"))
    #expect(try ledger.collectable(on: day("2026-08-01")) == eur("600.00"))
    #expect(try ledger.collectable(on: day("2026-09-16")) == eur("1000.00"))
  }

  @Test("15-digit amounts are exact")
  func fifteenDigitAmountsAreExact() throws {
    let big = try Money(parsing: "999999999999999.99", currency: .euro)
    #expect(big.minorUnits == 99_999_999_999_999_999)
    #expect(big.decimalText == "999999999999999.99")
    let sum = try #require(big.adding(try Money(parsing: "0.01", currency: .euro)))
    #expect(sum.decimalText == "1000000000000000.00")
  }
}

@Suite("French legal clocks")
struct LegalClockTests {
  @Test("limitation: 5 years between businesses, 2 against a consumer, from the due date")
  func limitationPeriods() {
    // Code civil 2229: the claim may be brought on the anniversary, and is barred from the next day.
    #expect(Limitation.expiry(dueOn: day("2026-03-31"), debtor: .company) == day("2031-04-01"))
    #expect(Limitation.expiry(dueOn: day("2026-03-31"), debtor: .person) == day("2028-04-01"))
    #expect(Limitation.expiry(dueOn: day("2024-02-29"), debtor: .person) == day("2026-03-01"))
  }

  @Test("an acknowledgement of the debt restarts a full period (Code civil 2240)")
  func acknowledgementRestarts() {
    let expiry = Limitation.expiry(
      dueOn: day("2026-01-15"), debtor: .person, acknowledgements: [day("2027-06-01"), day("2025-01-01")])
    #expect(expiry == day("2029-06-02"))
  }

  @Test("a mediation suspends the clock and leaves at least six months (Code civil 2238)")
  func mediationSuspends() {
    // 100 days of mediation early on: the period is 100 days longer.
    let early = Limitation.expiry(
      dueOn: day("2026-01-01"), debtor: .person,
      suspensions: [.init(from: day("2026-03-01"), through: day("2026-06-08"))])
    #expect(early == day("2028-01-02").adding(days: 100))
    // A mediation ending a month before the expiry: six months remain from its end (the last day
    // of the term is 2028-05-30, so the claim is barred from 2028-05-31).
    let late = Limitation.expiry(
      dueOn: day("2026-01-01"), debtor: .person,
      suspensions: [.init(from: day("2027-11-01"), through: day("2027-11-30"))])
    #expect(late == day("2028-05-31"))
  }

  @Test("the court route follows the amount claimed and the debtor")
  func courtRoutes() throws {
    let small = try CourtRoute.route(claimed: eur("4200.00"), debtor: .company, amicableAttempt: false)
    #expect(small.court == .tribunalDeCommerce && small.procedure == .request && !small.lawyerRequired)
    let large = try CourtRoute.route(claimed: eur("12000.00"), debtor: .company, amicableAttempt: true)
    #expect(large.procedure == .summons && large.lawyerRequired)
    let order = try CourtRoute.route(
      claimed: eur("250000.00"), debtor: .person, procedure: .orderForPayment, amicableAttempt: false)
    #expect(order.court == .tribunalJudiciaire && !order.lawyerRequired)
    // CPC 750-1: up to 5,000 EUR before the tribunal judiciaire, no attempt, no ordinary procedure.
    #expect(throws: DomainError.self) {
      try CourtRoute.route(claimed: eur("3000.00"), debtor: .person, amicableAttempt: false)
    }
    #expect(throws: DomainError.self) {
      try CourtRoute.route(claimed: .zero(.euro), debtor: .company, amicableAttempt: true)
    }
    #expect(throws: DomainError.self) {
      try CourtRoute.route(
        claimed: eur("6000.00"), debtor: .company, procedure: .request, amicableAttempt: true)
    }
  }
}

@Suite("Late penalties, computed from the law")
struct LatePenaltyTests {
  private func invoice(_ total: String, due: String) -> InvoiceLedger {
    InvoiceLedger(
      invoice: Invoice(
        number: "F-9", customerId: "C1", issuedOn: day("2025-05-01"), dueOn: day(due), total: eur(total),
        paid: .zero(.euro)))
  }

  private func pay(_ ledger: inout InvoiceLedger, _ amount: String, on date: String) {
    ledger.payments.append(
      Payment(
        invoiceNumber: "F-9", paidOn: day(date), amount: eur(amount), reference: "P\(ledger.payments.count)",
        method: "transfer"))
  }

  @Test("unpaid across two half-years: each day at its half-year's rate, 40 EUR indemnity")
  func acrossHalfYears() throws {
    // 2025-H1: ECB 3.15 + 10 = 13.15 % (floor 3 x 3.71 = 11.13); 2025-H2: 2.15 + 10 = 12.15 %.
    // 10,000 x (13.15 % x 15 days + 12.15 % x 15 days) / 365 = 37,950 / 365 = 103.9726... -> 103.97.
    let claim = try LatePenalties.claim(
      on: invoice("10000.00", due: "2025-06-15"), debtor: .company, rates: PenaltyRates(),
      through: day("2025-07-15"))
    #expect(claim.days == 30)
    #expect(claim.firstDay == day("2025-06-16") && claim.lastDay == day("2025-07-15"))
    #expect(claim.interest == eur("103.97"))
    #expect(claim.indemnity == eur("40.00"))
    #expect(claim.total == eur("143.97"))
  }

  @Test("a partial payment lowers the base from the next day; the indemnity stays whole")
  func partialPayment() throws {
    // 10,000 x 13.15 % x 10 + 6,000 x 13.15 % x 5 + 6,000 x 12.15 % x 10 = 24,385 / 365 = 66.8082 -> 66.81.
    var ledger = invoice("10000.00", due: "2025-06-15")
    pay(&ledger, "4000.00", on: "2025-06-25")
    pay(&ledger, "6000.00", on: "2025-07-10")
    let claim = try LatePenalties.claim(
      on: ledger, debtor: .company, rates: PenaltyRates(), through: day("2025-12-31"))
    #expect(claim.lastDay == day("2025-07-10"))
    #expect(claim.days == 25)
    #expect(claim.interest == eur("66.81"))
    #expect(claim.indemnity == eur("40.00"))
  }

  @Test("a disputed part out of the base through its day: the rest runs from the due date")
  func waivedParts() throws {
    // 10,000 due 2025-06-15; 3,000 in dispute through 2025-06-25 (this case), 1,000 frozen by another
    // case through the claim's day. By hand, each day's base:
    // 06-16..06-25: 10,000 - 3,000 - 1,000 = 6,000 (10 days); 06-26..06-30: 9,000 (5 days), then at
    // 12.15 % 07-01..07-15: 9,000 (15 days). (6,000 x 10 x 13.15 + 9,000 x 5 x 13.15 + 9,000 x 15 x
    // 12.15) / 36,500 = 3,021,000 / 36,500 = 82.7671 -> 82.77.
    let claim = try LatePenalties.claim(
      on: invoice("10000.00", due: "2025-06-15"), debtor: .company, rates: PenaltyRates(),
      through: day("2025-07-15"),
      waived: [(eur("3000.00"), day("2025-06-25")), (eur("1000.00"), day("2025-07-15"))])
    #expect(claim.days == 30)
    #expect(claim.interest == eur("82.77"))
    // Everything out of the base: no day counts, no indemnity.
    let none = try LatePenalties.claim(
      on: invoice("1000.00", due: "2025-06-15"), debtor: .company, rates: PenaltyRates(),
      through: day("2025-07-15"), waived: [(eur("1000.00"), day("2025-07-15"))])
    #expect(none.days == 0 && none.total == .zero(.euro))
  }

  @Test("paid on time: nothing; a contract rate below the floor is raised to it")
  func onTimeAndFloor() throws {
    var paid = invoice("500.00", due: "2026-01-31")
    pay(&paid, "500.00", on: "2026-01-31")
    let none = try LatePenalties.claim(
      on: paid, debtor: .company, rates: PenaltyRates(), through: day("2026-03-01"))
    #expect(none.total == .zero(.euro) && none.days == 0)
    // 2026-H1 floor: 3 x 2.62 = 7.86 %; 1,000 x 7.86 % x 10 / 365 = 2.1534 -> 2.15.
    let floor = try LatePenalties.claim(
      on: invoice("1000.00", due: "2026-02-01"), debtor: .company, rates: PenaltyRates(contractRate: 500),
      through: day("2026-02-11"))
    #expect(floor.interest == eur("2.15"))
  }

  @Test("a consumer owes legal interest from the formal notice, and no indemnity")
  func consumer() throws {
    // 2,000 x 2.62 % x 30 / 365 = 4.3068 -> 4.31, from 2026-02-02 to 2026-03-03.
    let ledger = invoice("2000.00", due: "2025-12-31")
    let claim = try LatePenalties.claim(
      on: ledger, debtor: .person, rates: PenaltyRates(), through: day("2026-03-03"),
      formalNoticeOn: day("2026-02-01"))
    #expect(claim.basis == .legalInterest)
    #expect(claim.days == 30)
    #expect(claim.interest == eur("4.31"))
    #expect(claim.indemnity == .zero(.euro))
    let withoutNotice = try LatePenalties.claim(
      on: ledger, debtor: .person, rates: PenaltyRates(), through: day("2026-03-03"))
    #expect(withoutNotice.total == .zero(.euro))
  }

  @Test("a half-year missing from the tables is named")
  func missingRate() {
    #expect(throws: DomainError.self) {
      try LatePenalties.claim(
        on: invoice("100.00", due: "2026-06-30"), debtor: .company, rates: PenaltyRates(),
        through: day("2026-07-02"))
    }
  }

  @Test("waived while disputed: penalties start after the new due date")
  func waivedUntilTheNewDueDate() throws {
    // 1,000 x 12.15 % x 5 / 365 = 1.6644 -> 1.66 (2025-H2), from the day after the new due date.
    let claim = try LatePenalties.claim(
      on: invoice("1000.00", due: "2025-07-31"), debtor: .company, rates: PenaltyRates(),
      through: day("2025-09-20"),
      startingAfter: day("2025-09-15"))
    #expect(claim.firstDay == day("2025-09-16") && claim.days == 5)
    #expect(claim.interest == eur("1.66"))
  }
}
