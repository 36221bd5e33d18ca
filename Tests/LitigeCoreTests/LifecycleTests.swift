import Foundation
import Testing

@testable import LitigeCore

private let opened = Date(timeIntervalSince1970: 1_780_000_000)
private let robot = Provenance(source: "compensation@1.0.0", hook: "compensate", runId: "night")
private func person(_ name: String) -> Provenance {
  Provenance(source: "user:\(name)", hook: "cli", runId: "r")
}
private func euros(_ text: String) -> Money { (try? Money(parsing: text, currency: .euro)) ?? .zero(.euro) }

private func settings(approvers: [String: Money] = ["claire": euros("1000"), "marc": euros("20000")])
  -> CompanySettings
{
  CompanySettings(approvers: approvers)
}

private func ledger(_ number: String, total: String, paid: String = "0") -> InvoiceLedger {
  let invoice = Invoice(
    number: number, customerId: "C1", issuedOn: LocalDate.unchecked(year: 2026, month: 5, day: 1),
    dueOn: LocalDate.unchecked(year: 2026, month: 6, day: 30), total: euros(total), paid: .zero(.euro))
  let payments =
    euros(paid).minorUnits > 0
    ? [
      Payment(
        invoiceNumber: number, paidOn: LocalDate.unchecked(year: 2026, month: 6, day: 1), amount: euros(paid),
        reference: "P", method: "transfer")
    ] : []
  return InvoiceLedger(invoice: invoice, payments: payments)
}

/// A case, its facts and the events so far, driven decision by decision as the store would.
private struct Driven {
  var current: DisputeCase
  var facts: CaseFacts
  var settings: CompanySettings
  var journal: [JournalEvent] = []

  init(disputed: String = "800", settings: CompanySettings = LitigeCore.CompanySettings()) {
    var disputeCase = DisputeCase(
      id: 7, customerId: "C1", openedAt: opened, channel: .email, category: .price, reason: "prix",
      disputed: euros(disputed), invoiceNumbers: ["F-1"])
    disputeCase.portions = ["F-1": euros(disputed)]
    current = disputeCase
    facts = CaseFacts(ledgers: [ledger("F-1", total: "1000")], outstanding: euros("1000"))
    self.settings = settings
  }

  @discardableResult
  mutating func decide(_ decision: Decision, as provenance: Provenance = robot) throws -> [JournalEvent] {
    let (updated, events) = try CaseRules.apply(
      [ProposedDecision(caseId: 7, decision: decision, reason: "r")], to: current, facts: &facts,
      settings: settings, provenance: provenance, at: opened.addingTimeInterval(3_600))
    current = updated
    journal += events
    return events
  }

  func refusal(_ decision: Decision, as provenance: Provenance = robot) -> String? {
    var copy = self
    do {
      try copy.decide(decision, as: provenance)
      return nil
    } catch {
      return "\(error)"
    }
  }
}

