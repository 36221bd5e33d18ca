import Foundation

/// What the core must know about a case beyond its own fields to judge a decision, derived from its
/// journal, its communications and its invoices' ledgers by `derive`, in one place.
public struct CaseFacts: Sendable, Equatable {
  /// The amicable attempts on record.
  ///
  /// Proposals (a gesture offered counts), mediations, conciliations, participative procedures; messages
  /// and automatic acknowledgements are not attempts (domain.md §3.7).
  public var attempts: Set<AmicableAttempt>
  /// Whether the customer has had a first answer (a letter sent or a message to them).
  public var answered: Bool
  /// Templates already sent on the case; a letter about another invoice as `sentKey(template, invoice:)`.
  public var sentTemplates: Set<String>
  /// Dates of follow-ups already scheduled.
  public var scheduledFollowUps: Set<LocalDate>
  /// Whether the customer is a company (court: tribunal de commerce) or a person.
  public var customerKind: CustomerKind
  /// The ledgers of the case's invoices, with every case's disputed portions of them.
  public var ledgers: [InvoiceLedger]
  /// What the linked invoices still owe, in total (never below zero per invoice): what may be claimed.
  public var outstanding: Money
  /// The payment promise made at resolution, if any.
  public var promise: PaymentPromise?
  /// Days the customer acknowledged the debt: payment promises made (Code civil 2240).
  public var acknowledgements: [LocalDate] = []
  /// Mediations under way or over, which suspend limitation (Code civil 2238).
  public var suspensions: [Limitation.Suspension] = []
  /// Follow-ups promised to the customer or scheduled by a policy, with when they were scheduled.
  public var commitments: [Commitment] = []
  /// When the customer last had news (a letter sent or a message to them).
  public var lastNewsAt: Date?

  /// Commitments due by `today` that no letter or message has met since they were made: the owner's
  /// queue the next morning (domain.md §3.2: answer fast; §5: keep the customer informed).
  public func missedCommitments(on today: LocalDate) -> [LocalDate] {
    commitments.filter { commitment in
      commitment.dueOn <= today && (lastNewsAt.map { $0 <= commitment.scheduledAt } ?? true)
    }.map(\.dueOn)
  }

  /// The day the case reached the formal notice, if it did (legal interest runs from it against a
  /// consumer, Code civil 1231-6).
  public var formalNoticeOn: LocalDate?

  /// Creates the facts directly (tests); `derive` builds them from a case's records.
  public init(
    attempts: Set<AmicableAttempt> = [], answered: Bool = false, sentTemplates: Set<String> = [],
    scheduledFollowUps: Set<LocalDate> = [], customerKind: CustomerKind = .company,
    ledgers: [InvoiceLedger] = [],
    outstanding: Money, promise: PaymentPromise? = nil
  ) {
    self.attempts = attempts
    self.answered = answered
    self.sentTemplates = sentTemplates
    self.scheduledFollowUps = scheduledFollowUps
    self.customerKind = customerKind
    self.ledgers = ledgers
    self.outstanding = outstanding
    self.promise = promise
  }

  /// Whether a real amicable attempt is on record (the company's rule before court).
  public var amicableAttemptRecorded: Bool { !attempts.isEmpty }

  /// The first day the company's claim on the case's invoices is time-barred (Limitation.expiry), or nil
  /// when nothing is owed.
  ///
  /// The clock starts at the earliest original due date of an invoice still owing (Code civil 2233);
  /// each payment on it and each payment promise restarts it (Code civil 2240); mediations suspend it
  /// (Code civil 2238).
  public var limitationDate: LocalDate? {
    // Each invoice still owing has its own clock: its due date, its own payments (a partial payment
    // acknowledges that debt, not another), the case's promises and mediations; the case's date is
    // the earliest of them.
    let owing = ledgers.filter { ((try? $0.owed()) ?? .zero($0.invoice.total.currency)).minorUnits > 0 }
    return owing.map { ledger in
      Limitation.expiry(
        dueOn: ledger.invoice.dueOn, debtor: customerKind,
        acknowledgements: acknowledgements + ledger.payments.map(\.paidOn), suspensions: suspensions)
    }.min()
  }

