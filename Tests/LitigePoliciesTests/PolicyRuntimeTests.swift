import Foundation
import LitigeCore
import LitigeStore
import LuaHost
import Testing

@testable import LitigePolicies

private let reference = Date(timeIntervalSince1970: 1_790_000_000)

private func makeRuntime() throws -> (PolicyRuntime, Store) {
  let store = try Store.inMemory()
  let data = DemoData.generate(
    seed: 7, reference: reference, customerCount: 10, invoiceCount: 40, caseCount: 21)
  try store.load(data, provenance: Provenance(source: "test", hook: "import", runId: "t"))
  let session = CaseSession(
    store: store, now: reference, provenance: Provenance(source: "script:t.lua", hook: "run", runId: "r1"))
  let runtime = try PolicyRuntime(session: session, limits: .init(timeout: .seconds(20)))
  runtime.state.output = { _ in }
  return (runtime, store)
}

private func activeCaseId(_ store: Store) throws -> Int64 {
  try #require(try store.cases(matching: CaseFilter(activeOnly: true), limit: 1).first?.id)
}

@Suite("The litige API")
struct PolicyRuntimeTests {
  @Test func casesReadAsFieldsMatchingTheStore() throws {
    let (runtime, store) = try makeRuntime()
    let id = try activeCaseId(store)
    let stored = try #require(try store.disputeCase(id: id))
    let values = try runtime.runScript(
      source: """
        local c = litige.case(\(id))
        return c.id, c.status, c.disputed, c.currency, c.customer.id, #c.invoices, c.invoices[1].number,
          c.escalation, type(c.opened_at), #c.history > 0, c.communications[1].direction
        """, chunkName: "read.lua")
    #expect(values[0] == .integer(id))
    #expect(values[1] == .string(stored.status.rawValue))
    #expect(values[2].doubleValue == stored.disputed.major)
    #expect(values[3] == "EUR")
    #expect(values[4] == .string(stored.customerId))
    #expect(values[5] == .integer(Int64(stored.invoiceNumbers.count)))
    #expect(values[6] == .string(stored.invoiceNumbers[0]))
    #expect(values[7] == .string(stored.escalation.rawValue))
    #expect(values[8] == "number")
    #expect(values[9] == true)
    #expect(values[10] == "in")
  }