@Suite("Gestures: proposed, answered, approved, granted")
struct GestureTests {
  @Test("under its cap a gesture is granted once the customer accepts, and credits the invoice")
  func underTheCap() throws {
    var drive = Driven(settings: settings())
    let proposed = try drive.decide(.proposeGesture(kind: .creditNote, amount: euros("300"), approvedBy: nil))
    #expect(proposed.map(\.kind) == ["propose_gesture", "status"])
    #expect(drive.current.status == .proposed)
    #expect(drive.current.gestures.first?.state == .proposed)
    #expect(drive.current.gesturesTotal == .zero(.euro))  // nothing granted yet
    let accepted = try drive.decide(.answerGesture(id: 1, accepted: true), as: person("julien"))
    #expect(accepted.map(\.kind) == ["accept_gesture", "grant_gesture", "status"])
    #expect(drive.current.status == .investigating)
    #expect(drive.current.gesturesTotal == euros("300"))
    guard let grant = accepted.first(where: { $0.kind == "grant_gesture" }) else { return }
    #expect(
      CaseRules.effects(of: grant.event, on: drive.current, facts: drive.facts) == [
        .adjust(.credit, ["F-1": euros("300")], reference: "gesture-7-1")
      ])
  }

  @Test("above its cap it waits for an approver whose limit covers it, in person")
  func aboveTheCap() throws {
    var drive = Driven(settings: settings())
    try drive.decide(.proposeGesture(kind: .discount, amount: euros("600"), approvedBy: nil))
    #expect(drive.current.gestures.first?.needsApproval == true)
    try drive.decide(.answerGesture(id: 1, accepted: true), as: person("julien"))
    #expect(drive.current.gestures.first?.state == .accepted)
    #expect(drive.current.gestures.first?.awaitsApproval == true)
    #expect(drive.refusal(.approveGesture(id: 1))?.contains("approved by people") == true)
    #expect(drive.refusal(.approveGesture(id: 1), as: person("julien"))?.contains("not an approver") == true)
    let cheap = settings(approvers: ["claire": euros("500")])
    var limited = drive
    limited.settings = cheap
    #expect(limited.refusal(.approveGesture(id: 1), as: person("claire"))?.contains("up to 500.00") == true)
    let approved = try drive.decide(.approveGesture(id: 1), as: person("claire"))
    #expect(approved.map(\.kind) == ["approve_gesture", "grant_gesture"])
    #expect(drive.current.gestures.first?.approvedBy == "claire")
    #expect(drive.current.gesturesTotal == euros("600"))
  }

  @Test("beyond the disputed amount a gesture needs an approval too; a script cannot approve in a name")
  func beyondTheDisputed() throws {
    var drive = Driven(disputed: "200", settings: settings())
    try drive.decide(.proposeGesture(kind: .voucher, amount: euros("100"), approvedBy: nil))
    try drive.decide(.proposeGesture(kind: .discount, amount: euros("150"), approvedBy: nil))
    #expect(drive.current.gestures.map(\.needsApproval) == [false, true])
    #expect(
      drive.refusal(.proposeGesture(kind: .refund, amount: euros("50"), approvedBy: "claire"))?.contains(
        "in person") == true)
    try drive.decide(
      .proposeGesture(kind: .refund, amount: euros("50"), approvedBy: "claire"), as: person("claire"))
    #expect(drive.current.gestures.last?.approvedBy == "claire")
  }

  @Test("the same gesture again changes nothing, before any limit is checked, whatever its state")
  func idempotence() throws {
    var drive = Driven(settings: settings())
    try drive.decide(.proposeGesture(kind: .discount, amount: euros("9000"), approvedBy: nil))
    #expect(
      try drive.decide(.proposeGesture(kind: .discount, amount: euros("9000"), approvedBy: nil)).isEmpty)
    try drive.decide(.answerGesture(id: 1, accepted: false), as: person("julien"))
    #expect(
      try drive.decide(.proposeGesture(kind: .discount, amount: euros("9000"), approvedBy: nil)).isEmpty)
    #expect(try drive.decide(.answerGesture(id: 1, accepted: false), as: person("julien")).isEmpty)
    #expect(drive.refusal(.answerGesture(id: 1, accepted: true))?.contains("was refused") == true)
    #expect(drive.refusal(.answerGesture(id: 9, accepted: true))?.contains("no gesture 9") == true)
    #expect(drive.current.gestures.count == 1)
  }

  @Test("15-digit amounts stay exact through a gesture, the journal's codec and back")
  func fifteenDigits() throws {
    var drive = Driven(
      disputed: "9999999999999.99", settings: settings(approvers: ["marc": euros("9999999999999.99")]))
    drive.facts.ledgers = [ledger("F-1", total: "9999999999999.99")]
    let amount = euros("9999999999999.97")
    let events = try drive.decide(
      .proposeGesture(kind: .creditNote, amount: amount, approvedBy: "marc"), as: person("marc"))
    let stored = try #require(events.first)
    let read = try CaseEvent(kind: stored.kind, payload: stored.payload, currency: .euro)
    guard case .gestureProposed(let gesture) = read else {
      Issue.record("read back \(read)")
      return
    }
    #expect(gesture.amount == amount)
    #expect(gesture.amount.minorUnits == 999_999_999_999_997)
  }
}

@Suite("The lifecycle moves on real events")
struct LifecycleTests {
  @Test("open, acknowledged, investigating, awaiting the customer, investigating again")
  func statusesMove() throws {
    var drive = Driven()
    try drive.decide(.assign(.legal))
    #expect(drive.current.status == .open)  // triage alone is no answer
    try drive.decide(.send(template: "acknowledgement", channel: .email, body: nil))
    #expect(drive.current.status == .acknowledged)
    try drive.decide(.recordMessage(direction: .incoming, channel: .phone), as: person("julien"))
    #expect(drive.current.status == .investigating)
    try drive.decide(.recordMessage(direction: .outgoing, channel: .email), as: person("julien"))
    #expect(drive.current.status == .awaitingCustomer)
    try drive.decide(.recordMessage(direction: .incoming, channel: .email), as: person("julien"))
    #expect(drive.current.status == .investigating)
    let changes = drive.journal.compactMap { entry -> String? in
      if case .statusChanged(_, let to) = entry.event { return to.rawValue }
      return nil
    }
    #expect(changes == ["acknowledged", "investigating", "awaiting_customer", "investigating"])
  }

