import Foundation

/// The company's settings that the core's rules read (DESIGN.md "Core rules").
public struct CompanySettings: Sendable, Equatable {
  /// The company's currency: thresholds and caps are in it.
  public var currency: Currency
  /// The company's time zone, for dates shown to people and for "today".
  public var timeZone: TimeZone
  /// The largest gesture of each kind granted without a recorded approval.
  public var gestureCaps: [GestureKind: Money]
  /// Up to this amount the court route is a simple request form (requête); above, a summons.
  public var requestFormLimit: Money
  /// Above this amount a lawyer is mandatory in court.
  public var lawyerThreshold: Money

  /// The defaults of domain.md: EUR, Europe/Paris, request form up to 5,000 EUR, lawyer above
  /// 10,000 EUR, caps of 500 (discount), 2,000 (credit note), 1,000 (refund), 1,500 (replacement) and
  /// 150 (voucher).
  public init(
    currency: Currency = .euro, timeZone: TimeZone = TimeZone(identifier: "Europe/Paris") ?? .current,
    gestureCaps: [GestureKind: Money]? = nil
  ) {
    self.currency = currency
    self.timeZone = timeZone
    let major = { (amount: Int64) in Money(minorUnits: amount * currency.minorPerMajor, currency: currency) }
    self.gestureCaps =
      gestureCaps ?? [
        .discount: major(500), .creditNote: major(2_000), .refund: major(1_000), .replacement: major(1_500),
        .voucher: major(150),
      ]
    self.requestFormLimit = major(5_000)
    self.lawyerThreshold = major(10_000)
  }
}

/// What the core must know about a case beyond its own fields to judge a decision.
public struct CaseFacts: Sendable, Equatable {
  /// Whether an amicable attempt is on record: an outgoing message, a letter sent, or mediation reached
  /// according to the journal (a level set without a journaled escalation proves nothing).
  public var amicableAttemptRecorded: Bool
  /// Templates already sent on the case.
  public var sentTemplates: Set<String>
  /// Dates of follow-ups already scheduled.
  public var scheduledFollowUps: Set<LocalDate>
  /// Whether the customer is a company (court: tribunal de commerce) or a person.
  public var customerKind: CustomerKind
  /// What the linked invoices still owe, in total.
  public var outstanding: Money
  /// The payment promise made at resolution, if any.
  public var promise: PaymentPromise?

  /// Creates the facts.
  public init(
    amicableAttemptRecorded: Bool = false, sentTemplates: Set<String> = [],
    scheduledFollowUps: Set<LocalDate> = [],
    customerKind: CustomerKind = .company, outstanding: Money, promise: PaymentPromise? = nil
  ) {
    self.promise = promise
    self.amicableAttemptRecorded = amicableAttemptRecorded
    self.sentTemplates = sentTemplates
    self.scheduledFollowUps = scheduledFollowUps
    self.customerKind = customerKind
    self.outstanding = outstanding
  }
}

/// A payment promise (promesse de paiement) obtained at resolution, and how it was kept.
public struct PaymentPromise: Sendable, Equatable {
  /// How a promise turned out.
  public enum Status: String, Sendable, CaseIterable {
    /// Not judged yet.
    case pending
    /// Everything promised was paid by the due date.
    case kept
    /// Something, but not everything, was paid by the due date.
    case partlyKept = "partly_kept"
    /// Nothing was paid by the due date.
    case broken
  }

  /// The amount promised.
  public var amount: Money
  /// The date it was promised for.
  public var dueOn: LocalDate
  /// Paid on the case's invoices since the promise was made.
  public var paidSince: Money
  /// How it turned out so far.
  public var status: Status

  /// Creates a promise record.
  public init(amount: Money, dueOn: LocalDate, paidSince: Money, status: Status = .pending) {
    self.amount = amount
    self.dueOn = dueOn
    self.paidSince = paidSince
    self.status = status
  }

  /// The judgment the facts support: kept, partly kept or broken.
  public var judged: Status {
    if paidSince >= amount { return .kept }
    return paidSince.minorUnits > 0 ? .partlyKept : .broken
  }
}

