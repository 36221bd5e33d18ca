import Foundation
import LitigeCore
import LitigeStore
import Testing

@testable import LitigeExchange

@Suite("Exports, the outbox, the accounting feed and the right to erasure")
struct ExportTests {
  static let now = Date(timeIntervalSince1970: 1_796_000_000)  // 2026-11-30
  static let person = Provenance(source: "user:julien", hook: "test", runId: "test")

  /// Exports `kinds` from `store` as `format` and imports them into a fresh store.
  func roundTrip(_ store: Store, format: DataFormat, delimiter: Character = ",") throws -> Store {
    let fresh = try Store.inMemory()
    for kind in [ImportKind.customers, .invoices, .cases, .communications, .payments] {
      let table = try Exporter.table(try #require(ExportKind(rawValue: kind.rawValue)), store: store)
      let name = "\(kind.rawValue).\(format.rawValue)"
      let path = try temporaryFile(
        name, [UInt8](try Exporter.encode(table, format: format, delimiter: delimiter)))
      _ = try Importer.run(kind, path: path, file: name, into: fresh, options: Fixtures.options())
    }
    return fresh
  }

  @Test(
    "export then import into a fresh workspace reproduces the data, in CSV and in JSON",
    arguments: [
      (DataFormat.csv, Character(",")), (.csv, ";"), (.json, ","),
    ])
  func roundTrips(format: DataFormat, delimiter: Character) throws {
    let store = try Fixtures.importedStore()
    let copy = try roundTrip(store, format: format, delimiter: delimiter)
    #expect(try copy.exportCustomers() == store.exportCustomers())
    #expect(try copy.exportInvoices() == store.exportInvoices())
    let original = try store.exportCases()
    let copied = try copy.exportCases()
    #expect(copied.count == original.count)
    for (a, b) in zip(original, copied) {
      #expect(a.reference == b.reference)
      #expect(a.customerId == b.customerId && a.openedAt == b.openedAt && a.channel == b.channel)
      #expect(a.category == b.category && a.reason == b.reason && a.status == b.status)
      #expect(a.invoiceNumbers == b.invoiceNumbers && a.portions == b.portions && a.disputed == b.disputed)
    }
    let messages = try store.exportCommunications().map {
      "\($0.1) \($0.0.at) \($0.0.direction) \($0.0.author) \($0.0.summary)"
    }
    #expect(
      try copy.exportCommunications().map {
        "\($0.1) \($0.0.at) \($0.0.direction) \($0.0.author) \($0.0.summary)"
      } == messages)
    #expect(try copy.exportPayments().map(\.payment) == store.exportPayments().map(\.payment))
    for number in try store.exportInvoices().map(\.invoice.number).prefix(50) {
      #expect(try copy.ledger(ofInvoice: number)?.owed() == store.ledger(ofInvoice: number)?.owed())
    }
  }

  @Test("JSON exports type what is a number or a flag; amounts stay exact decimal strings")
  func jsonTypes() throws {
    let store = try Fixtures.importedStore()
    let customers =
      try JSONSerialization.jsonObject(
        with: try Exporter.encode(try Exporter.table(.customers, store: store), format: .json))
      as? [[String: Any]]
    #expect(customers?.first?["vip"] is Bool)
    let invoices =
      try JSONSerialization.jsonObject(
        with: try Exporter.encode(try Exporter.table(.invoices, store: store), format: .json))
      as? [[String: Any]]
    #expect((invoices?.first?["total"] as? String)?.contains(".") == true)
    let journal =
      try JSONSerialization.jsonObject(
        with: try Exporter.encode(try Exporter.table(.journal, store: store), format: .json))
      as? [[String: Any]]
    #expect(journal?.first?["event_id"] is NSNumber && !(journal?.first?["event_id"] is String))
  }

  @Test("--since keeps what came after, for incremental feeds")
  func since() throws {
    let store = try Fixtures.importedStore()
    let all = try Exporter.table(.cases, store: store).rows.count
    let later = try Exporter.table(.cases, store: store, since: try Timestamp.parse("2026-10-20T00:00:00Z"))
      .rows
    #expect(all == 120)
    #expect(!later.isEmpty && later.count < all)
    #expect(later.allSatisfy { ($0[2] ?? "") >= "2026-10-20" })
  }