  @Test("a resolved case closes once the follow-up window is over and its promise judged")
  func closesAfterTheWindow() throws {
    var drive = Driven()
    let due = LocalDate(opened, in: drive.settings.timeZone).adding(days: 30)
    try drive.decide(.resolve(outcome: .accepted, newDueDate: due, promise: nil), as: person("julien"))
    let resolvedDay = LocalDate(opened.addingTimeInterval(3_600), in: drive.settings.timeZone)
    #expect(drive.current.resolvedAt != nil)
    let early = CaseRules.lifecycleDecisions(
      for: drive.current, facts: drive.facts, settings: drive.settings, today: resolvedDay.adding(days: 29))
    #expect(early.isEmpty)
    let late = CaseRules.lifecycleDecisions(
      for: drive.current, facts: drive.facts, settings: drive.settings, today: resolvedDay.adding(days: 30))
    #expect(late.map(\.decision) == [.close])
    var promised = drive.facts
    // A pending promise holds the case open until its date has passed; then the core judges it and closes.
    promised.promise = PaymentPromise(
      amount: euros("10"), dueOn: resolvedDay.adding(days: 120), paidSince: .zero(.euro))
    #expect(
      CaseRules.lifecycleDecisions(
        for: drive.current, facts: promised, settings: drive.settings, today: resolvedDay.adding(days: 90)
      ).isEmpty)
    #expect(
      CaseRules.lifecycleDecisions(
        for: drive.current, facts: promised, settings: drive.settings, today: resolvedDay.adding(days: 121)
      ).map(\.decision) == [.judgePromise, .close])
    try drive.decide(.close)
    try drive.decide(.reopen, as: person("julien"))
    #expect(drive.current.status == .investigating)
    #expect(drive.current.resolvedAt == nil)
  }
}

@Suite("Opening a case: its portions of its invoices")
struct OpeningTests {
  private func open(_ disputed: String, invoices: [InvoiceLedger], portions: [String: Money] = [:]) throws
    -> DisputeCase
  {
    var disputeCase = DisputeCase(
      id: 3, customerId: "C1", openedAt: opened, channel: .email, reason: "r", disputed: euros(disputed),
      invoiceNumbers: invoices.map(\.invoice.number))
    disputeCase.portions = portions
    return try CaseRules.open(disputeCase, ledgers: invoices).0
  }

  @Test("the disputed amount is spread over what each invoice still owes, in order")
  func spread() throws {
    let opened = try open(
      "1200", invoices: [ledger("F-1", total: "1000", paid: "500"), ledger("F-2", total: "1000")])
    #expect(opened.portions == ["F-1": euros("500"), "F-2": euros("700")])
  }

  @Test("more than an invoice holds is refused, naming the case and the invoice")
  func tooMuch() {
    #expect(
      throws: DomainError.refused(
        "case 3 disputes 99,999.00 EUR of invoice F-1, whose total is 4,162.44 EUR")
    ) {
      _ = try open("99999", invoices: [ledger("F-1", total: "4162.44")])
    }
  }

  @Test("explicit portions are kept and make the disputed amount")
  func explicit() throws {
    let opened = try open(
      "1", invoices: [ledger("F-1", total: "1000"), ledger("F-2", total: "500")],
      portions: ["F-2": euros("120")])
    #expect(opened.disputed == euros("120"))
    #expect(opened.portions == ["F-2": euros("120")])
  }
}

@Suite("The journal's one codec")
struct JournalCodecTests {
  static let events: [CaseEvent] = [
    .opened(
      channel: .web, disputed: euros("12.50"), invoices: ["F-1", "F-2"], portions: ["F-1": euros("12.50")]),
    .communication(direction: .incoming, channel: .phone),
    .payment(
      invoice: "F-1", amount: euros("3.10"), paidOn: LocalDate.unchecked(year: 2026, month: 2, day: 28),
      reference: "VIR/1"),
    .categorized(.doubleBilling), .prioritized(2), .assigned(.legal), .tagged("vip"), .deadlineSet(opened),
    .gestureProposed(
      Gesture(
        id: 2, kind: .refund, amount: euros("40"), state: .proposed, approvedBy: "claire", needsApproval: true
      )),
    .gestureAnswered(id: 2, accepted: true), .gestureAnswered(id: 3, accepted: false),
    .gestureApproved(id: 2, approver: "claire"), .gestureGranted(id: 2, kind: .refund, amount: euros("40")),
    .gestureWithdrawn(id: 3),
    .escalated(to: .mediation, from: .amicable, route: nil),
    .escalated(
      to: .court, from: .formalNotice,
      route: CourtRoute(
        court: .tribunalJudiciaire, procedure: .orderForPayment, lawyerRequired: false, claimed: euros("7000")
      )),
    .sent(template: "formal_notice", channel: .registeredLetter, body: "Madame,\n« 1 200,00 € »"),
    .followUpScheduled(LocalDate.unchecked(year: 2026, month: 12, day: 31)),
    .attempted(.participativeProcedure),
    .resolved(
      outcome: .partiallyAccepted, newDueDate: LocalDate.unchecked(year: 2027, month: 1, day: 5),
      promise: euros("99")),
    .resolved(outcome: .rejected, newDueDate: nil, promise: nil),
    .promiseJudged(
      status: .partlyKept, promised: euros("99"), paid: euros("10"),
      dueOn: LocalDate.unchecked(year: 2027, month: 1, day: 5)),
    .closed(from: .resolved), .reopened(from: .closed), .statusChanged(from: .open, to: .acknowledged),
    .sent(template: "preventive_reminder", channel: .email, body: nil, invoice: "F-9"),
    .sent(
      template: "penalty_claim", channel: .registeredLetter, body: "…",
      claimed: [
        PenaltyClaimRecord(
          invoice: "F-1", basis: "late_penalties", interest: euros("12.34"), indemnity: euros("40"), days: 31)
      ]),
    .dispatched(item: 4, template: "formal_notice", reference: "1A 234"),
    .dispatchFailed(item: 5, template: "acknowledgement", reason: "adresse inconnue"), .forgotten,
    .writtenOff(invoice: "F-2", amount: euros("45.50"), reference: "WO-7"),
  ]

