import Foundation

/// What a policy decides about a case; the core validates it before anything changes.
public enum Decision: Hashable, Sendable {
  /// Sets the category.
  case categorize(DisputeCategory)
  /// Sets the priority, 1 (most urgent) to 5.
  case prioritize(Int)
  /// Gives the case to a department.
  case assign(Department)
  /// Adds a label.
  case tag(String)
  /// Sets the resolution deadline.
  case setDeadline(Date)
  /// Proposes a gesture to the customer; `approvedBy` approves it at once, and must be the person
  /// deciding (an approver of the company whose limit covers it).
  case proposeGesture(kind: GestureKind, amount: Money, approvedBy: String?)
  /// Records the customer's answer to gesture `id`: accepted or refused.
  case answerGesture(id: Int, accepted: Bool)
  /// Approves gesture `id`: only a person who is one of the company's approvers, within their limit.
  case approveGesture(id: Int)
  /// Withdraws gesture `id`, proposed or accepted but not granted: the company takes its offer back.
  case withdrawGesture(id: Int)
  /// Records an amicable attempt: a proposal, a mediation, a conciliation or a participative procedure.
  case recordAttempt(AmicableAttempt)
  /// Records a message exchanged with the customer (its text stays in the communications).
  case recordMessage(direction: Direction, channel: Channel)
  /// Moves up the escalation ladder; for court, optionally the procedure (order for payment...).
  case escalate(EscalationLevel, procedure: CourtRoute.Procedure? = nil)
  /// Queues a letter or message from a template; `body` is the rendered text, kept as proof of what was
  /// sent (personal data: shown on request, never logged). `invoice` names the invoice a letter is
  /// about when it is not the case's own: a preventive reminder before another invoice's due date
  /// (domain.md §5), recorded on the customer's case whatever its status.
  ///
  /// `claimPenalties` says the letter claims the late penalties (or legal interest) of the case's
  /// invoices, computed by the core in that mode (`CasePenalties`) and kept with the event for the
  /// accounting feed.
  case send(
    template: String, channel: Channel, body: String?, invoice: String? = nil,
    claimPenalties: DisputedPenalties? = nil)
  /// Schedules a follow-up in so many days.
  case followUp(days: Int)
  /// Resolves the case: collection resumes on `newDueDate`, with the customer's payment promise.
  case resolve(outcome: ResolutionOutcome, newDueDate: LocalDate?, promise: Money?)
  /// Judges the payment promise once its date has passed; the core decides kept, partly kept or broken.
  case judgePromise
  /// Closes a resolved case: its follow-up is over (domain.md §3.9); closed cases are no longer visited.
  case close
  /// Opens a resolved or closed case again: it is investigated anew and its invoices frozen again.
  case reopen

  /// The decision's kind, as the journal and scripts name it (`tag`, `propose_gesture`...).
  public var kind: String {
    switch self {
    case .categorize: return "categorize"
    case .prioritize: return "prioritize"
    case .assign: return "assign"
    case .tag: return "tag"
    case .setDeadline: return "set_deadline"
    case .proposeGesture: return "propose_gesture"
    case .answerGesture(_, let accepted): return accepted ? "accept_gesture" : "refuse_gesture"
    case .approveGesture: return "approve_gesture"
    case .withdrawGesture: return "withdraw_gesture"
    case .recordAttempt: return "amicable_attempt"
    case .recordMessage: return "communication"
    case .escalate: return "escalate"
    case .send: return "send"
    case .followUp: return "follow_up"
    case .resolve: return "resolve"
    case .judgePromise: return "judge_promise"
    case .close: return "close"
    case .reopen: return "reopen"
    }
  }
}

/// Where a decision came from: a plugin's hook, a script, a person in the REPL.
public struct Provenance: Hashable, Sendable, Codable {
  /// `plugin@version`, `script:path.lua` or `user:NAME`.
  public var source: String
  /// The hook that decided (`triage`), or `run` for a script.
  public var hook: String
  /// The run or session id that groups decisions made together.
  public var runId: String

  /// Creates a provenance.
  public init(source: String, hook: String, runId: String) {
    self.source = source
    self.hook = hook
    self.runId = runId
  }

  /// Whether a person decided (`user:NAME`), not a plugin or a script.
  public var isPerson: Bool { source.hasPrefix("user:") }
}

/// A decision as a policy made it: what, on which case, and the reason it gave.
public struct ProposedDecision: Hashable, Sendable {
  /// The case decided on.
  public var caseId: Int64
  /// The decision.
  public var decision: Decision
  /// The script's own explanation, shown by `case explain`.
  public var reason: String

  /// Creates a proposed decision.
  public init(caseId: Int64, decision: Decision, reason: String) {
    self.caseId = caseId
    self.decision = decision
    self.reason = reason
  }
}

/// One entry of the append-only journal: an applied decision or a recorded fact, typed.
public struct JournalEvent: Hashable, Sendable {
  /// The case it concerns.
  public var caseId: Int64
  /// When it was applied (UTC).
  public var at: Date
  /// What happened.
  public var event: CaseEvent
  /// Why, in the words of the script or person.
  public var reason: String
  /// Who decided.
  public var provenance: Provenance

  /// Creates an event.
  public init(caseId: Int64, at: Date, event: CaseEvent, reason: String, provenance: Provenance) {
    self.caseId = caseId
    self.at = at
    self.event = event
    self.reason = reason
    self.provenance = provenance
  }

  /// The event's kind as the journal and scripts name it (`tag`, `escalate`, `opened`...).
  public var kind: String { event.kind }
  /// The event's data as sorted JSON, as the journal stores it.
  public var payload: String { CaseRules.json(event.fields) }
}
