import Foundation
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
