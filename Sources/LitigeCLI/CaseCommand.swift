import ArgumentParser
import Foundation
import LitigeBatch
import LitigeCore
import LitigePolicies
import LitigeStore
import LuaHost

struct CaseCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "case", abstract: "Open, list, show and explain dispute cases.",
    subcommands: [
      List.self, Show.self, Open.self, Note.self, Explain.self, Resolve.self, Close.self, Reopen.self,
      Assign.self, Attempt.self, Escalate.self,
    ])

  struct Note: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Record a communication on a case; the on_communication policies run at once.")

    @OptionGroup var workspace: WorkspaceOptions
    @OptionGroup var personalData: PersonalDataOptions

    @Argument(help: CaseArgument.help) var caseArgument: CaseArgument

    @Option(help: "in (from the customer) or out (to the customer).")
    var direction = "in"

    @Option(help: "email, phone, letter, registered_letter, web, meeting or social.")
    var channel = "email"

    @Option(help: "Who wrote or took it.")
    var author = "service client"

    @Option(help: "What it said, in short.")
    var summary: String

    @Flag(help: "Print JSON: the message recorded and what the on_communication policies decided.")
    var json = false

    @OptionGroup var by: AuthorOptions

    func run() throws {
      let id = try caseArgument.resolve(in: workspace)
      let store = try workspace.openStore()
      let now = try CommandClock.now()
      let communication: Communication
      do {
        // The same bounds as a decision's texts: one message is a few kilobytes of valid UTF-8.
        // Read later on terminals (case show, a plugin's error): no escape sequence, as for a reason.
        try Plausible.check(humanText: summary, field: "--summary", maxBytes: 20_000)
        try Plausible.check(humanText: author, field: "--author", maxBytes: 200)
        communication = Communication(
          caseId: id, at: now, direction: try Direction.parse(direction, field: "--direction"),
          channel: try Channel.parse(channel, field: "--channel"), author: author, summary: summary)
      } catch let error as DomainError {
        throw ValidationError("\(error)")
      }
      // The policies are loaded first: a litige.toml they refuse stops the command before anything is written.
      let context = try PolicyContext(
        workspace: workspace, now: now, showsPersonalData: personalData.verbose)
      do {
        try store.record(
          communication,
          provenance: Provenance(source: "user:\(by.author)", hook: "case note", runId: "note-\(id)"))
      } catch {
        throw Failure("\(error)")
      }
      if !json {
        print(
          "Recorded a message \(communication.direction == .incoming ? "from" : "to") the customer on case \(id)."
        )
      }
      let subject = LuaValue.table([
        "at": .integer(Int64(now.timeIntervalSince1970)),
        "direction": .string(communication.direction.rawValue),
        "channel": .string(communication.channel.rawValue), "author": .string(author),
        "summary": .string(summary),
      ])
      if json {
        guard
          context.runAndReportJSON(
            hook: "on_communication", caseId: id, runId: "note-\(id)", subject: subject,
            fields: [
              "case_id": id, "direction": communication.direction.rawValue,
              "channel": communication.channel.rawValue,
            ])
        else { throw ExitCode(1) }
        return
      }
      guard context.runAndReport(hook: "on_communication", caseId: id, runId: "note-\(id)", subject: subject)
      else {
        throw Failure("the message is recorded, but an on_communication policy failed (see above)")
      }
    }
  }

  struct Open: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Open a case; linked invoices stop being collected and the triage policies run at once.")

    @OptionGroup var workspace: WorkspaceOptions
    @OptionGroup var personalData: PersonalDataOptions

    @Option(help: "The customer's id.")
    var customer: String

    @Option(help: "What the customer says, in their words.")
    var reason: String

    @Option(help: "Where it came from: email, phone, letter, registered_letter, web, meeting, social.")
    var channel = "email"

    @Option(
      name: .customLong("invoice"),
      help: "A disputed invoice, NUMBER or NUMBER=AMOUNT for the part of it disputed (repeat for several).")
    var invoiceEntries: [String] = []

    @Option(
      help:
        "The amount disputed, in major units (default: what the invoices still owe); spread over the invoices."
    )
    var disputed: String?

    @OptionGroup var author: AuthorOptions

    @Option(help: "The category, when already known (otherwise triage decides).")
    var category: String?

    @Flag(help: "Print JSON: the case's number, the amount disputed, and what the triage policies decided.")
    var json = false

    func run() throws {
      let store = try workspace.openStore()
      let currency = store.settings.currency
      let parsedChannel: Channel
      let parsedCategory: DisputeCategory?
      do {
        parsedChannel = try Channel.parse(channel, field: "--channel")
        parsedCategory = try category.map { try DisputeCategory.parse($0, field: "--category") }
      } catch let error as DomainError {
        throw ValidationError("\(error)")
      }
      guard try store.customer(id: customer) != nil else {
        throw Failure("no customer '\(customer)' in the workspace")
      }
      var invoices: [String] = []
      var portions: [String: Money] = [:]
      for entry in invoiceEntries {
        let parts = entry.split(separator: "=", maxSplits: 1).map {
          String($0).trimmingCharacters(in: .whitespaces)
        }
        guard let number = parts.first, !number.isEmpty, !invoices.contains(number) else {
          throw ValidationError("--invoice \(entry): expected NUMBER or NUMBER=AMOUNT, each invoice once")
        }
        invoices.append(number)
        if parts.count == 2 {
          do {
            portions[number] = try Money.typed(
              parts[1], currency: currency,
              field: "--invoice \(number)")
          } catch let error as DomainError {
            throw ValidationError("\(error)")
          }
          guard let portion = portions[number], portion.minorUnits > 0 else {
            throw ValidationError(
              "--invoice \(entry): the disputed part of \(number) must be a positive amount")
          }
        }
      }
      if !portions.isEmpty, portions.count != invoices.count {
        throw ValidationError("--invoice: give NUMBER=AMOUNT for every invoice, or for none")
      }
      if !portions.isEmpty, disputed != nil {
        throw ValidationError("--disputed and NUMBER=AMOUNT portions: give one or the other")
      }
      var owed = Money.zero(currency)
      for number in invoices {
        guard let invoice = try store.invoice(number: number) else { throw Failure("no invoice '\(number)'") }
        guard invoice.customerId == customer else {
          throw Failure("invoice \(number) belongs to customer \(invoice.customerId), not \(customer)")
        }
        guard invoice.total.currency == currency else {
          throw Failure(
            "invoice \(number) is in \(invoice.total.currency), the company's currency is \(currency)")
        }
        let ledger = try store.ledger(ofInvoice: number)
        let due: Money = (try? ledger?.owed()) ?? invoice.outstanding
        owed = owed + max(.zero(currency), due)
      }
      var amount: Money
      do {
        amount = try disputed.map { try Money.typed($0, currency: currency, field: "--disputed") } ?? owed
      } catch let error as DomainError {
        throw ValidationError("\(error)")
      }
      if !portions.isEmpty { amount = portions.values.reduce(Money.zero(currency)) { $0.adding($1) ?? $0 } }
      guard amount.minorUnits > 0 else {
        throw ValidationError(
          "give --disputed, or --invoice with an amount still owed (a paid invoice disputed is a refund claim: "
            + "say how much with --disputed or NUMBER=AMOUNT)")
      }
      let now = try CommandClock.now()
      let id = try store.nextCaseId()
      var opened = DisputeCase(
        id: id, customerId: customer, openedAt: now, channel: parsedChannel, category: parsedCategory,
        reason: reason,
        disputed: amount, invoiceNumbers: invoices)
      opened.portions = portions
      // The triage policies route it, from their one routing table (a category given here is routed
      // as one found in the customer's words).
      opened.owner = nil
      // The policies are loaded first: a litige.toml they refuse stops the command before anything is written.
      let context = try PolicyContext(
        workspace: workspace, now: now, showsPersonalData: personalData.verbose)
      do {
        try Plausible.check(humanText: reason, field: "--reason", maxBytes: 4_000)
        try store.insert(
          cases: [opened],
          provenance: Provenance(source: "user:\(author.author)", hook: "case open", runId: "open-\(id)"))
      } catch let error as DomainError {
        throw Failure("\(error)")
      } catch let error as StoreError {
        throw Failure("\(error)")
      }
      if json {
        guard
          context.runAndReportJSON(
            hook: "triage", caseId: id, runId: "open-\(id)",
            fields: ["id": id, "disputed": amount.decimalText, "currency": amount.currency.code])
        else { throw ExitCode(1) }
        return
      }
      print("Opened case \(id): \(amount.formatted) disputed.")
      guard context.runAndReport(hook: "triage", caseId: id, runId: "open-\(id)") else {
        throw Failure("case \(id) is open, but a triage policy failed (see above)")
      }
    }
  }

  struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Tell a case's story: what happened, which plugin decided what, and why, in order.")

    @OptionGroup var workspace: WorkspaceOptions

    @Argument(help: CaseArgument.help) var caseArgument: CaseArgument

    @Flag(help: "Print JSON instead of text.")
    var json = false

    @Flag(help: "Include the text of the letters sent in the JSON (personal data).")
    var letters = false

    func run() throws {
      let id = try caseArgument.resolve(in: workspace)
      let store = try workspace.openStore()
      guard let item = try store.disputeCase(id: id) else { throw Failure("case \(id) does not exist") }
      let events = try store.events(ofCase: id)
      let zone = store.settings.timeZone
      if json {
        var object = CaseJSON.summary(item, timeZone: zone)
        object["story"] = events.map { event -> [String: Any] in
          var entry = CaseJSON.event(event, letters: letters)
          entry["text"] = Story.describe(event)
          return entry
        }
        print(jsonText(object))
        return
      }
      print("Case \(id): the story, oldest first")
      for (offset, event) in events.enumerated() {
        let who =
          event.provenance.source + (event.provenance.hook.isEmpty ? "" : " (\(event.provenance.hook))")
        // A plugin's reason, a tag or a template is its text: shown, not run by the terminal.
        print(
          TerminalText.visible(
            "  \(offset + 1). \(Timestamp.display(event.at, in: zone))  \(Story.describe(event))"))
        print(TerminalText.visible("     by \(who)" + (event.reason.isEmpty ? "" : ": \(event.reason)")))
      }
      print(
        "Now: \(item.status.rawValue), priority \(item.priority), \(item.owner?.rawValue ?? "unassigned"), "
          + "\(item.escalation.rawValue), \(item.disputed.formatted) disputed"
          + (item.deadline.map { ", due by \(Timestamp.display($0, in: zone))" } ?? ""))
    }
  }

  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List cases, optionally filtered.")

    @OptionGroup var workspace: WorkspaceOptions

    @Option(help: "Only cases with this status (open, acknowledged, investigating, awaiting_customer, ...).")
    var status: String?

    @Option(help: "Only cases of this category (price, double_billing, quality, ...).")
    var category: String?

    @Option(
      help: """
        A work queue: approval (a gesture awaits a person's approval), answers (an answer or news promised \
        to the customer is due and not given), decision (a policy proposes a formal \
        notice or court), proposed (a solution offered, waiting for the customer), deadline (its deadline \
        has passed), formal_notice, court.
        """)
    var queue: WorkQueue?

    @Option(
      help:
        "Only cases owned by this department (sales, logistics, accounting, quality, legal, ...), or 'none'.")
    var owner: String?

    @Option(parsing: .unconditional, help: "Show at most this many cases (default: all).")
    var limit: Int?

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func validate() throws {
      if let limit, limit < 1 { throw ValidationError("--limit must be at least 1, got \(limit)") }
    }

    func run() throws {
      var filter = CaseFilter()
      do {
        filter.status = try status.map { try CaseStatus.parse($0, field: "--status") }
        filter.category = try category.map { try DisputeCategory.parse($0, field: "--category") }
      } catch let error as DomainError {
        throw ValidationError("\(error)")
      }
      // A department's own queue: `--owner legal --queue deadline` is what legal must do this morning.
      let ownerFilter: Department??
      do {
        ownerFilter = try owner.map { $0 == "none" ? nil : try Department.parse($0, field: "--owner") }
      } catch let error as DomainError {
        throw ValidationError("\(error)")
      }
      let store = try workspace.openStore()
      let limit = self.limit ?? .max
      var cases = try store.cases(matching: filter, limit: queue == nil && owner == nil ? limit : .max)
      if let ownerFilter {
        cases = cases.filter { $0.owner == ownerFilter }
        if queue == nil { cases = Array(cases.prefix(limit)) }
      }
      if let queue {
        let now = try CommandClock.now()
        cases = Array(try queue.cases(of: cases, at: now, in: store).prefix(limit))
      }
      let zone = store.settings.timeZone
      if json {
        print(jsonText(cases.map { CaseJSON.summary($0, timeZone: zone) }))
        return
      }
      // The company's own references, when its cases came from a file.
      let references = cases.contains { $0.reference != nil }
      var table = TextTable(
        headers: [
          "ID", "OPENED", "CUSTOMER", "CATEGORY", "STATUS", "PRI", "OWNER", "ESCALATION", "DISPUTED",
        ] + (references ? ["REF"] : []),
        rightAligned: [0, 5, 8])
      for item in cases {
        table.rows.append(
          [
            String(item.id), LocalDate(item.openedAt, in: zone).description, item.customerId,
            item.category?.rawValue ?? "-", item.status.rawValue, String(item.priority),
            item.owner?.rawValue ?? "-",
            item.escalation.rawValue, item.disputed.formatted,
          ] + (references ? [item.reference ?? "-"] : []))
      }
      print(table.render())
      // Each stored amount is bounded (Money.maxStoredMinorUnits), not their sum: said, not trapped.
      let total = cases.reduce(Int64?(0)) { sum, item in
        sum.flatMap { sum in
          let (added, overflow) = sum.addingReportingOverflow(item.disputed.minorUnits)
          return overflow ? nil : added
        }
      }
      print(
        "\(cases.count) case\(cases.count == 1 ? "" : "s"), "
          + (total.map { "\(Money(minorUnits: $0, currency: store.settings.currency).formatted) disputed" }
            ?? "more disputed than an amount can hold"))
    }
  }

  struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Show one case: its state, customer, invoices, communications and journal.")

    @OptionGroup var workspace: WorkspaceOptions

    @Argument(help: CaseArgument.help) var caseArgument: CaseArgument

    @Flag(help: "Print JSON instead of text.")
    var json = false

    @Flag(help: "Print the text of every letter sent, as kept in the journal (personal data).")
    var letters = false

    /// Whether the next night visits every open case, its dates computed under other plugins.
    ///
    /// Or other settings, or another program: `NightIndex.fingerprint` differs from the stored one.
    /// False when the plugins cannot be loaded: the night would fail before visiting anything.
    static func nextNightVisitsEveryCase(workspace: WorkspaceOptions, store: Store) -> Bool {
      do {
        let configuration = try BatchCommand.configuration(of: workspace)
        let host = try PluginHost(store: store, now: try CommandClock.now(), configuration: configuration)
        let fingerprint = NightIndex.fingerprint(
          plugins: host.plugins, configuration: configuration, hooks: BatchOptions.nightHooks)
        return try store.nightIndexState().fingerprint != fingerprint
      } catch {
        return false
      }
    }

    func run() throws {
      let id = try caseArgument.resolve(in: workspace)
      let store = try workspace.openStore()
      guard let item = try store.disputeCase(id: id) else { throw Failure("case \(id) does not exist") }
      let zone = store.settings.timeZone
      let customer = try store.customer(id: item.customerId)
      let invoices = try store.invoices(ofCase: id)
      let communications = try store.communications(ofCase: id)
      let events = try store.events(ofCase: id)
      let facts = try store.facts(for: item)
      let today = LocalDate(try CommandClock.now(), in: zone)
      // The wake-up index (issue 14): when the night next visits the case if nothing changes it.
      var wake = item.status == .closed ? nil : try store.wakeOn(caseId: id)
      // Dates computed under other plugins, settings or another program do not hold: the next night
      // visits every case (BatchRunner), whatever this case's says.
      let recomputed = wake != nil && Self.nextNightVisitsEveryCase(workspace: workspace, store: store)
      if recomputed { wake = NightIndex.everyNight }
      // The stored key is the instant from which a night visits it (NightIndex.caseKey), shown as the
      // company's day, and its time when it is not the day's start. JSON: the date, "next" or
      // "on_change" (null when closed), and `next_visit_from` the instant (UTC) when it has a time.
      var nextNight: String?
      var nextFrom: String?
      var nextVisitText = "none (closed)"
      switch wake {
      case nil: break
      case .some(NightIndex.everyNight):
        nextNight = "next"
        nextVisitText =
          recomputed
          ? "the next night (the plugins, their settings or the program changed since the dates were computed: it visits every case)"
          : "the next night"
      case .some(NightIndex.caseOnChange):
        (nextNight, nextVisitText) = ("on_change", "when the case changes (no plugin needs it before)")
      case let key?:
        guard let instant = NightIndex.instant(ofCaseKey: key) else {
          (nextNight, nextVisitText) = ("next", "the next night")
          break
        }
        let day = LocalDate(instant, in: zone)
        nextNight = day.description
        if day.start(in: zone) == instant {
          nextVisitText = "the night of \(day), or sooner if the case changes"
        } else {
          nextFrom = Timestamp.utcText(instant)
          nextVisitText =
            "the first night from \(Timestamp.display(instant, in: zone)), or sooner if the case changes"
        }
      }
      if json {
        var object = CaseJSON.summary(item, timeZone: zone)
        object["next_visit"] = nextNight ?? NSNull()
        if let nextFrom { object["next_visit_from"] = nextFrom }
        object["reason"] = item.reason
        object["ledger"] = CaseJSON.ledger(item, facts: facts, today: today)
        object["customer"] = customer.map {
          ["id": $0.id, "name": $0.name, "kind": $0.kind.rawValue, "vip": $0.vip]
        }
        object["invoices"] = invoices.map { invoice -> [String: Any] in
          var entry = CaseJSON.invoice(invoice)
          if let ledger = facts.ledgers.first(where: { $0.invoice.number == invoice.number }) {
            entry.merge(CaseJSON.invoiceLedger(ledger, caseId: item.id, today: today)) { $1 }
          }
          return entry
        }
        object["communications"] = communications.map {
          [
            "at": Timestamp.utcText($0.at), "direction": $0.direction.rawValue,
            "channel": $0.channel.rawValue,
            "author": $0.author, "summary": $0.summary,
          ]
        }
        object["history"] = events.map { CaseJSON.event($0, letters: letters) }
        object["outcome"] = item.outcome?.rawValue ?? NSNull()
        object["resolved_at"] = item.resolvedAt.map(Timestamp.utcText) ?? NSNull()
        object["promise"] =
          facts.promise.map {
            [
              "amount": $0.amount.decimalText, "due_on": $0.dueOn.description,
              "paid_since": $0.paidSince.decimalText,
              "status": $0.status.rawValue,
            ] as [String: Any]
          } ?? NSNull()
        print(jsonText(object))
        return
      }
      let time = { (date: Date) in Timestamp.display(date, in: zone) }
      // The reference came from an imported file: shown with its invisible characters as escapes.
      var lines = [
        TerminalText.visible(
          "Case \(item.id)\(item.reference.map { " (\($0))" } ?? "") · \(item.status.rawValue) · priority \(item.priority)"
        )
      ]
      let fields: [(String, String)] = [
        (
          "Customer",
          customer.map { "\($0.name) (\($0.id), \($0.kind.rawValue)\($0.vip ? ", VIP" : ""))" }
            ?? item.customerId
        ),
        ("Opened", "\(time(item.openedAt)) by \(item.channel.rawValue)"),
        ("Category", item.category?.rawValue ?? "not triaged"),
        ("Owner", item.owner?.rawValue ?? "unassigned"),
        ("Escalation", item.escalation.rawValue),
        ("Disputed", item.disputed.formatted),
        ("Deadline", item.deadline.map(time) ?? "none"),
        ("Tags", item.tags.isEmpty ? "none" : item.tags.joined(separator: ", ")),
        (
          "Gestures",
          item.gestures.isEmpty
            ? "none"
            : item.gestures.map { gesture in
              "#\(gesture.id) \(gesture.kind.rawValue) \(gesture.amount) \(gesture.state.rawValue)"
                + (gesture.approvedBy.map { " (approved by \($0))" }
                  ?? (gesture.awaitsApproval ? " (awaits approval)" : ""))
            }.joined(separator: ", ")
        ),
        (
          "Owed",
          "\(facts.outstanding.formatted) on its invoices"
            + (facts.limitationDate.map { ", time-barred from \($0)" } ?? "")
        ),
        (
          "Attempts",
          facts.attempts.isEmpty ? "none" : facts.attempts.map(\.rawValue).sorted().joined(separator: ", ")
        ),
        (
          "Outcome",
          item.outcome.map { outcome in
            outcome.rawValue + (item.resolvedAt.map { ", resolved \(time($0))" } ?? "")
          } ?? "none yet"
        ),
        (
          "Promise",
          facts.promise.map {
            "\($0.amount.formatted) by \($0.dueOn), \($0.status.rawValue.replacingOccurrences(of: "_", with: " ")) (\($0.paidSince.formatted) paid since)"
          } ?? "none"
        ),
        ("Reason", item.reason),
        ("Next visit", nextVisitText),
      ]
      // Reasons, messages and letters came from plugins, files and people: each shown on its own
      // line with its control characters (line breaks too) as escapes, never run by the terminal nor
      // able to forge a line of this page.
      lines += fields.map {
        "  " + $0.0.padding(toLength: 11, withPad: " ", startingAt: 0) + TerminalText.visible($0.1)
      }
      if !invoices.isEmpty {
        var table = TextTable(
          headers: ["INVOICE", "DUE", "TOTAL", "PAID", "CREDITED", "OWED", "DISPUTED", "FROZEN", "NEW DUE"],
          rightAligned: [2, 3, 4, 5, 6, 7])
        table.rows = invoices.map { invoice in
          guard let ledger = facts.ledgers.first(where: { $0.invoice.number == invoice.number }) else {
            return [
              invoice.number, invoice.dueOn.description, invoice.total.formatted, invoice.paid.formatted,
            ]
          }
          let portion = ledger.disputes.first { $0.caseId == item.id }
          let dash = "-"
          return [
            invoice.number, invoice.dueOn.description, invoice.total.formatted,
            ((try? ledger.paid()) ?? invoice.paid).formatted, ((try? ledger.credited())?.formatted) ?? dash,
            ((try? ledger.owed())?.formatted) ?? dash, portion?.amount.formatted ?? dash,
            ((try? ledger.frozen())?.formatted) ?? dash, portion?.newDueOn?.description ?? dash,
          ]
        }
        lines += ["", "Invoices", table.render()]
      }
      if !communications.isEmpty {
        lines += ["", "Communications"]
        lines += communications.map {
          TerminalText.visible(
            "  \(time($0.at))  \($0.direction == .incoming ? "in " : "out") \($0.channel.rawValue.padding(toLength: 17, withPad: " ", startingAt: 0)) \($0.author): \($0.summary)"
          )
        }
      }
      if !events.isEmpty {
        lines += ["", "Journal"]
        for event in events {
          lines.append(
            TerminalText.visible(
              "  \(time(event.at))  \(Story.describe(event))  by \(event.provenance.source) (\(event.provenance.hook))"
                + (event.reason.isEmpty ? "" : ": \(event.reason)")))
          // The text of a letter is personal data: printed only when asked for.
          if letters, case .sent(_, _, let body?, _, _) = event.event {
            lines += body.split(separator: "\n", omittingEmptySubsequences: false).map {
              "      | " + TerminalText.visible(String($0))
            }
          }
        }
      }
      print(lines.joined(separator: "\n"))
    }
  }
}