  /// A store with one customer, one invoice of 1,200 EUR due long ago and a case on 400 of it.
  func caseStore() throws -> (Store, Int64) {
    var settings = CompanySettings()
    // The second half of 2026 is beyond the published tables: the rates this test assumes.
    settings.penaltyRates.ecbRates[HalfYear(year: 2026, half: 2)] = 215
    settings.penaltyRates.legalRates[HalfYear(year: 2026, half: 2)] = 260
    let store = try Store.inMemory(settings: settings)
    let euros = { (major: Double) in try Money(major: major, currency: .euro, field: "t") }
    try store.insert(
      customers: [
        Customer(
          id: "C1", name: "Boulangerie <Émile> & Fils", kind: .company, email: "emile@exemple.fr",
          phone: "01 02 03 04 05", address: "3 rue des Lilas\n75011 Paris")
      ],
      invoices: [
        Invoice(
          number: "F-1", customerId: "C1", issuedOn: try LocalDate(parsing: "2026-06-01"),
          dueOn: try LocalDate(parsing: "2026-07-01"), total: try euros(1_200), paid: try euros(0))
      ],
      cases: [
        DisputeCase(
          id: 1, customerId: "C1", openedAt: Self.now.addingTimeInterval(-86_400 * 40), channel: .email,
          category: .price, reason: "Le prix ne correspond pas", disputed: try euros(400),
          invoiceNumbers: ["F-1"])
      ],
      communications: [
        Communication(
          caseId: 1, at: Self.now.addingTimeInterval(-86_400 * 39), direction: .incoming, channel: .email,
          author: "Émile", summary: "Bonjour, je conteste 400 €.")
      ], provenance: Self.person)
    return (store, 1)
  }

  func decide(_ store: Store, _ decisions: [Decision], by source: String = "user:julien", at: Date = now)
    throws
  {
    try store.apply(
      decisions.map { ProposedDecision(caseId: 1, decision: $0, reason: "test") }, caseId: 1,
      provenance: Provenance(source: source, hook: "test", runId: "t"), at: at)
  }