/// The rules no script can break: validates decisions and turns them into journal events.
public enum CaseRules {
  /// Applies one hook call's decisions, in order, all or nothing.
  ///
  /// Returns the case as it stands after them and one event per decision that changed something; a
  /// decision that changes nothing (a tag already there, the same priority) makes no event, so
  /// re-running a policy over the same state changes nothing twice. Throws `DomainError.refused` at the
  /// first decision the rules refuse, naming the case and the decision; nothing is applied then.
  public static func apply(
    _ decisions: [ProposedDecision], to disputeCase: DisputeCase, facts: CaseFacts, settings: CompanySettings,
    provenance: Provenance, at now: Date
  ) throws -> (DisputeCase, [JournalEvent]) {
    var facts = facts
    return try apply(
      decisions, to: disputeCase, facts: &facts, settings: settings, provenance: provenance, at: now)
  }

  /// `apply`, also bringing `facts` up to date (templates sent, follow-ups scheduled), for callers that
  /// validate decisions one at a time on a working copy.
  public static func apply(
    _ decisions: [ProposedDecision], to disputeCase: DisputeCase, facts: inout CaseFacts,
    settings: CompanySettings, provenance: Provenance, at now: Date
  ) throws -> (DisputeCase, [JournalEvent]) {
    var current = disputeCase
    var working = facts
    defer { facts = working }
    var events: [JournalEvent] = []
    for (offset, proposed) in decisions.enumerated() {
      precondition(proposed.caseId == disputeCase.id, "a decision for another case was applied to this one")
      do {
        try checkRanges(proposed)
        guard
          let payload = try apply(
            proposed.decision, to: &current, facts: &working, settings: settings, at: now)
        else { continue }
        events.append(
          JournalEvent(
            caseId: current.id, at: now, kind: proposed.decision.kind, payload: Self.json(payload),
            reason: proposed.reason, provenance: provenance))
      } catch DomainError.refused(let message) {
        let position = decisions.count > 1 ? " (decision \(offset + 1) of \(decisions.count))" : ""
        throw DomainError.refused(
          "case \(disputeCase.id): \(proposed.decision.kind) refused\(position): \(message)")
      } catch DomainError.invalid(let field, let message) {
        throw DomainError.refused(
          "case \(disputeCase.id): \(proposed.decision.kind) refused: \(field): \(message)")
      }
    }
    return (current, events)
  }

  /// The most bytes of a decision's reason, of a message body and of an approver's name.
  ///
  /// A letter is a few kilobytes; a bound keeps a case's history, which every policy reads, small.
  static let maxReasonBytes = 4_000, maxBodyBytes = 20_000, maxNameBytes = 200

  /// Range checks before any rule looks at a decision (Plausible): texts, dates and instants.
  static func checkRanges(_ proposed: ProposedDecision) throws {
    try Plausible.check(text: proposed.reason, field: "reason", maxBytes: maxReasonBytes)
    switch proposed.decision {
    case .tag(let tag): try Plausible.check(text: tag, field: "tag", maxBytes: 40)
    case .setDeadline(let deadline): try Plausible.check(deadline, field: "deadline")
    case .proposeGesture(_, _, let approvedBy?):
      try Plausible.check(text: approvedBy, field: "approved_by", maxBytes: maxNameBytes)
    case .send(let template, _, let body):
      try Plausible.check(text: template, field: "template", maxBytes: 64)
      if let body { try Plausible.check(text: body, field: "body", maxBytes: maxBodyBytes) }
    case .resolve(_, let newDueDate?, _): try Plausible.check(newDueDate, field: "new_due_date")
    default: break
    }
  }

  /// The court that hears a case and how it is brought, by amount (domain.md §3.8).
  public static func courtRoute(disputed: Money, customerKind: CustomerKind, settings: CompanySettings)
    -> [String:
    String]
  {
    let amount = disputed.minorUnits
    return [
      "court": customerKind == .company ? "tribunal_de_commerce" : "tribunal_judiciaire",
      "route": amount <= settings.requestFormLimit.minorUnits ? "request_form" : "summons",
      "lawyer": amount > settings.lawyerThreshold.minorUnits ? "required" : "not_required",
    ]
  }