  @Test("a misspelt field names the closest one")
  func misspeltFieldSuggestsTheClosest() throws {
    let (runtime, store) = try makeRuntime()
    let id = try #require(try store.caseIds(matching: CaseFilter()).first)
    for (script, suggestion) in [
      ("return litige.case(\(id)).customr", "(did you mean 'customer'?)"),
      ("return litige.case(\(id)).customer.langage", "(did you mean 'language'?)"),
      ("return litige.case(\(id)).invoices[1].du_on", "(did you mean 'due_on'?)"),
      ("return litige.case(\(id)):has_tga('x')", "(did you mean 'has_tag'?)"),
      // Two letters swapped count as one mistake, even in a short name.
      ("return litige.case(\(id)).customer.nmae", "(did you mean 'name'?)"),
      ("return litige.case(\(id)).stauts", "(did you mean 'status'?)"),
    ] {
      #expect {
        try runtime.runScript(source: script, chunkName: "typo.lua")
      } throws: { error in
        "\(error)".contains(suggestion)
      }
    }
  }

  /// The records in a case's lists name their fields too: a misspelt one is an error with the closest
  /// name and the script's line; a field the record names but that is empty reads nil.
  @Test(
    "a misspelt field of a history entry, a message, a gesture, a payment or the promise names the closest")
  func misspeltRecordFieldSuggestsTheClosest() throws {
    let (runtime, store) = try makeRuntime()
    let id = try activeCaseId(store)
    for (expression, message) in [
      ("c.history[1].knd", "history entry has no field 'knd' (did you mean 'kind'?)"),
      ("c.communications[1].sumary", "message has no field 'sumary' (did you mean 'summary'?)"),
      ("c.history[1][1]", "history entry fields are named by strings, not by a number"),
    ] {
      #expect {
        try runtime.runScript(
          source: "local c = litige.case(\(id))\nreturn \(expression)", chunkName: "typo.lua")
      } throws: { error in
        "\(error)".contains(message) && "\(error)".contains("typo.lua:2")
      }
    }
    // Gestures, payments and a promise, on a case that has them after a script's decisions.
    let values = try runtime.runScript(
      source: """
        local c = litige.case(\(id))
        c:propose_gesture{kind = "discount", amount = 1, reason = "geste"}
        local gesture = c.gestures[#c.gestures]
        local ok, err = pcall(function() return gesture.amout end)
        -- The proposal is in the history at once (its status move may follow it).
        local proposed
        for _, entry in ipairs(c.history) do
          if entry.kind == "propose_gesture" then proposed = entry end
        end
        return gesture.approved_by == nil, ok, err, proposed and proposed.kind, proposed and proposed.data.kind
        """, chunkName: "records.lua")
    #expect(values[0] == true)
    #expect(values[1] == false)
    #expect(values[2].stringValue?.contains("gesture has no field 'amout' (did you mean 'amount'?)") == true)
    #expect(values[3] == "propose_gesture")
    #expect(values[4] == "discount")
  }

  @Test("pairs walks a view's fields in name order, with the values a read gives; methods are not fields")
  func pairsWalksTheFields() throws {
    let (runtime, store) = try makeRuntime()
    let id = try #require(try store.caseIds(matching: CaseFilter()).first)
    let values = try runtime.runScript(
      source: """
        local c = litige.case(\(id))
        local names, same = {}, true
        for key, value in pairs(c) do
          names[#names + 1] = key
          if type(value) ~= "table" and value ~= c[key] then same = false end
        end
        local customer = {}
        for key in pairs(c.customer) do customer[#customer + 1] = key end
        return table.concat(names, ","), same, table.concat(customer, ",")
        """, chunkName: "pairs.lua")
    let current = try #require(try store.disputeCase(id: id))
    let names = values[0].stringValue?.split(separator: ",").map(String.init) ?? []
    // Every field but those that are nil on this case, in order; no method.
    let nilFields = Set([
      "deadline", "outcome", "owner", "promise", "reference", "category", "limitation_date",
      "claimable_changes_on",
    ])
    #expect(names == names.sorted() && names.contains("status") && names.contains("history"))
    #expect(Set(PolicyRuntime.caseFieldNames).subtracting(names).isSubset(of: nilFields))
    #expect(!names.contains("tag") && !names.contains("has_tag"))
    #expect(values[1] == .boolean(true))
    #expect(names.contains("owner") == (current.owner != nil))
    #expect(values[2].stringValue?.contains("broken_promises,email,id,kind") == true)
  }

  @Test("dates and integers refused by the library quote the value as written")
  func refusedArgumentsQuoteTheValue() throws {
    let (runtime, _) = try makeRuntime()
    for (script, message) in [
      ("return litige.add_days('2026-02-30', 1)", "(date: '2026-02-30' is not a date)"),
      ("return litige.date(1.5)", "(number has no integer representation: 1.5)"),
      ("return litige.add_days('2026-01-01', 0/0)", "(number has no integer representation: -nan)"),
      ("litige.wake_on('9999-12-31')", "litige.wake_on: 9999-12-31 is outside 1970-01-01...2199-12-31"),
      (
        "litige.wake_on(nil)",
        "bad argument #1 to 'wake_on' (expected a date \"YYYY-MM-DD\" or an instant in seconds, got nil)"
      ),
      ("litige.wake_on()", "or an instant in seconds, got no value)"),
      ("litige.wake_on({})", "or an instant in seconds, got table)"),
      ("litige.wake_on(0/0)", "(expected a date or an instant, got not a number (nan))"),
      ("litige.wake_on(-math.huge)", "(expected a date or an instant, got -inf)"),
      // One date per call, and no condition for wake_on_change: nothing a script passes is dropped.
      ("litige.wake_on('2026-03-05', '2026-03-04')", "wake_on takes one date or instant, got 2 values"),
      ("litige.wake_on_change('status')", "wake_on_change takes no argument (got string)"),
      // A key that is no field name (a customer's name used as one) is counted, not quoted.
      ("for c in litige.cases{['Jean Dupont'] = 1} do end", "unknown filter of 11 characters (not shown"),
      ("for c in litige.cases{statu = 1} do end", "unknown filter 'statu' (did you mean 'status'?)"),
      ("litige:wake_on_change()", "wake_on_change takes no argument (got table)"),
    ] {
      #expect {
        try runtime.runScript(source: script, chunkName: "args.lua")
      } throws: { error in
        "\(error)".contains(message)
      }
    }
    // An instant is kept to the second (a fraction dropped), with its date in the company's zone.
    #expect(throws: Never.self) {
      try runtime.runScript(source: "litige.wake_on(litige.now() + 86400.5)", chunkName: "w.lua")
    }
    let instant = Date(timeIntervalSince1970: (reference.timeIntervalSince1970 + 86_400).rounded(.down))
    #expect(
      runtime.wake
        == .at(instant, day: LocalDate(instant, in: TimeZone(identifier: "Europe/Paris") ?? .gmt)))
  }

  @Test("every plain field served from the field cache has the value the store holds")
  func plainFieldsFromTheCacheMatchTheStore() throws {
    let (runtime, store) = try makeRuntime()
    for id in try store.caseIds(matching: CaseFilter()) {
      let stored = try #require(try store.disputeCase(id: id))
      let fields = PolicyRuntime.casePlainFields
      let values = try runtime.runScript(
        source: "local c = litige.case(\(id))\nreturn "
          + fields.map { "c.\($0)" }.joined(separator: ", "), chunkName: "plain.lua")
      let instant = { (date: Date?) in date.map { LuaValue.integer(Int64($0.timeIntervalSince1970)) } ?? .nil
      }
      let expected: [String: LuaValue] = [
        "age_days": .integer(Int64(reference.timeIntervalSince(stored.openedAt) / 86_400)),
        "category": stored.category.map { .string($0.rawValue) } ?? .nil,
        "channel": .string(stored.channel.rawValue), "currency": .string(stored.disputed.currency.code),
        "deadline": instant(stored.deadline), "disputed": .number(stored.disputed.major),
        "escalation": .string(stored.escalation.rawValue), "id": .integer(id),
        "opened_at": instant(stored.openedAt), "outcome": stored.outcome.map { .string($0.rawValue) } ?? .nil,
        "owner": stored.owner.map { .string($0.rawValue) } ?? .nil,
        "priority": .integer(Int64(stored.priority)), "reason": .string(stored.reason),
        "status": .string(stored.status.rawValue), "reference": stored.reference.map { .string($0) } ?? .nil,
      ]
      #expect(Set(fields) == Set(expected.keys))
      for (offset, field) in fields.enumerated() {
        #expect(values[offset] == expected[field], "case \(id).\(field)")
      }
    }
  }

  @Test func theIteratorFiltersLikeTheStore() throws {
    let (runtime, store) = try makeRuntime()
    let expected = try store.caseIds(matching: CaseFilter(status: .open)).count
    let counted = try runtime.runScript(
      source:
        "local n = 0 for c in litige.cases{status = 'open'} do assert(c.status == 'open') n = n + 1 end return n",
      chunkName: "iterate.lua")
    #expect(counted == [.integer(Int64(expected))])
    #expect(throws: LuaError.self) {
      try runtime.runScript(source: "litige.cases{stat = 'open'}", chunkName: "x.lua")
    }
  }

  @Test("views refuse rawset; an invoice read from a case follows the case's decisions")
  func viewsAreReadOnlyAndInvoicesStayCurrent() throws {
    let (runtime, _) = try makeRuntime()
    let seen = try runtime.runScript(
      source: """
        local c
        for candidate in litige.cases{active = true} do
          if candidate.status ~= "resolved" and #candidate.invoices > 0 and candidate.invoices[1].frozen > 0 then
            c = candidate
            break
          end
        end
        local refused = not pcall(rawset, c, "status", "closed") and not pcall(rawset, c.customer, "name", "x")
        local invoice = c.invoices[1]
        local before = invoice.frozen
        c:resolve{ outcome = "rejected", new_due_date = litige.add_days(litige.today(), 30), reason = "agreed" }
        return refused, c.status, before, invoice.frozen
        """, chunkName: "views.lua")
    #expect(seen.count == 4)
    #expect(seen.first == true, "rawset on a view is refused")
    #expect(seen[1] == "resolved")
    #expect(seen[2] != seen[3], "an invoice kept from before the decision reads its amounts again: \(seen)")
    #expect(seen[3] == .number(0), "resolving released the case's frozen portion")
  }

  @Test func decisionsAreStagedAndReadBackButNotStored() throws {
    let (runtime, store) = try makeRuntime()
    let id = try activeCaseId(store)
    let seen = try runtime.runScript(
      source: """
        local c = litige.case(\(id))
        c:tag("vip", "VIP customer")
        c:prioritize(1, "VIP first")
        c:assign("legal")
        return c.priority, c:has_tag("vip"), c.owner
        """, chunkName: "decide.lua")
    #expect(seen == [.integer(1), true, "legal"])
    #expect(runtime.session.stagedInOrder.map(\.decision.kind) == ["tag", "prioritize", "assign"])
    #expect(try store.disputeCase(id: id)?.priority == 3)
    let events = try runtime.session.commit()
    #expect(events.map(\.kind).filter { $0 != "status" } == ["tag", "prioritize", "assign"])
    #expect(try store.disputeCase(id: id)?.tags == ["vip"])
    #expect(try store.events(ofCase: id).last?.provenance.source == "script:t.lua")
  }

  @Test("field reads stay current: after a decision through any object, and after a rollback between calls")
  func fieldCacheFollowsDecisions() throws {
    let (runtime, store) = try makeRuntime()
    let id = try activeCaseId(store)
    let stored = try #require(try store.disputeCase(id: id))
    let priority = stored.priority == 1 ? 2 : 1
    let owner = stored.owner == .legal ? "finance" : "legal"
    let environment = try runtime.state.makeEnvironment()
    let seen = try runtime.state.run(
      source: """
        kept = litige.case(\(id))
        local other = litige.case(\(id))
        local before = kept.priority .. "/" .. tostring(kept.owner)
        other:prioritize(\(priority), "urgent")
        other:assign("\(owner)")
        return before, kept.priority, kept.owner, other.priority
        """, chunkName: "cache.lua", environment: environment)
    let storedOwner = stored.owner.map { LuaValue.string($0.rawValue) } ?? .nil
    #expect(
      seen == [
        .string("\(stored.priority)/\(stored.owner?.rawValue ?? "nil")"), .integer(Int64(priority)),
        .string(owner), .integer(Int64(priority)),
      ])
    runtime.session.rollback()
    let after = try runtime.state.run(
      source: "return kept.priority, kept.owner", chunkName: "again.lua", environment: environment)
    #expect(
      after == [.integer(Int64(stored.priority)), storedOwner],
      "a rollback between calls shows in objects kept from before")
  }

  @Test func refusedDecisionsRaiseValidationErrorsAtTheScriptLine() throws {
    let (runtime, store) = try makeRuntime()
    let id = try activeCaseId(store)
    let cases: [(String, String)] = [
      ("litige.case(\(id)):prioritize(9)", "priority must be between 1 (most urgent) and 5"),
      ("litige.case(\(id)):assign('marketing')", "unknown value 'marketing'"),
      ("litige.case(\(id)):propose_gesture{kind = 'discount', amout = 5}", "unknown field 'amout'"),
      ("litige.case(\(id)):escalate('court')", "court needs a formal notice first"),
    ]
    for (source, expected) in cases {
      do {
        try runtime.runScript(source: "local x = 1\n" + source, chunkName: "refuse.lua")
        Issue.record("\(source) was accepted")
      } catch let error as LuaError {
        #expect(error.message.hasPrefix("refuse.lua:2:"), "\(error.message)")
        #expect(error.message.contains(expected), "\(error.message)")
      }
    }
    #expect(runtime.session.stagedInOrder.isEmpty)
  }

  @Test func fieldsAreReadOnlyAndUnknownFieldsAreErrors() throws {
    let (runtime, store) = try makeRuntime()
    let id = try activeCaseId(store)
    #expect(throws: LuaError.self) {
      try runtime.runScript(source: "litige.case(\(id)).priority = 1", chunkName: "w.lua")
    }
    do {
      try runtime.runScript(source: "return litige.case(\(id)).statsu", chunkName: "typo.lua")
    } catch let error as LuaError {
      #expect(error.message == "typo.lua:1: case has no field 'statsu' (did you mean 'status'?)")
    }
    do {
      try runtime.runScript(source: "litige.case(\(id)).tag('x')", chunkName: "dot.lua")
    } catch let error as LuaError {
      #expect(error.message.contains("call it with ':'"))
    }
  }

  @Test func amountsComeBackRoundedToTheCent() throws {
    let (runtime, store) = try makeRuntime()
    let id = try activeCaseId(store)
    try runtime.runScript(
      source:
        "local c = litige.case(\(id)) c:propose_gesture{kind = 'voucher', amount = 10.005, reason = 'goodwill'}",
      chunkName: "gesture.lua")
    let staged = try #require(runtime.session.stagedInOrder.first)
    #expect(
      staged.decision
        == .proposeGesture(kind: .voucher, amount: Money(minorUnits: 1_001, currency: .euro), approvedBy: nil)
    )
    #expect(staged.reason == "goodwill")
  }

  @Test func dateHelpersUseTheCompanyCalendar() throws {
    let (runtime, _) = try makeRuntime()
    let values = try runtime.runScript(
      source:
        "return litige.add_days('2026-02-27', 2), litige.days_between('2026-01-01', '2026-03-01'), litige.today()",
      chunkName: "dates.lua")
    #expect(values[0] == "2026-03-01")
    #expect(values[1] == .integer(59))
    #expect(
      values[2]
        == .string(LocalDate(reference, in: TimeZone(identifier: "Europe/Paris") ?? .current).description))
  }

  @Test("letters' helpers: working days, amounts and dates in the customer's language, the company")
  func letterHelpers() throws {
    let (runtime, _) = try makeRuntime()
    let values = try runtime.runScript(
      source: """
        return litige.is_business_day("2026-12-25"), litige.next_business_day("2026-12-25"),
          litige.is_business_day("2026-12-28"), litige.format_money(1717.61, "fr"), litige.format_money(1717.61, "en"),
          litige.format_date("2026-11-22", "fr"), litige.format_date("2026-11-22", "en"), litige.company().currency
        """, chunkName: "letters.lua")
    #expect(
      values == [
        false, "2026-12-28", true, .string("1\u{202F}717,61\u{A0}€"), "€1,717.61", "22 novembre 2026",
        "22 November 2026",
        "EUR",
      ])
  }

  @Test("policies read what is owed, frozen, claimable and the limitation date as the core computes them")
  func ledgerFieldsMatchTheCore() throws {
    let (runtime, store) = try makeRuntime()
    for id in try store.caseIds(matching: CaseFilter()) {
      let item = try #require(try store.disputeCase(id: id))
      let invoices = try store.invoices(ofCase: id)
      guard !invoices.isEmpty else { continue }
      // Recomputed here from the stored records: total - payments - credits and write-offs.
      var owedByInvoice: [String: Int64] = [:]
      var paidOn: [LocalDate] = []
      for invoice in invoices {
        let payments = try store.payments(ofInvoice: invoice.number)
        let adjustments = try store.adjustments(ofInvoice: invoice.number)
        owedByInvoice[invoice.number] =
          invoice.total.minorUnits - payments.map(\.payment.amount.minorUnits).reduce(0, +)
          - adjustments.map(\.adjustment.amount.minorUnits).reduce(0, +)
        if owedByInvoice[invoice.number, default: 0] > 0 { paidOn += payments.map(\.payment.paidOn) }
      }
      let owed = owedByInvoice.values.reduce(0, +)
      let values = try runtime.runScript(
        source: "local c = litige.case(\(id)) return c.owed, c.frozen, c.claimable, c.limitation_date",
        chunkName: "ledger.lua")
      #expect(values[0].doubleValue == Money(minorUnits: owed, currency: .euro).major, "case \(id)")
      if invoices.count == 1 {
        // One invoice: only the disputed part is frozen, never more than it owes, and only while open.
        let portion = item.portions[invoices[0].number]?.minorUnits ?? 0
        let frozen = item.status.isActive ? min(portion, max(owed, 0)) : 0
        #expect(values[1].doubleValue == Money(minorUnits: frozen, currency: .euro).major, "case \(id)")
      }
      let owing = invoices.filter { owedByInvoice[$0.number, default: 0] > 0 }
      let journal = try store.events(ofCase: id).map(\.event)
      let suspendedOrPromised = journal.contains {
        switch $0 {
        case .escalated(.mediation, _, _), .resolved(_, _, .some): return true
        default: return false
        }
      }
      guard !suspendedOrPromised else { continue }
      let customer = try #require(try store.customer(id: item.customerId))
      let expected = owing.map(\.dueOn).min().map {
        Limitation.expiry(dueOn: $0, debtor: customer.kind, acknowledgements: paidOn).description
      }
      #expect(values[3] == (expected.map { LuaValue.string($0) } ?? .nil), "case \(id)")
    }
  }
}