  @Test("every event reads back as written", arguments: events)
  func roundTrip(event: CaseEvent) throws {
    let payload = CaseRules.json(event.fields)
    #expect(try CaseEvent(kind: event.kind, payload: payload, currency: .euro) == event)
  }

  @Test("Codable goes through the same codec", arguments: events)
  func codable(event: CaseEvent) throws {
    let data = try JSONEncoder().encode(event)
    #expect(try JSONDecoder().decode(CaseEvent.self, from: data) == event)
  }

  @Test("every kind the journal may hold is covered")
  func kinds() {
    #expect(Set(Self.events.map(\.kind)) == Set(CaseEvent.kinds))
  }

  @Test("payloads written by 0.3 read back")
  func legacy() throws {
    let gesture = try CaseEvent(
      kind: "propose_gesture", payload: #"{"amount":"150.00","currency":"EUR","kind":"voucher"}"#,
      currency: .euro)
    #expect(
      gesture == .gestureProposed(Gesture(id: 0, kind: .voucher, amount: euros("150"), state: .granted)))
    let court = try CaseEvent(
      kind: "escalate",
      payload:
        #"{"court":"tribunal_de_commerce","from":"formal_notice","lawyer":"not_required","level":"court","route":"request_form"}"#,
      currency: .euro)
    guard case .escalated(.court, .formalNotice, let route?) = court else {
      Issue.record("read \(court)")
      return
    }
    #expect(route.procedure == .request)
  }

  @Test("a malformed event names its kind and field")
  func malformed() {
    #expect(
      throws: DomainError.invalid(
        field: "payment.amount", "expected a decimal amount such as 1234.56, got 'abc'")
    ) {
      _ = try CaseEvent(
        kind: "payment",
        fields: ["invoice": "F", "amount": "abc", "paid_on": "2026-01-01", "reference": "r"], currency: .euro)
    }
    #expect(throws: DomainError.self) { _ = try CaseEvent(kind: "teleport", fields: [:], currency: .euro) }
  }
}

@Suite("The company's calendar, identity and rates")
struct CompanyTests {
  @Test("Easter and the French public holidays (Code du travail L3133-1)")
  func holidays() {
    #expect(BusinessCalendar.easter(2026) == LocalDate.unchecked(year: 2026, month: 4, day: 5))
    #expect(BusinessCalendar.easter(2027) == LocalDate.unchecked(year: 2027, month: 3, day: 28))
    let calendar = BusinessCalendar()
    #expect(calendar.publicHolidays(in: 2026).count == 11)
    #expect(!calendar.isBusinessDay(LocalDate.unchecked(year: 2026, month: 5, day: 14)))  // Ascension
    #expect(!calendar.isBusinessDay(LocalDate.unchecked(year: 2026, month: 12, day: 27)))  // a Sunday
    #expect(
      calendar.businessDay(onOrAfter: LocalDate.unchecked(year: 2026, month: 12, day: 25))
        == LocalDate.unchecked(year: 2026, month: 12, day: 28))
    #expect(LocalDate.unchecked(year: 2026, month: 11, day: 29).weekday == 7)
  }

  @Test(
    "a day is a public holiday exactly when the year's list holds it, 1900 to 2200, in every calendar",
    arguments: BusinessCalendar.Holidays.allCases)
  func holidayCheckMatchesTheList(holidays: BusinessCalendar.Holidays) {
    let calendar = BusinessCalendar(holidays: holidays)
    for year in 1900...2200 {
      let listed = calendar.publicHolidays(in: year)
      var day = LocalDate.unchecked(year: year, month: 1, day: 1)
      var found = 0
      while day.year == year {
        #expect(calendar.isPublicHoliday(day) == listed.contains(day), "\(day)")
        if calendar.isPublicHoliday(day) { found += 1 }
        day = day.adding(days: 1)
      }
      #expect(found == listed.count, "\(year)")
    }
  }

  @Test("SIREN numbers carry a Luhn key")
  func siren() {
    #expect(CompanyProfile.isValidSIREN("123456782"))
    #expect(!CompanyProfile.isValidSIREN("123456789"))
    #expect(!CompanyProfile.isValidSIREN("12345678"))
  }

  @Test("the penalty rate: the contract's or ECB + 10 points, never below three times the legal rate")
  func penaltyRate() throws {
    let rates = PenaltyRates()
    #expect(try rates.penaltyRate(for: HalfYear(year: 2025, half: 2)) == 1_215)  // 2.15 + 10
    #expect(try rates.penaltyRate(for: HalfYear(year: 2024, half: 1)) == 1_521)  // 3 × 5.07 > 4.50 + 10
    let contract = PenaltyRates(contractRate: 500)
    #expect(try contract.penaltyRate(for: HalfYear(year: 2026, half: 1)) == 786)  // floor 3 × 2.62
    #expect(throws: DomainError.self) { try rates.penaltyRate(for: HalfYear(year: 2031, half: 1)) }
  }
}