  // swiftlint:disable:next cyclomatic_complexity
  private static func apply(
    _ decision: Decision, to current: inout DisputeCase, facts: inout CaseFacts, settings: CompanySettings,
    at now: Date
  ) throws -> [String: String]? {
    switch decision {
    case .close:
      // domain.md §3: a case closes after its resolution and follow-up, by hand or after the window.
      if current.status == .closed { return nil }
      guard current.status == .resolved else {
        throw DomainError.refused(
          "the case is \(current.status.rawValue): resolve it first (a case closes once resolved)")
      }
      current.status = .closed
      return ["from": CaseStatus.resolved.rawValue]
    case .reopen:
      guard current.status == .resolved || current.status == .closed else {
        throw DomainError.refused(
          "the case is \(current.status.rawValue), not resolved or closed: nothing to reopen")
      }
      let from = current.status
      current.status = .investigating
      current.outcome = nil
      return ["from": from.rawValue]
    default:
      break
    }
    if current.status == .closed { throw DomainError.refused("the case is closed") }
    let settled: Set<String> = ["categorize", "prioritize", "assign", "set_deadline", "escalate", "resolve"]
    if current.status == .resolved, settled.contains(decision.kind) {
      throw DomainError.refused(
        "the case is resolved (only tags, messages, follow-ups and gestures remain possible)")
    }
    switch decision {
    case .judgePromise:
      return try judge(&facts, settings: settings, at: now)
    case .close, .reopen:
      return nil  // handled above
    case .categorize(let category):
      guard current.category != category else { return nil }
      current.category = category
      return ["category": category.rawValue]
    case .prioritize(let priority):
      guard (1...5).contains(priority) else {
        throw DomainError.refused("priority must be between 1 (most urgent) and 5 (least), got \(priority)")
      }
      guard current.priority != priority else { return nil }
      current.priority = priority
      return ["priority": String(priority)]
    case .assign(let owner):
      guard current.owner != owner else { return nil }
      current.owner = owner
      return ["owner": owner.rawValue]
    case .tag(let tag):
      guard Self.isTag(tag) else {
        throw DomainError.refused(
          "tag '\(tag)' is not valid: lowercase letters, digits, '_', ':' or '-', at most 40 characters")
      }
      guard !current.tags.contains(tag) else { return nil }
      current.tags = (current.tags + [tag]).sorted()
      return ["tag": tag]
    case .setDeadline(let deadline):
      guard deadline > current.openedAt else {
        throw DomainError.refused("the deadline \(Timestamp.utcText(deadline)) is before the case was opened")
      }
      guard current.deadline != deadline else { return nil }
      current.deadline = deadline
      return ["deadline": Timestamp.utcText(deadline)]
    case .proposeGesture(let kind, let amount, let approvedBy):
      return try gesture(kind, amount, approvedBy, on: &current, settings: settings)
    case .escalate(let level):
      return try escalate(to: level, case: &current, facts: facts, settings: settings)
    case .send(let template, let channel, let body):
      guard Self.isTemplateName(template) else {
        throw DomainError.refused(
          "template '\(template)' is not a template name (lowercase letters, digits, '_')")
      }
      guard !facts.sentTemplates.contains(template) else { return nil }
      facts.sentTemplates.insert(template)
      facts.amicableAttemptRecorded = true
      var payload = ["template": template, "channel": channel.rawValue]
      payload["body"] = body
      return payload
    case .followUp(let days):
      guard (1...365).contains(days) else {
        throw DomainError.refused("a follow-up is 1 to 365 days ahead, got \(days)")
      }
      let due = LocalDate(now, in: settings.timeZone).adding(days: days)
      guard !facts.scheduledFollowUps.contains(due) else { return nil }
      facts.scheduledFollowUps.insert(due)
      return ["due_on": due.description]
    case .resolve(let outcome, let newDueDate, let promise):
      let today = LocalDate(now, in: settings.timeZone)
      if !current.invoiceNumbers.isEmpty {
        guard let newDueDate else {
          throw DomainError.refused("resolving a case with invoices needs a new due date (new_due_date)")
        }
        guard newDueDate >= today else {
          throw DomainError.refused("the new due date \(newDueDate) is in the past (today is \(today))")
        }
      }
      if let promise {
        guard promise.currency == current.disputed.currency, promise.minorUnits >= 0,
          promise <= facts.outstanding
        else {
          throw DomainError.refused(
            "the payment promise \(promise) must be between 0 and what the invoices still owe (\(facts.outstanding))"
          )
        }
      }
      current.status = .resolved
      current.outcome = outcome
      var payload = ["outcome": outcome.rawValue]
      payload["new_due_date"] = newDueDate?.description
      payload["promise"] = promise?.decimalText
      return payload
    }
  }

