import Foundation

/// An amicable attempt recorded on a case: what court asks for first (domain.md §3.8).
public enum AmicableAttempt: String, Vocabulary {
  /// A solution proposed to the customer (a gesture offered counts as one).
  case proposal
  /// A mediation with a neutral third party.
  case mediation
  /// A conciliation before a conciliateur de justice.
  case conciliation
  /// A participative procedure (procédure participative) between the parties' lawyers.
  case participativeProcedure = "participative_procedure"
  /// The field name in messages.
  public static let fieldName = "attempt"

  /// Whether CPC 750-1 accepts it before the tribunal judiciaire for a claim up to 5,000 EUR: a
  /// conciliation, a mediation or a participative procedure; a proposal does not.
  public var satisfiesCPC7501: Bool { self != .proposal }
}

/// What happened on a case: the journal's vocabulary, typed.
///
/// One codec (`kind`, `fields`, `init(kind:fields:currency:)`) turns it into the journal's `kind` column
/// and flat JSON payload and back; `Codable` goes through it too (`{"kind": ..., "data": {...}}`). The
/// payloads of journals written before it was typed read back as the same events. Adding an event means adding a case here: the compiler finds every place that
/// must learn it.
public enum CaseEvent: Hashable, Sendable {
  /// The case was opened, disputing `portions` of its invoices (`invoices` in number order).
  case opened(channel: Channel, disputed: Money, invoices: [String], portions: [String: Money])
  /// A message was exchanged with the customer (its text stays in the communications table).
  case communication(direction: Direction, channel: Channel)
  /// A payment arrived on one of the case's invoices.
  case payment(invoice: String, amount: Money, paidOn: LocalDate, reference: String)
  /// The category was set.
  case categorized(DisputeCategory)
  /// The priority was set.
  case prioritized(Int)
  /// The case was given to a department.
  case assigned(Department)
  /// A label was added.
  case tagged(String)
  /// The resolution deadline was set.
  case deadlineSet(Date)
  /// A gesture was proposed to the customer (journals from before states: granted at once, id 0).
  case gestureProposed(Gesture)
  /// The customer accepted or refused gesture `id`.
  case gestureAnswered(id: Int, accepted: Bool)
  /// Gesture `id` was approved by `approver`.
  case gestureApproved(id: Int, approver: String)
  /// Gesture `id` was withdrawn by the company, or when its case closed.
  case gestureWithdrawn(id: Int)
  /// Gesture `id` was granted: it now changes what the customer owes.
  case gestureGranted(id: Int, kind: GestureKind, amount: Money)
  /// The case moved up the ladder; `route` is set when it reached court.
  case escalated(to: EscalationLevel, from: EscalationLevel, route: CourtRoute?)
  /// A letter or message was sent from a template; `body` is the text kept as proof (personal data);
  /// `invoice` names the invoice it is about when that is not the case's own (a preventive reminder).
  /// `claimed` is what it claimed for paying late, per invoice (a penalty claim, a formal notice).
  case sent(
    template: String, channel: Channel, body: String?, invoice: String? = nil,
    claimed: [PenaltyClaimRecord] = [])
  /// A follow-up was scheduled.
  case followUpScheduled(LocalDate)
  /// An amicable attempt was recorded.
  case attempted(AmicableAttempt)
  /// The case was resolved; collection resumes on `newDueDate`, with the customer's promise.
  case resolved(outcome: ResolutionOutcome, newDueDate: LocalDate?, promise: Money?)
  /// The payment promise was judged.
  case promiseJudged(status: PaymentPromise.Status, promised: Money, paid: Money, dueOn: LocalDate)
  /// The case was closed.
  case closed(from: CaseStatus)
  /// The case was reopened.
  case reopened(from: CaseStatus)
  /// The lifecycle moved the case's status on an event (domain.md §3).
  case statusChanged(from: CaseStatus, to: CaseStatus)
  /// Outbox item `item` (a letter or message of this case) was sent; `reference` is the proof (the
  /// registered letter's number, the mailer's message id).
  case dispatched(item: Int64, template: String, reference: String)
  /// Outbox item `item` could not be sent, and why (a bounced e-mail, an address unknown).
  case dispatchFailed(item: Int64, template: String, reason: String)
  /// An amount of invoice `invoice` the company gave up collecting (a person's write-off).
  case writtenOff(invoice: String, amount: Money, reference: String)
  /// The customer's identifying data was erased on request (RGPD article 17); amounts and the
  /// journal's structure are kept.
  case forgotten