@Suite("What a granted gesture changes in the ledger")
struct GrantedGestureLedgerTests {
  private func facts(total: String, paid: String = "0", portion: String?) -> (DisputeCase, CaseFacts) {
    var item = DisputeCase(
      id: 7, customerId: "C1", openedAt: opened, channel: .email, reason: "r",
      disputed: euros(portion ?? "0"),
      invoiceNumbers: ["F-1"])
    var invoiceLedger = ledger("F-1", total: total, paid: paid)
    if let portion {
      item.portions = ["F-1": euros(portion)]
      invoiceLedger.disputes = [DisputedPortion(caseId: 7, invoiceNumber: "F-1", amount: euros(portion))]
    }
    return (item, CaseFacts(ledgers: [invoiceLedger], outstanding: .zero(.euro)))
  }

  @Test("a credit concedes the case's disputed portion first: the undisputed part stays collectable")
  func concession() throws {
    let (item, start) = facts(total: "15000", portion: "2000")
    var working = start
    let effects = CaseRules.grantEffects(
      id: 1, kind: .creditNote, amount: euros("500"), on: item, ledgers: working.ledgers)
    working.apply(effects, caseId: 7, on: LocalDate.unchecked(year: 2026, month: 7, day: 1))
    let after = working.ledgers[0]
    #expect(try after.owed() == euros("14500"))
    #expect(try after.frozen() == euros("1500"))
    #expect(try after.collectable(on: LocalDate.unchecked(year: 2026, month: 7, day: 1)) == euros("13000"))
  }

  @Test("a refund returns an overpayment first; beyond it, it is a credit paid out")
  func refund() throws {
    let (item, overpaid) = facts(total: "500", paid: "550", portion: "500")
    #expect(try overpaid.ledgers[0].refundDue() == euros("50"))
    var working = overpaid
    working.apply(
      CaseRules.grantEffects(id: 1, kind: .refund, amount: euros("50"), on: item, ledgers: overpaid.ledgers),
      caseId: 7,
      on: LocalDate.unchecked(year: 2026, month: 7, day: 1))
    #expect(try working.ledgers[0].refundDue() == .zero(.euro))
    #expect(try working.ledgers[0].owed() == .zero(.euro))
    // On a paid invoice a refund gives money back for good: nothing becomes owed again.
    let (paidCase, paid) = facts(total: "500", paid: "500", portion: "500")
    var later = paid
    later.apply(
      CaseRules.grantEffects(id: 1, kind: .refund, amount: euros("80"), on: paidCase, ledgers: paid.ledgers),
      caseId: 7,
      on: LocalDate.unchecked(year: 2026, month: 7, day: 1))
    #expect(try later.ledgers[0].owed() == .zero(.euro))
    #expect(try later.ledgers[0].credited() == euros("80"))
    #expect(try later.ledgers[0].refunded() == euros("80"))
  }

  @Test("splitting an offer under the cap does not escape the approval")
  func capsHoldPerKind() throws {
    var drive = Driven(disputed: "5000")
    try drive.decide(.proposeGesture(kind: .discount, amount: euros("499.99"), approvedBy: nil))
    try drive.decide(.proposeGesture(kind: .discount, amount: euros("10"), approvedBy: nil))
    #expect(drive.current.gestures.map(\.needsApproval) == [false, true])
  }