  private static func judge(_ facts: inout CaseFacts, settings: CompanySettings, at now: Date) throws
    -> [String:
    String]?
  {
    guard var promise = facts.promise else {
      throw DomainError.refused("the case has no payment promise to judge")
    }
    guard promise.status == .pending else { return nil }
    let today = LocalDate(now, in: settings.timeZone)
    guard today > promise.dueOn else {
      throw DomainError.refused("the promise is due on \(promise.dueOn); it can be judged from the day after")
    }
    promise.status = promise.judged
    facts.promise = promise
    return [
      "status": promise.status.rawValue, "promised": promise.amount.decimalText,
      "paid": promise.paidSince.decimalText,
      "due_on": promise.dueOn.description,
    ]
  }

  private static func gesture(
    _ kind: GestureKind, _ amount: Money, _ approvedBy: String?, on current: inout DisputeCase,
    settings: CompanySettings
  ) throws -> [String: String]? {
    guard amount.currency == current.disputed.currency else {
      throw DomainError.refused(
        "the gesture is in \(amount.currency), the case in \(current.disputed.currency)")
    }
    guard amount.minorUnits > 0 else {
      throw DomainError.refused("a gesture must be a positive amount, got \(amount)")
    }
    let approved = !(approvedBy ?? "").isEmpty
    if let cap = settings.gestureCaps[kind], amount > cap, !approved {
      throw DomainError.refused(
        "a \(kind.rawValue) of \(amount) exceeds the cap of \(cap) without a recorded approval")
    }
    guard let total = current.gestures.reduce(Optional(amount), { $0?.adding($1.amount) }) else {
      throw DomainError.refused("gestures would total more than any amount can hold")
    }
    if total > current.disputed, !approved {
      throw DomainError.refused(
        "gestures would total \(total), more than the disputed \(current.disputed), without a recorded approval"
      )
    }
    guard !current.gestures.contains(where: { $0.kind == kind && $0.amount == amount }) else { return nil }
    current.gestures.append(Gesture(kind: kind, amount: amount, approvedBy: approved ? approvedBy : nil))
    var payload = ["kind": kind.rawValue, "amount": amount.decimalText, "currency": amount.currency.code]
    payload["approved_by"] = approved ? approvedBy : nil
    return payload
  }

  private static func escalate(
    to level: EscalationLevel, case current: inout DisputeCase, facts: CaseFacts, settings: CompanySettings
  ) throws -> [String: String]? {
    if level == current.escalation { return nil }
    guard level > current.escalation else {
      throw DomainError.refused(
        "escalation only moves up the ladder: the case is at \(current.escalation.rawValue), not back to \(level.rawValue)"
      )
    }
    var payload = ["level": level.rawValue, "from": current.escalation.rawValue]
    if level == .court {
      guard current.escalation == .formalNotice else {
        throw DomainError.refused(
          "court needs a formal notice first (the case is at \(current.escalation.rawValue))")
      }
      guard facts.amicableAttemptRecorded else {
        throw DomainError.refused(
          "court needs a recorded amicable attempt (no message or letter to the customer yet)")
      }
      payload.merge(
        courtRoute(disputed: current.disputed, customerKind: facts.customerKind, settings: settings)
      ) {
        $1
      }
    }
    current.escalation = level
    return payload
  }