  /// The kind, as the journal's `kind` column, `case explain` and scripts (`history[i].kind`) name it.
  public var kind: String {
    switch self {
    case .opened: return "opened"
    case .communication: return "communication"
    case .payment: return "payment"
    case .categorized: return "categorize"
    case .prioritized: return "prioritize"
    case .assigned: return "assign"
    case .tagged: return "tag"
    case .deadlineSet: return "set_deadline"
    case .gestureProposed: return "propose_gesture"
    case .gestureAnswered(_, let accepted): return accepted ? "accept_gesture" : "refuse_gesture"
    case .gestureApproved: return "approve_gesture"
    case .gestureWithdrawn: return "withdraw_gesture"
    case .gestureGranted: return "grant_gesture"
    case .escalated: return "escalate"
    case .sent: return "send"
    case .followUpScheduled: return "follow_up"
    case .attempted: return "amicable_attempt"
    case .resolved: return "resolve"
    case .promiseJudged: return "judge_promise"
    case .closed: return "close"
    case .reopened: return "reopen"
    case .statusChanged: return "status"
    case .dispatched: return "dispatched"
    case .dispatchFailed: return "dispatch_failed"
    case .forgotten: return "forgotten"
    case .writtenOff: return "write_off"
    }
  }

  /// Every kind the journal may hold, for messages.
  public static let kinds = [
    "opened", "communication", "payment", "categorize", "prioritize", "assign", "tag", "set_deadline",
    "propose_gesture", "accept_gesture", "refuse_gesture", "approve_gesture", "withdraw_gesture",
    "grant_gesture",
    "escalate",
    "send", "follow_up", "amicable_attempt", "resolve", "judge_promise", "close", "reopen", "status",
    "dispatched", "dispatch_failed", "forgotten", "write_off",
  ]

  /// The event's data as flat text fields: the journal's payload and a script's `history[i].data`.
  public var fields: [String: String] {
    switch self {
    case .opened(let channel, let disputed, let invoices, let portions):
      var fields = [
        "channel": channel.rawValue, "disputed": disputed.decimalText, "currency": disputed.currency.code,
        "invoices": invoices.joined(separator: ";"),
      ]
      if !portions.isEmpty {
        fields["portions"] = invoices.compactMap { number in
          portions[number].map { "\(number)=\($0.decimalText)" }
        }.joined(separator: ";")
      }
      return fields
    case .communication(let direction, let channel):
      return ["direction": direction.rawValue, "channel": channel.rawValue]
    case .payment(let invoice, let amount, let paidOn, let reference):
      return [
        "invoice": invoice, "amount": amount.decimalText, "currency": amount.currency.code,
        "paid_on": paidOn.description, "reference": reference,
      ]
    case .categorized(let category): return ["category": category.rawValue]
    case .prioritized(let priority): return ["priority": String(priority)]
    case .assigned(let owner): return ["owner": owner.rawValue]
    case .tagged(let tag): return ["tag": tag]
    case .deadlineSet(let deadline): return ["deadline": Timestamp.utcText(deadline)]
    case .gestureProposed(let gesture):
      var fields = [
        "id": String(gesture.id), "kind": gesture.kind.rawValue, "amount": gesture.amount.decimalText,
        "currency": gesture.amount.currency.code, "state": gesture.state.rawValue,
        "needs_approval": gesture.needsApproval ? "true" : "false",
      ]
      fields["approved_by"] = gesture.approvedBy
      return fields
    case .gestureAnswered(let id, _): return ["id": String(id)]
    case .gestureApproved(let id, let approver): return ["id": String(id), "approved_by": approver]
    case .gestureWithdrawn(let id): return ["id": String(id)]
    case .gestureGranted(let id, let kind, let amount):
      return [
        "id": String(id), "kind": kind.rawValue, "amount": amount.decimalText,
        "currency": amount.currency.code,
      ]
    case .escalated(let level, let from, let route):
      var fields = ["level": level.rawValue, "from": from.rawValue]
      if let route {
        fields["court"] = route.court.rawValue
        fields["route"] = route.procedure.rawValue
        fields["lawyer"] = route.lawyerRequired ? "required" : "not_required"
        fields["claimed"] = route.claimed.decimalText
        fields["currency"] = route.claimed.currency.code
      }
      return fields
    case .sent(let template, let channel, let body, let invoice, let claimed):
      var fields = ["template": template, "channel": channel.rawValue]
      fields["body"] = body
      fields["invoice"] = invoice
      if !claimed.isEmpty { fields["claimed"] = PenaltyClaimRecord.encode(claimed) }
      return fields
    case .followUpScheduled(let day): return ["due_on": day.description]
    case .attempted(let attempt): return ["attempt": attempt.rawValue]
    case .resolved(let outcome, let newDueDate, let promise):
      var fields = ["outcome": outcome.rawValue]
      fields["new_due_date"] = newDueDate?.description
      fields["promise"] = promise?.decimalText
      fields["currency"] = promise?.currency.code
      return fields
    case .promiseJudged(let status, let promised, let paid, let dueOn):
      return [
        "status": status.rawValue, "promised": promised.decimalText, "paid": paid.decimalText,
        "due_on": dueOn.description, "currency": promised.currency.code,
      ]
    case .closed(let from): return ["from": from.rawValue]
    case .reopened(let from): return ["from": from.rawValue]
    case .statusChanged(let from, let to): return ["from": from.rawValue, "to": to.rawValue]
    case .dispatched(let item, let template, let reference):
      return ["item": String(item), "template": template, "reference": reference]
    case .dispatchFailed(let item, let template, let reason):
      return ["item": String(item), "template": template, "reason": reason]
    case .forgotten: return [:]
    case .writtenOff(let invoice, let amount, let reference):
      return [
        "invoice": invoice, "amount": amount.decimalText, "currency": amount.currency.code,
        "reference": reference,
      ]
    }
  }