  @Test("a policy cannot record the customer's answer; closing withdraws pending offers")
  func answersAndWithdrawals() throws {
    var drive = Driven(settings: settings())
    try drive.decide(.proposeGesture(kind: .voucher, amount: euros("20"), approvedBy: nil))
    #expect(drive.refusal(.answerGesture(id: 1, accepted: true))?.contains("recorded by a person") == true)
    try drive.decide(.proposeGesture(kind: .discount, amount: euros("30"), approvedBy: nil))
    try drive.decide(.withdrawGesture(id: 2))
    #expect(drive.current.gestures.map(\.state) == [.proposed, .withdrawn])
    #expect(try drive.decide(.withdrawGesture(id: 2)).isEmpty)
    let due = LocalDate(opened, in: drive.settings.timeZone).adding(days: 30)
    try drive.decide(.resolve(outcome: .accepted, newDueDate: due, promise: nil), as: person("julien"))
    let closing = try drive.decide(.close)
    #expect(closing.map(\.kind) == ["withdraw_gesture", "close"])
    #expect(drive.current.gestures.allSatisfy { !$0.isPending })
  }

  @Test("reopening may not take an invoice beyond its total with the cases opened since")
  func reopeningIsChecked() throws {
    var drive = Driven()
    let due = LocalDate(opened, in: drive.settings.timeZone).adding(days: 30)
    try drive.decide(.resolve(outcome: .rejected, newDueDate: due, promise: nil), as: person("julien"))
    drive.facts.ledgers[0].disputes = [
      DisputedPortion(caseId: 7, invoiceNumber: "F-1", amount: euros("800"), open: false),
      DisputedPortion(caseId: 8, invoiceNumber: "F-1", amount: euros("300")),
    ]
    #expect(
      drive.refusal(.reopen, as: person("julien"))?.contains("disputed for 300.00 EUR by case(s) 8") == true)
  }

  @Test("decisions dated before the case was opened are refused")
  func noTimeTravel() {
    let drive = Driven()
    #expect(throws: DomainError.self) {
      _ = try CaseRules.apply(
        [ProposedDecision(caseId: 7, decision: .tag("x"), reason: "")], to: drive.current, facts: drive.facts,
        settings: drive.settings, provenance: robot, at: opened.addingTimeInterval(-86_400))
    }
  }
}

@Suite("Limitation on a case's invoices")
struct CaseLimitationTests {
  private func journal(_ entries: [(String, CaseEvent, Provenance)]) -> [JournalEvent] {
    entries.map { day, event, provenance in
      let at = (try? LocalDate(parsing: day).start(in: .gmt).addingTimeInterval(43_200)) ?? opened
      return JournalEvent(caseId: 7, at: at, event: event, reason: "", provenance: provenance)
    }
  }

  private func owing(_ number: String, due: String, payments: [String] = []) -> InvoiceLedger {
    let invoice = Invoice(
      number: number, customerId: "C1", issuedOn: LocalDate.unchecked(year: 2024, month: 1, day: 1),
      dueOn: (try? LocalDate(parsing: due)) ?? LocalDate.unchecked(year: 2025, month: 1, day: 1),
      total: euros("1000"),
      paid: .zero(.euro))
    return InvoiceLedger(
      invoice: invoice,
      payments: payments.enumerated().map { offset, day in
        Payment(
          invoiceNumber: number, paidOn: (try? LocalDate(parsing: day)) ?? invoice.dueOn, amount: euros("10"),
          reference: "P\(offset)", method: "transfer")
      })
  }

  @Test("each invoice has its own clock; a payment restarts only its own")
  func perInvoice() {
    let facts = CaseFacts.derive(
      journal: [], customerKind: .company,
      ledgers: [owing("H4", due: "2025-03-01"), owing("H5", due: "2025-06-01", payments: ["2025-09-01"])],
      promise: nil, currency: .euro, timeZone: .gmt)
    #expect(facts.limitationDate == LocalDate.unchecked(year: 2030, month: 3, day: 2))
  }

  @Test("a conciliation recorded by a person suspends the clock; a policy's mediation level does not")
  func suspensions() {
    let ledgers = [owing("K1", due: "2025-01-10")]
    let base = CaseFacts.derive(
      journal: [], customerKind: .person, ledgers: ledgers, promise: nil, currency: .euro, timeZone: .gmt)
    #expect(base.limitationDate == LocalDate.unchecked(year: 2027, month: 1, day: 11))
    let conciliated = CaseFacts.derive(
      journal: journal([
        ("2025-03-01", .attempted(.conciliation), person("lea")),
        ("2025-04-10", .escalated(to: .formalNotice, from: .amicable, route: nil), robot),
      ]), customerKind: .person, ledgers: ledgers, promise: nil, currency: .euro, timeZone: .gmt)
    // Suspended from 2025-03-01 through 2025-04-09: 40 days.
    #expect(conciliated.limitationDate == LocalDate.unchecked(year: 2027, month: 1, day: 11).adding(days: 40))
    let automatic = CaseFacts.derive(
      journal: journal([
        ("2025-03-01", .escalated(to: .mediation, from: .amicable, route: nil), robot),
        ("2025-04-10", .escalated(to: .formalNotice, from: .mediation, route: nil), robot),
      ]), customerKind: .person, ledgers: ledgers, promise: nil, currency: .euro, timeZone: .gmt)
    #expect(automatic.limitationDate == base.limitationDate)
    #expect(automatic.attempts.isEmpty)
  }

