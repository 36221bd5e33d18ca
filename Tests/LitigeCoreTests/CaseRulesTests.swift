import Foundation
import PropertyBased
import Testing

@testable import LitigeCore

private let settings = CompanySettings()
private let opened = Date(timeIntervalSince1970: 1_780_000_000)
private let provenance = Provenance(source: "test@1.0", hook: "triage", runId: "r1")

private func euros(_ amount: Int64) -> Money { Money(minorUnits: amount * 100, currency: .euro) }

private func makeCase(disputed: Int64 = 800, invoices: [String] = ["F-1"]) -> DisputeCase {
  DisputeCase(
    id: 7, customerId: "C1", openedAt: opened, channel: .email, category: .price, reason: "prix",
    disputed: euros(disputed), invoiceNumbers: invoices)
}

/// The case's invoice F-1: 1,000 EUR, overdue since before the case, nothing disputed on it yet (so
/// that it is collectable: a formal notice or court needs something to claim).
private func overdueInvoice() -> InvoiceLedger {
  InvoiceLedger(
    invoice: Invoice(
      number: "F-1", customerId: "C1", issuedOn: LocalDate(opened, in: .gmt).adding(days: -60),
      dueOn: LocalDate(opened, in: .gmt).adding(days: -30), total: euros(1_000), paid: euros(0)))
}

private func facts(amicable: Bool = false, kind: CustomerKind = .company) -> CaseFacts {
  CaseFacts(
    attempts: amicable ? [.conciliation] : [], customerKind: kind, ledgers: [overdueInvoice()],
    outstanding: euros(1_000))
}

private func apply(
  _ decisions: [Decision], to disputeCase: DisputeCase = makeCase(), facts: CaseFacts = facts()
)
  throws -> (DisputeCase, [JournalEvent])
{
  try CaseRules.apply(
    decisions.map { ProposedDecision(caseId: disputeCase.id, decision: $0, reason: "because") },
    to: disputeCase,
    facts: facts, settings: settings, provenance: provenance, at: opened.addingTimeInterval(3_600))
}

private func refusal(
  _ decisions: [Decision], to disputeCase: DisputeCase = makeCase(), facts: CaseFacts = facts()
)
  -> String?
{
  do {
    _ = try apply(decisions, to: disputeCase, facts: facts)
    return nil
  } catch {
    return "\(error)"
  }
}

@Suite("Case rules")
struct CaseRulesTests {
  @Test func decisionsBecomeEventsWithProvenance() throws {
    let (updated, events) = try apply([.prioritize(1), .assign(.legal), .tag("vip")])
    #expect(updated.priority == 1)
    #expect(updated.owner == .legal)
    #expect(updated.tags == ["vip"])
    #expect(events.map(\.kind) == ["prioritize", "assign", "tag"])
    #expect(events[1].payload == #"{"owner":"legal"}"#)
    #expect(events.allSatisfy { $0.provenance == provenance && $0.reason == "because" })
  }

  @Test func reapplyingTheSameDecisionsChangesNothing() throws {
    let (once, first) = try apply([
      .prioritize(2), .tag("vip"), .proposeGesture(kind: .discount, amount: euros(50), approvedBy: nil),
    ])
    // The proposal also moves the case to `proposed` (the lifecycle).
    #expect(first.map(\.kind) == ["prioritize", "tag", "propose_gesture", "status"])
    let (twice, second) = try apply(
      [.prioritize(2), .tag("vip"), .proposeGesture(kind: .discount, amount: euros(50), approvedBy: nil)],
      to: once)
    #expect(second.isEmpty)
    #expect(twice == once)
  }