  /// Sorted-key JSON of a flat payload, as the journal stores it.
  ///
  /// Written by hand (it runs for every decision of a night): the same bytes as Foundation's
  /// `JSONSerialization` with `.sortedKeys` (which escapes `/` as `\/`) for the lowercase keys payloads use.
  public static func json(_ payload: [String: String]) -> String {
    var text = "{"
    for (offset, key) in payload.keys.sorted().enumerated() {
      if offset > 0 { text += "," }
      appendQuoted(key, to: &text)
      text += ":"
      appendQuoted(payload[key] ?? "", to: &text)
    }
    return text + "}"
  }

  /// Reads a payload written by `json` back into its keys and values; `[:]` for anything else.
  ///
  /// Payloads without escapes (nearly all) are split by hand: the nightly run reads every event of every
  /// open case, and Foundation's JSON reader showed in its profile. Others go through Foundation.
  public static func payload(decoding text: String) -> [String: String] {
    if let fields = flatObjectWithoutEscapes(Array(text.utf8)) { return fields }
    return (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: String]) ?? [:]
  }

  private static func flatObjectWithoutEscapes(_ bytes: [UInt8]) -> [String: String]? {
    let quote = UInt8(ascii: "\""), space = UInt8(ascii: " ")
    guard !bytes.contains(UInt8(ascii: "\\")) else { return nil }
    var index = 0
    func skipSpaces() { while index < bytes.count, bytes[index] == space { index += 1 } }
    func expect(_ character: Character) -> Bool {
      skipSpaces()
      guard index < bytes.count, bytes[index] == character.asciiValue else { return false }
      index += 1
      return true
    }
    func quoted() -> String? {
      skipSpaces()
      guard index < bytes.count, bytes[index] == quote,
        let end = bytes[(index + 1)...].firstIndex(of: quote)
      else { return nil }
      defer { index = end + 1 }
      return String(decoding: bytes[(index + 1)..<end], as: UTF8.self)
    }
    guard expect("{") else { return nil }
    var fields: [String: String] = [:]
    if expect("}") { return index == bytes.count ? fields : nil }
    repeat {
      guard let key = quoted(), expect(":"), let value = quoted() else { return nil }
      fields[key] = value
    } while expect(",")
    guard expect("}") else { return nil }
    skipSpaces()
    return index == bytes.count ? fields : nil
  }

  private static func appendQuoted(_ value: String, to text: inout String) {
    text += "\""
    for scalar in value.unicodeScalars {
      switch scalar {
      case "\"": text += "\\\""
      case "\\": text += "\\\\"
      case "/": text += "\\/"
      case "\n": text += "\\n"
      case "\r": text += "\\r"
      case "\t": text += "\\t"
      case "\u{08}": text += "\\b"
      case "\u{0C}": text += "\\f"
      case let control where control.value < 0x20:
        let hex = String(control.value, radix: 16)
        text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
      default: text.unicodeScalars.append(scalar)
      }
    }
    text += "\""
  }

  /// A tag: lowercase letters, digits, `_`, `:` and `-`, starting with a letter or digit, at most 40.
  static func isTag(_ tag: String) -> Bool {
    let bytes = Array(tag.utf8)
    guard let first = bytes.first, bytes.count <= 40, isLowerAlphanumeric(first) else { return false }
    return bytes.allSatisfy {
      isLowerAlphanumeric($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: "-")
    }
  }

  /// A template name: 1 to 60 lowercase letters, digits and `_`.
  static func isTemplateName(_ name: String) -> Bool {
    let bytes = Array(name.utf8)
    return (1...60).contains(bytes.count)
      && bytes.allSatisfy { isLowerAlphanumeric($0) || $0 == UInt8(ascii: "_") }
  }

  private static func isLowerAlphanumeric(_ byte: UInt8) -> Bool {
    (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
      || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
  }
}