/// JSON shapes of cases for `--json` output; amounts as decimal strings, times as UTC ISO 8601.
enum CaseJSON {
  static func summary(_ item: DisputeCase, timeZone: TimeZone) -> [String: Any] {
    var object: [String: Any] = [
      "id": item.id, "customer_id": item.customerId, "opened_at": Timestamp.utcText(item.openedAt),
      "channel": item.channel.rawValue, "status": item.status.rawValue, "priority": item.priority,
      "escalation": item.escalation.rawValue, "disputed": item.disputed.decimalText,
      "currency": item.disputed.currency.code, "invoices": item.invoiceNumbers, "tags": item.tags,
    ]
    object["category"] = item.category?.rawValue ?? NSNull()
    object["owner"] = item.owner?.rawValue ?? NSNull()
    object["deadline"] = item.deadline.map(Timestamp.utcText) ?? NSNull()
    object["gestures"] = item.gestures.map {
      [
        "id": $0.id, "kind": $0.kind.rawValue, "amount": $0.amount.decimalText, "state": $0.state.rawValue,
        "needs_approval": $0.needsApproval, "approved_by": $0.approvedBy ?? NSNull(),
      ] as [String: Any]
    }
    object["portions"] = item.portions.mapValues(\.decimalText)
    object["reference"] = item.reference ?? NSNull()
    return object
  }