  @Test func oneRefusedDecisionRefusesTheWholeCall() {
    let message = refusal([.tag("ok"), .prioritize(9)])
    #expect(
      message
        == "case 7: prioritize refused (decision 2 of 2): priority must be between 1 (most urgent) and 5 (least), got 9"
    )
  }

  @Test func tagsMustBeIdentifiers() {
    #expect(refusal([.tag("Client VIP")])?.contains("is not valid") == true)
    #expect(refusal([.tag(String(repeating: "a", count: 41))]) != nil)
  }

  @Test func escalationClimbsTheLadderAndNeverGoesBack() throws {
    let (mediated, _) = try apply([.escalate(.mediation)])
    #expect(mediated.escalation == .mediation)
    #expect(refusal([.escalate(.amicable)], to: mediated)?.contains("only moves up") == true)
    let (noticed, _) = try apply([.escalate(.formalNotice)])  // mediation may be skipped
    #expect(noticed.escalation == .formalNotice)
  }

  @Test func courtNeedsAFormalNoticeAndARecordedAmicableAttempt() throws {
    #expect(refusal([.escalate(.court)])?.contains("formal notice first") == true)
    var noticed = makeCase()
    noticed.escalation = .formalNotice
    #expect(refusal([.escalate(.court)], to: noticed)?.contains("real amicable attempt") == true)
    let (inCourt, events) = try apply([.escalate(.court)], to: noticed, facts: facts(amicable: true))
    #expect(inCourt.escalation == .court)
    // The route follows what is owed (1,000 EUR), not the disputed 800 (domain.md §4).
    #expect(events.first?.event.fields["route"] == "request")
    #expect(events.first?.event.fields["claimed"] == "1000.00")
  }

  @Test func aFormalNoticeAndCourtAreRefusedWhenNothingIsOwed() throws {
    let paid = CaseFacts(attempts: [.mediation], outstanding: euros(0))
    #expect(refusal([.escalate(.formalNotice)], facts: paid)?.contains("nothing is owed") == true)
    var noticed = makeCase()
    noticed.escalation = .formalNotice
    #expect(refusal([.escalate(.court)], to: noticed, facts: paid)?.contains("nothing is owed") == true)
    // Mediation is not a claim: it stays possible.
    #expect(try apply([.escalate(.mediation)], facts: paid).0.escalation == .mediation)
  }

  @Test func anAcknowledgementLetterIsNotAnAmicableAttempt() throws {
    var noticed = makeCase()
    noticed.escalation = .formalNotice
    var working = facts()
    _ = try CaseRules.apply(
      [
        ProposedDecision(
          caseId: 7, decision: .send(template: "acknowledgement", channel: .email, body: nil), reason: "")
      ],
      to: noticed, facts: &working, settings: settings, provenance: provenance, at: opened)
    #expect(working.answered)
    #expect(working.attempts.isEmpty)
    #expect(
      refusal([.escalate(.court)], to: noticed, facts: working)?.contains("real amicable attempt") == true)
    let (_, events) = try CaseRules.apply(
      [ProposedDecision(caseId: 7, decision: .recordAttempt(.conciliation), reason: "")], to: noticed,
      facts: &working, settings: settings,
      provenance: Provenance(source: "user:lea", hook: "cli", runId: "r"),
      at: opened)
    #expect(events.map(\.kind) == ["amicable_attempt"])
    #expect(try apply([.escalate(.court)], to: noticed, facts: working).0.escalation == .court)
  }

  @Test(arguments: [
    (5_000, "request", false), (5_001, "summons", false), (10_000, "summons", false),
    (10_001, "summons", true),
  ])
  func courtRouteFollowsTheAmountClaimed(amount: Int64, procedure: String, lawyer: Bool) throws {
    let found = try CourtRoute.route(claimed: euros(amount), debtor: .person, amicableAttempt: true)
    #expect(found.procedure.rawValue == procedure)
    #expect(found.lawyerRequired == lawyer)
    #expect(found.court == .tribunalJudiciaire)
  }

  @Test(arguments: [(Int64(700), "kept"), (Int64(250), "partly_kept"), (Int64(0), "broken")])
  func aPromiseIsJudgedByTheCoreOnceItsDateHasPassed(paid: Int64, status: String) throws {
    var resolved = makeCase()
    resolved.status = .resolved
    let due = LocalDate(opened, in: settings.timeZone)
    var promised = facts()
    promised.promise = PaymentPromise(amount: euros(700), dueOn: due, paidSince: euros(paid))
    #expect(throws: DomainError.self) {
      try CaseRules.apply(
        [ProposedDecision(caseId: 7, decision: .judgePromise, reason: "")], to: resolved, facts: promised,
        settings: settings, provenance: provenance, at: opened)
    }
    var judged = promised
    let later = opened.addingTimeInterval(2 * 86_400)
    let (_, events) = try CaseRules.apply(
      [ProposedDecision(caseId: 7, decision: .judgePromise, reason: "")], to: resolved, facts: &judged,
      settings: settings, provenance: provenance, at: later)
    #expect(events.first?.payload.contains(#""status":"\#(status)""#) == true)
    #expect(judged.promise?.status.rawValue == status)
    let again = try CaseRules.apply(
      [ProposedDecision(caseId: 7, decision: .judgePromise, reason: "")], to: resolved, facts: &judged,
      settings: settings, provenance: provenance, at: later)
    #expect(again.1.isEmpty)
    #expect(refusal([.judgePromise], to: resolved)?.contains("no payment promise") == true)
  }

  @Test func resolvingNeedsANewDueDateAndFreezesTheCase() throws {
    #expect(
      refusal([.resolve(outcome: .accepted, newDueDate: nil, promise: nil)])?.contains("new due date") == true
    )
    let due = LocalDate(opened, in: settings.timeZone).adding(days: 30)
    let (resolved, _) = try apply([.resolve(outcome: .accepted, newDueDate: due, promise: euros(700))])
    #expect(resolved.status == .resolved)
    #expect(refusal([.prioritize(1)], to: resolved)?.contains("resolved") == true)
    #expect(try apply([.tag("satisfied")], to: resolved).1.count == 1)
    #expect(
      refusal([.resolve(outcome: .accepted, newDueDate: due, promise: euros(5_000))])?.contains("promise")
        == true)
    var closed = resolved
    closed.status = .closed
    #expect(refusal([.tag("late")], to: closed)?.contains("closed") == true)
  }
}