  /// Reads an event back from its kind and fields; `currency` is the case's, for amounts written
  /// without one.
  ///
  /// Throws `DomainError.invalid` naming the kind and the field that is missing or malformed.
  public init(kind: String, fields: [String: String], currency: Currency) throws {
    func text(_ key: String) throws -> String {
      guard let value = fields[key] else {
        throw DomainError.invalid(field: "\(kind).\(key)", "missing in the event's data")
      }
      return value
    }
    func money(_ key: String) throws -> Money {
      let moneyCurrency = try fields["currency"].map { try Currency(code: $0) } ?? currency
      return try Money(parsing: try text(key), currency: moneyCurrency, field: "\(kind).\(key)")
    }
    func date(_ key: String) throws -> LocalDate {
      try LocalDate(parsing: try text(key), field: "\(kind).\(key)")
    }
    func integer(_ key: String) throws -> Int {
      guard let value = Int(try text(key)) else {
        throw DomainError.invalid(
          field: "\(kind).\(key)", "expected a whole number, got '\(fields[key] ?? "")'")
      }
      return value
    }
    func value<V: Vocabulary>(_ key: String) throws -> V {
      try V.parse(try text(key), field: "\(kind).\(key)")
    }
    switch kind {
    case "opened":
      let invoices = try text("invoices").split(separator: ";").map(String.init)
      var portions: [String: Money] = [:]
      let disputed = try money("disputed")
      for entry in (fields["portions"] ?? "").split(separator: ";") {
        let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2 else {
          throw DomainError.invalid(field: "opened.portions", "expected INVOICE=AMOUNT, got '\(entry)'")
        }
        portions[parts[0]] = try Money(
          parsing: parts[1], currency: disputed.currency, field: "opened.portions")
      }
      self = .opened(
        channel: try value("channel"), disputed: disputed, invoices: invoices, portions: portions)
    case "communication":
      self = .communication(direction: try value("direction"), channel: try value("channel"))
    case "payment":
      self = .payment(
        invoice: try text("invoice"), amount: try money("amount"), paidOn: try date("paid_on"),
        reference: try text("reference"))
    case "categorize": self = .categorized(try value("category"))
    case "prioritize": self = .prioritized(try integer("priority"))
    case "assign": self = .assigned(try value("owner"))
    case "tag": self = .tagged(try text("tag"))
    case "set_deadline":
      self = .deadlineSet(try Timestamp.parse(try text("deadline"), field: "set_deadline.deadline"))
    case "propose_gesture":
      // Before gestures had states (0.3 and earlier) a proposal was granted at once and had no id.
      let state: GestureState =
        try fields["state"].map { try GestureState.parse($0, field: "propose_gesture.state") }
        ?? .granted
      self = .gestureProposed(
        Gesture(
          id: fields["id"] == nil ? 0 : try integer("id"), kind: try value("kind"),
          amount: try money("amount"),
          state: state, approvedBy: fields["approved_by"], needsApproval: fields["needs_approval"] == "true"))
    case "accept_gesture", "refuse_gesture":
      self = .gestureAnswered(id: try integer("id"), accepted: kind == "accept_gesture")
    case "approve_gesture": self = .gestureApproved(id: try integer("id"), approver: try text("approved_by"))
    case "withdraw_gesture": self = .gestureWithdrawn(id: try integer("id"))
    case "grant_gesture":
      self = .gestureGranted(id: try integer("id"), kind: try value("kind"), amount: try money("amount"))
    case "escalate":
      let level: EscalationLevel = try value("level")
      var route: CourtRoute?
      if let court = fields["court"] {
        let procedure: CourtRoute.Procedure
        switch fields["route"] ?? "" {
        case "request_form", "request": procedure = .request  // "request_form": journals of 0.3
        case "summons": procedure = .summons
        case "order_for_payment": procedure = .orderForPayment
        default:
          throw DomainError.invalid(field: "escalate.route", "unknown route '\(fields["route"] ?? "")'")
        }
        guard let courtValue = CourtRoute.Court(rawValue: court) else {
          throw DomainError.invalid(field: "escalate.court", "unknown court '\(court)'")
        }
        route = CourtRoute(
          court: courtValue, procedure: procedure, lawyerRequired: fields["lawyer"] == "required",
          claimed: fields["claimed"] == nil ? .zero(currency) : try money("claimed"))
      }
      self = .escalated(to: level, from: try value("from"), route: route)
    case "send":
      self = .sent(
        template: try text("template"), channel: try value("channel"), body: fields["body"],
        invoice: fields["invoice"],
        claimed: try fields["claimed"].map { try PenaltyClaimRecord.parse($0, currency: currency) } ?? [])
    case "follow_up": self = .followUpScheduled(try date("due_on"))
    case "amicable_attempt": self = .attempted(try value("attempt"))
    case "resolve":
      self = .resolved(
        outcome: try value("outcome"),
        newDueDate: fields["new_due_date"] == nil ? nil : try date("new_due_date"),
        promise: fields["promise"] == nil ? nil : try money("promise"))
    case "judge_promise":
      guard let status = PaymentPromise.Status(rawValue: try text("status")) else {
        throw DomainError.invalid(field: "judge_promise.status", "unknown status '\(fields["status"] ?? "")'")
      }
      self = .promiseJudged(
        status: status, promised: try money("promised"), paid: try money("paid"), dueOn: try date("due_on"))
    case "close": self = .closed(from: try value("from"))
    case "reopen": self = .reopened(from: try value("from"))
    case "status": self = .statusChanged(from: try value("from"), to: try value("to"))
    case "dispatched":
      self = .dispatched(
        item: Int64(try integer("item")), template: try text("template"), reference: try text("reference"))
    case "dispatch_failed":
      self = .dispatchFailed(
        item: Int64(try integer("item")), template: try text("template"), reason: try text("reason"))
    case "forgotten": self = .forgotten
    case "write_off":
      self = .writtenOff(
        invoice: try text("invoice"), amount: try money("amount"), reference: try text("reference"))
    default:
      throw DomainError.invalid(
        field: "kind", "unknown event '\(kind)' (expected one of: \(Self.kinds.joined(separator: ", ")))")
    }
  }

  /// Reads an event from the journal's `kind` column and JSON payload.
  public init(kind: String, payload: String, currency: Currency) throws {
    try self.init(kind: kind, fields: CaseRules.payload(decoding: payload), currency: currency)
  }
}

extension CaseEvent: Codable {
  private enum CodingKeys: String, CodingKey {
    case kind, data
  }

  /// Reads `{"kind": ..., "data": {...}}`; amounts written without a currency are read in EUR, the
  /// currency of journals written before every amount carried one.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    let kind = try container.decode(String.self, forKey: .kind)
    let data = try container.decode([String: String].self, forKey: .data)
    do {
      try self.init(
        kind: kind, fields: data, currency: (try? Currency(code: data["currency"] ?? "")) ?? .euro)
    } catch let error as DomainError {
      throw DecodingError.dataCorruptedError(forKey: .data, in: container, debugDescription: "\(error)")
    }
  }

  /// Writes `{"kind": ..., "data": {...}}`, the journal's kind and fields.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(kind, forKey: .kind)
    try container.encode(fields, forKey: .data)
  }
}