  /// The case's money as the core computes it: owed, frozen, collectable today, refund due, limitation.
  static func ledger(_ item: DisputeCase, facts: CaseFacts, today: LocalDate) -> [String: Any] {
    let zero = Money.zero(item.disputed.currency)
    func sum(_ amount: (InvoiceLedger) throws -> Money) -> String {
      facts.ledgers.reduce(zero) { total, ledger in total.adding((try? amount(ledger)) ?? zero) ?? total }
        .decimalText
    }
    var object: [String: Any] = [
      "owed": sum { try $0.owed() }, "frozen": sum { try $0.frozen() },
      "collectable": sum { try $0.collectable(on: today) }, "refund_due": sum { try $0.refundDue() },
      "credited": sum { try $0.credited() }, "paid": sum { try $0.paid() },
      "written_off": sum { try $0.writtenOff() }, "refunded": sum { try $0.refunded() },
      "attempts": facts.attempts.map(\.rawValue).sorted(),
    ]
    object["limitation_date"] = facts.limitationDate?.description ?? NSNull()
    return object
  }

  /// One invoice's ledger fields, with this case's portion of it.
  static func invoiceLedger(_ ledger: InvoiceLedger, caseId: Int64, today: LocalDate) -> [String: Any] {
    let portion = ledger.disputes.first { $0.caseId == caseId }
    var object: [String: Any] = [
      "owed": ((try? ledger.owed())?.decimalText) ?? NSNull(),
      "credited": ((try? ledger.credited())?.decimalText) ?? NSNull(),
      "written_off": ((try? ledger.writtenOff())?.decimalText) ?? NSNull(),
      "frozen": ((try? ledger.frozen())?.decimalText) ?? NSNull(),
      "collectable": ((try? ledger.collectable(on: today))?.decimalText) ?? NSNull(),
      "disputed": portion?.amount.decimalText ?? NSNull(),
    ]
    object["new_due_on"] = portion?.newDueOn?.description ?? NSNull()
    return object
  }

  static func invoice(_ invoice: Invoice) -> [String: Any] {
    [
      "number": invoice.number, "issued_on": invoice.issuedOn.description,
      "due_on": invoice.dueOn.description,
      "total": invoice.total.decimalText, "paid": invoice.paid.decimalText,
      "currency": invoice.total.currency.code,
      "collection_suspended": invoice.collectionSuspended,
    ]
  }

  /// One journal event; a letter's text (personal data) only with `letters`.
  static func event(_ event: JournalEvent, letters: Bool = false) -> [String: Any] {
    var data = event.event.fields
    if !letters, data["body"] != nil { data["body"] = nil }
    return [
      "at": Timestamp.utcText(event.at), "kind": event.kind,
      "data": data,
      "reason": event.reason,
      "source": event.provenance.source, "hook": event.provenance.hook, "run_id": event.provenance.runId,
    ]
  }
}