@Suite("Journal payloads")
struct PayloadTests {
  @Test(
    "the hand-written JSON is byte for byte what JSONSerialization writes",
    arguments: [
      ["level": "court", "route": "summons"], [:],
      ["body": "Madame,\n\t« 1 200,00 € » \"dû\" a/b \\ \u{01}\u{1F}"],
      ["b": "2", "a": "1", "a_b": "3", "ab": "0"], ["emoji": "🧾 ok"],
    ])
  func matchesFoundation(payload: [String: String]) throws {
    let expected = String(
      decoding: try JSONSerialization.data(withJSONObject: payload, options: [.sortedKeys]), as: UTF8.self)
    #expect(CaseRules.json(payload) == expected)
  }

  @Test("tags and template names are checked without regular expressions")
  func names() {
    #expect(CaseRules.isTag("vip:gold-2"))
    #expect(!CaseRules.isTag("_lead"))
    #expect(!CaseRules.isTag("Upper"))
    #expect(!CaseRules.isTag(String(repeating: "a", count: 41)))
    #expect(CaseRules.isTemplateName("formal_notice"))
    #expect(!CaseRules.isTemplateName(""))
    #expect(!CaseRules.isTemplateName("formal-notice"))
  }
}

@Suite("Reading payloads back")
struct PayloadReadingTests {
  @Test(
    "what json writes, payload(decoding:) reads back",
    arguments: [
      ["level": "court", "route": "summons"], [:], ["body": "a/b \"quoted\" \\ \n end"], ["k": "v,w:x{}"],
    ])
  func roundTrip(payload: [String: String]) {
    #expect(CaseRules.payload(decoding: CaseRules.json(payload)) == payload)
  }

  /// Random text: controls, the characters JSON escapes, ASCII, accented and other BMP letters, and
  /// characters outside the BMP (written as themselves, or by Foundation as surrogate pairs).
  static let text = Gen<Character>.oneOf(
    Gen.unicodeScalar(in: "\u{0}"..."\u{1F}").map { Character($0) },
    Gen.element(of: Array("\"\\/{}:,")).map { $0 ?? "x" },
    Gen.unicodeScalar(in: " "..."~").map { Character($0) },
    Gen.unicodeScalar(in: "\u{A0}"..."\u{D7FF}").map { Character($0) },
    Gen.unicodeScalar(in: "\u{10000}"..."\u{10FFFF}").map { Character($0) }
  ).string(of: 0...24)

  @Test("random payloads: read back by hand as written, and as Foundation reads what Foundation writes")
  func randomPayloads() async {
    await propertyCheck(count: 500, input: Self.text.array(of: 0...5), Self.text.array(of: 5...5)) {
      keys, values in
      let payload = Dictionary(zip(keys, values), uniquingKeysWith: { first, _ in first })
      let written = CaseRules.json(payload)
      #expect(CaseRules.flatObject(Array(written.utf8)) == payload, "\(written)")
      // Foundation escapes differently (\u00e9 for é with .withoutEscapingSlashes off, pairs for emoji):
      // what it writes reads the same by hand as through Foundation itself.
      if let data = try? JSONSerialization.data(withJSONObject: payload, options: [.sortedKeys]) {
        let foundation = try? JSONSerialization.jsonObject(with: data) as? [String: String]
        #expect(CaseRules.flatObject(Array(data)) == foundation, "\(String(decoding: data, as: UTF8.self))")
      }
    }
  }