  @Test("a formal notice on a time-barred claim is refused")
  func timeBarred() {
    var drive = Driven()
    drive.facts = CaseFacts.derive(
      journal: [], customerKind: .person, ledgers: [owing("F-1", due: "2020-01-10")], promise: nil,
      currency: .euro,
      timeZone: .gmt)
    #expect(drive.refusal(.escalate(.formalNotice))?.contains("time-barred since 2022-01-11") == true)
  }
}

@Suite("Second attack: refunds, write-offs, promises, approvals")
struct SecondAttackTests {
  @Test("a credit beyond what an unpaid invoice owes is no money to pay out")
  func refundDueIsBoundedByPayments() throws {
    var unpaid = ledger("K-1", total: "1000")
    unpaid.adjustments = [
      LedgerAdjustment(
        kind: .credit, invoiceNumber: "K-1", on: LocalDate.unchecked(year: 2026, month: 7, day: 1),
        amount: euros("1500"),
        caseId: 1)
    ]
    #expect(try unpaid.refundDue() == .zero(.euro))
    var partlyPaid = ledger("K-2", total: "1000", paid: "200")
    partlyPaid.adjustments = unpaid.adjustments.map {
      var credit = $0
      credit.invoiceNumber = "K-2"
      return credit
    }
    #expect(try partlyPaid.refundDue() == euros("200"))
  }

  @Test("money paid after a write-off recovers the written-off debt; it is not an overpayment")
  func writeOffThenPayment() throws {
    var written = ledger("W-1", total: "1000", paid: "200")
    written.adjustments = [
      LedgerAdjustment(
        kind: .writeOff, invoiceNumber: "W-1", on: LocalDate.unchecked(year: 2026, month: 5, day: 15),
        amount: euros("900"))
    ]
    #expect(try written.owed() == .zero(.euro))
    #expect(try written.refundDue() == .zero(.euro))
  }

  @Test("an earlier promise's verdict does not judge the promise made after a reopening")
  func promisesAreJudgedOneByOne() {
    let first = LocalDate.unchecked(year: 2026, month: 12, day: 10)
    let second = LocalDate.unchecked(year: 2027, month: 2, day: 1)
    let at = opened
    let journal = [
      JournalEvent(
        caseId: 7, at: at, event: .resolved(outcome: .accepted, newDueDate: first, promise: euros("1000")),
        reason: "", provenance: robot),
      JournalEvent(
        caseId: 7, at: at,
        event: .promiseJudged(status: .broken, promised: euros("1000"), paid: .zero(.euro), dueOn: first),
        reason: "",
        provenance: robot),
      JournalEvent(caseId: 7, at: at, event: .reopened(from: .resolved), reason: "", provenance: robot),
      JournalEvent(
        caseId: 7, at: at, event: .resolved(outcome: .accepted, newDueDate: second, promise: euros("200")),
        reason: "", provenance: robot),
    ]
    let facts = CaseFacts.derive(
      journal: journal, customerKind: .company, ledgers: [],
      promise: PaymentPromise(amount: euros("200"), dueOn: second, paidSince: .zero(.euro)), currency: .euro,
      timeZone: .gmt)
    #expect(facts.promise?.status == .pending)
  }