  /// The facts of a case from its journal (in order), its communications, its customer's kind, its
  /// invoices' ledgers and its latest promise; `timeZone` makes the journal's instants days.
  ///
  /// The one place facts are computed: the store, a night's snapshot and `litige test` all call it.
  public static func derive(
    journal: [JournalEvent], communications: [Communication] = [], customerKind: CustomerKind,
    ledgers: [InvoiceLedger], promise: PaymentPromise?, currency: Currency, timeZone: TimeZone
  ) -> CaseFacts {
    var facts = CaseFacts(
      customerKind: customerKind, ledgers: ledgers, outstanding: .zero(currency), promise: promise)
    var mediationSince: LocalDate?
    for entry in journal {
      facts.note(entry.event, by: entry.provenance)
      let day = LocalDate(entry.at, in: timeZone)
      if case .escalated(.formalNotice, _, _) = entry.event, facts.formalNoticeOn == nil {
        facts.formalNoticeOn = day
      }
      switch entry.event {
      case .followUpScheduled(let due):
        facts.commitments.append(Commitment(dueOn: due, scheduledAt: entry.at))
      case .sent, .communication(.outgoing, _): facts.lastNewsAt = entry.at
      default: break
      }
      switch entry.event {
      case .escalated(.mediation, _, _) where entry.provenance.isPerson:
        // Code civil 2238: an agreed mediation or conciliation suspends the clock while it lasts.
        if mediationSince == nil { mediationSince = day }
      case .attempted(let attempt) where attempt != .proposal:
        if mediationSince == nil { mediationSince = day }
      case .escalated(.formalNotice, _, _), .escalated(.court, _, _), .resolved:
        if let start = mediationSince {
          // Suspended from its first day through the day before it ended; a same-day end suspends nothing.
          if day > start {
            facts.suspensions.append(Limitation.Suspension(from: start, through: day.adding(days: -1)))
          }
          mediationSince = nil
        }
        if case .resolved(_, _, let promise?) = entry.event, promise.minorUnits > 0 {
          facts.acknowledgements.append(day)
        }
      default: break
      }
    }
    if let start = mediationSince {
      // A mediation still under way suspends the clock until it ends; counted through its start for now.
      facts.suspensions.append(Limitation.Suspension(from: start, through: start))
    }
    if communications.contains(where: { $0.direction == .outgoing }) { facts.answered = true }
    var owed = Money.zero(currency)
    for ledger in ledgers where ledger.invoice.total.currency == currency {
      if let amount = try? ledger.owed(), amount.minorUnits > 0 { owed = owed.adding(amount) ?? owed }
    }
    facts.outstanding = owed
    return facts
  }

  /// Brings the ledgers up to date with `effects` of case `caseId` (adjustments only), and what is owed.
  public mutating func apply(_ effects: [LedgerEffect], caseId: Int64, on day: LocalDate) {
    for effect in effects {
      guard case .adjust(let kind, let allocation, _) = effect else { continue }
      for index in ledgers.indices {
        guard let amount = allocation[ledgers[index].invoice.number] else { continue }
        ledgers[index].adjustments.append(
          LedgerAdjustment(
            kind: kind, invoiceNumber: ledgers[index].invoice.number, on: day, amount: amount, caseId: caseId)
        )
      }
    }
    var owed = Money.zero(outstanding.currency)
    for ledger in ledgers where ledger.invoice.total.currency == outstanding.currency {
      if let amount = try? ledger.owed(), amount.minorUnits > 0 { owed = owed.adding(amount) ?? owed }
    }
    outstanding = owed
  }

  /// The key `sentTemplates` holds for a letter from `template` about `invoice` (not the case's own).
  public static func sentKey(_ template: String, invoice: String?) -> String {
    invoice.map { "\(template) \($0)" } ?? template
  }

  /// Brings the facts up to date with one more event of the case, decided by `provenance`.
  mutating func note(_ event: CaseEvent, by provenance: Provenance? = nil) {
    switch event {
    case .sent(let template, _, _, let invoice?, _):
      // A letter about another invoice answers nothing of this case.
      sentTemplates.insert(Self.sentKey(template, invoice: invoice))
    case .sent(let template, _, _, nil, _):
      sentTemplates.insert(template)
      answered = true
    case .communication(.outgoing, _): answered = true
    case .followUpScheduled(let day): scheduledFollowUps.insert(day)
    case .escalated(.mediation, _, _):
      // A mediation a person recorded by escalating is one; a policy moving the level after so many
      // days proves no mediator was engaged (CPC 750-1 asks for a real one).
      if provenance?.isPerson == true { attempts.insert(.mediation) }
    case .attempted(let attempt): attempts.insert(attempt)
    case .gestureProposed: attempts.insert(.proposal)
    case .promiseJudged(let status, let promised, _, let dueOn):
      // A judgment belongs to the promise it judged: after a reopening and a new resolution, an
      // earlier promise's verdict does not judge the new one.
      if promise?.amount == promised, promise?.dueOn == dueOn { promise?.status = status }
    default: break
    }
  }
}