  @Test("escapes JSON allows are read by hand; a lone surrogate or a bad escape is left to Foundation")
  func escapes() {
    #expect(
      CaseRules.flatObject(Array(#"{"a":"\u00e9t\u00E9 \ud83d\ude00 \/\b\f\n\r\t\"\\"}"#.utf8))
        == ["a": "été 😀 /\u{08}\u{0C}\n\r\t\"\\"])
    #expect(CaseRules.flatObject(Array(#"{"a":"\ud83d"}"#.utf8)) == nil)
    #expect(CaseRules.flatObject(Array(#"{"a":"\ude00x"}"#.utf8)) == nil)
    #expect(CaseRules.flatObject(Array(#"{"a":"\x41"}"#.utf8)) == nil)
    #expect(CaseRules.flatObject(Array(#"{"a":"\u12"}"#.utf8)) == nil)
    #expect(CaseRules.flatObject(Array(#"{"a":"x\"#.utf8)) == nil)
    #expect(CaseRules.payload(decoding: #"{"a":"\x41"}"#) == [:])
  }

  @Test("anything that is not a flat object of strings reads as empty or through Foundation")
  func others() {
    #expect(CaseRules.payload(decoding: "") == [:])
    #expect(CaseRules.payload(decoding: "{\"a\":1}") == [:])
    #expect(CaseRules.payload(decoding: "{\"a\":\"1\"} x") == [:])
    #expect(CaseRules.payload(decoding: " { \"a\" : \"1\" } ") == ["a": "1"])
  }

  @Test("dates are checked by arithmetic, leap years included")
  func dates() throws {
    #expect(try LocalDate(parsing: "2028-02-29").day == 29)
    #expect(throws: DomainError.self) { try LocalDate(parsing: "2026-02-29") }
    #expect(throws: DomainError.self) { try LocalDate(parsing: "1900-02-29") }
    #expect(try LocalDate(parsing: "2000-02-29").month == 2)
    #expect(throws: DomainError.self) { try LocalDate(parsing: "2026-13-01") }
    #expect(throws: DomainError.self) { try LocalDate(parsing: "2026-04-31") }
    // A huge text is quoted by its start and its length, not whole; a text without a date's shape
    // is only counted.
    #expect {
      try LocalDate(parsing: "2026-01-02T" + String(repeating: "2", count: 100_000), field: "wake_on")
    } throws: { error in
      let message = "\(error)"
      return message.count < 200
        && message.contains("'2026-01-02T\(String(repeating: "2", count: 29))…' (100011 characters)")
    }
    #expect {
      try LocalDate(parsing: String(repeating: "2", count: 100_000), field: "wake_on")
    } throws: { error in
      "\(error)"
        == "wake_on: expected a date as YYYY-MM-DD, got a text of 100000 characters (not shown: it may be personal data)"
    }
    // Any other text is counted, not quoted: a script may pass a customer's name by mistake.
    #expect {
      try LocalDate(parsing: "Garage Dupuis")
    } throws: { error in
      "\(error)".contains("got a text of 13 characters (not shown") && !"\(error)".contains("Dupuis")
    }
    #expect {
      try LocalDate(parsing: "2026/13/01")
    } throws: { error in "\(error)".contains("got '2026/13/01'") }
    // What a refused value's message quotes: dates and codes mistyped, never a name, an e-mail or a
    // phone number a script passed by mistake.
    for mistyped in [
      "2026-13-45", "31/12/2026", "2026.02.30", "2026-02-30T10:00:00+01:00", "2026-02-30 10:00",
    ] {
      #expect(RefusedValue.date(mistyped) == "'\(mistyped)'")
    }
    for personal in [
      "Garage Dupuis", "contact@ferme.example", "+33 6 12 34 56 78", "06.12.34.56.78", "06 12 34 56 78",
      "Livraison incomplète", "", "2026-02-30\nforged line", "2026-02-30\u{1B}[2J", "2026-02-30 SECRET",
    ] {
      #expect(RefusedValue.date(personal).hasPrefix("a text of"), "\(personal)")
    }
    for typed in ["formal_notise", "F-2026-00042", "qualité", "client_fâché", "Léa"] {
      #expect(RefusedValue.word(typed) == "'\(typed)'")
    }
    for personal in [
      "555-123-4567", "0612345678", "Manon Michel", "contact@manon.example", "+33 6 12 34 56 78",
    ] {
      #expect(RefusedValue.date(personal).hasPrefix("a text of"), "\(personal)")
      #expect(RefusedValue.word(personal).hasPrefix("a text of"), "\(personal)")
      #expect {
        try Timestamp.parse(personal)
      } throws: { error in !"\(error)".contains(personal.prefix(6)) }
    }
    #expect {
      try Timestamp.parse("jean.dupont@example.com")
    } throws: { error in !"\(error)".contains("dupont") && "\(error)".contains("a text of 23 characters") }
    #expect {
      try Timestamp.parse("2026-02-30 Jean Dupont")
    } throws: { error in !"\(error)".contains("Dupont") && "\(error)".contains("2026-02-30 is not a day") }
  }
}