  @Test("an approver's limit covers what they approve on a case together")
  func approvalsAddUp() throws {
    var drive = Driven(disputed: "9000", settings: settings(approvers: ["claire": euros("5000")]))
    for amount in ["4000", "3999.99"] {
      try drive.decide(.proposeGesture(kind: .creditNote, amount: euros(amount), approvedBy: nil))
    }
    try drive.decide(.approveGesture(id: 1), as: person("claire"))
    #expect(
      drive.refusal(.approveGesture(id: 2), as: person("claire"))?.contains("come to 7,999.99 EUR") == true)
  }

  @Test("a withdrawn offer may be made again")
  func reOffer() throws {
    var drive = Driven()
    try drive.decide(.proposeGesture(kind: .discount, amount: euros("300"), approvedBy: nil))
    try drive.decide(.withdrawGesture(id: 1))
    #expect(
      try drive.decide(.proposeGesture(kind: .discount, amount: euros("300"), approvedBy: nil)).first?.kind
        == "propose_gesture")
    #expect(drive.current.gestures.map(\.state) == [.withdrawn, .proposed])
  }

  @Test("a policy cannot record a conciliation; a person can")
  func attemptsByPeople() throws {
    var drive = Driven()
    #expect(drive.refusal(.recordAttempt(.conciliation))?.contains("recorded by a person") == true)
    try drive.decide(.recordAttempt(.proposal))
    try drive.decide(.recordAttempt(.conciliation), as: person("lea"))
    #expect(drive.facts.attempts == [.proposal, .conciliation])
  }

  @Test("a conciliation that ends the day it starts suspends nothing")
  func sameDaySuspension() {
    let ledgers = [ledger("F-1", total: "1000")]
    let day = LocalDate.unchecked(year: 2026, month: 11, day: 29).start(in: .gmt).addingTimeInterval(3_600)
    let journal = [
      JournalEvent(
        caseId: 7, at: day, event: .attempted(.conciliation), reason: "", provenance: person("lea")),
      JournalEvent(
        caseId: 7, at: day.addingTimeInterval(3_600),
        event: .resolved(outcome: .accepted, newDueDate: nil, promise: euros("10")), reason: "",
        provenance: person("lea")),
    ]
    let facts = CaseFacts.derive(
      journal: journal, customerKind: .person, ledgers: ledgers, promise: nil, currency: .euro, timeZone: .gmt
    )
    #expect(facts.suspensions.isEmpty)
    #expect(facts.limitationDate == LocalDate.unchecked(year: 2028, month: 11, day: 30))
  }

  @Test("a resolved case stays open until its disputed remainder's new due date has passed")
  func closeAfterTheRemainderIsDue() throws {
    var drive = Driven()
    let resolvedDay = LocalDate(opened.addingTimeInterval(3_600), in: drive.settings.timeZone)
    let due = resolvedDay.adding(days: 60)
    try drive.decide(.resolve(outcome: .accepted, newDueDate: due, promise: nil), as: person("julien"))
    drive.facts.ledgers[0].disputes = [
      DisputedPortion(caseId: 7, invoiceNumber: "F-1", amount: euros("800"), open: false, newDueOn: due)
    ]
    #expect(
      CaseRules.lifecycleDecisions(
        for: drive.current, facts: drive.facts, settings: drive.settings, today: resolvedDay.adding(days: 45)
      ).isEmpty)
    #expect(
      CaseRules.lifecycleDecisions(
        for: drive.current, facts: drive.facts, settings: drive.settings, today: due.adding(days: 1)
      )
      .map(\.decision) == [.close])
  }
}

@Suite("Amounts and dates as letters write them")
struct LetterFormatTests {
  @Test(
    "French and English amounts",
    arguments: [
      ("1717.61", "fr", "1\u{202F}717,61\u{A0}€"), ("1717.61", "en", "€1,717.61"),
      ("0.05", "fr", "0,05\u{A0}€"),
      ("-1234567.00", "fr", "-1\u{202F}234\u{202F}567,00\u{A0}€"),
      ("999999999999999.99", "en", "€999,999,999,999,999.99"),
    ])
  func amounts(text: String, language: String, expected: String) throws {
    #expect(LetterFormat.money(try Money(parsing: text, currency: .euro), language: language) == expected)
  }

  @Test("long dates")
  func dates() {
    #expect(
      LetterFormat.date(LocalDate.unchecked(year: 2026, month: 11, day: 22), language: "fr")
        == "22 novembre 2026")
    #expect(
      LetterFormat.date(LocalDate.unchecked(year: 2027, month: 3, day: 1), language: "fr") == "1er mars 2027")
    #expect(
      LetterFormat.date(LocalDate.unchecked(year: 2026, month: 2, day: 8), language: "fr") == "8 février 2026"
    )
    #expect(
      LetterFormat.date(LocalDate.unchecked(year: 2026, month: 11, day: 22), language: "en")
        == "22 November 2026")
  }
}

@Suite("Commitments to the customer")
struct CommitmentTests {
  @Test("a follow-up due by today that no news has met is missed; news after it meets it")
  func missed() {
    let scheduled = opened
    let due = LocalDate(opened, in: .gmt).adding(days: 2)
    var journal = [
      JournalEvent(
        caseId: 7, at: scheduled, event: .sent(template: "acknowledgement", channel: .email, body: nil),
        reason: "", provenance: robot),
      JournalEvent(caseId: 7, at: scheduled, event: .followUpScheduled(due), reason: "", provenance: robot),
    ]
    var facts = CaseFacts.derive(
      journal: journal, customerKind: .company, ledgers: [], promise: nil, currency: .euro, timeZone: .gmt)
    #expect(facts.missedCommitments(on: due.adding(days: -1)).isEmpty)
    #expect(facts.missedCommitments(on: due) == [due])
    journal.append(
      JournalEvent(
        caseId: 7, at: scheduled.addingTimeInterval(86_400),
        event: .communication(direction: .outgoing, channel: .phone),
        reason: "", provenance: person("julien")))
    facts = CaseFacts.derive(
      journal: journal, customerKind: .company, ledgers: [], promise: nil, currency: .euro, timeZone: .gmt)
    #expect(facts.missedCommitments(on: due.adding(days: 5)).isEmpty)
  }
}