/// A follow-up scheduled on a case: the day it is due, and when it was scheduled.
public struct Commitment: Hashable, Sendable {
  /// The day the customer is to hear from the company.
  public var dueOn: LocalDate
  /// When the follow-up was scheduled (news after it meets it).
  public var scheduledAt: Date
  /// A commitment.
  public init(dueOn: LocalDate, scheduledAt: Date) {
    self.dueOn = dueOn
    self.scheduledAt = scheduledAt
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

/// A change the store makes to the ledger because of an event; the core decides it, the store executes
/// it and holds no domain rule of its own.
public enum LedgerEffect: Hashable, Sendable {
  /// Freeze these portions of the case's invoices (opening, by invoice number).
  case freeze([String: Money])
  /// Unfreeze the case's portions; the disputed remainder falls due on `newDueOn` (resolution). The
  /// invoices keep their original due date.
  case release(newDueOn: LocalDate?)
  /// Freeze the case's portions again (reopening).
  case refreeze
  /// Record adjustments of `kind` of these amounts on these invoices (a granted credit note, discount
  /// or refund), under `reference`, once per invoice.
  case adjust(LedgerAdjustmentKind, [String: Money], reference: String)
  /// Record the customer's payment promise.
  case recordPromise(Money, dueOn: LocalDate)
  /// Record how the latest promise was judged.
  case judgePromise(PaymentPromise.Status)
}

/// The rules no script can break: validates decisions and turns them into journal events.
public enum CaseRules {
  /// Applies one hook call's decisions, in order, all or nothing.
  ///
  /// Returns the case as it stands after them and the events they produced, each decision's own event
  /// followed by the status change it caused, if any (the lifecycle, domain.md §3); a decision that
  /// changes nothing (a tag already there, the same priority) makes no event, so re-running a policy
  /// over the same state changes nothing twice. Throws `DomainError.refused` at the first decision the
  /// rules refuse, naming the case and the decision; nothing is applied then.
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
        guard now >= disputeCase.openedAt else {
          throw DomainError.refused(
            "a decision dated \(Timestamp.utcText(now)) is before the case was opened (\(Timestamp.utcText(disputeCase.openedAt)))"
          )
        }
        let context = Context(settings: settings, provenance: provenance, now: now)
        let produced = try decide(proposed.decision, on: &current, facts: &working, context)
        for event in produced {
          working.note(event, by: provenance)
          // A granted gesture changes the ledger at once for what follows in the same call.
          if case .gestureGranted = event {
            working.apply(
              effects(of: event, on: current, facts: working), caseId: current.id, on: context.today)
          }
          events.append(
            JournalEvent(
              caseId: current.id, at: now, event: event, reason: proposed.reason, provenance: provenance))
        }
        if let (status, why) = Lifecycle.next(after: produced, case: current, facts: working) {
          let change = CaseEvent.statusChanged(from: current.status, to: status)
          current.status = status
          events.append(
            JournalEvent(caseId: current.id, at: now, event: change, reason: why, provenance: provenance))
        }
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

  /// What the store must change in the ledger for `event` on `disputeCase` (as it stands after the
  /// event), given the case's `facts`.
  public static func effects(of event: CaseEvent, on disputeCase: DisputeCase, facts: CaseFacts)
    -> [LedgerEffect]
  {
    switch event {
    case .opened(_, _, _, let portions): return portions.isEmpty ? [] : [.freeze(portions)]
    case .resolved(_, let newDueDate, let promise):
      var effects: [LedgerEffect] = [.release(newDueOn: newDueDate)]
      if let promise, let newDueDate { effects.append(.recordPromise(promise, dueOn: newDueDate)) }
      return effects
    case .reopened: return [.refreeze]
    case .promiseJudged(let status, _, _, _): return [.judgePromise(status)]
    case .gestureGranted(let id, let kind, let amount):
      return grantEffects(id: id, kind: kind, amount: amount, on: disputeCase, ledgers: facts.ledgers)
    default: return []
    }
  }

  /// What granting gesture `id` changes in the ledger (domain.md §4: each gesture changes what the
  /// customer owes).
  ///
  /// A credit note or a discount is a credit that concedes the case's disputed portions first, then
  /// lowers what the invoices owe. A refund is money paid back: it first returns what the customer
  /// overpaid, and beyond that is a credit paid out at once (what is owed does not change, the
  /// customer has the money). A replacement or a voucher changes nothing the invoices owe.
  public static func grantEffects(
    id: Int, kind: GestureKind, amount: Money, on disputeCase: DisputeCase, ledgers: [InvoiceLedger]
  ) -> [LedgerEffect] {
    let reference = "gesture-\(disputeCase.id)-\(id)"
    let zero = Money.zero(amount.currency)
    switch kind {
    case .creditNote, .discount:
      let allocation = allocateConcession(amount, on: disputeCase, ledgers: ledgers)
      return allocation.isEmpty ? [] : [.adjust(.credit, allocation, reference: reference)]
    case .refund:
      var remaining = amount
      var repaid: [String: Money] = [:]
      for number in disputeCase.invoiceNumbers where remaining > zero {
        guard let ledger = ledgers.first(where: { $0.invoice.number == number }),
          let due = try? ledger.refundDue(), due > zero
        else { continue }
        let share = min(remaining, due)
        repaid[number] = share
        remaining = remaining - share
      }
      var effects: [LedgerEffect] =
        repaid.isEmpty ? [] : [.adjust(.refund, repaid, reference: reference + "-repaid")]
      if remaining > zero {
        let allocation = allocateConcession(remaining, on: disputeCase, ledgers: ledgers)
        if !allocation.isEmpty {
          effects += [
            .adjust(.credit, allocation, reference: reference),
            .adjust(.refund, allocation, reference: reference + "-paid"),
          ]
        }
      }
      return effects
    case .replacement, .voucher:
      return []
    }
  }

  /// Splits a concession over the case's invoices: first what is still in dispute of each of its
  /// portions, then what each still owes, the last invoice taking whatever remains.
  public static func allocateConcession(
    _ amount: Money, on disputeCase: DisputeCase, ledgers: [InvoiceLedger]
  )
    -> [String: Money]
  {
    let zero = Money.zero(amount.currency)
    var remaining = amount
    var allocation: [String: Money] = [:]
    for number in disputeCase.invoiceNumbers where remaining > zero {
      guard let ledger = ledgers.first(where: { $0.invoice.number == number }),
        let portion = ledger.disputes.first(where: { $0.caseId == disputeCase.id }),
        let room = try? ledger.stillDisputed(portion), room > zero
      else { continue }
      let share = min(remaining, room)
      allocation[number] = share
      remaining = remaining - share
    }
    guard remaining > zero else { return allocation }
    for (number, share) in allocate(
      remaining, over: disputeCase.invoiceNumbers, ledgers: ledgers, owedFirst: true)
    {
      allocation[number] = (allocation[number] ?? zero) + share
    }
    return allocation
  }

  /// Splits `amount` over `invoices`, in order.
  ///
  /// Each takes what it still owes (or, with `owedFirst` false, its total), and the last takes whatever
  /// remains. Empty without invoices.
  public static func allocate(
    _ amount: Money, over invoices: [String], ledgers: [InvoiceLedger], owedFirst: Bool
  ) -> [String: Money] {
    guard let last = invoices.last else { return [:] }
    var remaining = amount
    var allocation: [String: Money] = [:]
    for number in invoices where remaining.minorUnits > 0 {
      guard let ledger = ledgers.first(where: { $0.invoice.number == number }) else { continue }
      let room = owedFirst ? ((try? ledger.owed()) ?? ledger.invoice.total) : ledger.invoice.total
      let share = min(remaining, max(room, .zero(amount.currency)))
      guard share.minorUnits > 0 else { continue }
      allocation[number] = share
      remaining = remaining - share
    }
    if remaining.minorUnits > 0 {
      allocation[last] = (allocation[last] ?? .zero(amount.currency)) + remaining
    }
    return allocation
  }

  /// The most bytes of a decision's reason, of a message body and of an approver's name.
  ///
  /// A letter is a few kilobytes; a bound keeps a case's history, which every policy reads, small.
  static let maxReasonBytes = 4_000, maxBodyBytes = 20_000, maxNameBytes = 200
  /// The most gestures one case may hold.
  static let maxGestures = 100

  /// Range checks before any rule looks at a decision (Plausible): texts, dates and instants.
  static func checkRanges(_ proposed: ProposedDecision) throws {
    try Plausible.check(text: proposed.reason, field: "reason", maxBytes: maxReasonBytes)
    switch proposed.decision {
    case .tag(let tag): try Plausible.check(text: tag, field: "tag", maxBytes: 40)
    case .setDeadline(let deadline): try Plausible.check(deadline, field: "deadline")
    case .proposeGesture(_, _, let approvedBy?):
      try Plausible.check(text: approvedBy, field: "approved_by", maxBytes: maxNameBytes)
    case .send(let template, _, let body, let invoice, _):
      try Plausible.check(text: template, field: "template", maxBytes: 64)
      if let body { try Plausible.check(text: body, field: "body", maxBytes: maxBodyBytes) }
      if let invoice { try Plausible.check(text: invoice, field: "invoice", maxBytes: 64) }
    case .resolve(_, let newDueDate?, _): try Plausible.check(newDueDate, field: "new_due_date")
    default: break
    }
  }

  struct Context {
    var settings: CompanySettings
    var provenance: Provenance
    var now: Date
    var today: LocalDate { LocalDate(now, in: settings.timeZone) }
    /// The person deciding (`user:NAME`), if a person decides.
    var person: String? {
      provenance.source.hasPrefix("user:") ? String(provenance.source.dropFirst("user:".count)) : nil
    }
  }

  // swiftlint:disable:next cyclomatic_complexity function_body_length
  private static func decide(
    _ decision: Decision, on current: inout DisputeCase, facts: inout CaseFacts, _ context: Context
  ) throws -> [CaseEvent] {
    let settings = context.settings
    switch decision {
    case .close:
      // domain.md §3: a case closes after its resolution and follow-up, by hand or after the window.
      if current.status == .closed { return [] }
      guard current.status == .resolved else {
        throw DomainError.refused(
          "the case is \(current.status.rawValue): resolve it first (a case closes once resolved)")
      }
      // Offers still pending when the case closes are withdrawn: nobody can answer or approve them now.
      var events: [CaseEvent] = []
      for index in current.gestures.indices where current.gestures[index].isPending {
        current.gestures[index].state = .withdrawn
        events.append(.gestureWithdrawn(id: current.gestures[index].id))
      }
      current.status = .closed
      return events + [.closed(from: .resolved)]
    case .reopen:
      guard current.status == .resolved || current.status == .closed else {
        throw DomainError.refused(
          "the case is \(current.status.rawValue), not resolved or closed: nothing to reopen")
      }
      // Disputed again: its portions may not take an invoice beyond its total with the cases opened since.
      for ledger in facts.ledgers {
        guard let mine = ledger.disputes.first(where: { $0.caseId == current.id }), mine.amount.minorUnits > 0
        else { continue }
        let others = ledger.disputes.filter { $0.open && $0.caseId != current.id }
        let taken = others.reduce(Money.zero(mine.amount.currency)) { $0.adding($1.amount) ?? $0 }
        guard let together = taken.adding(mine.amount), together <= ledger.invoice.total else {
          let cases = others.map { String($0.caseId) }.joined(separator: ", ")
          throw DomainError.refused(
            "invoice \(ledger.invoice.number) (total \(ledger.invoice.total)) is now disputed for \(taken) by case(s) "
              + "\(cases): reopening would dispute \(mine.amount) more")
        }
      }
      let from = current.status
      current.status = current.gestures.contains { $0.state == .proposed } ? .proposed : .investigating
      current.outcome = nil
      current.resolvedAt = nil
      return [.reopened(from: from)]
    case .recordMessage(let direction, let channel):
      // A message is a fact: recorded whatever the status, even on a closed case.
      return [.communication(direction: direction, channel: channel)]
    case .send(let template, let channel, let body, let invoice?, _):
      // A preventive reminder about another invoice of the customer (domain.md §5) is kept on the
      // customer's latest case as proof, whatever that case's status; once per template and invoice.
      // An invoice the case disputes is the case's own business; one it names without disputing any of
      // it may get a preventive reminder like any other.
      guard !current.status.isActive || (current.portions[invoice]?.minorUnits ?? 0) <= 0 else {
        throw DomainError.refused(
          "invoice \(invoice) is disputed by this case: send about it without naming the invoice")
      }
      guard Self.isTemplateName(template) else {
        throw DomainError.refused(
          "template \(RefusedValue.word(template)) is not a template name (lowercase letters, digits, '_')")
      }
      guard !facts.sentTemplates.contains(CaseFacts.sentKey(template, invoice: invoice)) else { return [] }
      return [.sent(template: template, channel: channel, body: body, invoice: invoice)]
    default:
      break
    }
    if current.status == .closed { throw DomainError.refused("the case is closed (reopen it first)") }
    // A resolved case's remainder is collected like any debt: a formal notice or court step for what
    // the customer still owes stays possible (a broken promise).
    let settled: Set<String> = [
      "categorize", "prioritize", "assign", "set_deadline", "resolve", "amicable_attempt",
    ]
    if current.status == .resolved, settled.contains(decision.kind) {
      throw DomainError.refused(
        "the case is resolved (only tags, messages, follow-ups, gestures and the collection of the remainder remain possible)"
      )
    }
    switch decision {
    case .close, .reopen, .recordMessage, .send(_, _, _, _?, _):
      return []  // handled above
    case .judgePromise:
      return try judge(&facts, settings: settings, at: context.now)
    case .categorize(let category):
      guard current.category != category else { return [] }
      current.category = category
      return [.categorized(category)]
    case .prioritize(let priority):
      guard (1...5).contains(priority) else {
        throw DomainError.refused("priority must be between 1 (most urgent) and 5 (least), got \(priority)")
      }
      guard current.priority != priority else { return [] }
      current.priority = priority
      return [.prioritized(priority)]
    case .assign(let owner):
      guard current.owner != owner else { return [] }
      current.owner = owner
      return [.assigned(owner)]
    case .tag(let tag):
      guard Self.isTag(tag) else {
        throw DomainError.refused(
          "tag \(RefusedValue.word(tag)) is not valid: lowercase letters, digits, '_', ':' or '-', at most 40 characters"
        )
      }
      guard !current.tags.contains(tag) else { return [] }
      current.tags = (current.tags + [tag]).sorted()
      return [.tagged(tag)]
    case .setDeadline(let deadline):
      guard deadline > current.openedAt else {
        throw DomainError.refused("the deadline \(Timestamp.utcText(deadline)) is before the case was opened")
      }
      guard current.deadline != deadline else { return [] }
      current.deadline = deadline
      return [.deadlineSet(deadline)]
    case .proposeGesture(let kind, let amount, let approvedBy):
      return try Gestures.propose(kind, amount, approvedBy: approvedBy, on: &current, context)
    case .answerGesture(let id, let accepted):
      return try Gestures.answer(id, accepted: accepted, on: &current, context)
    case .approveGesture(let id):
      return try Gestures.approve(id, on: &current, context)
    case .withdrawGesture(let id):
      return try Gestures.withdraw(id, on: &current)
    case .recordAttempt(let attempt):
      // A conciliation, a mediation or a participative procedure is a fact a person records (it
      // opens the court and suspends limitation); a policy records only proposals.
      guard attempt == .proposal || context.person != nil else {
        throw DomainError.refused(
          "a \(attempt.rawValue.replacingOccurrences(of: "_", with: " ")) is recorded by a person (litige case attempt), not by \(context.provenance.source)"
        )
      }
      guard !facts.attempts.contains(attempt) else { return [] }
      return [.attempted(attempt)]
    case .escalate(let level, let procedure):
      if current.status == .resolved, level < .formalNotice {
        throw DomainError.refused(
          "the case is resolved: only a formal notice or court, for what is still owed, can follow")
      }
      return try escalate(to: level, procedure: procedure, case: &current, facts: facts, context)
    case .send(let template, let channel, let body, nil, let mode):
      guard Self.isTemplateName(template) else {
        throw DomainError.refused(
          "template \(RefusedValue.word(template)) is not a template name (lowercase letters, digits, '_')")
      }
      guard !facts.sentTemplates.contains(template) else { return [] }
      // The penalties a letter claims are the core's figures (domain.md §4), kept with it.
      var claimed: [PenaltyClaimRecord] = []
      if let mode {
        claimed = try CasePenalties.claims(
          for: current, facts: facts, settings: settings, today: context.today, mode: mode
        )
        .filter { $0.claim.total.minorUnits > 0 }
        .map {
          PenaltyClaimRecord(
            invoice: $0.ledger.invoice.number, basis: $0.claim.basis.rawValue, interest: $0.claim.interest,
            indemnity: $0.claim.indemnity, days: $0.claim.days)
        }
      }
      return [.sent(template: template, channel: channel, body: body, claimed: claimed)]
    case .followUp(let days):
      guard (1...365).contains(days) else {
        throw DomainError.refused("a follow-up is 1 to 365 days ahead, got \(days)")
      }
      let due = context.today.adding(days: days)
      guard !facts.scheduledFollowUps.contains(due) else { return [] }
      return [.followUpScheduled(due)]
    case .resolve(let outcome, let newDueDate, let promise):
      let today = context.today
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
        guard newDueDate != nil else {
          throw DomainError.refused("a payment promise needs the date it is promised for (new_due_date)")
        }
      }
      current.status = .resolved
      current.outcome = outcome
      current.resolvedAt = context.now
      return [.resolved(outcome: outcome, newDueDate: newDueDate, promise: promise)]
    }
  }

  /// The decisions the lifecycle itself makes on `disputeCase` on `today`: closing a resolved case
  /// once its follow-up window is over and its promise, if any, judged (domain.md §3.9).
  public static func lifecycleDecisions(
    for disputeCase: DisputeCase, facts: CaseFacts, settings: CompanySettings, today: LocalDate
  ) -> [ProposedDecision] {
    guard disputeCase.status == .resolved, let resolvedAt = disputeCase.resolvedAt else { return [] }
    var decisions: [ProposedDecision] = []
    var judged = facts.promise.map { $0.status != .pending } ?? true
    if let promise = facts.promise, promise.status == .pending, today > promise.dueOn {
      // domain.md §4: a promise is judged kept, partly kept or broken once its date has passed.
      decisions.append(
        ProposedDecision(
          caseId: disputeCase.id, decision: .judgePromise,
          reason: "the promised date \(promise.dueOn) has passed"))
      judged = true
    }
    let windowEnds = LocalDate(resolvedAt, in: settings.timeZone).adding(days: settings.followUpDays)
    // The follow-up covers the disputed remainder's new due date too (domain.md §3.9, §4).
    let remainderDue = facts.ledgers.flatMap(\.disputes).filter { $0.caseId == disputeCase.id }.compactMap(
      \.newDueOn
    ).max()
    // A formal notice or court step a person is asked to decide, or one under way on what is still
    // collectable, keeps the case open: closing it would drop the claim (issue 11: a broken promise
    // is followed by a formal notice for the remainder).
    let collectable = facts.ledgers.reduce(Int64(0)) {
      $0 + ((try? $1.collectable(on: today).minorUnits) ?? 0)
    }
    let claimPending =
      collectable > 0
      && (disputeCase.tags.contains("formal_notice_proposed") || disputeCase.tags.contains("court_proposed")
        || disputeCase.escalation >= .formalNotice)
    if today >= windowEnds, judged, remainderDue.map({ today > $0 }) ?? true, !claimPending {
      decisions.append(
        ProposedDecision(
          caseId: disputeCase.id, decision: .close,
          reason: "the \(settings.followUpDays)-day follow-up window after resolution is over"))
    }
    return decisions
  }

  /// The first day after `today` on which `lifecycleDecisions` may decide something on a case that does
  /// not change meanwhile; nil when only a change can make it decide (the case is not resolved).
  ///
  /// For the night's wake-up index (issue 14): a resolved case is due when its promise's date has
  /// passed (domain.md §4) and when its follow-up window and its remainder's new due date are over
  /// (§3.9); a case kept open by a pending claim is looked at every night, since what is collectable
  /// moves with the invoices' due dates.
  public static func lifecycleWake(
    for disputeCase: DisputeCase, facts: CaseFacts, settings: CompanySettings, today: LocalDate
  ) -> LocalDate? {
    guard disputeCase.status == .resolved, let resolvedAt = disputeCase.resolvedAt else { return nil }
    let tomorrow = today.adding(days: 1)
    var closing = LocalDate(resolvedAt, in: settings.timeZone).adding(days: settings.followUpDays)
    let remainderDue = facts.ledgers.flatMap(\.disputes).filter { $0.caseId == disputeCase.id }.compactMap(
      \.newDueOn
    ).max()
    if let remainderDue { closing = max(closing, remainderDue.adding(days: 1)) }
    var wake = closing
    if let promise = facts.promise, promise.status == .pending {
      wake = min(wake, promise.dueOn.adding(days: 1))
    }
    return max(wake, tomorrow)
  }

  private static func judge(_ facts: inout CaseFacts, settings: CompanySettings, at now: Date) throws
    -> [CaseEvent]
  {
    guard var promise = facts.promise else {
      throw DomainError.refused("the case has no payment promise to judge")
    }
    guard promise.status == .pending else { return [] }
    let today = LocalDate(now, in: settings.timeZone)
    guard today > promise.dueOn else {
      throw DomainError.refused("the promise is due on \(promise.dueOn); it can be judged from the day after")
    }
    promise.status = promise.judged
    facts.promise = promise
    return [
      .promiseJudged(
        status: promise.status, promised: promise.amount, paid: promise.paidSince, dueOn: promise.dueOn)
    ]
  }

  private static func escalate(
    to level: EscalationLevel, procedure: CourtRoute.Procedure?, case current: inout DisputeCase,
    facts: CaseFacts, _ context: Context
  ) throws -> [CaseEvent] {
    let settings = context.settings
    if level == current.escalation { return [] }
    guard level > current.escalation else {
      throw DomainError.refused(
        "escalation only moves up the ladder: the case is at \(current.escalation.rawValue), not back to \(level.rawValue)"
      )
    }
    if procedure != nil, level != .court {
      throw DomainError.refused("a court procedure is chosen only when escalating to court")
    }
    if level == .court, current.escalation != .formalNotice {
      throw DomainError.refused(
        "court needs a formal notice first (the case is at \(current.escalation.rawValue))")
    }
    if level >= .formalNotice, facts.outstanding.minorUnits <= 0 {
      // domain.md §4: the claim is what is owed on the disputed invoices; nothing owed, nothing to claim.
      throw DomainError.refused(
        "nothing is owed on the case's invoices (\(facts.outstanding)): there is nothing to claim by \(level == .court ? "court" : "formal notice")"
      )
    }
    let collectable = facts.ledgers.reduce(Money.zero(facts.outstanding.currency)) {
      $0.adding((try? $1.collectable(on: context.today)) ?? .zero($0.currency)) ?? $0
    }
    if level >= .formalNotice, collectable.minorUnits <= 0 {
      // domain.md §4: only the disputed part is frozen; while it is in dispute (or not due again after
      // a resolution) there is nothing to demand. The company's own fault is conceded, not claimed.
      throw DomainError.refused(
        "nothing is collectable today: the \(facts.outstanding) owed is in dispute or not yet due again; there is nothing to claim by \(level == .court ? "court" : "formal notice")"
      )
    }
    if level >= .formalNotice, let offer = current.gestures.first(where: { $0.state == .proposed }) {
      // Issue 11, domain.md §3.9: a proposal awaiting the customer's answer pauses the claim; demanding
      // payment while the company's own offer is open contradicts it.
      throw DomainError.refused(
        "gesture #\(offer.id) awaits the customer's answer: record it or withdraw the offer before a \(level == .court ? "court step" : "formal notice")"
      )
    }
    if level >= .formalNotice, let barred = facts.limitationDate, context.today >= barred {
      // Code de commerce L110-4, Code civil 2224, Code de la consommation L218-2: once the period has
      // run, the claim is time-barred; a formal notice or a summons would claim what the law no
      // longer lets the company collect.
      throw DomainError.refused(
        "the claim is time-barred since \(barred) (limitation, Code civil 2224 / Code de commerce L110-4 / Code de la consommation L218-2)"
      )
    }
    var route: CourtRoute?
    if level == .court {
      if settings.requireAmicableAttempt, !facts.amicableAttemptRecorded {
        throw DomainError.refused(
          "court needs a real amicable attempt first (a proposal, a mediation or a conciliation recorded); "
            + "an acknowledgement or a letter is not one")
      }
      route = try CourtRoute.route(
        claimed: collectable, debtor: facts.customerKind, procedure: procedure,
        amicableAttempt: facts.attempts.contains { $0.satisfiesCPC7501 })
    }
    let from = current.escalation
    current.escalation = level
    return [.escalated(to: level, from: from, route: route)]
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
  /// Flat objects of strings (every payload `json` writes, escapes included) are read by hand: the
  /// nightly run reads every event of every case it visits, and Foundation's JSON reader was 15 % of
  /// a steady night's workers, mostly on letters, whose bodies hold `\n`. Anything else (nested
  /// values, numbers, a lone surrogate) goes through Foundation.
  public static func payload(decoding text: String) -> [String: String] {
    if let fields = flatObject(Array(text.utf8)) { return fields }
    return (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: String]) ?? [:]
  }

  /// A JSON object whose values are all strings, or nil when `bytes` is anything else (or uses JSON
  /// this reader leaves to Foundation).
  static func flatObject(_ bytes: [UInt8]) -> [String: String]? {
    let quote = UInt8(ascii: "\""), space = UInt8(ascii: " "), backslash = UInt8(ascii: "\\")
    var index = 0
    func skipSpaces() { while index < bytes.count, bytes[index] == space { index += 1 } }
    func expect(_ character: Character) -> Bool {
      skipSpaces()
      guard index < bytes.count, bytes[index] == character.asciiValue else { return false }
      index += 1
      return true
    }
    /// Four hexadecimal digits at `position`, or nil.
    func hex(at position: Int) -> UInt32? {
      guard position + 4 <= bytes.count else { return nil }
      var value: UInt32 = 0
      for byte in bytes[position..<(position + 4)] {
        let digit: UInt8
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
        default: return nil
        }
        value = value << 4 | UInt32(digit)
      }
      return value
    }
    func quoted() -> String? {
      skipSpaces()
      guard index < bytes.count, bytes[index] == quote else { return nil }
      var start = index + 1
      var cursor = start
      var unescaped: [UInt8] = []  // used once an escape is met
      var escaped = false
      while cursor < bytes.count {
        let byte = bytes[cursor]
        if byte == quote {
          index = cursor + 1
          guard escaped else { return String(decoding: bytes[start..<cursor], as: UTF8.self) }
          unescaped.append(contentsOf: bytes[start..<cursor])
          return String(decoding: unescaped, as: UTF8.self)
        }
        guard byte == backslash else {
          cursor += 1
          continue
        }
        escaped = true
        unescaped.append(contentsOf: bytes[start..<cursor])
        guard cursor + 1 < bytes.count else { return nil }
        switch bytes[cursor + 1] {
        case quote, backslash, UInt8(ascii: "/"): unescaped.append(bytes[cursor + 1])
        case UInt8(ascii: "b"): unescaped.append(0x08)
        case UInt8(ascii: "f"): unescaped.append(0x0C)
        case UInt8(ascii: "n"): unescaped.append(0x0A)
        case UInt8(ascii: "r"): unescaped.append(0x0D)
        case UInt8(ascii: "t"): unescaped.append(0x09)
        case UInt8(ascii: "u"):
          guard var code = hex(at: cursor + 2) else { return nil }
          cursor += 4
          if (0xD800...0xDBFF).contains(code) {
            // A pair of UTF-16 surrogates; a lone one is left to Foundation.
            guard cursor + 3 < bytes.count, bytes[cursor + 2] == backslash,
              bytes[cursor + 3] == UInt8(ascii: "u"),
              let low = hex(at: cursor + 4), (0xDC00...0xDFFF).contains(low)
            else { return nil }
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
            cursor += 6
          }
          guard let scalar = Unicode.Scalar(code) else { return nil }
          unescaped.append(contentsOf: Array(String(Character(scalar)).utf8))
        default: return nil
        }
        cursor += 2
        start = cursor
      }
      return nil
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

  /// `value` as a JSON string literal: the journal's escaping, shared by every JSON Litige writes by hand.
  public static func jsonQuoted(_ value: String) -> String {
    var text = ""
    appendQuoted(value, to: &text)
    return text
  }

  private static func appendQuoted(_ value: String, to text: inout String) {
    text += "\""
    // Most values need no escape: appended whole. A scalar at a time, every payload written cost 4 %
    // of `litige generate` (BENCHMARKS.md, issue 14, ninth session). UTF-8 bytes of 0x80 and above
    // belong to scalars written as they are.
    let needsEscape = value.utf8.contains {
      $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "/")
    }
    guard needsEscape else {
      text += value
      text += "\""
      return
    }
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