  @Test(
    "the ledger lists each credit note, write-off and penalty claimed, with its decision's event; a second export only the new"
  )
  func ledger() throws {
    let (store, _) = try caseStore()
    try decide(
      store,
      [
        .proposeGesture(
          kind: .creditNote, amount: Money(minorUnits: 15_000, currency: .euro), approvedBy: nil)
      ],
      by: "compensation@1.0")
    try decide(store, [.answerGesture(id: 1, accepted: true)])
    try store.writeOff(
      invoice: "F-1", amount: Money(minorUnits: 1_000, currency: .euro), on: LocalDate(Self.now, in: .gmt),
      reference: "WO-1", reason: "reliquat", by: "claire", at: Self.now)
    let first = try Exporter.table(.ledger, store: store)
    #expect(
      first.rows.map { [$0[1], $0[2], $0[4]] } == [
        ["credit_note", "F-1", "150.00"], ["write_off", "F-1", "10.00"],
      ])
    // The write-off on a disputed invoice is told in its case's journal, and the feed names that event.
    let writeOff = try #require(try store.events(ofCase: 1).last { $0.kind == "write_off" })
    #expect(
      writeOff.event
        == .writtenOff(invoice: "F-1", amount: Money(minorUnits: 1_000, currency: .euro), reference: "WO-1"))
    #expect(first.rows[1][7] == "1")
    let journalIds = try Exporter.table(.journal, store: store).rows.filter { $0[4] == "write_off" }.map {
      $0[0]
    }
    #expect(journalIds == [first.rows[1][8]])
    let events = try store.events(ofCase: 1)
    let grant = try #require(events.firstIndex { $0.kind == "grant_gesture" })
    let journal = try Exporter.table(.journal, store: store).rows
    // The credit note's event id is the grant's, as the journal export numbers it.
    #expect(journal.first { $0[4] == "grant_gesture" }?[0] == first.rows[0][8])
    #expect(grant >= 0)

    // A penalty claim: the core's figures, per invoice, kept with the letter and posted.
    let cutoff = Self.now.addingTimeInterval(1)
    try decide(
      store,
      [.send(template: "penalty_claim", channel: .registeredLetter, body: "…", claimPenalties: .waive)],
      by: "receivables@1.0", at: Self.now.addingTimeInterval(60))
    let second = try Exporter.table(.ledger, store: store, since: cutoff)
    let kinds = second.rows.map { $0[1] ?? "" }
    #expect(kinds == ["late_penalties", "recovery_indemnity"])
    let claim = try #require(try store.events(ofCase: 1).last { $0.kind == "send" })
    guard case .sent(_, _, _, _, let claimed) = claim.event else { Issue.record("not a letter"); return }
    #expect(claimed.count == 1)
    // The undisputed 800 (less the credit conceded on the disputed part) bears penalties from 2026-07-02.
    #expect(second.rows[0][4] == claimed[0].interest.decimalText)
    #expect(second.rows[1][4] == "40.00")
    #expect(claimed[0].interest.minorUnits > 0)
  }

  @Test(
    "a letter decided waits in the outbox; export writes the e-mail and the A4 letter; sending is journaled")
  func outbox() throws {
    let (store, _) = try caseStore()
    try decide(
      store,
      [.send(template: "acknowledgement", channel: .email, body: "Bonjour Émile,\nMerci — « 1 200,00 € ».")])
    try decide(
      store,
      [.send(template: "formal_notice", channel: .registeredLetter, body: "Mise en demeure <urgent> & cie")])
    let pending = try store.outbox(status: .pending)
    #expect(pending.map(\.template) == ["acknowledgement", "formal_notice"])
    #expect(pending[0].recipient == "emile@exemple.fr")

    let eml = String(
      decoding: OutboxFiles.eml(pending[0], from: "SAV <sav@exemple.fr>", company: "Exemple", now: Self.now),
      as: UTF8.self)
    let lines = eml.components(separatedBy: "\r\n")
    #expect(lines.contains("From: SAV <sav@exemple.fr>"))
    #expect(lines.contains { $0.hasPrefix("To: =?UTF-8?B?") && $0.hasSuffix("<emile@exemple.fr>") })
    #expect(lines.contains("Content-Type: text/plain; charset=UTF-8"))
    #expect(lines.contains("Date: Mon, 30 Nov 2026 00:53:20 +0000"))
    // The subject, folded over several lines of RFC 2047 encoded words.
    let start = try #require(lines.firstIndex { $0.hasPrefix("Subject: ") })
    var words = [String(lines[start].dropFirst("Subject: ".count))]
    var next = start + 1
    while lines[next].hasPrefix(" ") {
      words.append(String(lines[next].dropFirst()))
      next += 1
    }
    let decoded = words.map { word -> String in
      #expect(word.hasPrefix("=?UTF-8?B?") && word.hasSuffix("?=") && word.count <= 75)
      let payload = word.dropFirst("=?UTF-8?B?".count).dropLast(2)
      return String(decoding: Data(base64Encoded: String(payload)) ?? Data(), as: UTF8.self)
    }.joined()
    #expect(decoded == "Votre réclamation est bien enregistrée — dossier n° 1")
    let blank = try #require(lines.firstIndex(of: ""))
    let body =
      Data(base64Encoded: lines[(blank + 1)...].joined(), options: .ignoreUnknownCharacters) ?? Data()
    #expect(String(decoding: body, as: UTF8.self) == "Bonjour Émile,\r\nMerci — « 1 200,00 € ».")

    let page = OutboxFiles.letterPages(
      [pending[1]], profile: CompanyProfile(name: "Exemple SAS", siren: "123456782"), zone: .gmt)
    #expect(page.contains("Boulangerie &lt;Émile&gt; &amp; Fils"))
    #expect(page.contains("3 rue des Lilas<br>75011 Paris"))
    #expect(page.contains("Mise en demeure &lt;urgent&gt; &amp; cie"))
    #expect(page.contains("Lettre recommandée avec accusé de réception n°"))
    #expect(page.contains("size: A4"))

    try store.markSent(pending[1].id, reference: "1A 234 567 8901 2", by: "claire", at: Self.now)
    #expect(throws: DomainError.self) {
      try store.markSent(pending[1].id, reference: "again", by: "claire", at: Self.now)
    }
    try store.markFailed(pending[0].id, reason: "adresse inconnue", by: "claire", at: Self.now)
    let journal = try store.events(ofCase: 1).map(\.event)
    #expect(
      journal.contains(
        .dispatched(item: pending[1].id, template: "formal_notice", reference: "1A 234 567 8901 2")))
    #expect(
      journal.contains(
        .dispatchFailed(item: pending[0].id, template: "acknowledgement", reason: "adresse inconnue")))
    #expect(try store.outbox(status: .pending).isEmpty)
  }

  @Test("forgetting a customer erases names, contacts and texts, and keeps amounts and the journal")
  func forget() throws {
    let (store, _) = try caseStore()
    try decide(store, [.send(template: "acknowledgement", channel: .email, body: "Bonjour Émile")])
    let before = try store.events(ofCase: 1).count
    let owed = try store.ledger(ofInvoice: "F-1")?.owed()
    // A night's stored report quoting the customer in a plugin's failure, beside Litige's own fields
    // that happen to hold the same words.
    let night = try store.startRun(id: "night-x", asOf: Self.now, dryRun: false, chunkSize: 10)
    try store.finishRun(
      id: night.id, status: "failed",
      report: #"""
        {"currency": "EUR", "time_zone": "Europe/Paris", "failures": [{"case_id": 1, "message": "init.lua:3: no mandate for Boulangerie <Émile> & Fils (emile@exemple.fr)"}],
         "figures": {"top_customers": [{"customer_id": "C1", "name": "Boulangerie <Émile> & Fils"}, {"customer_id": "C2", "name": "Boulangerie <Émile> & Fils Frères"}]}}
        """#)
    let summary = try store.forget(customer: "C1", by: "dpo", at: Self.now)
    #expect(summary == ForgetSummary(cases: 1, communications: 1, letters: 1))
    let customer = try #require(try store.customer(id: "C1"))
    #expect(
      customer.name == Store.forgottenName && customer.email == nil && customer.phone == nil
        && customer.address == nil)
    #expect(try store.communications(ofCase: 1).allSatisfy { $0.summary.isEmpty && $0.author.isEmpty })
    let events = try store.events(ofCase: 1)
    #expect(events.count == before + 1)
    #expect(events.last?.event == .forgotten)
    #expect(
      events.allSatisfy {
        if case .sent(_, _, let body?, _, _) = $0.event { return body.isEmpty } else { return true }
      })
    #expect(try store.ledger(ofInvoice: "F-1")?.owed() == owed)
    for kind in ExportKind.allCases {
      let text = String(
        decoding: try Exporter.encode(try Exporter.table(kind, store: store), format: .json), as: UTF8.self)
      #expect(!text.contains("Émile") && !text.contains("emile@") && !text.contains("Lilas"), "\(kind)")
    }
    // The report: the failure masked, the customer's own entry renamed, the rest as it was.
    let report = try #require(try store.runs(limit: 5).first { $0.id == "night-x" }?.report)
    let object = try #require(try JSONSerialization.jsonObject(with: Data(report.utf8)) as? [String: Any])
    let failures = object["failures"] as? [[String: Any]]
    #expect(
      failures?.first?["message"] as? String
        == "init.lua:3: no mandate for ‹customer name› (‹customer e-mail›)")
    #expect(object["currency"] as? String == "EUR" && object["time_zone"] as? String == "Europe/Paris")
    let top = (object["figures"] as? [String: Any])?["top_customers"] as? [[String: Any]]
    #expect(top?.map { $0["name"] as? String } == [Store.forgottenName, "Boulangerie <Émile> & Fils Frères"])
    #expect(throws: StoreError.self) { try store.forget(customer: "C9", by: "dpo", at: Self.now) }
  }
}
